"""Final evaluation: final checkpoints and the base model on one held-out set, greedy and sampled, under every
instrument and the judge, with the ranking flips. Lays out core.views.final; evaluation jobs run in the queue."""
import streamlit as st

from core import launcher
from core.views import final
from pages import _render as render, _ui as ui

st.title("🏁 Final evaluation")
st.caption("Is the run with the highest reward the best model? Each final checkpoint (and the base model) answers "
           "the same held-out problems greedily and with sampling; every instrument and the judge score them.")

ui.sync_runs()
url = ui.state(final.State)
view = ui.view("final", url)
available = view.options["available"]
if available:
    runs = st.multiselect("Models", available, default=view.options["runs"])
    state = url.replace(runs=tuple(runs) if set(runs) != set(available) else ())
    ui.set_state(state)
    if state != url:
        view = ui.view("final", state)
render.view(view)

with st.expander("Evaluate final checkpoints", expanded=not available):
    ready = [f.run_id for f in launcher.folders() if (f.path / "model" / "config.json").exists()]
    if not ready:
        st.info("No run has a final checkpoint yet: runs save one when they finish.")
    else:
        with st.form("evaluate"):
            chosen = st.multiselect("Runs", ready, default=ready[-3:])
            base = st.checkbox("Also the base model they started from", value=True)
            samples = int(st.number_input("Sampled completions per problem", 0, 64, 4))
            go = st.form_submit_button("Evaluate", type="primary")
        if go:
            job = ui.guarded(launcher.submit_evaluation, chosen, base, samples)
            if job:
                st.success(f"Queued {job}; follow it on the Launch page. Results appear here as it finishes.")
                st.page_link("pages/launch.py", label="Launch page", icon="🚀")
st.page_link("pages/judge.py", label="Judge the final completions", icon="🧑‍⚖️",
             query_params={"scope": "filter", "phase": "final", "run": list(view.options["runs"])})
