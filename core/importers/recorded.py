"""Run folders (from the scheduler's workers, or from a user's own GPU job through the recorder).

Shards already ingested are remembered in the store, so polling a live run reads only what is new; the status
is refreshed every time (running → finished, or crashed when the heartbeat went stale).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from yardstick.importers.base import Seen, shard_keys
from yardstick.record.config import eval_set
from yardstick.record.folder import COMPLETIONS, FORMAT_FILE, JUDGMENTS, STATUS, STEPS, RunFolder, is_run_folder
from yardstick.store.store import Batch

KIND = "run folder"
LOOKS_LIKE = "a folder with config.json (written by a Yardstick worker or recorder)"


def recognises(path: Path) -> bool:
    """A TRL output folder holding a saved model also has a config.json: steps/ or status.json tell ours apart."""
    from yardstick.importers import trl

    ours = any((path / name).exists() for name in (FORMAT_FILE, STATUS, STEPS))
    return is_run_folder(path) and (ours or not trl.recognises(path))


def load(path: Path, seen: Seen | None = None) -> Batch:
    """The shards not yet in the store, and the run's current status; an empty Batch when nothing changed (so the
    store is not written and the app's caches stay valid)."""
    folder = RunFolder(path)
    seen = seen or Seen(frozenset(), {})
    kind = folder.kind()
    if kind in ("evaluation", "import"):
        return Batch()  # jobs that write elsewhere: into the folders of the runs evaluated, or the store itself
    if kind == "judge":
        return _judgments(folder, seen)
    config, status = folder.config(), folder.status()
    done = seen.files_of(folder.run_id)
    fresh = [p for p in folder.shards() if f"{p.parent.name}/{p.name}" not in done]
    if not fresh and seen.statuses.get(folder.run_id) == status.get("state"):
        return Batch()
    run = {"run_id": folder.run_id, "name": config.get("name") or folder.run_id,
           "model": config.get("model"), "reward_spec": config.get("reward"), "seed": config.get("seed"),
           "seed_group": config.get("seed_group") or None, "status": status.get("state"), "config": config,
           "source": "base model" if kind == "model" else "run folder",
           "error": status.get("error"), "eval_set": None if kind == "recorded" else eval_set(config)}
    steps = [pd.read_parquet(p) for p in fresh if p.parent.name == STEPS]
    comps = [pd.read_parquet(p) for p in fresh if p.parent.name == COMPLETIONS]
    metrics = pd.concat(steps).assign(run_id=folder.run_id, phase="train", decoding="sampled") if steps else None
    completions = pd.concat(comps, ignore_index=True).assign(run_id=folder.run_id) if comps else None
    if completions is not None and "reward_components" in completions:
        completions["reward_components"] = completions["reward_components"].map(
            lambda c: c if c is None or isinstance(c, str) else json.dumps(c))
    return Batch(runs=[run], completions=completions, metrics=metrics, problem_source=folder.run_id,
                 meta=shard_keys(folder.run_id, [f"{p.parent.name}/{p.name}" for p in fresh]))


def _judgments(folder: RunFolder, seen: Seen) -> Batch:
    """A judge job's verdicts not yet in the store (keyed by completion_key; the job's id is their source)."""
    done = seen.files_of(folder.run_id)
    fresh = [p for p in folder.shards() if p.parent.name == JUDGMENTS and f"{JUDGMENTS}/{p.name}" not in done]
    if not fresh:
        return Batch()
    judgments = pd.concat([pd.read_parquet(p) for p in fresh], ignore_index=True).assign(source=f"job {folder.run_id}")
    return Batch(judgments=judgments, meta=shard_keys(folder.run_id, [f"{JUDGMENTS}/{p.name}" for p in fresh]))
