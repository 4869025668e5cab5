"""Yardstick: does "the reward went up" mean "the model got better"? Start it with `make app`
(pages/_serve.py explains why not plain `streamlit run app.py`)."""
import streamlit as st

from pages import (
    _keys,  # noqa: F401  (registers the labelling keyboard component before any page runs)
    _login,
    _ui as ui,
)
from yardstick import views
from yardstick.errors import StoreUnavailable

st.set_page_config(page_title="Yardstick", page_icon="📏", layout="wide")

PAGES = {
    "Train": [
        st.Page("pages/launch.py", title="Launch", icon="🚀", url_path="launch"),
    ],
    "Explore": [
        st.Page("pages/overview.py", title="Overview", icon="🏠", url_path="overview", default=True),
        st.Page("pages/runs.py", title="Runs", icon="🗂️", url_path="runs"),
        st.Page("pages/curves.py", title="Curves", icon="📈", url_path="curves"),
        st.Page("pages/completions.py", title="Completions", icon="🔎", url_path="completions"),
        st.Page("pages/strip.py", title="One prompt", icon="🧵", url_path="strip"),
        st.Page("pages/final.py", title="Final evaluation", icon="🏁", url_path="final"),
    ],
    "Review": [
        st.Page("pages/label.py", title="Label", icon="🏷️", url_path="label"),
        st.Page("pages/audit.py", title="Audit", icon="⚖️", url_path="audit"),
        st.Page("pages/judge.py", title="Judge", icon="🧑‍⚖️", url_path="judge"),
    ],
    "Share": [
        st.Page("pages/report.py", title="Report", icon="📋", url_path="report"),
    ],
}

entered = _login.allowed()  # a login when one is configured; nothing at all served openly beyond loopback
page = st.navigation(PAGES, position="sidebar" if entered else "hidden")
if not entered:
    _login.login_page()
    st.stop()
if (page.url_path or "overview") in views.PAGES:  # the default page's url_path is empty
    ui.pin_form(page.url_path or "overview")
try:
    page.run()
except StoreUnavailable as exc:  # a write that found the disk full, anywhere on the page
    ui.unavailable(exc)
