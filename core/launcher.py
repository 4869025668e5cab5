"""Starting, queueing and cancelling training workers. The app calls these; workers run in their own process
group (subprocess.Popen) and talk back only through their run folders."""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

from core import home, preflight
from core.errors import BadInput
from core.runconfig import RunConfig
from core.runfolder import RunFolder, is_run_folder

MAX_WORKERS = 1  # one worker at a time by default: a second one halves the speed of both on a laptop


def run_id(config: RunConfig) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", (config.name or f"{config.model}-{config.reward}").lower()).strip("-")[:40]
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{base}-s{config.seed}"


def submit(config: dict, seeds: list[int] | None = None) -> list[str]:
    """Queue one run per seed (a seed group when several); invalid configs raise before anything is written."""
    configs = [RunConfig.from_dict({**config, "seed": s}) for s in (seeds or [config.get("seed", 0)])]
    preflight.check(configs[0])  # the batch fits, model and data resolve, memory suffices: before any folder
    group = f"{configs[0].name or configs[0].reward}-{time.strftime('%H%M%S')}" if len(configs) > 1 else ""
    ids = []
    for c in configs:
        c.seed_group = c.seed_group or group
        rid = run_id(c)
        RunFolder(home.runs_dir() / rid).create(c.to_dict())
        ids.append(rid)
    return ids


def folders() -> list[RunFolder]:
    return [RunFolder(p) for p in sorted(home.runs_dir().iterdir()) if is_run_folder(p)]


def pump() -> list[str]:
    """Start queued runs while fewer than MAX_WORKERS are live; returns the runs started."""
    states = [(f, f.status()) for f in folders()]  # status() already calls a dead worker "crashed"
    busy = sum(1 for _, s in states if s.get("state") in ("starting", "running"))
    started = []
    for folder, status in sorted(states, key=lambda fs: fs[1].get("created_at", 0)):
        if busy >= MAX_WORKERS:
            break
        if status.get("state") == "queued":
            _start(folder)
            started.append(folder.run_id)
            busy += 1
    return started


def _start(folder: RunFolder) -> None:
    with open(folder.path / "worker.log", "ab") as log:  # the child keeps its own copy of the handle
        proc = subprocess.Popen([sys.executable, "-m", "core.train", str(folder.path)], cwd=home.REPO_ROOT,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    folder.set_status(state="starting", pid=proc.pid, host=socket.gethostname(), heartbeat_at=time.time())


def cancel(run: str) -> None:
    """Queued: never starts. Running: SIGTERM to its process group; it stops after the current step."""
    folder = RunFolder(home.runs_dir() / run)
    if not is_run_folder(folder.path):
        raise BadInput("No such run", f"{run} has no run folder.")
    status = folder.status()
    if status.get("state") == "queued":
        folder.set_status(state="cancelled")
    elif status.get("state") in ("starting", "running"):
        with contextlib.suppress(ProcessLookupError):  # it may have ended a moment ago
            os.killpg(status["pid"], signal.SIGTERM)
        folder.set_status(message="cancelling after the current step")


@dataclass
class SyncResult:
    changed: list[str] = field(default_factory=list)  # runs with new rows or a new status
    problems: list[str] = field(default_factory=list)  # "run: what went wrong" for folders that could not be read


def sync(store) -> SyncResult:
    """Start queued runs, then ingest what every run folder has written since last time (cheap when nothing
    changed: no write at all). A folder that cannot be read is reported and skipped; the others go on."""
    from core.importers.runfolder import Seen, ingest

    pump()
    result = SyncResult()
    seen = Seen.of(store)  # one look at what the store has, not two queries per folder
    for folder in folders():
        if folder.status().get("state") == "queued":
            continue
        try:
            if ingest(store, folder.path, seen).runs:
                result.changed.append(folder.run_id)
        except Exception as exc:  # noqa: BLE001  (one bad folder must not hide the others)
            result.problems.append(f"{folder.run_id}: {type(exc).__name__}: {exc}"[:300])
    return result
