"""Runs: every run with the numbers that are there (completions, steps — of metrics, for imported summaries —,
status, reward, seed group, tags), and two runs' configs side by side."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yardstick.jobs import manage
from yardstick.store import queries
from yardstick.views import source
from yardstick.views.blocks import Note, Table, View
from yardstick.views.state import State as Base, url

COLUMNS = ["run_id", "name", "tags", "source", "model", "reward_spec", "seed_group", "seed", "status", "completions",
           "steps", "last_step", "created_at", "notes"]


@dataclass(frozen=True)
class State(Base):
    compare: tuple[str, ...] = url("compare", ())  # two runs whose configs to diff


def build(store: Any, state: State) -> View:
    view = View("runs", "Runs", state.to_params(), store.revision())
    runs = queries.runs(store)
    view.options["runs"] = runs
    table = runs.assign(tags=runs["tags"].map(lambda t: ", ".join(t) if t is not None and len(t) else ""))
    view.blocks.append(Table("runs", frame=table[COLUMNS], title=f"{len(runs):,} runs",
                             caption="Click a column to sort. Imported summaries (the study) count the steps of their "
                                     "metrics.", source=source(store, "every run in the store", n=len(runs),
                                                               instruments=[])))
    if len(state.compare) == 2 and all(r in set(runs["run_id"]) for r in state.compare):
        a, b = state.compare
        diff = manage.config_diff(queries.run_config(store, a), queries.run_config(store, b), (a, b))
        view.blocks.append(Table("config-diff", frame=diff, title=f"Config: {a} vs {b}",
                                 source=source(store, "the two runs' stored configs", runs=[a, b])) if len(diff)
                           else Note("config-same", text=f"{a} and {b} have the same config.", tone="success"))
    return view
