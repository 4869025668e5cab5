"""The run folder: what a training process writes and the app ingests. The trainer never opens the store.

    <run>/config.json         the RunConfig (or a user's own config) and the reward spec
    <run>/status.json         state, step, heartbeat, pid, ETA, error {title, message}
    <run>/steps/NNNNNN.parquet         training metrics logged at a step (name, value)
    <run>/completions/<phase>-NNNNNN-<k>.parquet  completions with question, gold, text, reward components
    <run>/traceback.txt       when the worker crashed

Every file is written to a temporary name and renamed, so a reader never sees half a shard.
"""
from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import pandas as pd

from core.store.store import Batch

STALE_S = 60.0  # a running worker whose heartbeat is older than this has crashed
LIVE = ("queued", "starting", "running")


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class RunFolder:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.run_id = self.path.name

    def create(self, config: dict[str, Any]) -> "RunFolder":
        (self.path / "steps").mkdir(parents=True, exist_ok=True)
        (self.path / "completions").mkdir(exist_ok=True)
        write_atomic(self.path / "config.json", json.dumps(config, indent=2).encode())
        if not (self.path / "status.json").exists():
            self.set_status(state="queued", step=0, total_steps=config.get("steps"), created_at=time.time())
        return self

    def config(self) -> dict[str, Any]:
        return json.loads((self.path / "config.json").read_text())

    def status(self) -> dict[str, Any]:
        """The status file, with `state` turned to "crashed" when a running worker stopped beating."""
        try:
            status = json.loads((self.path / "status.json").read_text())
        except (OSError, ValueError):
            return {"state": "unknown"}
        if status.get("state") in ("starting", "running") and (
                time.time() - status.get("heartbeat_at", 0) > STALE_S or _dead_here(status)):
            status["state"] = "crashed"
            status.setdefault("error", {"title": "Worker stopped", "message": "The training process stopped "
                                        "without a word (killed, or out of memory). Everything it wrote is kept."})
        return status

    def set_status(self, **changes: Any) -> None:
        try:
            status = json.loads((self.path / "status.json").read_text())
        except (OSError, ValueError):
            status = {}
        status.update(changes)
        write_atomic(self.path / "status.json", json.dumps(status).encode())

    def write_steps(self, step: int, metrics: dict[str, float]) -> None:
        df = pd.DataFrame({"step": step, "name": list(metrics), "value": [float(v) for v in metrics.values()]})
        self._write_shard("steps", f"{step:06d}-{time.time_ns()}", df)

    def write_completions(self, phase: str, step: int, rows: list[dict[str, Any]]) -> None:
        """rows: question, gold, text, sample, decoding, and optionally n_tokens, reward, reward_components."""
        if rows:
            self._write_shard("completions", f"{phase}-{step:06d}-{time.time_ns()}",
                              pd.DataFrame(rows).assign(phase=phase, step=step))

    def _write_shard(self, kind: str, name: str, df: pd.DataFrame) -> None:
        folder = self.path / kind
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{name}.parquet", _parquet_bytes(df))

    def shards(self) -> list[Path]:
        return sorted(p for kind in ("steps", "completions") for p in (self.path / kind).glob("*.parquet"))

    def to_batch(self, skip: set[str] = frozenset()) -> tuple[Batch, list[str]]:
        """The run as a store Batch, reading only shards not in `skip`; returns the shard names read."""
        config, status = self.config(), self.status()
        run = {"run_id": self.run_id, "name": config.get("name") or self.run_id, "source": "run folder",
               "model": config.get("model"), "reward_spec": config.get("reward"), "seed": config.get("seed"),
               "seed_group": config.get("seed_group") or None, "status": status.get("state"), "config": config,
               "notes": json.dumps(status.get("error")) if status.get("error") else None}
        fresh = [p for p in self.shards() if f"{p.parent.name}/{p.name}" not in skip]
        steps = [pd.read_parquet(p) for p in fresh if p.parent.name == "steps"]
        comps = [pd.read_parquet(p) for p in fresh if p.parent.name == "completions"]
        metrics = pd.concat(steps).assign(run_id=self.run_id, phase="train", decoding="sampled") if steps else None
        completions = pd.concat(comps, ignore_index=True).assign(run_id=self.run_id) if comps else None
        if completions is not None and "reward_components" in completions:
            completions["reward_components"] = completions["reward_components"].map(
                lambda c: c if c is None or isinstance(c, str) else json.dumps(c))
        return (Batch(runs=[run], completions=completions, metrics=metrics, problem_source=self.run_id),
                [f"{p.parent.name}/{p.name}" for p in fresh])


def _dead_here(status: dict[str, Any]) -> bool:
    """The worker ran on this machine and its process is gone (no need to wait for the heartbeat to go stale)."""
    if status.get("host") != socket.gethostname() or not status.get("pid"):
        return False
    try:
        os.kill(status["pid"], 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _zombie(status["pid"])


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    import io

    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def is_run_folder(path: Path) -> bool:
    return path.is_dir() and (path / "config.json").is_file() and (path / "status.json").is_file()
