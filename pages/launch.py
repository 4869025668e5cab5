"""Launch: pick a preset or a reward, click Launch, and watch the run train. Runs train in their own processes,
started by the scheduler (one at a time by default) whether or not this page is open; this page queues, cancels
and shows their state in words (yardstick.views.launch)."""
import pandas as pd
import streamlit as st

from pages import _replicate, _ui as ui
from yardstick.jobs import queue
from yardstick.record.config import PRESETS, RunConfig
from yardstick.record.folder import LIVE
from yardstick.views import completions, curves, launch, link
from yardstick.views.filters import Filter

st.title("🚀 Launch")
st.caption("Runs train in their own process and write a run folder; the app ingests it every few seconds.")

preset = st.selectbox("Preset", ["(custom)"] + list(PRESETS), index=1)
defaults = {**RunConfig.defaults(), **PRESETS.get(preset, {})}
FIELDS = ["name", "model", "data", "reward", "steps", "eval_every", "n_train", "n_eval", "prompts_per_step",
          "num_generations", "max_completion_length", "temperature", "learning_rate", "beta", "eval_samples",
          "eval_greedy", "difficulty", "torch_threads"]

with st.form(f"launch-{preset}"):
    values, cols = {}, st.columns(3)
    for i, name in enumerate(FIELDS):
        col, default, tip = cols[i % 3], defaults[name], RunConfig.help(name)
        if isinstance(default, bool):
            values[name] = col.checkbox(name, default, help=tip)
        elif isinstance(default, int):
            values[name] = int(col.number_input(name, value=default, step=1, help=tip))
        elif isinstance(default, float):
            values[name] = float(col.number_input(name, value=default, format="%g", help=tip))
        else:
            values[name] = col.text_input(name, default, help=tip)
    seeds = st.text_input("Seeds", "0", help="One run per seed, e.g. 1,2,3 — launched as a seed group.")
    submitted = st.form_submit_button("Launch", type="primary")

if submitted:
    try:
        seed_list = [int(s) for s in seeds.replace(" ", "").split(",") if s]
    except ValueError:
        seed_list = None
        st.error("Seeds must be whole numbers separated by commas, e.g. 1,2,3.")
    if seed_list is not None:
        ids = ui.guarded(queue.submit, values, seed_list)
        if ids:
            st.success(f"Queued {len(ids)} run(s): {', '.join(ids)}")


@st.fragment(run_every=2.0)
def runs_panel() -> None:
    """Every run folder's state, refreshed every 2 s (and what they wrote ingested)."""
    ui.sync_runs()
    runs = launch.build(ui.store(), launch.State()).get("runs").frame
    if runs.empty:
        st.info("No runs yet.")
        return
    for run in runs.to_dict("records"):
        with st.container(border=True):
            top = st.columns([5, 1])
            known = run["state"] in ("starting", "running") and pd.notna(run["eta_s"]) and run["eta_s"]
            eta = f" · ETA {run['eta_s']:.0f} s" if known else ""
            steps = f" · step {run['step']}/{run['total_steps']}" if run["training"] else ""
            top[0].text(f"{run['run_id']} · {run['state']}{steps}{eta} · {run['what']}")
            if run["state"] in LIVE and top[1].button("Cancel", key=f"cancel-{run['run_id']}"):
                ui.guarded(queue.cancel, run["run_id"])
            if run["training"] or run["state"] in LIVE:
                st.progress(min(run["step"] / max(run["total_steps"], 1), 1.0))
            if run["message"]:
                st.caption(ui.plain(run["message"]))
            if run["error_title"]:
                st.error(ui.plain(run["error_title"]))
                st.text(run["error_message"])
            links = st.columns(4)
            for col, (label, state) in zip(links, (
                    ("Curves", curves.State(runs=(run["run_id"],))),
                    ("Completions", completions.State(filter=Filter(runs=(run["run_id"],)))))):
                page, params = link(state)
                col.page_link(f"pages/{page}.py", label=label, query_params=params)


runs_panel()
_replicate.section()
