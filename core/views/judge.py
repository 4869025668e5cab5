"""Judge: what judging the selected completions would cost (calls, cache hits, estimated USD) before anything
is sent, and what has been spent so far."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yardstick.instruments import judge
from yardstick.jobs import judging
from yardstick.store import reviews, selection
from yardstick.views import source
from yardstick.views.blocks import Stat, Table, View
from yardstick.views.filters import Filter
from yardstick.views.state import State as Base, url

SCOPES = {"hand": "Hand-labelled ones (to validate the judge)", "filter": "The Completions page's filter (from the URL)"}


@dataclass(frozen=True)
class State(Base):
    scope: str = url("scope", "hand", allowed=tuple(SCOPES))
    model: str = url("model", judge.DEFAULT_MODEL, allowed=tuple(judge.MODELS))
    filter: Filter = Filter()


def build(store: Any, state: State) -> View:
    view = View("judge", "Judge", state.to_params(), store.revision())
    ids = (reviews.hand_labelled_ids(store) if state.scope == "hand"
           else selection.completion_ids(store, state.filter.query()))
    plan = judging.plan(store, ids, state.model)
    src = source(store, f"completions in scope ({state.scope}); the judge cache by model and prompt version",
                 n=len(ids), judge=f"{state.model} · prompt {judge.PROMPT_VERSION}")
    view.options.update(ids=ids, plan=plan)
    view.blocks += [Stat("selected", label="Selected", value=plan["selected"], source=src),
                    Stat("cached", label="Already judged (cached)", value=plan["cached"], source=src),
                    Stat("calls", label="Calls to make", value=plan["calls"], source=src),
                    Table("costs", frame=reviews.judge_costs(store), title="Spent so far",
                          columns={"cost_usd": ("number", "$%.4f")},
                          source=source(store, "every judgment's recorded cost"))]
    return view
