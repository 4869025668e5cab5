"""Final evaluation: final checkpoints and the base model on one held-out set, greedy and sampled, under every
instrument and the judge, with the ranking flips. Lays out yardstick.views.final; evaluation jobs run in the queue."""
import streamlit as st

from pages import _render as render, _ui as ui
from yardstick.jobs import queue
from yardstick.views import final, judge, link
from yardstick.views.filters import Filter

st.title("🏁 Final evaluation")
st.caption("Is the run with the highest reward the best model? Each final checkpoint (and the base model) answers "
           "the same held-out problems greedily and with sampling; every instrument and the judge score them.")

ui.sync_runs()
url = ui.state(final.State)
available = ui.query(final.options)
state = url
if available:
    runs = st.multiselect("Models", available, default=[r for r in url.runs if r in available] or available)
    state = url.replace(runs=tuple(runs) if set(runs) != set(available) else ())
    ui.set_state(state)
view = ui.view("final", state)
render.view(view)

with st.expander("Evaluate final checkpoints", expanded=not available):
    ready = [f.run_id for f in queue.folders() if queue.evaluable(f)]
    if not ready:
        st.info("No run has a final checkpoint yet: runs save one when they finish.")
    else:
        with st.form("evaluate"):
            chosen = st.multiselect("Runs", ready, default=ready[-3:])
            base = st.checkbox("Also the base model they started from", value=True)
            samples = int(st.number_input("Sampled completions per problem", 0, 64, 4))
            go = st.form_submit_button("Evaluate", type="primary")
        if go:
            job = ui.guarded(queue.submit_evaluation, chosen, base, samples)
            if job:
                st.success(f"Queued {job}; follow it on the Launch page. Results appear here as it finishes.")
                st.page_link("pages/launch.py", label="Launch page", icon="🚀")
page, params = link(judge.State(scope="filter", filter=Filter(runs=tuple(view.options["runs"]), phase="final")))
st.page_link(f"pages/{page}.py", label="Judge the final completions", icon="🧑‍⚖️", query_params=params)
