"""One prompt through training: a problem's completions at every step of the chosen runs, side by side, with
verdicts and a word diff against the previous step. Lays out yardstick.views.strip: the widgets first (their choices
from strip.options, which offers every run that answered the problem), then the View, built once."""
import streamlit as st

from pages import _render as render, _ui as ui
from yardstick.store import selection
from yardstick.views import strip

st.title("🧵 One prompt through training")

url = ui.state(strip.State)
if not url.problem:
    shared = ui.query(selection.shared_problems)
    if shared.empty:
        st.info("No problem has completions in more than one run yet. Open this page from a completion card.")
        st.stop()
    questions = dict(zip(shared["problem_id"], shared["question"]))
    problem = st.selectbox("Problem", list(questions), format_func=lambda p: f"{p} · {questions[p][:90]}")
    url = url.replace(problem=problem)
offered = ui.query(strip.options, url.problem)
if not offered["runs"]:
    st.info("No completion of this problem is in the store.")
    st.stop()
st.text(f"{offered['question']}\n\ngold: {offered['gold']}")
cols = st.columns([4, 1, 1, 1])
runs = cols[0].multiselect("Runs", offered["runs"], default=[r for r in url.runs if r in offered["runs"]]
                           or offered["runs"][:2])
phase = cols[1].selectbox("Phase", strip.PHASES, index=strip.PHASES.index(url.phase))
decoding = cols[2].selectbox("Decoding", ["greedy", "sampled"], index=["greedy", "sampled"].index(url.decoding),
                             disabled=phase == "train")
samples = int(cols[3].number_input("Samples", 1, 16, max(url.samples, 1)))
steps = st.multiselect("Steps (empty: all)", offered["steps"], default=[s for s in url.steps if s in offered["steps"]])
state = url.replace(runs=tuple(runs), phase=phase, decoding=decoding, samples=samples, steps=tuple(steps))
ui.set_state(state)
view = ui.view("strip", state)
cards = view.get("strip")
if cards is None:
    render.view(view)
    st.stop()
render.legend(cards)
chosen = sorted({c.run_id for c in cards.items})
for step in sorted({c.step for c in cards.items}):
    st.markdown(f"**step {step}**")
    for col, run in zip(st.columns(len(chosen)), chosen):
        with col:
            for item in [c for c in cards.items if c.run_id == run and c.step == step]:
                with st.container(border=True):
                    render.card(item, cards.mode, cards.colours, compact=True, prefix=f"{step}-")
                    render.diff(item)
render.source(cards)
