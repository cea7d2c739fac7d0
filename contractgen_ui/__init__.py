"""Streamlit view pieces shared by pages. Logic stays in contractgen; this only draws."""
