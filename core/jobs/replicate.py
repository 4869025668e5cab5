"""Replicate the study in one command: its experiments × seeds through the ordinary queue, then the final evaluation
of the base model and every final checkpoint, then the claims table.

A replication is a plan (home/replications/NAME.json) and run folders with names derived from it
(NAME--<experiment>--s<seed>--a<attempt>), so advancing it is idempotent and safe from several processes: a folder is
created exclusively or not at all. A finished run is never repeated; a crashed or failed run is retried once, then
reported. The scheduler advances every replication as it pumps the queue, so one finishes with no browser open.
"""
from __future__ import annotations

import json
import os
import re
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from yardstick import home
from yardstick.analysis.claims import EXPERIMENTS
from yardstick.errors import BadInput
from yardstick.jobs import queue
from yardstick.record.config import RunConfig, slug
from yardstick.record.folder import LIVE, RunFolder, is_run_folder, write_atomic
from yardstick.record.kinds import Evaluation

ATTEMPTS = 2  # a crashed run is retried once
STEP_S, RUN_OVERHEAD_S, EVAL_MODEL_S = 0.3, 20.0, 8.0  # fallbacks when nothing was measured on this machine


@dataclass(frozen=True)
class Plan:
    name: str
    seeds: tuple[int, ...] = (1, 2, 3)
    model: str = "pocket"
    data: str = "pocket"
    steps: int = 100
    overrides: dict[str, Any] = field(default_factory=dict)  # any other run setting, e.g. n_eval for a miniature
    samples: int = 4  # sampled completions per problem in the final evaluation

    def configs(self) -> dict[tuple[str, int], dict[str, Any]]:
        """Every run's config, validated: (experiment, seed) → config."""
        out = {}
        for experiment, reward in EXPERIMENTS.items():
            for seed in self.seeds:
                raw = {**self.overrides, "model": self.model, "data": self.data, "steps": self.steps,
                       "reward": reward, "seed": seed, "name": f"{self.name} {experiment}",
                       "seed_group": f"{self.name}--{slug(experiment)}"}
                out[(experiment, seed)] = RunConfig.from_dict(raw).to_dict()
        return out


def folder_of(plan: Plan, experiment: str, seed: int, attempt: int) -> RunFolder:
    return RunFolder(home.runs_dir() / f"{plan.name}--{slug(experiment)}--s{seed}--a{attempt}")


def manifest(name: str) -> Path:
    folder = home.home() / "replications"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{slug(name) or 'replication'}.json"


