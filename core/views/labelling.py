"""The labelling queue's state machine: what is on screen, and what save / none / skip / back / help do.

A Session is ephemeral (one browser tab); every label it saves is committed to the store at once, append-only.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from yardstick.store import selection
from yardstick.store.selection import CompletionQuery

DISAGREE = ("last_number", "strict_tag", "lenient", "math_verify")
QUEUES = {"disagree": "Instruments disagree", "filter": "The Completions page's filter", "random": "Random sample"}


def queue(kind: str, base: CompletionQuery, seed: int = 0) -> CompletionQuery:
    """The labelling queue of `kind` over a completions filter."""
    if kind == "disagree":
        return CompletionQuery(run_ids=base.run_ids, step=base.step, phase=base.phase, decoding=base.decoding,
                               disagree=base.disagree or DISAGREE)
    if kind == "random":
        return CompletionQuery(run_ids=base.run_ids, step=base.step, phase=base.phase, decoding=base.decoding,
                               random_seed=seed)
    return replace(base, page=0)


@dataclass
class Session:
    skipped: list[int] = field(default_factory=list)
    done: list[int] = field(default_factory=list)  # labelled in this session, oldest first
    back: list[int] = field(default_factory=list)  # items revisited with `b`, innermost last
    help: bool = False
    handled: set[str] = field(default_factory=set)  # keystroke events already acted on

    def current(self, store: Any, q: CompletionQuery, labeller: str) -> dict | None:
        """The item on screen: the one gone back to, else the queue's next unlabelled (skipped ones excluded)."""
        if self.back:
            return selection.completion(store, self.back[-1])
        return selection.next_to_label(store, replace(q, exclude=tuple(self.skipped)), labeller)

    def act(self, store: Any, kind: str, item_id: int | None, labeller: str, answer: str = "", note: str = "") -> None:
        """Do one action on the item on screen; a label is committed before the queue moves on. A refused label
        raises (BadInput) and changes nothing."""
        if kind in ("save", "none") and item_id is not None:
            store.add_label(item_id, answer if kind == "save" else None, labeller, note)
            self.done.append(item_id)
            if self.back:
                self.back.pop()
        elif kind == "skip" and item_id is not None:
            if self.back:
                self.back.pop()
            else:
                self.skipped.append(item_id)
        elif kind == "back" and self.done:
            self.back.append(self.done.pop())
        elif kind == "help":
            self.help = not self.help
