"""Label: a keyboard-first queue (by default where instruments disagree). Blind by default: gold and the
instruments' readings stay hidden until shown, so they do not anchor the labeller."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from yardstick.instruments import all_instruments
from yardstick.store import reviews, selection
from yardstick.views import card_block, cards, source
from yardstick.views.blocks import Stat, Table, View
from yardstick.views.filters import Filter
from yardstick.views.labelling import QUEUES, Session, queue
from yardstick.views.state import State as Base, url


@dataclass(frozen=True)
class State(Base):
    labeller: str = url("labeller", "")
    queue: str = url("queue", "disagree", allowed=tuple(QUEUES))
    seed: int = url("seed", 0)
    show: bool = url("show", False)  # show gold-dependent readings (instruments) on the card
    filter: Filter = Filter()


def build(store: Any, state: State, session: Session | None = None) -> View:
    session = session or Session()
    labeller = state.labeller or "anonymous"
    view = View("label", "Label", state.to_params(), store.revision())
    q = queue(state.queue, state.filter.query(), state.seed)
    total = selection.queue_size(store, q)
    done = selection.labelled_in_queue(store, q, labeller)
    src = source(store, f"the {QUEUES[state.queue].lower()} queue", runs=state.filter.runs, n=total,
                 labellers=(labeller,))
    view.blocks.append(Stat("progress", label=f"labelled by {labeller}", value=done, n=total, source=src))
    instruments = [(i.name, i.kind) for i in all_instruments()]
    if session.done:  # the item just labelled, revealed: gold and every instrument beside the label given
        last = selection.completion(store, session.done[-1])
        view.blocks.append(card_block("last", cards.build(pd.DataFrame([last]), selection.readings(
            store, [last["completion_id"]]), instruments), "marks", title="The item you just labelled", source=src))
    item = session.current(store, q, labeller)
    view.options.update(item=item, session_done=len(session.done), skipped=len(session.skipped))
    if item is None:
        return view
    rows = pd.DataFrame([item])
    readings = selection.readings(store, [item["completion_id"]])
    view.blocks.append(card_block("item", cards.build(rows, readings, instruments, hide_readings=not state.show),
                                  "marks" if state.show else "plain", source=src))
    view.blocks.append(Table("history", frame=reviews.label_history(store, item["completion_id"]),
                             title="Label history (the newest counts)", source=src))
    return view
