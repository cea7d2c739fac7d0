"""contractgen's Streamlit router. Pages live in views/ and stay thin."""

import streamlit as st

st.set_page_config(page_title="contractgen", page_icon="📜", layout="wide")

page = st.navigation([
    st.Page("views/generate.py", title="Generate", icon=":material/edit_document:", default=True),
    st.Page("views/history.py", title="History", icon=":material/history:"),
    st.Page("views/monitoring.py", title="Monitoring", icon=":material/monitoring:"),
])
page.run()