def start(plan: Plan) -> Plan:
    """Record the plan (or find it again: the same command resumes); a different plan under the same name is an
    error, so a resumed replication never mixes settings."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,60}", plan.name):
        raise BadInput("Bad replication name", "Use lowercase letters, digits and dashes (e.g. pocket-3-seeds).")
    plan.configs()  # every config is valid before anything is written
    path = manifest(plan.name)
    data = {**asdict(plan), "seeds": list(plan.seeds)}
    if path.exists():
        known = json.loads(path.read_text())
        if known != data:
            raise BadInput("Replication exists with other settings", f"{plan.name} was started with {known}; use "
                           "another --out name, or the same settings to resume it.")
    else:
        write_atomic(path, json.dumps(data, indent=2).encode())
    return plan


def find(name: str) -> Plan | None:
    return next((p for p in plans() if p.name == name), None)


def plans() -> list[Plan]:
    """Every replication of this home; a manifest that cannot be read is left out (one bad file stops nothing)."""
    folder = home.home() / "replications"
    out = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text())
            out.append(Plan(**{**data, "seeds": tuple(data["seeds"])}))
        except (OSError, ValueError, TypeError, KeyError, RecursionError):
            continue
    return out


def _create(folder: RunFolder, config: dict[str, Any]) -> bool:
    """Queue `folder` with `config` unless someone already did (exclusive mkdir)."""
    try:
        os.mkdir(folder.path)
    except FileExistsError:
        return False
    folder.create("training", config)
    return True


@dataclass
class Progress:
    runs: list[dict[str, Any]]  # experiment, seed, run_id, state, attempt, step, total
    evaluation: dict[str, Any] | None
    failed: list[str]

    @property
    def done(self) -> bool:
        return self.evaluation is not None and self.evaluation["state"] in ("finished", "failed", "cancelled", "crashed")

    def units(self) -> dict[str, list[str]]:
        """Experiment → its finished runs (the claims' seeds)."""
        out: dict[str, list[str]] = {}
        for r in self.runs:
            if r["state"] == "finished":
                out.setdefault(r["experiment"], []).append(r["run_id"])
        return out


def advance(plan: Plan, write: bool = True) -> Progress:
    """Queue what is missing (first attempts, one retry of a crashed run, the final evaluation once every run has
    ended) and say where the replication stands. Safe to call from any process, any number of times; with
    `write=False` it only reads (what a page shows)."""
    runs, failed = [], []
    for (experiment, seed), config in plan.configs().items():
        for attempt in range(1, ATTEMPTS + 1):
            folder = folder_of(plan, experiment, seed, attempt)
            if not folder.path.exists() and write:
                _create(folder, config)
            status = folder.status()
            if status.get("state") in ("crashed", "failed") and attempt < ATTEMPTS:
                continue  # retried by the next attempt
            runs.append({"experiment": experiment, "seed": seed, "run_id": folder.run_id, "attempt": attempt,
                         "state": status.get("state"), "step": status.get("step") or 0,
                         "total": status.get("total_steps") or config["steps"]})
            if status.get("state") in ("crashed", "failed"):
                failed.append(f"{folder.run_id}: {(status.get('error') or {}).get('title', 'failed')} (retried once)")
            break
    evaluation = None
    if all(r["state"] not in LIVE for r in runs):
        finished = [r["run_id"] for r in runs if r["state"] == "finished"]
        evaluation = _evaluation(plan, finished, write)
    return Progress(runs, evaluation, failed)


def _evaluation(plan: Plan, finished: list[str], write: bool) -> dict[str, Any] | None:
    for attempt in range(1, ATTEMPTS + 1):
        job = RunFolder(home.runs_dir() / f"{plan.name}--final-evaluation--a{attempt}")
        if not job.path.exists():
            if not finished or not write:
                return None
            try:
                os.mkdir(job.path)
            except FileExistsError:
                pass
            else:
                try:
                    queue.submit_evaluation(finished, base=True, samples=plan.samples, job_id=job.run_id)
                except BaseException:
                    os.rmdir(job.path)  # an empty folder would read as queued forever; the next pass tries again
                    raise
        status = job.status()
        if status.get("state") in ("crashed", "failed") and attempt < ATTEMPTS:
            continue
        return {"run_id": job.run_id, "state": status.get("state"), "step": status.get("step") or 0,
                "total": status.get("total_steps") or len(finished) + 1,
                "runs": [Path(t.run_dir).name for t in Evaluation.from_dict(job.config()).targets]
                if is_run_folder(job.path) else []}
    return None


def estimate_seconds(plan: Plan) -> dict[str, float]:
    """The wall time to expect, from this machine's finished runs (seconds per step and per-run overhead) where
    there are some, else the fallbacks measured when the pocket lab was built."""
    per_step, overhead = [], []
    for folder in queue.folders():
        status = folder.status()
        if status.get("state") == "finished" and status.get("seconds_per_step") and status.get("finished_at"):
            total = float(status["finished_at"]) - float(status.get("started_at") or status["finished_at"])
            steps = int(status.get("final_step") or status.get("step") or 0)
            per_step.append(float(status["seconds_per_step"]))
            overhead.append(max(total - steps * float(status["seconds_per_step"]), 0.0))
    sps = statistics.median(per_step) if per_step else STEP_S
    extra = statistics.median(overhead) if overhead else RUN_OVERHEAD_S
    runs = len(EXPERIMENTS) * len(plan.seeds)
    training = runs * (plan.steps * sps + extra)
    evaluation = (runs + 1) * EVAL_MODEL_S * max(plan.samples + 1, 1) / 5
    return {"runs": runs, "seconds_per_step": sps, "training_s": training, "evaluation_s": evaluation,
            "total_s": training + evaluation, "measured": bool(per_step)}
