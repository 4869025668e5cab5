"""The Launch page's Replicate section: plan a replication of the study (seeds, model, steps), see the estimated
time first, start it, and watch each run's progress and the claims table fill in (yardstick.jobs.replicate, views.replication).
"""
from __future__ import annotations

import streamlit as st

from pages import _render as render, _ui as ui
from yardstick.jobs import replicate
from yardstick.views import replication


def section() -> None:
    with st.expander("🔁 Replicate the study (its five experiments × seeds, then the final evaluation)"):
        cols = st.columns(4)
        seeds = int(cols[0].number_input("Seeds", 1, 10, 3))
        model = cols[1].text_input("Model", "pocket", help="pocket, pocket-mini, a hub id or a local folder")
        steps = int(cols[2].number_input("Steps", 1, 10_000, 100))
        name = cols[3].text_input("Name", f"pocket-{seeds}-seeds-{steps}-steps")
        plan = replicate.Plan(replicate.slug(name), tuple(range(1, seeds + 1)), model.strip(), "pocket", steps)
        est = replicate.estimate_seconds(plan)
        st.caption(f"{est['runs']} runs + the final evaluation of {est['runs'] + 1} models: about "
                   f"{est['total_s'] / 60:.0f} minutes on this machine ({est['seconds_per_step']:.2f} s per step, "
                   f"{'measured from its finished runs' if est['measured'] else 'assumed: nothing measured yet'}). "
                   "Runs go through the ordinary queue; the same name resumes a replication.")
        if st.button("Start the replication", type="primary"):
            started = ui.guarded(replicate.start, plan)
            if started:
                replicate.advance(started)
                ui.set_state(replication.State(name=started.name))
    progress_panel()


@st.fragment(run_every=5.0)
def progress_panel() -> None:
    """Each run's progress and the claims table, refreshed as runs finish."""
    names = [p.name for p in replicate.plans()]
    if not names:
        return
    chosen = ui.state(replication.State).name
    name = st.selectbox("Replication", names, index=names.index(chosen) if chosen in names else len(names) - 1)
    view = ui.view("replication", replication.State(name=name))
    progress = view.options.get("progress")
    if progress:
        done = sum(r["state"] == "finished" for r in progress.runs)
        evaluation = f" · final evaluation: {progress.evaluation['state']}" if progress.evaluation else ""
        st.progress(done / max(len(progress.runs), 1),  # the evaluation's state is read from a file: escaped
                    text=ui.plain(f"{done} of {len(progress.runs)} runs finished{evaluation}"))
    render.block(view.get("claims"))
    with st.expander("Runs, curves, final evaluation and examples"):
        render.view(view, skip=("claims",), prefix="replication-")

