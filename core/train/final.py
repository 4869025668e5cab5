"""The final evaluation (the `evaluation` kind of jobs/worker.py): chosen runs' final checkpoints (and the base model)
on the experiment's held-out set, greedy and sampled, each written as phase `final` into that run's own folder (the
base model gets a folder of its own). It is queued like training, with progress and cancel; the store scores every
instrument on ingest, like any other completion.
"""
from __future__ import annotations

import signal
import threading
import time

from yardstick.record.folder import RunFolder
from yardstick.record.kinds import HELD_OUT, BaseModel, Evaluation
from yardstick.train import setup


def run(job: RunFolder) -> int:
    spec = Evaluation.from_dict(job.config())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    _, held_out = setup.load_problems(spec.data, 0, spec.n_eval, spec.eval_seed, spec.difficulty)
    targets = spec.targets
    job.set_status(state="running", step=0, total_steps=len(targets), started_at=time.time(), message="")
    for i, target in enumerate(targets):
        if stop.is_set() or job.cancel_requested():
            job.set_status(state="cancelled", finished_at=time.time(), message=f"{i} of {len(targets)} evaluated")
            return 0
        job.set_status(step=i, message=f"evaluating {target.label} ({len(held_out)} problems)")
        started = time.time()
        net, tok = setup.load_model(target.model, spec.torch_threads)
        rows = setup.evaluation_rows(net, tok, held_out, spec.greedy, spec.samples, spec.max_completion_length,
                                     spec.temperature, spec.seed)
        folder = RunFolder(target.run_dir)
        if target.base:  # this job is the base model folder's writer
            held = {k: getattr(spec, k) for k in HELD_OUT}
            folder.create("model", BaseModel(target.label, target.model, held).to_dict(),
                          status={"state": "finished", "step": 0, "total_steps": 0})
        folder.write_completions("final", target.step, rows)
        per = time.time() - started
        job.set_status(step=i + 1, seconds_per_step=round(per, 1), eta_s=round(per * (len(targets) - i - 1), 1))
    job.set_status(state="finished", finished_at=time.time(), message=f"{len(targets)} model(s) evaluated")
    return 0
