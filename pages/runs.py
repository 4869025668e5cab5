"""Runs: a sortable table of every run; rename, tag, annotate or delete one; compare two runs' configs. Lays out
yardstick.views.runs; edits go through the store (the only writer)."""
import streamlit as st

from pages import _render as render, _ui as ui
from yardstick.jobs import manage
from yardstick.views import runs as runs_view

st.title("🗂️ Runs")
ui.sync_runs()
url = ui.state(runs_view.State)
state = url.replace(compare=tuple(ui.widget("runs-compare", list(url.compare))))  # drawn below, read first
ui.set_state(state)
view = ui.view("runs", state)
table = view.options["runs"]
render.block(view.get("runs"))
if table.empty:
    st.stop()
ids = table["run_id"].tolist()

with st.expander("Rename, tag, annotate or delete a run", expanded=False):
    run = st.selectbox("Run", ids)
    row = table.set_index("run_id").loc[run]
    with st.form("edit-run"):
        name = st.text_input("Name", row["name"] or run)
        tags = st.text_input("Tags (comma-separated)", ", ".join(row["tags"]) if row["tags"] is not None else "")
        notes = st.text_area("Notes", row["notes"] or "")
        if st.form_submit_button("Save") and ui.attempt(ui.store().edit_run, run, name,
                                                         [t.strip() for t in tags.split(",") if t.strip()], notes):
            st.rerun()

    @st.dialog("Delete this run?")
    def confirm(run_id: str) -> None:
        st.text(f"{run_id}: its completions, their readings, labels and judgments, its metrics and its run folder "
                "will be removed. This cannot be undone.")
        if st.button("Delete", type="primary"):
            message = ui.guarded(manage.delete, ui.store(), run_id)
            if message:
                st.session_state["deleted"] = message
                st.rerun()

    if st.button("Delete…"):
        confirm(run)
if st.session_state.get("deleted"):
    st.success(ui.plain(st.session_state.pop("deleted")))

st.subheader("Compare two runs' configs")
st.multiselect("Two runs", ids, default=[r for r in state.compare if r in ids], max_selections=2, key="runs-compare")
if view.get("config-diff") or view.get("config-same"):
    render.block(view.get("config-diff") or view.get("config-same"))
