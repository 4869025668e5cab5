"""Launch: pick a preset or a reward, click Launch, and watch the run train. Workers run in their own processes
(one at a time by default); this page queues, starts, cancels and shows their status in words."""
import streamlit as st

from core import launcher
from core.runconfig import PRESETS, RunConfig
from core.runfolder import LIVE
from pages import _ui as ui

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
        ids = ui.guarded(launcher.submit, values, seed_list)
        if ids:
            st.success(f"Queued {len(ids)} run(s): {', '.join(ids)}")


@st.fragment(run_every=2.0)
def runs_panel() -> None:
    """Status of every run folder, refreshed every 2 s; also starts queued runs and ingests new shards."""
    ui.sync_runs()
    folders = launcher.folders()
    if not folders:
        st.info("No runs yet.")
        return
    for folder in reversed(folders[-20:]):
        status = folder.status()
        state, step, total = status.get("state", "?"), status.get("step", 0), status.get("total_steps") or 1
        with st.container(border=True):
            top = st.columns([5, 1])
            eta = f" · ETA {status['eta_s']:.0f} s" if state == "running" and status.get("eta_s") else ""
            top[0].text(f"{folder.run_id} · {state} · step {step}/{total}{eta} · reward {folder.config().get('reward')}")
            if state in LIVE and top[1].button("Cancel", key=f"cancel-{folder.run_id}"):
                ui.guarded(launcher.cancel, folder.run_id)
            st.progress(min(step / total, 1.0))
            if status.get("message"):
                st.caption(ui.plain(status["message"]))
            if status.get("error"):
                st.error(ui.plain(status["error"].get("title", "Failed")))
                st.text(status["error"].get("message", ""))
            links = st.columns(4)
            links[0].page_link("pages/curves.py", label="Curves", query_params={"run": folder.run_id})
            links[1].page_link("pages/completions.py", label="Completions", query_params={"run": folder.run_id})


runs_panel()
