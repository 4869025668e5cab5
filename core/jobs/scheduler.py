"""The one owner of every job a worker runs: starts queued training runs, evaluations and judge jobs, whether or not
a browser is open — each kind within its slot's limit (one trainer at a time on a laptop; judge jobs wait on the
network, not the CPU, so they have slots of their own).

Every process that may start jobs (the app server, `yardstick replicate`) runs a Scheduler thread, but only the one
holding the home's lock file pumps the queue; if it dies the OS drops the lock and another takes over. Starting is
also guarded per job (RunFolder.claim is exclusive), so no job ever starts twice, even across machines sharing a
home. Workers run in their own process group, so a job outlives the app that started it.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from yardstick import home
from yardstick.errors import BadInput, YardstickError
from yardstick.jobs import queue, replicate
from yardstick.record.folder import WORKER_LOG, RunFolder

SLOTS = {"training": "compute", "evaluation": "compute", "judge": "network"}  # the kinds a worker runs
LIMITS = {"compute": 1, "network": 2}  # live workers per slot (a second trainer halves both on a laptop)
POLL_S = 1.0


def pump(home_dir: Path | None = None, limits: dict[str, int] | None = None) -> list[str]:
    """Start queued jobs (oldest first) while their slot has room; returns the jobs started. A folder that cannot
    be read is left alone (the pages show it as one bad row)."""
    limits = {**LIMITS, **(limits or {})}
    root = home_dir or home.home()
    found = []
    for folder in queue.folders(root / "runs") + queue.folders(root / "jobs"):
        try:
            found.append((folder, SLOTS.get(folder.kind()), folder.status().get("state")))
        except YardstickError:
            continue
    busy = Counter(slot for _, slot, state in found if state in ("starting", "running"))
    started = []
    for folder, slot, state in found:
        if slot is None or state != "queued" or busy[slot] >= limits[slot]:
            continue
        if folder.claim():
            start(folder)
            started.append(folder.run_id)
            busy[slot] += 1
    return started


class Scheduler:
    """Pumps the queue of one home every POLL_S seconds from a daemon thread, while it holds the home's lock."""

    def __init__(self, home_dir: Path) -> None:
        self.home = home_dir
        self.owner = False
        self._stop = threading.Event()
        self._fd: int | None = None
        self.thread = threading.Thread(target=self._loop, daemon=True, name="yardstick-scheduler")

    def _acquire(self) -> bool:
        if self._fd is None:
            self._fd = os.open(self.home / "scheduler.lock", os.O_CREAT | os.O_RDWR)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode())
        return True

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.owner = self.owner or self._guarded(self._acquire)
            if self.owner:
                if self.home == home.home().resolve():
                    for plan in replicate.plans():  # replications queue their next runs and evaluation
                        self._guarded(replicate.advance, plan)
                self._guarded(pump, self.home)
            self._stop.wait(POLL_S)

    def _guarded(self, step: Any, *args: Any) -> Any:
        """One step of the loop; a failure is logged, and the other steps (other replications, the queue) go on."""
        try:
            return step(*args)
        except Exception:  # noqa: BLE001  (the queue must outlive one bad folder or plan)
            with open(self.home / "scheduler.log", "a") as log:
                log.write(f"{time.ctime()}: {traceback.format_exc(limit=5)[-2000:]}\n")
            return None

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=POLL_S * 5)
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None
        self.owner = False


_RUNNING: dict[Path, Scheduler] = {}
_GUARD = threading.Lock()


def ensure() -> Scheduler:
    """This process's scheduler for the current home, started on first call."""
    home_dir = home.home().resolve()
    with _GUARD:
        scheduler = _RUNNING.get(home_dir)
        if scheduler is None or not scheduler.thread.is_alive():
            scheduler = _RUNNING[home_dir] = Scheduler(home_dir)
            scheduler.thread.start()
        return scheduler


def stop_all() -> None:
    """Stop every scheduler of this process (tests switch homes between cases)."""
    with _GUARD:
        for scheduler in _RUNNING.values():
            scheduler.stop()
        _RUNNING.clear()


def start(folder: RunFolder) -> int:
    """Start the worker for a folder the caller has claimed, in its own process group (it outlives this process:
    a restarted app finds it still running); returns its pid."""
    with open(folder.path / WORKER_LOG, "ab") as log:  # the child keeps its own copy of the handle
        proc = subprocess.Popen([sys.executable, "-m", "yardstick.jobs", str(folder.path)], cwd=home.REPO_ROOT,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    folder.launched(proc.pid)
    return proc.pid


def claim_and_run(folder: RunFolder) -> int:
    """Run a queued folder in this process (`yardstick train`): claimed first, so no scheduler starts it too."""
    from yardstick.jobs.worker import run

    if not folder.claim():
        raise BadInput("Run already started", f"{folder.run_id} was started (or cancelled) by someone else.")
    folder.launched(os.getpid())
    return run(folder.path)
