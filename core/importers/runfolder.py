"""Run folders (from the scheduler's workers, or from a user's own GPU job through the recorder).

Shards already ingested are remembered in the store, so polling a live run reads only what is new; the status
is refreshed every time (running → finished, or crashed when the heartbeat went stale).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from core.importers.base import Seen, shard_keys
from core.runfolder import RunFolder, is_run_folder
from core.store.store import Batch

KIND = "run folder"
LOOKS_LIKE = "a folder with config.json (written by a Yardstick worker or recorder)"


def recognises(path: Path) -> bool:
    """A TRL output folder holding a saved model also has a config.json: steps/ or status.json tell ours apart."""
    from core.importers import trl

    ours = (path / "steps").is_dir() or (path / "status.json").is_file()
    return is_run_folder(path) and (ours or not trl.recognises(path))


def load(path: Path, seen: Seen | None = None) -> Batch:
    """The shards not yet in the store, and the run's current status; an empty Batch when nothing changed (so the
    store is not written and the app's caches stay valid)."""
    folder = RunFolder(path)
    seen = seen or Seen(frozenset(), {})
    config, status = folder.config(), folder.status()
    if config.get("kind") == "evaluate":
        return Batch()  # a job: it writes into the folders of the runs it evaluates
    done = seen.files_of(folder.run_id)
    fresh = [p for p in folder.shards() if f"{p.parent.name}/{p.name}" not in done]
    if not fresh and seen.statuses.get(folder.run_id) == status.get("state"):
        return Batch()
    run = {"run_id": folder.run_id, "name": config.get("name") or folder.run_id,
           "model": config.get("model"), "reward_spec": config.get("reward"), "seed": config.get("seed"),
           "seed_group": config.get("seed_group") or None, "status": status.get("state"), "config": config,
           "source": "base model" if config.get("kind") == "model" else "run folder",
           "error": status.get("error"), "eval_set": _eval_set(config)}
    steps = [pd.read_parquet(p) for p in fresh if p.parent.name == "steps"]
    comps = [pd.read_parquet(p) for p in fresh if p.parent.name == "completions"]
    metrics = pd.concat(steps).assign(run_id=folder.run_id, phase="train", decoding="sampled") if steps else None
    completions = pd.concat(comps, ignore_index=True).assign(run_id=folder.run_id) if comps else None
    if completions is not None and "reward_components" in completions:
        completions["reward_components"] = completions["reward_components"].map(
            lambda c: c if c is None or isinstance(c, str) else json.dumps(c))
    return Batch(runs=[run], completions=completions, metrics=metrics, problem_source=folder.run_id,
                 meta=shard_keys(folder.run_id, [f"{p.parent.name}/{p.name}" for p in fresh]))


def _eval_set(config: dict) -> str | None:
    """The held-out set of a Yardstick run config (None for a user's own recorder config)."""
    from core.runconfig import eval_set

    return eval_set(config)
