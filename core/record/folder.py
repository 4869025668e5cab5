"""The run folder: what a job's process writes and the app ingests — the one contract between them (a worker
never opens the store). This module owns its format: the version, the kinds of folder and every file name.

    <run>/format.json        {"format": 2, "kind": …}: which version of this contract, and what the folder holds
    <run>/config.json        the job's settings (for a training run, the RunConfig)            written once, at creation
    <run>/status.json        state, step, ETA, error {title, message}, pid, host            the run process only
    <run>/heartbeat.json     {"at": time} every few seconds                                 the run's heartbeat thread
    <run>/launch.claim       created exclusively by whoever starts the run                  the scheduler (or the CLI)
    <run>/launch.json        the worker's pid and host once started                         the scheduler
    <run>/cancel.json        a request to stop (or never start)                             the app
    <run>/steps/*.parquet    training metrics logged at a step (step, name, value)          the run process
    <run>/completions/<phase>-NNNNNN-<k>.parquet  question, gold, text, reward components   the run process
    <run>/judgments/*.parquet  a judge job's verdicts (completion_key, answer, cost, …)      the judge worker
    <run>/items.parquet      a judge job's completions to judge                              the app, at creation
    <run>/resumed-by         a judge job whose batch a resumed job follows: that job's id    the app
    <run>/model/             the final checkpoint (save_pretrained): what a final evaluation loads
    <run>/worker.log, traceback.txt   the worker's output, and its traceback when it crashed

Kinds: `training` (the Launch page's worker; config = RunConfig), `recorded` (a user's own GPU job through the
recorder; config = the user's own settings and the reward spec), `evaluation` (a final-evaluation job; config =
kinds.Evaluation), `model` (a base model's final completions, written by an evaluation), `judge` (a judge job),
`import` (an import the app runs: its progress and result).
Folders written before format.json existed (format 1) are read as what their config says they are.

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

from yardstick.errors import BadInput
from yardstick.guard import jsontext

FORMAT = 2  # the version this code writes and the newest it reads
FORMAT_FILE, CONFIG, STATUS, HEARTBEAT = "format.json", "config.json", "status.json", "heartbeat.json"
CLAIM, LAUNCH, CANCEL = "launch.claim", "launch.json", "cancel.json"
STEPS, COMPLETIONS, JUDGMENTS = "steps", "completions", "judgments"  # folders of parquet shards, in ingest order
SHARDS = (STEPS, COMPLETIONS, JUDGMENTS)
ITEMS, MODEL, WORKER_LOG, TRACEBACK = "items.parquet", "model", "worker.log", "traceback.txt"
RESUMED = "resumed-by"  # a judge job whose batch another job took over names that job here
KINDS = ("training", "recorded", "evaluation", "model", "judge", "import")
RUNS = ("training", "recorded", "model")  # the kinds that are runs in the store (the others are jobs)
STALE_S = 60.0  # a running worker whose heartbeat is older than this has crashed
HEARTBEAT_S = 5.0
LIVE = ("queued", "starting", "running")
TERMINAL = ("finished", "failed", "cancelled", "crashed")


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    """A small file of the folder's protocol, or None when it is missing or unreadable (a nesting bomb included)."""
    try:
        value = jsontext.loads(path.read_bytes(), path.name)
    except (OSError, BadInput):
        return None
    return value if isinstance(value, dict) else None


