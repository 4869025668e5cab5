"""Report: the views pinned with "📌 Pin this view", each rebuilt on today's data beside what it showed when pinned,
and all of them as one self-contained HTML file for a meeting (core.findings, core.report)."""
import streamlit as st

from core import findings, report
from pages import _render as render, _ui as ui

st.title("📋 Report")
st.caption("Pin any view from the sidebar (📌). Each finding keeps its page, its URL and a snapshot of what it "
           "showed; here it is rebuilt on today's data, and says so when the numbers changed. The download is one "
           "HTML file with the same charts and tables, escaped, that works offline.")

reopened = ui.query(findings.reopen_all)
if not reopened:
    st.info("Nothing pinned yet: open a view (a curve, a filtered list of completions, an audit) and pin it.")
    st.stop()

for f in reopened:
    with st.container(border=True):
        st.text(f"{f.title}  ·  {f.page}")
        if f.note:
            st.text(f.note)
        (st.warning if f.changed else st.caption)(ui.plain(f.provenance()))
        st.page_link(f"pages/{f.page}.py", label="Open this view", icon="↗️", query_params=f.params)
        with st.expander("Show the view here"):
            render.view(f.today, prefix=f"finding-{f.finding_id}-")

st.download_button("Download the report (HTML)", report.render(reopened).encode(),
                   file_name="yardstick-report.html", mime="text/html", on_click="ignore", type="primary")
