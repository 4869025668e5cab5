"""Yardstick: does "the reward went up" mean "the model got better"? Entry point: `streamlit run app.py`."""
import streamlit as st

st.set_page_config(page_title="Yardstick", page_icon="📏", layout="wide")

PAGES = {
    "Explore": [
        st.Page("pages/overview.py", title="Overview", icon="🏠", url_path="overview", default=True),
        st.Page("pages/curves.py", title="Curves", icon="📈", url_path="curves"),
        st.Page("pages/completions.py", title="Completions", icon="🔎", url_path="completions"),
    ],
}

st.navigation(PAGES).run()
