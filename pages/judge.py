"""Judge: ask Claude which final answer each selected completion committed to. Shows calls, cache hits and the
estimated cost before anything is sent; runs in the background with progress and cancel."""
import streamlit as st

from core import judge
from pages import _ui as ui

st.title("🧑‍⚖️ Judge")
st.caption("The judge reads the answer a completion committed to (or none); correctness is then a comparison with "
           "gold, like every other instrument. Validate it against hand labels on the Audit page.")

scope = st.radio("Completions", ["hand", "filter"], horizontal=True,
                 format_func={"hand": "Hand-labelled ones (to validate the judge)",
                              "filter": "The Completions page's filter (from the URL)"}.get,
                 index=1 if ui.param("scope") == "filter" else 0)
models = list(judge.MODELS)
model = st.selectbox("Model", models, index=models.index(ui.param("model", judge.DEFAULT_MODEL))
                     if ui.param("model") in models else 0,
                     help=f"{judge.STUDY_MODEL} reproduces the study's judge.")
ui.set_params(scope=scope, model=model)
ids = ui.query("hand_labelled_ids") if scope == "hand" else ui.query("completion_ids", ui.completion_query())
plan = ui.query(judge.plan, ids, model)

cols = st.columns(4)
cols[0].metric("Selected", f"{plan['selected']:,}")
cols[1].metric("Already judged (cached)", f"{plan['cached']:,}")
cols[2].metric("Calls to make", f"{plan['calls']:,}")
batch = cols[3].toggle("Message Batches (half price, slower)", value=plan["calls"] >= 1000)
st.caption(f"Estimated cost: ${plan['usd_batch' if batch else 'usd']:.4f} with {model} "
           f"(prompt version {judge.PROMPT_VERSION}; about 4 characters a token, the whole reply budget).")

job = st.session_state.get("judge-job")
running = job is not None and job.state in ("running", "cancelling")
if st.button("Start judging", type="primary", disabled=running or plan["calls"] == 0):
    job = ui.guarded(judge.start, ui.store(), ids, model, batch=batch)
    if job is not None:
        st.session_state["judge-job"] = job
        st.rerun()


@st.fragment(run_every=1.0)
def progress_panel() -> None:
    job = st.session_state.get("judge-job")
    if job is None:
        return
    st.progress(job.done / job.total if job.total else 1.0,
                text=f"{job.state}: {job.done:,}/{job.total:,} · scored {job.scored} · unscored {job.unscored} · "
                     f"errors {job.errors} · ${job.cost_usd:.4f}")
    if job.message:
        st.text(job.message)
    if job.state == "running" and st.button("Cancel"):
        job.cancel.set()
        job.state = "cancelling"


progress_panel()

ui.export_button("Download all judgments (CSV)", "judgments", "yardstick-judgments.csv")
st.subheader("Spent so far")
st.dataframe(ui.query("judge_costs"), hide_index=True,
             column_config={"cost_usd": st.column_config.NumberColumn(format="$%.4f")})
