"""Overview: what is in the store, each run's instruments' verdict rates, and each extractor audited against a
reference (the study's Table 2 shape)."""
import streamlit as st

from core import audit
from core.flags import store_flags
from core.importers import start_import
from core.importers.upload import save as upload_save
from core.store.queries import instrument_names
from pages import _ui as ui

st.title("📏 Yardstick")
st.caption("Reward, metric and answer extractor are separate instruments here — and each is audited.")

ui.sync_runs()  # pick up run folders written since the last visit
counts = ui.query("summary")
cols = st.columns(5)
for col, key in zip(cols, ("runs", "completions", "problems", "labels", "judgments")):
    col.metric(key.capitalize(), f"{counts[key]:,}")

found = ui.query(store_flags, None)
if found:
    st.subheader("What to look at")
    for flag in found:
        icon = "📉" if flag.kind == "diverging" else "🧊"
        st.page_link("pages/curves.py", label=ui.plain(f"{flag.run_id}: {flag.message}"), icon=icon,
                     query_params={"run": flag.run_id})

with st.expander("Import data"):
    st.caption("A study folder, GSM8K model solutions, a completions JSONL (question, gold, text, optional run and "
               "step), or a run folder written by the Yardstick recorder on a GPU cluster (zip or tar it).")
    path = st.text_input("Path on this machine")
    upload = st.file_uploader("…or upload a file", type=["jsonl", "zip", "tar", "gz", "tgz"])
    if st.button("Import", disabled=not (path or upload)):
        target = ui.guarded(upload_save, upload.name, upload.getvalue()) if upload else path
        if target:
            ui.guarded(start_import, ui.store(), target)
    ui.import_progress()

st.subheader("Runs")
runs = ui.query("runs")
rates = ui.query("run_accuracy")
if runs.empty:
    st.info("The store is empty. Import data with `yardstick import PATH` or launch a run.")
else:
    table = runs.merge(rates, on="run_id", how="left", suffixes=("", "_read"))
    instrument_cols = [c for c in instrument_names() if c in table]
    st.dataframe(
        table[["run_id", "model", "reward_spec", "status", "completions", "last_step"] + instrument_cols],
        hide_index=True,
        column_config={c: st.column_config.ProgressColumn(c, format="%.3f", min_value=0, max_value=1)
                       for c in instrument_cols})
    st.caption("Instrument columns: share of a run's completions each extractor calls correct "
               "(for checks such as `format`: share that pass). `study_*` are the study's exact definitions.")

st.subheader("Which extractor can you trust?")
refs = ui.query("references")
if refs.empty:
    st.info("No reference verdicts yet: import `is_correct` labels, hand-label, or run the judge.")
else:
    choices = refs["reference"].tolist()
    default = ui.param("reference", choices[0])
    reference = st.radio("Reference", choices, horizontal=True,
                         index=choices.index(default) if default in choices else 0,
                         format_func=lambda r: f"{r} ({int(refs.set_index('reference').loc[r, 'n']):,})")
    ui.set_params(reference=reference)
    pairs = ui.query("audit_pairs", reference, None)
    result = audit.table(pairs, answers=reference != "is_correct")
    st.dataframe(result, hide_index=True,
                 column_config={k: st.column_config.NumberColumn(format="%.3f")
                                for k in ("precision", "recall", "f1", "answer_agreement")})
    st.caption("An extractor's verdict counts as positive when it says the completion is correct; the reference "
               "decides whether it is. High F1 here says the extractor measures well — not that it is a good reward.")
