"""The run queue's one owner: starts queued runs, one worker at a time, whether or not a browser is open.

Every process that may start runs (the app server, `yardstick replicate`) runs a Scheduler thread, but only the one
holding the home's lock file pumps the queue; if it dies the OS drops the lock and another takes over. Starting is
also guarded per run (RunFolder.claim is exclusive), so no run ever starts twice, even across machines sharing a
home.
"""
from __future__ import annotations

import fcntl
import os
import threading
import time
import traceback
from pathlib import Path

from core import home, launcher, replicate
from core.errors import BadInput
from core.runfolder import RunFolder

MAX_WORKERS = 1  # a second worker halves the speed of both on a laptop
POLL_S = 1.0


def pump(runs_dir: Path | None = None, max_workers: int = MAX_WORKERS) -> list[str]:
    """Start queued runs (oldest first) while fewer than `max_workers` are live; returns the runs started."""
    states = [(f, f.status().get("state")) for f in launcher.folders(runs_dir)]
    busy = sum(1 for _, state in states if state in ("starting", "running"))
    started = []
    for folder, state in states:
        if busy >= max_workers:
            break
        if state == "queued" and folder.claim():
            launcher.start(folder)
            started.append(folder.run_id)
            busy += 1
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
            try:
                self.owner = self.owner or self._acquire()
                if self.owner:
                    if self.home == home.home().resolve():
                        replicate.advance_all()  # replications queue their next runs and evaluation
                    pump(self.home / "runs")
            except Exception:  # noqa: BLE001  (the queue must outlive one bad folder)
                with open(self.home / "scheduler.log", "a") as log:
                    log.write(f"{time.ctime()}: {traceback.format_exc(limit=5)[-2000:]}\n")
            self._stop.wait(POLL_S)

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


def claim_and_run(folder: RunFolder) -> int:
    """Run a queued folder in this process (`yardstick train`): claimed first, so no scheduler starts it too."""
    from core.train.worker import run

    if not folder.claim():
        raise BadInput("Run already started", f"{folder.run_id} was started (or cancelled) by someone else.")
    folder.launched(os.getpid())
    return run(folder.path)
