"""Launch: every run folder's state in words (queued, starting, running with ETA, finished, failed with its
error), newest first. Read from the run folders themselves, so it is live without an ingest."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from yardstick.errors import YardstickError
from yardstick.jobs import queue
from yardstick.views.blocks import Table, View
from yardstick.views.state import State as Base

SHOWN = 20


@dataclass(frozen=True)
class State(Base):
    pass


TRAINS = ("training", "recorded")  # a final-evaluation job or a base model's folder only evaluates


def describe(kind: str, config: dict) -> str:
    """What a run folder holds, in a few words: a training run's reward, or an evaluation-only job's name."""
    if kind in TRAINS:
        return f"reward {config.get('reward', '?')}"
    return str(config.get("name") or kind)


def build(store: Any, state: State) -> View:
    rows = []
    for folder in reversed(queue.folders()[-SHOWN:]):
        try:
            status, config, kind = folder.status(), folder.config(), folder.kind()
        except YardstickError as exc:  # one unreadable folder is one row that says why
            status, config, kind = {"state": "unreadable", "error": exc.as_dict()}, {}, "unreadable"
        error = status.get("error") or {}
        rows.append({"run_id": folder.run_id, "state": status.get("state", "?"), "step": status.get("step") or 0,
                     "total_steps": status.get("total_steps") or config.get("steps") or 1,
                     "eta_s": status.get("eta_s"), "what": describe(kind, config),
                     "training": kind in TRAINS,
                     "seed_group": config.get("seed_group") or "", "message": status.get("message") or "",
                     "error_title": error.get("title", ""), "error_message": error.get("message", "")})
    view = View("launch", "Launch", state.to_params(), store.revision() if store is not None else 0)
    view.blocks.append(Table("runs", frame=pd.DataFrame(rows), title="Runs"))
    return view
