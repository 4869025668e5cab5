"""The final evaluation worker: chosen runs' final checkpoints (and the base model) on the experiment's held-out set,
greedy and sampled, each written as phase `final` into that run's own folder (the base model gets a folder of its
own). It runs as a queued job like training (`python -m core.train JOB_FOLDER`), with progress and cancel; the store
scores every instrument on ingest, like any other completion.
"""
from __future__ import annotations

import signal
import threading
import time
from typing import Any

from core.runfolder import RunFolder


def run(job: RunFolder, config: dict[str, Any]) -> int:
    from core.train import setup

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    _, held_out = setup.load_problems(config["data"], 0, config["n_eval"], config["eval_seed"], config["difficulty"])
    targets = list(config["targets"])
    job.set_status(state="running", step=0, total_steps=len(targets), started_at=time.time(), message="")
    for i, target in enumerate(targets):
        if stop.is_set() or job.cancel_requested():
            job.set_status(state="cancelled", finished_at=time.time(), message=f"{i} of {len(targets)} evaluated")
            return 0
        job.set_status(step=i, message=f"evaluating {target['label']} ({len(held_out)} problems)")
        started = time.time()
        net, tok = setup.load_model(target["model"], config.get("torch_threads", 1))
        rows = setup.evaluation_rows(net, tok, held_out, config.get("greedy", True), config["samples"],
                                     config["max_completion_length"], config["temperature"], config.get("seed", 0))
        folder = RunFolder(target["run_dir"])
        if target.get("base"):  # this job is the base model folder's writer
            folder.create({"kind": "model", "name": target["label"], "model": target["model"],
                           **{k: config[k] for k in ("data", "n_eval", "difficulty", "eval_seed")}},
                          status={"state": "finished", "step": 0, "total_steps": 0})
        folder.write_completions("final", target["step"], rows)
        per = time.time() - started
        job.set_status(step=i + 1, seconds_per_step=round(per, 1), eta_s=round(per * (len(targets) - i - 1), 1))
    job.set_status(state="finished", finished_at=time.time(), message=f"{len(targets)} model(s) evaluated")
    return 0
