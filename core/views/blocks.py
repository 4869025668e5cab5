"""What a View is made of: blocks (notes, numbers, tables, charts, completion cards, links), each with its Source.

Every renderer has one entry per block kind (KINDS): the page (pages/_render.py), HTML and Markdown (share/) and
text (the CLI); a pinned finding keeps blocks as JSON (`View.snapshot`). So what a meeting sees is what the page
showed.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from yardstick.views.cards import Card


@dataclass(frozen=True)
class Source:
    """Where a number came from: enough to recompute it and to know when it would change."""

    query: str  # what was computed, in words ("eval readings per (run, step, decoding)")
    runs: tuple[str, ...] = ()
    n: int | None = None  # how many items the number rests on (completions, problems, seeds)
    instruments: tuple[str, ...] = ()  # "name@version"
    reward_specs: tuple[str, ...] = ()  # "run: spec"
    judge: str | None = None  # "model · prompt version"
    labellers: tuple[str, ...] = ()
    revision: int | None = None  # the store revision it was read at

    def short(self) -> str:
        """The gist for a caption: what was computed, on how many, at which store revision."""
        parts = [self.query] + ([f"n = {self.n:,}"] if self.n is not None else [])
        return " · ".join(parts + ([f"store revision {self.revision}"] if self.revision is not None else []))

    def describe(self) -> str:
        parts = [self.query]
        if self.runs:
            parts.append(f"runs {', '.join(self.runs[:6])}" + (f" (+{len(self.runs) - 6})" if len(self.runs) > 6 else ""))
        if self.n is not None:
            parts.append(f"n = {self.n:,}")
        for label, items in (("instruments", self.instruments), ("reward", self.reward_specs),
                             ("labellers", self.labellers)):
            if items:
                parts.append(f"{label} {', '.join(items)}")
        if self.judge:
            parts.append(f"judge {self.judge}")
        if self.revision is not None:
            parts.append(f"store revision {self.revision}")
        return " · ".join(parts)


@dataclass
class Block:
    key: str  # stable within a view: pages lay out blocks by key
    source: Source | None = field(default=None, kw_only=True)
    kind: ClassVar[str] = "block"

    def data(self) -> dict[str, Any]:
        """The block as JSON-able data (what a snapshot keeps)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "source"}
        out["source"] = dataclasses.asdict(self.source) if self.source else None
        return out


@dataclass
class Note(Block):
    """Plain text (from code or from files: always rendered as text)."""

    text: str = ""
    tone: str = "caption"  # caption | info | success | warning | error | heading | text
    kind: ClassVar[str] = "note"


@dataclass
class Stat(Block):
    """One number, with its n and 95% interval where it is an estimate."""

    label: str = ""
    value: float | int | str | None = None
    fmt: str = "{:,}"
    n: int | None = None
    lo: float | None = None
    hi: float | None = None
    kind: ClassVar[str] = "stat"

    def text(self) -> str:
        value = "–" if self.value is None else self.fmt.format(self.value)
        if self.lo is not None and self.hi is not None:
            value += f" [{self.fmt.format(self.lo)}, {self.fmt.format(self.hi)}]"
        return value + (f" (n = {self.n:,})" if self.n is not None else "")


@dataclass
class Table(Block):
    """A data frame; `columns` says how to show some: ("progress"|"number"|"link", format or link text)."""

    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = ""
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    caption: str = ""
    kind: ClassVar[str] = "table"

    def data(self) -> dict[str, Any]:
        out = super().data()
        out["frame"] = json.loads(self.frame.to_json(orient="split", index=False, date_format="iso",
                                                     default_handler=str))
        return out


@dataclass
class Chart(Block):
    """A plotly figure (kept as plotly JSON so snapshots and caches hold plain data)."""

    figure: dict = field(default_factory=dict)
    title: str = ""
    kind: ClassVar[str] = "chart"


@dataclass
class Cards(Block):
    """Completions as cards (views/cards.py), and how every renderer shows their text: `mode` highlight (each
    instrument's span in its colour from `colours`), marks (spans in ⟦brackets⟧) or plain."""

    items: list[Card] = field(default_factory=list)
    total: int = 0
    title: str = ""
    mode: str = "plain"
    colours: dict[str, str] = field(default_factory=dict)  # instrument → highlight colour, in registry order
    kind: ClassVar[str] = "cards"

    def data(self) -> dict[str, Any]:
        out = super().data()
        out["items"] = [c.data() for c in self.items]
        return out


@dataclass
class Links(Block):
    """Links to other views: (label, page, params, detail) — e.g. each flag opens its curve; the detail (the full
    sentence) shows on hover and in reports."""

    items: list[tuple[str, str, dict[str, list[str]], str]] = field(default_factory=list)
    title: str = ""
    icon: str = ""
    kind: ClassVar[str] = "links"


KINDS = {cls.kind: cls for cls in (Note, Stat, Table, Chart, Cards, Links)}


def from_data(data: dict[str, Any]) -> Block:
    """A block from its snapshot data (the inverse of Block.data)."""
    data = dict(data)
    cls = KINDS[data.pop("kind")]
    source = data.pop("source", None)
    if cls is Table:
        frame = data.pop("frame")  # values as JSON gave them: re-serialised, they give the same JSON
        data["frame"] = pd.DataFrame(frame["data"], columns=frame["columns"], dtype=object)
        data["columns"] = {k: tuple(v) for k, v in data.get("columns", {}).items()}
    if cls is Links:
        data["items"] = [tuple(i) for i in data["items"]]
    if cls is Cards:
        data["items"] = [Card.from_data(i) for i in data["items"]]
    return cls(**data, source=Source(**{k: tuple(v) if isinstance(v, list) else v for k, v in source.items()})
               if source else None)


@dataclass
class View:
    """What a page shows for one State: its blocks, in order, read at one store revision."""

    page: str
    title: str
    params: dict[str, list[str]]  # the State as URL parameters
    revision: int
    blocks: list[Block] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # what the page's widgets offer (not shown, not kept)

    def get(self, key: str) -> Block | None:
        return next((b for b in self.blocks if b.key == key), None)

    def snapshot(self) -> dict[str, Any]:
        return {"page": self.page, "title": self.title, "params": self.params, "revision": self.revision,
                "blocks": [{"kind": b.kind, **b.data()} for b in self.blocks]}

    @staticmethod
    def from_snapshot(data: dict[str, Any]) -> "View":
        return View(data["page"], data["title"], data["params"], data["revision"],
                    [from_data(b) for b in data["blocks"]])

    def digest(self) -> str:
        """A fingerprint of what the view shows, ignoring when it was read: equal digests, same numbers."""
        shown = []
        for b in self.snapshot()["blocks"]:
            b = {**b, "source": {**(b.get("source") or {}), "revision": None}}
            shown.append(b)
        return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()[:16]
