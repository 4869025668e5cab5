"""Queueing, starting and cancelling training runs. Runs are run folders; `core.scheduler` decides when a queued
one starts, `start` starts it in its own process group, and the worker talks back only through its folder."""
from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from core import home, preflight
from core.errors import BadInput
from core.runconfig import RunConfig, slug
from core.runfolder import RunFolder, is_run_folder


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
        RunFolder(home.runs_dir() / rid).create(c.to_dict())
        ids.append(rid)
    return ids


def submit_evaluation(run_ids: list[str], base: bool = True, samples: int = 4, greedy: bool = True,
                      models: dict[str, str] | None = None, job_id: str | None = None) -> str:
    """Queue the final evaluation of these runs' final checkpoints (and of their base model, and of any other
    `models` {label: local folder or hub id}) on the runs' held-out set; returns the job's run id."""
    runs = [RunFolder(home.runs_dir() / r) for r in run_ids]
    for run in runs:
        if not (run.path / "model" / "config.json").exists():
            raise BadInput("No final checkpoint", f"{run.run_id} has no saved model (runs save one when they finish; "
                           "runs from before this release did not).")
    configs = [RunConfig.from_dict(run.config()) for run in runs]
    if len({c.eval_set() for c in configs}) > 1:
        raise BadInput("Different held-out sets", "These runs were evaluated on different problems (data, n_eval, "
                       "difficulty or eval_seed differ); evaluate them separately so results pair by problem.")
    first = configs[0] if configs else RunConfig()
    targets = [{"label": run.run_id, "run_dir": str(run.path), "model": str(run.path / "model"),
                "step": int(run.status().get("final_step") or c.steps)} for run, c in zip(runs, configs)]
    extra = {**({f"base: {first.model}": first.model} if base else {}), **(models or {})}
    held_out = hashlib.blake2b(first.eval_set().encode(), digest_size=3).hexdigest()
    for label, model in extra.items():  # one folder per (model, held-out set): evaluated again, it adds nothing
        name = slug(label)[:40]
        path = home.runs_dir() / f"{name}-{held_out}"
        targets.append({"label": label, "run_dir": str(path), "model": model, "step": 0, "base": True})
    if not targets:
        raise BadInput("Nothing to evaluate", "Choose runs with a final checkpoint, or the base model.")
    job = job_id or f"{time.strftime('%Y%m%d-%H%M%S')}-final-evaluation"
    RunFolder(home.runs_dir() / job).create({
        "kind": "evaluate", "name": f"final evaluation of {len(targets)} model(s)", "targets": targets,
        "samples": samples, "greedy": greedy, "reward": "(evaluation)", "steps": len(targets),
        **{k: getattr(first, k) for k in ("data", "n_eval", "difficulty", "eval_seed", "max_completion_length",
                                           "temperature", "torch_threads", "seed")}})
    return job


def folders(runs_dir: Path | None = None) -> list[RunFolder]:
    """Every run folder (of this home, or of `runs_dir`), oldest first: the queue's order."""
    runs_dir = runs_dir or home.runs_dir()
    found = [RunFolder(p) for p in runs_dir.iterdir() if is_run_folder(p)] if runs_dir.is_dir() else []
    return sorted(found, key=lambda f: (f.created_at(), f.run_id))


def start(folder: RunFolder) -> int:
    """Start the worker for a folder the caller has claimed; returns its pid."""
    with open(folder.path / "worker.log", "ab") as log:  # the child keeps its own copy of the handle
        proc = subprocess.Popen([sys.executable, "-m", "core.train", str(folder.path)], cwd=home.REPO_ROOT,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    folder.launched(proc.pid)
    return proc.pid


def cancel(run: str) -> None:
    """Queued: never starts. Running: asked to stop (and SIGTERM to its process group); it stops after the
    current step."""
    folder = RunFolder(home.runs_dir() / run)
    if not is_run_folder(folder.path):
        raise BadInput("No such run", f"{run} has no run folder.")
    status = folder.status()
    folder.request_cancel()
    if status.get("state") in ("starting", "running") and status.get("pid"):
        with contextlib.suppress(ProcessLookupError, PermissionError):  # it may have ended a moment ago
            os.killpg(status["pid"], signal.SIGTERM)


@dataclass
class SyncResult:
    changed: list[str] = field(default_factory=list)  # runs with new rows or a new status
    problems: list[str] = field(default_factory=list)  # "run: what went wrong" for folders that could not be read


def sync(store) -> SyncResult:
    """Ingest what every run folder has written since last time (cheap when nothing changed: no write at all). A
    folder that cannot be read is reported and skipped; the others go on."""
    from core.importers import runfolder
    from core.importers.base import Seen

    result = SyncResult()
    seen = Seen.of(store)  # one look at what the store has, not two queries per folder
    for folder in folders():
        try:
            if folder.status().get("state") == "queued":
                continue
            if store.ingest(runfolder.load(folder.path, seen)).runs:
                result.changed.append(folder.run_id)
        except Exception as exc:  # noqa: BLE001  (one bad folder must not hide the others)
            result.problems.append(f"{folder.run_id}: {type(exc).__name__}: {exc}"[:300])
    return result
