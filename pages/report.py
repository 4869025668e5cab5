"""Report: the views pinned with "📌 Pin this view", each rebuilt on today's data beside what it showed when pinned;
edit, reorder or delete them, add text between them, present them one per screen (← →), and export the whole report
as one self-contained HTML file or as Markdown (yardstick.share: findings, html, markdown)."""
import streamlit as st

from pages import _keys, _render as render, _ui as ui
from yardstick.share import findings, html, markdown

st.title("📋 Report")
reopened = ui.query(findings.reopen_all)
present = ui.state_flag("present")
if not reopened:
    st.info("Nothing pinned yet: open a view (a curve, a filtered list of completions, an audit) and pin it from the "
            "sidebar (📌).")
    st.stop()


def show(f: findings.Reopened, prefix: str) -> None:
    if f.today is None:
        st.text(f.note)
        return
    (st.warning if f.changed else st.caption)(ui.plain(f.provenance()))
    if f.note:
        st.text(f.note)
    render.view(f.today, prefix=prefix)


if present:
    slide = min(max(ui.int_param("slide") or 0, 0), len(reopened) - 1)
    pressed = _keys.arrows()
    if pressed and pressed[1] != st.session_state.get("meeting-key"):
        st.session_state["meeting-key"] = pressed[1]
        slide = min(max(slide + (1 if pressed[0] == "next" else -1), 0), len(reopened) - 1)
    st.query_params["slide"] = str(slide)
    f = reopened[slide]
    st.header(f"{slide + 1} / {len(reopened)} · {ui.plain(f.title)}")
    show(f, f"slide-{f.finding_id}-")
    if f.today is not None:
        st.page_link(f"pages/{f.page}.py", label="Open this view", icon="↗️", query_params=f.params)
    cols = st.columns([1, 1, 6])
    if cols[0].button("← previous", disabled=slide == 0):
        st.query_params["slide"] = str(slide - 1)
        st.rerun()
    if cols[1].button("next →", disabled=slide == len(reopened) - 1):
        st.query_params["slide"] = str(slide + 1)
        st.rerun()
    if cols[2].button("Leave meeting mode"):
        st.query_params.pop("present", None)
        st.rerun()
    st.stop()

st.caption("Each finding keeps its page, its URL and a snapshot of what it showed; here it is rebuilt on today's "
           "data, and says so when the numbers changed. ← → step through them in meeting mode.")
top = st.columns([2, 2, 2, 3])
if top[0].button("▶ Meeting mode", type="primary"):
    st.query_params["present"] = "1"
    st.query_params["slide"] = "0"
    st.rerun()
# the files are built when a button is clicked, not on every rerun (the HTML inlines plotly.js and every chart)
top[1].download_button("HTML report", lambda: html.document(reopened).encode(), "yardstick-report.html", "text/html",
                       on_click="ignore")
top[2].download_button("Markdown", lambda: markdown.document(reopened).encode(), "yardstick-report.md", "text/markdown",
                       on_click="ignore")
with top[3].popover("➕ Text block"), st.form("text-block", clear_on_submit=True, border=False):
    text = st.text_area("Text (shown between findings)")
    if st.form_submit_button("Add") and ui.attempt(ui.store().add_note_block, text):
        st.rerun()

for i, f in enumerate(reopened):
    with st.container(border=True):
        head = st.columns([6, 1, 1, 1, 1])
        head[0].text(f"{i + 1}. {f.title}" + (f"  ·  {f.page}" if f.page else "  ·  text"))
        if f.today is not None:
            head[0].page_link(f"pages/{f.page}.py", label="Open this view", icon="↗️", query_params=f.params)
        if head[1].button("↑", key=f"up-{f.finding_id}", disabled=i == 0):
            ui.store().move_finding(f.finding_id, -1)
            st.rerun()
        if head[2].button("↓", key=f"down-{f.finding_id}", disabled=i == len(reopened) - 1):
            ui.store().move_finding(f.finding_id, 1)
            st.rerun()
        with head[3].popover("✎"), st.form(f"edit-{f.finding_id}", border=False):
            title = st.text_input("Title", f.title)
            note = st.text_area("Note", f.note)
            if st.form_submit_button("Save") and ui.attempt(ui.store().edit_finding, f.finding_id, title, note):
                st.rerun()
        if head[4].button("🗑", key=f"delete-{f.finding_id}", help="Delete this finding"):
            ui.store().delete_finding(f.finding_id)
            st.rerun()
        with st.expander("Show", expanded=f.today is None):
            show(f, f"finding-{f.finding_id}-")
