"""Curves: the reward against independent metrics over steps, several runs overlaid, live while runs train.
Lays out core.views.curves; a click on a point opens those runs' completions at that step."""
import streamlit as st

from core import launcher
from core.runfolder import LIVE
from core.views import curves
from pages import _render as render, _ui as ui

st.title("📈 Curves")
st.caption("Does the reward rise because the model got better, or because the instrument is being gamed? "
           "Solid lines: sampled decoding; dotted diamonds: greedy. Eval metrics are named after instruments; "
           "train/… are the same instruments on the training completions.")

ui.sync_runs()
all_runs = ui.query(curves.options)
state = ui.state(curves.State)
if not all_runs and not state.runs:
    st.info("No run has metrics yet: launch a run or import the study.")
    st.stop()
# Runs asked for by the URL stay chosen even before they have metrics (a queued run opened from Launch).
runs = st.multiselect("Runs", sorted(set(all_runs) | set(state.runs)), default=list(state.runs) or all_runs[:1])
state = state.replace(runs=tuple(runs))
if not runs:
    ui.set_state(state)
    st.stop()
live = any(f.run_id in runs and f.status().get("state") in LIVE for f in launcher.folders())


@st.fragment(run_every=3.0 if live else None)
def panel(state: curves.State) -> None:
    if live:
        ui.sync_runs()
    view = ui.view("curves", state)
    if view.get("flags"):
        for label, _, _ in view.get("flags").items:
            st.warning(ui.plain(label), icon="📉")
    if view.options.get("grouped"):
        fold = st.toggle("Fold seed groups (mean over seeds, band from min to max)", value=state.fold)
        if fold != state.fold:
            state = state.replace(fold=fold)
            view = ui.view("curves", state)
    names = view.options.get("metrics", [])
    shown = st.multiselect("Metrics", names, default=view.options.get("shown", []))
    if tuple(shown) != tuple(view.options.get("shown", ())):
        state = state.replace(metrics=tuple(shown))
        view = ui.view("curves", state)
    ui.set_state(state)
    event = render.block(view.get("curves"), key="curves", on_select="rerun")
    points = event.selection.points if event else []
    if points:
        runs, step, phase, decoding = points[0]["customdata"]
        st.switch_page("pages/completions.py", query_params={"run": runs.split(","), "step": str(step),
                                                             "phase": phase, "decoding": decoding})
    render.block(view.get("ends"))


panel(state)
