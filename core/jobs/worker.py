"""The one worker entry, `python -m yardstick.jobs RUN_FOLDER`: runs the job its folder holds, by its kind (one table:
KIND → runner), and turns any failure into {title, message} in status.json with the traceback beside it — the user
reads a sentence, not a traceback. The scheduler starts it in its own process group; cancel is SIGTERM plus a request
in the folder, which each runner honours between steps."""
from __future__ import annotations

import importlib
import os
import signal
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

from yardstick.errors import BadInput, YardstickError
from yardstick.jobs import preflight
from yardstick.record.config import RunConfig
from yardstick.record.folder import TRACEBACK, RunFolder

# kind → "module:function" taking the folder; imported only when that kind runs (training loads torch and TRL).
RUNNERS = {"training": "yardstick.train.worker:train", "evaluation": "yardstick.train.final:run",
           "judge": "yardstick.jobs.judging:work"}


def runner(kind: str) -> Callable[[RunFolder], int]:
    if kind not in RUNNERS:
        raise BadInput("Nothing to run", f"a {kind!r} folder is not a job a worker runs.")
    module, name = RUNNERS[kind].split(":")
    return getattr(importlib.import_module(module), name)


def run(run_dir: str | Path) -> int:
    folder = RunFolder(run_dir)
    # Until a runner installs its own handler (after its imports), SIGTERM becomes a cancel request in the folder,
    # which every runner reads at its next step: a job cancelled while starting ends cancelled, not killed.
    signal.signal(signal.SIGTERM, lambda *_: folder.request_cancel())
    print(f"worker {os.getpid()} started on {socket.gethostname()}", file=sys.stderr, flush=True)
    folder.set_status(state="starting", pid=os.getpid(), host=socket.gethostname(), started_at=time.time())
    kind = "job"
    with folder.heartbeat():  # from the first moment: building the pocket model takes minutes
        try:
            kind = folder.kind()
            if kind == "training":  # the model or data may be gone since it was queued: say so before loading torch
                preflight.check(RunConfig.from_dict(folder.config()))
            return runner(kind)(folder)
        except YardstickError as exc:
            folder.set_status(state="failed", error=exc.as_dict())
            return 2
        except BaseException as exc:  # noqa: BLE001  (the page must say what happened)
            (folder.path / TRACEBACK).write_text(traceback.format_exc())
            folder.set_status(state="failed", error={
                "title": f"{kind.capitalize()} failed: {type(exc).__name__}", "message": f"{exc}"[:500] +
                f" (the traceback is in the run folder's {TRACEBACK})"})
            return 1
