"""contractgen's Streamlit router and frame. Pages live in views/ and stay thin.

The frame (page config, the settings sidebar) is drawn here, once for every page, so the settings chosen
on one page are the ones every other page uses. Pages are in views/, not pages/: see README "Why views/".
"""

import streamlit as st

from contractgen_ui.provider import frame, manager

st.set_page_config(page_title="contractgen", page_icon="📜", layout="wide")

page = st.navigation([
    st.Page("views/generate.py", title="Generate", icon=":material/edit_document:", default=True),
    st.Page("views/history.py", title="History", icon=":material/history:"),
    st.Page("views/monitoring.py", title="Monitoring", icon=":material/monitoring:"),
    st.Page("views/batch.py", title="Batch", icon=":material/stacks:"),
])
manager()  # the process's one manager (a Streamlit resource), created by the first visit to any page
frame()
page.run()
