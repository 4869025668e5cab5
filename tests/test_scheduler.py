"""The run queue has one owner: runs start whether or not a browser is open, never twice, one at a time; status
files have one writer each, so a late heartbeat cannot undo a finished run."""
from __future__ import annotations

import json
import multiprocessing as mp
import socket
import subprocess
import threading
import time

import pytest
from browser import streamlit_server

from yardstick import home
from yardstick.jobs import queue
from yardstick.record.folder import RunFolder

TINY = {"steps": 1, "n_train": 4, "n_eval": 2, "num_generations": 2, "prompts_per_step": 1,
        "max_completion_length": 8, "eval_samples": 0, "eval_every": 1}


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, what
        time.sleep(0.5)


def states(runs) -> list[str]:
    return [r.status()["state"] for r in runs]


@pytest.mark.slow
def test_queued_seeds_all_run_with_no_browser_open(isolated_env, tiny_model):
    isolated_env.mkdir(parents=True, exist_ok=True)
    with streamlit_server(isolated_env):  # the app is up; no browser ever connects
        ids = queue.submit({**TINY, "model": tiny_model}, [1, 2])
        runs = [RunFolder(home.runs_dir() / r) for r in ids]
        live = []
        deadline = time.time() + 600
        while any(s in ("queued", "starting", "running") for s in states(runs)):
            assert time.time() < deadline, states(runs)
            live.append(sum(s in ("starting", "running") for s in states(runs)))
            time.sleep(0.3)
    assert states(runs) == ["finished"] * 2
    assert max(live) == 1  # one worker at a time


@pytest.mark.slow
def test_two_apps_on_one_home_never_start_a_run_twice(isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    # Runs that fail fast once started (a model path that does not exist), so each start is cheap to count.
    runs = [RunFolder(home.runs_dir() / f"run-{i}").create("training", {**TINY, "model": str(isolated_env / "no-model")})
            for i in range(4)]
    with streamlit_server(isolated_env), streamlit_server(isolated_env):
        wait_until(lambda: all(s == "failed" for s in states(runs)), 300, f"runs did not all fail: {states(runs)}")
    for run in runs:
        starts = (run.path / "worker.log").read_text().count("started on")
        assert starts == 1, f"{run.run_id} started {starts} times"


def _claim_all(paths: list[str], out) -> None:
    out.put([p for p in paths if RunFolder(p).claim()])


def test_claims_are_exclusive_across_processes(isolated_env):
    paths = [str(RunFolder(home.runs_dir() / f"r{i}").create("recorded", {}).path) for i in range(50)]
    ctx = mp.get_context("fork")  # claims are files: forked processes race on them as any other processes would
    out = ctx.Queue()
    procs = [ctx.Process(target=_claim_all, args=(paths, out)) for _ in range(4)]
    for p in procs:
        p.start()
    won = [path for _ in procs for path in out.get(timeout=60)]
    for p in procs:
        p.join()
    assert sorted(won) == sorted(paths)  # every run claimed, none twice


def test_a_late_heartbeat_never_undoes_finished(isolated_env):
    run = RunFolder(home.runs_dir() / "r").create("recorded", {})
    run.claim()
    run.launched(12345678)  # no such process: without the run's own status it would read as crashed
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            run.beat()

    beats = [threading.Thread(target=hammer) for _ in range(3)]
    for t in beats:
        t.start()
    try:
        run.set_status(state="running", step=3)
        run.set_status(state="finished", step=4)
        seen = {run.status()["state"] for _ in range(300)}
    finally:
        stop.set()
        for t in beats:
            t.join()
    assert seen == {"finished"}
    assert json.loads((run.path / "status.json").read_text())["state"] == "finished"


def test_a_cancelled_queued_run_never_starts(isolated_env):
    (rid,) = queue.submit(TINY)
    queue.cancel(rid)
    run = RunFolder(home.runs_dir() / rid)
    assert run.status()["state"] == "cancelled" and not run.claim()
    from yardstick.jobs import scheduler
    assert scheduler.pump() == []


def test_a_job_cancelled_while_its_process_dies_reads_cancelled_not_crashed(isolated_env):
    """SIGTERM before a worker's handler existed killed it: the run read 'crashed', and a replication retried it."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    run = RunFolder(home.runs_dir() / "r").create("training", {**TINY, "model": "x"})
    run.claim()
    run.launched(gone.pid)
    run.set_status(state="starting", pid=gone.pid, host=socket.gethostname())
    assert run.status()["state"] == "crashed"
    run.request_cancel()
    assert run.status()["state"] == "cancelled"


def test_cancel_never_signals_a_users_own_training_process(isolated_env):
    """A recorded run's pid is the user's training job: Cancel asks it (the recorder stops after the step); only a
    worker the scheduler launched on this machine gets SIGTERM."""
    job = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        run = RunFolder(home.runs_dir() / "mine").create(
            "recorded", {"reward": "format"}, status={"state": "running", "pid": job.pid, "host": socket.gethostname()})
        run.beat()
        queue.cancel(run.run_id)
        time.sleep(0.5)
        assert job.poll() is None and run.cancel_requested()
    finally:
        job.kill()
