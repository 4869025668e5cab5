"""The run folder: what a training process writes and the app ingests. The trainer never opens the store.

    <run>/config.json        the RunConfig (or a user's own config) and the reward spec     written once, at creation
    <run>/status.json        state, step, ETA, error {title, message}, pid, host            the run process only
    <run>/heartbeat.json     {"at": time} every few seconds                                 the run's heartbeat thread
    <run>/launch.claim       created exclusively by whoever starts the run                  the scheduler (or the CLI)
    <run>/launch.json        the worker's pid and host once started                         the scheduler
    <run>/cancel.json        a request to stop (or never start)                             the app
    <run>/steps/*.parquet    training metrics logged at a step (step, name, value)          the run process
    <run>/completions/<phase>-NNNNNN-<k>.parquet  question, gold, text, reward components   the run process
    <run>/traceback.txt      when the worker crashed

Each file has one writer and is replaced atomically (temp name, then rename), so a reader never sees half a file
and no writer can overwrite another's field: a late heartbeat cannot undo "finished". This module is the contract a
user's GPU job imports (through the recorder), so it loads no store, UI or plotting code.
"""
from __future__ import annotations

import json
import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

STALE_S = 60.0  # a running worker whose heartbeat is older than this has crashed
HEARTBEAT_S = 5.0
LIVE = ("queued", "starting", "running")
TERMINAL = ("finished", "failed", "cancelled", "crashed")


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


class RunFolder:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.run_id = self.path.name

    # --- creation and config (written once) -----------------------------------------------------
    def create(self, config: dict[str, Any], status: dict[str, Any] | None = None) -> "RunFolder":
        """Write the config (which makes this a run folder). A folder that is not for the scheduler to start (a
        recorder's, a base model's) passes its first `status`, written before the config so no scheduler ever sees
        it as queued."""
        (self.path / "steps").mkdir(parents=True, exist_ok=True)
        (self.path / "completions").mkdir(exist_ok=True)
        if status is not None:
            self.set_status(**status)
        write_atomic(self.path / "config.json", json.dumps(config, indent=2).encode())
        return self

    def created_at(self) -> float:
        """When the run was queued (its config's time): the queue's order."""
        try:
            return (self.path / "config.json").stat().st_mtime
        except OSError:
            return 0.0

    def config(self) -> dict[str, Any]:
        return json.loads((self.path / "config.json").read_text())

    # --- the run process's own status ------------------------------------------------------------
    def set_status(self, **changes: Any) -> None:
        """Update status.json. Only the run process (worker or recorder, main thread) calls this."""
        status = _read_json(self.path / "status.json") or {}
        status.update(changes)
        write_atomic(self.path / "status.json", json.dumps(status).encode())

    def beat(self) -> None:
        write_atomic(self.path / "heartbeat.json", json.dumps({"at": time.time()}).encode())

    @contextmanager
    def heartbeat(self, every_s: float = HEARTBEAT_S) -> Iterator[None]:
        """Beat from a background thread while the block runs (model building included: a first run that builds
        the pocket model must not read as crashed)."""
        done = threading.Event()
        self.beat()

        def loop() -> None:
            while not done.wait(every_s):
                self.beat()

        thread = threading.Thread(target=loop, daemon=True, name=f"yardstick-heartbeat-{self.run_id}")
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join(timeout=every_s + 1)

    # --- starting and cancelling (the scheduler and the app) ------------------------------------
    def claim(self) -> bool:
        """Take the right to start this run; exactly one caller ever gets True (O_EXCL on one file)."""
        if (self.path / "cancel.json").exists():
            return False
        try:
            fd = os.open(self.path / "launch.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps({"by": os.getpid(), "host": socket.gethostname(), "at": time.time()}))
        return True

    def launched(self, pid: int) -> None:
        write_atomic(self.path / "launch.json", json.dumps({"pid": pid, "host": socket.gethostname(),
                                                            "at": time.time()}).encode())

    def request_cancel(self) -> None:
        write_atomic(self.path / "cancel.json", json.dumps({"at": time.time()}).encode())

    def cancel_requested(self) -> bool:
        return (self.path / "cancel.json").exists()

    # --- what everyone reads -----------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """The run's state, composed from its files: queued, starting, running, finished, failed, cancelled or
        crashed (a live state whose process is gone or whose heartbeat went stale)."""
        own = _read_json(self.path / "status.json") or {}
        launch = _read_json(self.path / "launch.json") or {}
        claim = _read_json(self.path / "launch.claim")
        beat = _read_json(self.path / "heartbeat.json") or {}
        status = {**own}
        state = own.get("state")
        if state in TERMINAL:
            return status
        cancel = self.cancel_requested()
        if state in (None, "queued") and claim is None:
            status["state"] = "cancelled" if cancel else "queued"
            return status
        status["state"] = state if state in ("starting", "running") else "starting"
        status.setdefault("pid", launch.get("pid"))
        status.setdefault("host", launch.get("host"))
        if cancel:
            status["message"] = "cancelling after the current step"
        last = max(float(beat.get("at") or 0), float(own.get("heartbeat_at") or 0),
                   float(launch.get("at") or 0), float((claim or {}).get("at") or 0))
        if time.time() - last > STALE_S or _dead_here(status):
            status["state"] = "crashed"
            status.setdefault("error", {"title": "Worker stopped", "message": "The training process stopped "
                                        "without a word (killed, or out of memory). Everything it wrote is kept."})
        return status

    # --- data shards (the run process) -------------------------------------------------------------
    def write_steps(self, step: int, metrics: dict[str, float]) -> None:
        import pandas as pd

        df = pd.DataFrame({"step": step, "name": list(metrics), "value": [float(v) for v in metrics.values()]})
        self._write_shard("steps", f"{step:06d}-{time.time_ns()}", df)

    def write_completions(self, phase: str, step: int, rows: list[dict[str, Any]]) -> None:
        """rows: question, gold, text, sample, decoding, and optionally n_tokens, reward, reward_components."""
        import pandas as pd

        if rows:
            self._write_shard("completions", f"{phase}-{step:06d}-{time.time_ns()}",
                              pd.DataFrame(rows).assign(phase=phase, step=step))

    def _write_shard(self, kind: str, name: str, df: Any) -> None:
        import io

        folder = self.path / kind
        folder.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        write_atomic(folder / f"{name}.parquet", buf.getvalue())

    def shards(self) -> list[Path]:
        return sorted(p for kind in ("steps", "completions") for p in (self.path / kind).glob("*.parquet"))


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


def is_run_folder(path: Path) -> bool:
    return path.is_dir() and (path / "config.json").is_file()
