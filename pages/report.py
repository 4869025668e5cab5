"""Report: the views pinned with "📌 Pin this view", each reopenable, and all of them as one self-contained HTML
file to share in a meeting."""
import json

import streamlit as st

from core import report
from pages import _ui as ui

st.title("📋 Report")
st.caption("Pin any view from the sidebar (📌). Each finding keeps its page and URL, so it reopens exactly; the "
           "download is one HTML file with the charts and tables, escaped, that works offline.")

found = ui.query("findings")
if found.empty:
    st.info("Nothing pinned yet: open a view (a curve, a filtered list of completions, an audit) and pin it.")
    st.stop()

for f in found.itertuples():
    with st.container(border=True):
        st.text(f"{f.title}  ·  {f.page}  ·  {f.created_at:%Y-%m-%d %H:%M}")
        if f.note:
            st.text(f.note)
        state = json.loads(f.state)
        st.page_link(f"pages/{f.page}.py", label="Open this view", icon="↗️",
                     query_params={k: v for k, v in state.items() if v})

st.download_button("Download the report (HTML)", report.render(ui.store(), found).encode(),
                   file_name="yardstick-report.html", mime="text/html", on_click="ignore", type="primary")
