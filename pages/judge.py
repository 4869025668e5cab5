"""Judge: ask Claude which final answer each selected completion committed to. Shows calls, cache hits and the
estimated cost before anything is sent; runs in the background with progress and cancel. Lays out
core.views.judge."""
import streamlit as st

from core import judge
from core.views import judge as judge_view
from pages import _render as render, _ui as ui

st.title("🧑‍⚖️ Judge")
st.caption("The judge reads the answer a completion committed to (or none); correctness is then a comparison with "
           "gold, like every other instrument. Validate it against hand labels on the Audit page.")

url = ui.state(judge_view.State)
scope = st.radio("Completions", list(judge_view.SCOPES), horizontal=True, format_func=judge_view.SCOPES.get,
                 index=list(judge_view.SCOPES).index(url.scope))
models = list(judge.MODELS)
model = st.selectbox("Model", models, index=models.index(url.model), help=f"{judge.STUDY_MODEL} reproduces the "
                     "study's judge.")
state = url.replace(scope=scope, model=model)
ui.set_state(state)
view = ui.view("judge", state)
plan = view.options["plan"]

cols = st.columns(4)
for col, key in zip(cols, ("selected", "cached", "calls")):
    render.stat(view.get(key), col)
batch = cols[3].toggle("Message Batches (half price, slower)", value=plan["calls"] >= 1000)
st.caption(f"Estimated cost: ${plan['usd_batch' if batch else 'usd']:.4f} with {model} "
           f"(prompt version {judge.PROMPT_VERSION}; about 4 characters a token, the whole reply budget).")

job = st.session_state.get("judge-job")
running = job is not None and job.state in ("running", "cancelling")
if st.button("Start judging", type="primary", disabled=running or plan["calls"] == 0):
    job = ui.guarded(judge.start, ui.store(), view.options["ids"], model, batch=batch)
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
render.block(view.get("costs"))
