"""Curves: the reward against independent metrics over steps, one panel per metric, several runs overlaid (one
colour per run), live while runs train. Lays out core.views.curves; a click on a point opens exactly those
completions (runs, step, phase, decoding)."""
import streamlit as st

from core import launcher
from core.runfolder import LIVE
from core.views import curves
from pages import _render as render, _ui as ui

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
live = any(f.run_id in runs and f.status().get("state") in LIVE for f in launcher.folders())
view = ui.view("curves", state)
names = view.options.get("metrics", [])
cols = st.columns([4, 2, 1])
shown = cols[0].multiselect("Metrics (one panel each)", names, default=view.options.get("shown", []))
smooth = cols[1].slider("Smoothing (EMA of training series)", 0.0, 0.99, state.smooth, 0.01)
fold = cols[2].toggle("Fold seeds", value=state.fold, disabled=not view.options.get("grouped"),
                      help="Seeds of one experiment as one line: their mean, with a 95% interval across seeds.")
state = state.replace(metrics=tuple(shown) if shown != view.options.get("shown") else state.metrics,
                      smooth=round(smooth, 2), fold=fold)
ui.set_state(state)


@st.fragment(run_every=3.0 if live else None)
def panel(state: curves.State) -> None:
    if live:
        ui.sync_runs()
    view = ui.view("curves", state)
    flags = view.get("flags")
    if flags:
        with st.expander(f"⚑ {flags.title}", expanded=False):
            render.links(flags)
    for key in ("waiting",):
        if view.get(key):
            render.block(view.get(key))
    if view.get("curves"):
        event = render.block(view.get("curves"), key="curves", on_select="rerun")
        points = event.selection.points if event else []
        if points and points[0].get("customdata"):
            runs, step, phase, decoding = points[0]["customdata"]
            st.switch_page("pages/completions.py", query_params={"run": runs.split(","), "step": str(step),
                                                                 "phase": phase, "decoding": decoding})
        render.block(view.get("ends"))


panel(state)
