"""Overview: what is in the store, what to look at, each run's verdict rates, and which extractor can be trusted
(the study's Table 2 shape). Lays out yardstick.views.overview."""
import streamlit as st

from pages import _login, _render as render, _ui as ui
from yardstick.guard import access
from yardstick.importers.upload import save as upload_save
from yardstick.jobs import imports
from yardstick.store import reviews
from yardstick.views import overview

st.title("📏 Yardstick")
st.caption("Reward, metric and answer extractor are separate instruments here — and each is audited.")

ui.sync_runs()  # pick up run folders written since the last visit
state = ui.state(overview.State)
refs = ui.query(reviews.references)
if len(refs):
    choices = refs["reference"].tolist()
    counts = dict(zip(refs["reference"], refs["n"]))
    chosen = ui.widget("overview-reference", state.reference)  # the radio below, read before the View is built
    state = state.replace(reference=chosen if chosen in choices else choices[0])
ui.set_state(state)
view = ui.view("overview", state)

render.stats([b for b in view.blocks if b.key.startswith("count:")])
if view.get("flags"):
    render.block(view.get("flags"))

with st.expander("Import data"):
    st.caption("A study folder, GSM8K model solutions, a completions JSONL (question, gold, text, optional run and "
               "step), a TRL output folder (completions/*.parquet, checkpoint-*/trainer_state.json), a Weights & "
               "Biases run folder or history export, or a run folder written by the Yardstick recorder on a GPU "
               "cluster (zip or tar it).")
    path = st.text_input("Path on this machine")
    upload = st.file_uploader("…or upload a file", type=["jsonl", "zip", "tar", "gz", "tgz"])
    if st.button("Import", disabled=not (path or upload)):
        target = (ui.guarded(upload_save, upload.name, upload.getvalue()) if upload else
                  ui.guarded(access.importable, path, _login.address()))  # only from configured roots
        if target:
            ui.guarded(imports.submit, ui.store(), target)
    ui.import_progress()

render.view(view, skip=("flags", "audit", *(b.key for b in view.blocks if b.key.startswith("count:"))))
if len(refs):
    st.divider()
    st.radio("Reference", choices, horizontal=True, key="overview-reference", index=choices.index(state.reference),
             format_func=lambda r: f"{r} ({int(counts[r]):,})")
    render.block(view.get("audit"))
