"""The worker processes instruments run in (batch reading, math-verify's killable workers): spawned, and tied to
the process that started them. Each worker exits within a second of its parent dying, even by kill -9, so no
orphan keeps ~200 MB (and, through it, multiprocessing's resource tracker) alive; its log lines quote at most
EXCERPT characters, so a 10 MB completion in math-verify's timeout warning is not copied into the log."""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import spawn

EXCERPT = 300
WATCH_S = 0.5


NAME = "yardstick-worker"


def pool(workers: int) -> ProcessPoolExecutor:
    """A spawn-context pool whose workers die with this process and never run its main script."""
    return ProcessPoolExecutor(workers, mp_context=_Context(), initializer=start)


class _Process(mp.context.SpawnProcess):
    """A spawned worker named so that `_preparation` knows it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = f"{NAME}-{self.name}"


class _Context(mp.context.SpawnContext):
    Process = _Process


_parent_preparation = spawn.get_preparation_data


def _preparation(name: str) -> dict:
    """Spawn re-runs the parent's __main__ in every child. Under Streamlit, __main__ is the app script: each worker
    ran the whole app (imports, login, the page, which opens the store) before reading a completion — the suite's
    import tests ran twice as slow after a page had run. Workers need only `yardstick`, which they import by name."""
    data = _parent_preparation(name)
    if name.startswith(NAME):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


spawn.get_preparation_data = _preparation


def start() -> None:
    """Worker initializer: watch the parent, bound log lines."""
    parent = mp.parent_process()
    parent_pid = parent.pid if parent is not None else os.getppid()
    threading.Thread(target=_watch, args=(parent_pid,), name="yardstick-parent-watch", daemon=True).start()
    handler = logging.StreamHandler()
    handler.addFilter(Excerpt())
    logging.getLogger().addHandler(handler)


def _watch(parent_pid: int) -> None:
    # A parent-death signal (prctl) would fire when the *thread* that started the worker ends, and Streamlit
    # runs each script in a short-lived thread; a reparented worker is what "the parent is gone" looks like.
    while os.getppid() == parent_pid:
        time.sleep(WATCH_S)
    os._exit(1)


class Excerpt(logging.Filter):
    """Cut a record's message to EXCERPT characters, saying how much was left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > EXCERPT:
            record.msg, record.args = f"{message[:EXCERPT]}… [{len(message) - EXCERPT:,} more characters]", None
        return True
