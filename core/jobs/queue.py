"""The queue: training runs and evaluation jobs are queued as run folders, and cancelled by a request in their
folder (and SIGTERM to a live worker). When a queued one starts is the scheduler's call (jobs/scheduler.py)."""
from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

from yardstick import home
from yardstick.errors import BadInput, YardstickError
from yardstick.jobs import preflight
from yardstick.record.config import RunConfig, slug
from yardstick.record.folder import LAUNCH, RunFolder, is_run_folder
from yardstick.record.kinds import Evaluation, Target


def run_id(config: RunConfig) -> str:
    base = slug(config.name or f"{config.model}-{config.reward}")[:40]
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{base}-s{config.seed}"


def submit(config: dict, seeds: list[int] | None = None) -> list[str]:
    """Queue one run per seed (a seed group when several); invalid configs raise before anything is written."""
    configs = [RunConfig.from_dict({**config, "seed": s}) for s in (seeds or [config.get("seed", 0)])]
    preflight.check(configs[0])  # the batch fits, model and data resolve, memory suffices: before any folder
    ids = []
    for c in configs:
        c.seed_group = c.seed_group or c.experiment()  # every seed of one config, whenever launched
        rid = run_id(c)
        RunFolder(home.runs_dir() / rid).create("training", c.to_dict())
        ids.append(rid)
    return ids


def evaluable(folder: RunFolder) -> bool:
    """A run with a final checkpoint (runs save one when they finish)."""
    return (folder.model_dir / "config.json").exists()


def submit_evaluation(run_ids: list[str], base: bool = True, samples: int = 4, greedy: bool = True,
                      models: dict[str, str] | None = None, job_id: str | None = None) -> str:
    """Queue the final evaluation of these runs' final checkpoints (and of their base model, and of any other
    `models` {label: local folder or hub id}) on the runs' held-out set; returns the job's run id."""
    runs = [RunFolder(home.runs_dir() / r) for r in run_ids]
    for run in runs:
        if not evaluable(run):
            raise BadInput("No final checkpoint", f"{run.run_id} has no saved model (runs save one when they finish; "
                           "runs from before this release did not).")
    configs = [RunConfig.from_dict(run.config()) for run in runs]
    if len({c.eval_set() for c in configs}) > 1:
        raise BadInput("Different held-out sets", "These runs were evaluated on different problems (data, n_eval, "
                       "difficulty or eval_seed differ); evaluate them separately so results pair by problem.")
    first = configs[0] if configs else RunConfig()
    targets = [Target(run.run_id, str(run.path), str(run.model_dir), int(run.status().get("final_step") or c.steps))
               for run, c in zip(runs, configs)]
    extra = {**({f"base: {first.model}": first.model} if base else {}), **(models or {})}
    held_out = hashlib.blake2b(first.eval_set().encode(), digest_size=3).hexdigest()
    for label, model in extra.items():  # one folder per (model, held-out set): evaluated again, it adds nothing
        path = home.runs_dir() / f"{slug(label)[:40]}-{held_out}"
        targets.append(Target(label, str(path), model, 0, base=True))
    if not targets:
        raise BadInput("Nothing to evaluate", "Choose runs with a final checkpoint, or the base model.")
    job = job_id or f"{time.strftime('%Y%m%d-%H%M%S')}-final-evaluation"
    spec = Evaluation(f"final evaluation of {len(targets)} model(s)", tuple(targets), samples, greedy,
                      **{k: getattr(first, k) for k in ("data", "n_eval", "difficulty", "eval_seed",
                                                        "max_completion_length", "temperature", "torch_threads",
                                                        "seed")})
    RunFolder(home.runs_dir() / job).create("evaluation", spec.to_dict())
    return job


def folders(runs_dir: Path | None = None) -> list[RunFolder]:
    """Every run folder (of this home, or of `runs_dir`), oldest first: the queue's order."""
    runs_dir = runs_dir or home.runs_dir()
    found = [RunFolder(p) for p in runs_dir.iterdir() if is_run_folder(p)] if runs_dir.is_dir() else []
    return sorted(found, key=lambda f: (f.created_at(), f.run_id))


def jobs() -> list[RunFolder]:
    """The other jobs' folders (judge jobs, imports), oldest first."""
    return folders(home.jobs_dir())


def listing(kind: str) -> list[tuple[RunFolder, dict[str, Any], dict[str, Any]]]:
    """The jobs of one kind, newest first, each with its status and config: what a page lists. A folder that cannot
    be read is left out here (sync reports it)."""
    out = []
    for folder in reversed(jobs()):
        try:
            if folder.kind() == kind:
                out.append((folder, folder.status(), folder.config()))
        except YardstickError:
            continue
    return out


def cancel(job: str) -> None:
    """Any job, from any page or browser. Queued: never starts. Running: asked to stop through its folder (a worker
    also gets SIGTERM to its process group); it stops after the current step, or chunk, or call."""
    folder = next((RunFolder(d / job) for d in (home.runs_dir(), home.jobs_dir()) if is_run_folder(d / job)), None)
    if folder is None:
        raise BadInput("No such job", f"{job} has no folder in this home.")
    status = folder.status()
    folder.request_cancel()
    # Only a worker the scheduler started on this machine is signalled: an import runs in the app itself, and a
    # recorded run is the user's own training process (its recorder reads the request and stops after the step).
    ours = status.get("host") == socket.gethostname() and (folder.path / LAUNCH).exists()
    if ours and status.get("state") in ("starting", "running") and status.get("pid"):
        with contextlib.suppress(ProcessLookupError, PermissionError):  # it may have ended a moment ago
            os.killpg(status["pid"], signal.SIGTERM)