class RunFolder:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.run_id = self.path.name

    # --- creation and config (written once) -----------------------------------------------------
    def create(self, kind: str, config: dict[str, Any], status: dict[str, Any] | None = None) -> "RunFolder":
        """Write the format and the config (which makes this a run folder). A folder that is not for the scheduler
        to start (a recorder's, a base model's) passes its first `status`, written before the config so no
        scheduler ever sees it as queued."""
        if kind not in KINDS:
            raise ValueError(f"unknown run-folder kind {kind!r}")
        self.path.mkdir(parents=True, exist_ok=True)
        if kind in RUNS:
            for shards in (STEPS, COMPLETIONS):
                (self.path / shards).mkdir(exist_ok=True)
        write_atomic(self.path / FORMAT_FILE, json.dumps({"format": FORMAT, "kind": kind}).encode())
        if status is not None:
            self.set_status(**status)
        write_atomic(self.path / CONFIG, json.dumps(config, indent=2).encode())
        return self

    def kind(self) -> str:
        """What the folder holds; a folder written by a newer Yardstick is refused (its files may mean other
        things), one written before the format existed is read by what its config says."""
        if not (self.path / FORMAT_FILE).exists():
            return _legacy_kind(self.config())
        header = _read_json(self.path / FORMAT_FILE) or {}
        version, kind = header.get("format"), header.get("kind")
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT:
            raise BadInput("Run folder from a newer Yardstick", f"{self.run_id} is written in run-folder format "
                           f"{version} ({str(kind)[:40]!r}); this Yardstick reads formats up to {FORMAT}. Upgrade "
                           "Yardstick to read it; nothing was imported from it.")
        if not isinstance(version, int) or kind not in KINDS:
            raise BadInput("Bad run folder", f"{self.run_id}/{FORMAT_FILE} does not say a format and a kind this "
                           f"Yardstick knows ({', '.join(KINDS)}); nothing was imported from it.")
        return kind

    @property
    def model_dir(self) -> Path:
        """The final checkpoint a training run saves (save_pretrained), and a final evaluation loads."""
        return self.path / MODEL

    def created_at(self) -> float:
        """When the run was queued (its config's time): the queue's order."""
        try:
            return (self.path / CONFIG).stat().st_mtime
        except OSError:
            return 0.0

    def config(self) -> dict[str, Any]:
        """The job's settings as written (its kind's typed config reads them: record/config.py, record/kinds.py)."""
        config = jsontext.loads((self.path / CONFIG).read_bytes(), f"{self.run_id}/{CONFIG}", "Bad run folder")
        if not isinstance(config, dict):
            raise BadInput("Bad run folder", f"{self.run_id}/{CONFIG} is not a JSON object.")
        return config

    # --- the run process's own status ------------------------------------------------------------
    def set_status(self, **changes: Any) -> None:
        """Update status.json. Only the run process (worker or recorder, main thread) calls this."""
        status = _read_json(self.path / STATUS) or {}
        status.update(changes)
        write_atomic(self.path / STATUS, json.dumps(status).encode())

    def beat(self) -> None:
        write_atomic(self.path / HEARTBEAT, json.dumps({"at": time.time()}).encode())

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
        if (self.path / CANCEL).exists():
            return False
        try:
            fd = os.open(self.path / CLAIM, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps({"by": os.getpid(), "host": socket.gethostname(), "at": time.time()}))
        return True

    def launched(self, pid: int) -> None:
        write_atomic(self.path / LAUNCH, json.dumps({"pid": pid, "host": socket.gethostname(),
                                                            "at": time.time()}).encode())

    def request_cancel(self) -> None:
        write_atomic(self.path / CANCEL, json.dumps({"at": time.time()}).encode())

    def cancel_requested(self) -> bool:
        return (self.path / CANCEL).exists()

    # --- what everyone reads -----------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """The run's state, composed from its files: queued, starting, running, finished, failed, cancelled or
        crashed (a live state whose process is gone or whose heartbeat went stale)."""
        own = _read_json(self.path / STATUS) or {}
        launch = _read_json(self.path / LAUNCH) or {}
        claim = _read_json(self.path / CLAIM)
        beat = _read_json(self.path / HEARTBEAT) or {}
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
        if (time.time() - last > STALE_S or _dead_here(status)) and cancel:
            status.update(state="cancelled", message="cancelled (its process stopped before it said so)")
        elif time.time() - last > STALE_S or _dead_here(status):
            status["state"] = "crashed"
            status.setdefault("error", {"title": "Worker stopped", "message": "Its process stopped without a word "
                                        "(killed, out of memory, or the app that ran it stopped). Everything it wrote "
                                        "is kept."})
        return status

    # --- data shards (the run process) -------------------------------------------------------------
    def write_steps(self, step: int, metrics: dict[str, float]) -> None:
        import pandas as pd

        df = pd.DataFrame({"step": step, "name": list(metrics), "value": [float(v) for v in metrics.values()]})
        self._write_shard(STEPS, f"{step:06d}-{time.time_ns()}", df)

    def write_completions(self, phase: str, step: int, rows: list[dict[str, Any]]) -> None:
        """rows: question, gold, text, sample, decoding, and optionally n_tokens, reward, reward_components."""
        import pandas as pd

        if rows:
            self._write_shard(COMPLETIONS, f"{phase}-{step:06d}-{time.time_ns()}",
                              pd.DataFrame(rows).assign(phase=phase, step=step))

    def _write_shard(self, kind: str, name: str, df: Any) -> None:
        import io

        folder = self.path / kind
        folder.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        write_atomic(folder / f"{name}.parquet", buf.getvalue())

    def shards(self) -> list[Path]:
        return sorted(p for kind in SHARDS for p in (self.path / kind).glob("*.parquet"))


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


def unique(parent: Path, name: str) -> RunFolder:
    """A new, empty folder `parent/name` (or name-2, name-3, … when taken), made exclusively: two jobs submitted in
    the same second never share one."""
    parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = parent / (name if n == 1 else f"{name}-{n}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return RunFolder(path)
    raise BadInput("Too many jobs of one name", f"{parent / name}: clear out old job folders.")


def is_run_folder(path: Path) -> bool:
    return path.is_dir() and (path / CONFIG).is_file()


def _legacy_kind(config: dict[str, Any]) -> str:
    """Format 1 (release 2 and before): an evaluation job said `"kind": "evaluate"`, a base model's folder
    `"kind": "model"`; a training run's config was a RunConfig (it has eval_every), anything else a recorder's."""
    kind = config.get("kind")
    if kind == "evaluate":
        return "evaluation"
    if kind == "model":
        return "model"
    return "training" if "eval_every" in config else "recorded"
