"""Curves: the reward against independent metrics over steps, several runs overlaid, live while runs train.

A metric that shares an instrument with the run's reward is marked [circular]; click a point to open that
run and step on the Completions page.
"""
import pandas as pd
import streamlit as st

from core import charts, launcher
from core.flags import store_flags
from core.runfolder import LIVE
from core.store.queries import instrument_names
from pages import _ui as ui

st.title("📈 Curves")
st.caption("Does the reward rise because the model got better, or because the instrument is being gamed? "
           "Solid lines: sampled decoding; dotted diamonds: greedy. Eval metrics are named after instruments; "
           "train/… are the same instruments on the training completions.")

ui.sync_runs()
all_runs = ui.query("metric_runs")
if not all_runs:
    st.info("No run has metrics yet: launch a run or import the study.")
    st.stop()
chosen = [r for r in ui.params("run") if r in all_runs] or all_runs[:1]
runs = st.multiselect("Runs", all_runs, default=chosen)
ui.set_params(run=runs)
if not runs:
    st.stop()
live = any(f.run_id in runs and f.status().get("state") in LIVE for f in launcher.folders())


@st.fragment(run_every=3.0 if live else None)
def curves() -> None:
    if live:
        ui.sync_runs()
    data = ui.query("metrics", runs)
    for flag in ui.query(store_flags, runs):
        st.warning(ui.plain(f"{flag.run_id}: {flag.message}"), icon="📉" if flag.kind == "diverging" else "🧊")
    grouped = data["seed_group"].notna() & (data["seed_group"] != "")
    if grouped.any() and st.toggle("Fold seed groups (mean over seeds, band from min to max)", value=True):
        data = charts.by_seed_group(data)
    names = sorted(data["name"].unique())
    preferred = set(instrument_names()) | {"reward", "frac_reward_zero_std"}
    default = [n for n in ui.params("metric") if n in names] or [n for n in names if n in preferred] or names
    shown = st.multiselect("Metrics", names, default=default)
    event = st.plotly_chart(charts.curves(data, shown), key="curves", on_select="rerun", selection_mode="points")
    points = event.selection.points if event else []
    if points:
        run, step = points[0]["customdata"]
        st.switch_page("pages/completions.py", query_params={"run": run, "step": str(step)})
    st.subheader("Start → end")
    rows = []
    for (run, name, decoding), line in data[data["name"].isin(shown)].groupby(["run_id", "name", "decoding"]):
        line = line.sort_values("step")
        rows.append({"run": run, "metric": name, "decoding": decoding,
                     "role": charts.metric_role(name, line["reward_spec"].iloc[0]),
                     "start": line["value"].iloc[0], "end": line["value"].iloc[-1],
                     "change": line["value"].iloc[-1] - line["value"].iloc[0],
                     "steps": f"{line['step'].iloc[0]}→{line['step'].iloc[-1]}"})
    st.dataframe(pd.DataFrame(rows), hide_index=True,
                 column_config={k: st.column_config.NumberColumn(format="%.3f") for k in ("start", "end", "change")})


curves()
st.caption("role: `reward` is what training maximised; `circular` metrics share an instrument with the reward, so "
           "they rise by construction; `independent` metrics are the ones to believe.")
