"""Findings: a view pinned with a note. A finding keeps its State (the URL) and a frozen snapshot of the View as
it was, so a report made later shows today's numbers and says when they differ from what was pinned."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from yardstick import views
from yardstick.errors import BadInput
from yardstick.views.blocks import View


@dataclass
class Reopened:
    finding_id: int
    title: str
    note: str
    page: str
    params: dict[str, list[str]]
    today: View | None  # None for a text block
    pinned: View | None  # None for findings pinned before snapshots existed (release 1)
    pinned_revision: int | None
    kind: str = "view"  # view | text

    @property
    def changed(self) -> bool:
        return self.pinned is not None and self.today is not None and self.pinned.digest() != self.today.digest()

    def provenance(self) -> str:
        """One sentence: which data the numbers below come from."""
        if self.today is None:
            return ""
        if self.pinned is None:
            return f"Shown with today's data (store revision {self.today.revision}); no snapshot was kept when pinned."
        if self.changed:
            return (f"The data changed since this was pinned (store revision {self.pinned_revision} → "
                    f"{self.today.revision}): the numbers below are today's; the view as pinned is kept beside them.")
        return f"Unchanged since pinned (store revision {self.pinned_revision}; today {self.today.revision})."


def pin(store: Any, page: str, params: dict[str, list[str]], title: str, note: str = "") -> int:
    """Pin the view of `page` at `params`: keeps the State and a snapshot of the View built now."""
    if not title.strip():
        raise BadInput("A finding needs a title", "Say in a few words what this view shows.")
    view = views.build(store, page, params)
    return store.add_finding(title.strip(), note, page, view.params, view.snapshot(), view.revision)


def reopen(store: Any, row: Any) -> Reopened:
    """A finding (a row of reviews.findings) rebuilt on today's data, beside its snapshot."""
    if row.kind == "text":
        return Reopened(int(row.finding_id), row.title, row.note or "", "", {}, None, None, None, "text")
    params = json.loads(row.state) if isinstance(row.state, str) else dict(row.state or {})
    params = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    snapshot = json.loads(row.snapshot) if isinstance(row.snapshot, str) else None
    pinned = View.from_snapshot(snapshot) if snapshot else None
    page = row.page if row.page in views.PAGES else "overview"
    revision = None if pd.isna(row.revision) else int(row.revision)
    return Reopened(int(row.finding_id), row.title, row.note or "", page, params,
                    views.build(store, page, params), pinned, revision)


def reopen_all(store: Any) -> list[Reopened]:
    """Every finding, in the report's order, rebuilt on today's data."""
    from yardstick.store import reviews

    return [reopen(store, row) for row in reviews.findings(store).itertuples()]
