"""Curves: the reward against independent metrics over steps, one panel per metric, several runs overlaid (one
colour per run), live while runs train. Lays out yardstick.views.curves; a click on a point opens exactly those
completions (runs, step, phase, decoding)."""
import streamlit as st

from pages import _render as render, _ui as ui
from yardstick.jobs import queue
from yardstick.record.folder import LIVE
from yardstick.views import completions, curves, link
from yardstick.views.filters import Filter

st.title("📈 Curves")
st.caption("Does the reward rise because the model got better, or because the instrument is being gamed? One panel "
           "per metric; colour = run; solid = sampled, dotted = greedy; ◆ = final evaluation; bars and bands are 95% "
           "intervals. Click a legend entry to isolate a run, a point to read its completions.")

ui.sync_runs()
all_runs = ui.query(curves.options)
url = ui.state(curves.State)
if not all_runs and not url.runs:
    st.info("No run has metrics yet: launch a run or import the study.")
    st.stop()
# Runs asked for by the URL stay chosen even before they have metrics (a queued run opened from Launch).
runs = st.multiselect("Runs", sorted(set(all_runs) | set(url.runs)), default=list(url.runs) or all_runs[:1])
state = url.replace(runs=tuple(runs))
if not runs:
    ui.set_state(state)
    st.stop()
live = any(f.run_id in runs and f.status().get("state") in LIVE for f in queue.folders())


@st.fragment(run_every=3.0 if live else None)
def panel(chosen: curves.State) -> None:
    """The controls, flags and panels: refreshed together while a run trains. The controls are read first (their
    last values), so the View is built once a rerun."""
    if live:
        ui.sync_runs()
    picker = f"curves-metrics-{hash(chosen.runs)}"  # other runs: another list of metrics
    state = chosen.replace(metrics=tuple(ui.widget(picker, list(chosen.metrics))),
                           smooth=round(ui.widget("curves-smooth", chosen.smooth), 2),
                           fold=ui.widget("curves-fold", chosen.fold))
    ui.set_state(state)
    view = ui.view("curves", state)
    controls = st.columns([4, 2, 1.4])
    controls[0].multiselect("Metrics (one panel each)", view.options.get("metrics", []),
                            default=view.options.get("shown", []), key=picker)
    controls[1].slider("Smoothing (EMA of training series)", 0.0, 0.99, state.smooth, 0.01, key="curves-smooth")
    controls[2].toggle("Fold seeds", value=state.fold, disabled=not view.options.get("grouped"), key="curves-fold",
                       help="Seeds of one experiment as one line: their mean, with a 95% interval across seeds.")
    flags = view.get("flags")
    if flags:
        with st.expander(f"⚑ {flags.title}", expanded=False):
            render.links(flags)
    if view.get("waiting"):
        render.block(view.get("waiting"))
    if view.get("curves"):
        event = render.chart(view.get("curves"), on_select="rerun")
        points = event.selection.points if event else []
        if points and points[0].get("customdata"):
            runs, step, phase, decoding = points[0]["customdata"]
            page, params = link(completions.State(filter=Filter(runs=tuple(runs.split(",")), step=int(step),
                                                                phase=phase, decoding=decoding)))
            st.switch_page(f"pages/{page}.py", query_params=params)
        render.block(view.get("ends"))


panel(state)
