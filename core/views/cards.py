"""Completion cards: a completion as text to read, with each instrument's answer (its span marked in brackets or
highlighted in the instrument's colour) and a verdict line per instrument; long texts cut.

Completions are untrusted: a card holds plain text, and the only HTML made here is built from escaped text.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pandas as pd

from yardstick.guard import escape

OPEN, CLOSE = "⟦", "⟧"
PREVIEW_CHARS = 3000
MODES = ("highlight", "marks", "plain")  # how a card's text is shown: spans in colour, in ⟦brackets⟧, or not at all


@dataclass
class Card:
    """One completion as a card. `marked` is the text with spans bracketed; `spans` the same spans for colour."""

    header: str
    text: str
    marked: str = ""
    spans: list[dict] = field(default_factory=list)  # {instrument, span_start, span_end}
    lines: list[str] = field(default_factory=list)  # one verdict line per instrument, in registry order
    question: str = ""
    completion_id: int | None = None
    run_id: str = ""
    step: int | None = None
    phase: str = ""
    decoding: str = ""
    sample: int | None = None
    problem_id: str = ""
    aside: str = ""  # shown beside the text (e.g. the judge's reasoning)
    diff: list | None = None  # word diff against the same run's previous step shown (One prompt)
    previous_step: int | None = None

    def shown(self, mode: str) -> str:
        """The text as a plain-text renderer shows it in `mode` (highlight falls back to brackets)."""
        return self.text if mode == "plain" or not self.marked else self.marked

    def data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "Card":
        """A card from a snapshot (older snapshots held more keys: those are dropped)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def mark_spans(text: str, readings: pd.DataFrame) -> str:
    """`text` with each distinct span bracketed and followed by the instruments that read it:
    "… the answer is ⟦42⟧{last_number,strict_tag} …"."""
    spans: dict[tuple[int, int], list[str]] = {}
    for r in readings.dropna(subset=["span_start"]).itertuples():
        spans.setdefault((int(r.span_start), int(r.span_end)), []).append(r.instrument)
    out, pos = [], 0
    # Overlapping spans (e.g. study variants reading "1,234" vs "$1,234") are merged into the first.
    for (start, end), names in sorted(spans.items()):
        if start < pos:
            out[-1] = out[-1][:-1] + "," + ",".join(names) + "}"
            continue
        out += [text[pos:start], OPEN, text[start:end], CLOSE, "{" + ",".join(names) + "}"]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def preview(text: str, full: bool) -> str:
    """The text to show: long completions are cut, saying how much is hidden."""
    if full or len(text) <= PREVIEW_CHARS:
        return text
    return text[:PREVIEW_CHARS] + f"\n… [{len(text) - PREVIEW_CHARS:,} more characters]"


def verdict_line(instrument: str, answer: str | None, verdict: bool | None, gold: str | None, is_check: bool) -> str:
    """"last_number → 42 ✗ (gold 24)": what the instrument read, kept apart from whether it is right
    ("→ 42 (no gold)" when there is nothing to compare with)."""
    if is_check:
        return f"{instrument}: {'pass' if verdict else 'fail'}"
    if answer is None or pd.isna(answer):
        return f"{instrument} → no answer"
    if verdict is None or pd.isna(verdict):
        return f"{instrument} → {answer} (no gold)"
    return f"{instrument} → {answer} " + ("✓" if verdict else f"✗ (gold {gold})")


def build(rows: pd.DataFrame, readings: pd.DataFrame, instruments: list[tuple[str, str]],
          hide_readings: bool = False) -> list[Card]:
    """Completion rows (with question and gold) as cards: the text with its spans, and one verdict line per
    instrument in registry order. `instruments` is [(name, kind)]; `hide_readings` keeps a blind labeller
    unanchored (no spans, no verdicts, no gold)."""
    order = {name: i for i, (name, _) in enumerate(instruments)}
    checks = {name for name, kind in instruments if kind == "check"}
    none = readings.iloc[0:0]
    by_id = {} if hide_readings else dict(tuple(readings.groupby("completion_id")))  # one pass, not a scan per card
    out = []
    for row in rows.to_dict("records"):
        mine = by_id.get(row["completion_id"], none)
        mine = mine.iloc[sorted(range(len(mine)), key=lambda i: order.get(mine["instrument"].iloc[i], 99))]
        value = {k: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        gold = "" if hide_readings else f" · gold {row['gold']}"  # blind labelling hides gold too
        out.append(Card(
            header=(f"{row['run_id']} · step {row['step']} · {row['phase']}/{row['decoding']} · sample "
                    f"{row['sample']} · problem {row['problem_id']}{gold} · id {row['completion_id']}"),
            text=row["text"], marked=mark_spans(row["text"], mine),
            spans=[{"instrument": r.instrument, "span_start": int(r.span_start), "span_end": int(r.span_end)}
                   for r in mine.itertuples() if not pd.isna(r.span_start)],
            lines=[verdict_line(r.instrument, r.answer, r.verdict, row["gold"], r.instrument in checks)
                   for r in mine.itertuples()],
            question=value.get("question") or "", completion_id=value.get("completion_id"),
            run_id=value.get("run_id") or "", step=value.get("step"), phase=value.get("phase") or "",
            decoding=value.get("decoding") or "", sample=value.get("sample"),
            problem_id=value.get("problem_id") or ""))
    return out


HIGHLIGHTS = ("#ffe08a", "#a8e6a1", "#a6d4ff", "#f7b3d2", "#d7c4f2", "#ffc49b", "#9ee6e6", "#d9d98c", "#c9d6df",
              "#f4a6a6")


def instrument_colours(names: list[str]) -> dict[str, str]:
    """A highlight colour per instrument, in registry order (the legend and every card agree)."""
    return {name: HIGHLIGHTS[i % len(HIGHLIGHTS)] for i, name in enumerate(names)}


def highlight_html(text: str, readings: pd.DataFrame | list[dict], colours: dict[str, str]) -> str:
    """The completion as HTML with each instrument's span in its colour. Untrusted text: every segment is escaped
    first, then wrapped; overlapping spans take the first instrument's colour and list all in the tooltip."""
    rows = readings.to_dict("records") if isinstance(readings, pd.DataFrame) else list(readings)
    spans = [(int(r["span_start"]), int(r["span_end"]), r["instrument"]) for r in rows
             if r.get("span_start") is not None and not pd.isna(r.get("span_start"))]
    cuts = sorted({0, len(text), *[s for s, _, _ in spans], *[e for _, e, _ in spans]})
    out = []
    for start, end in zip(cuts, cuts[1:]):
        segment = escape.html(text[start:end])
        over = [name for s, e, name in spans if s <= start and end <= e]
        if over:
            out.append(f'<mark style="background:{colours.get(over[0], "#eee")}" title="'
                       f'{escape.html(", ".join(over))}">{segment}</mark>')
        else:
            out.append(segment)
    return '<pre style="white-space:pre-wrap;font-size:.85rem">' + "".join(out) + "</pre>"


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """`after` against `before`, word by word: [(op, text)] with op "same", "added" or "removed"."""
    import difflib

    a, b = before.split(), after.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("added", " ".join(b[j1:j2])))
    return out


def diff_html(parts: list[tuple[str, str]]) -> str:
    """A word diff as escaped HTML: removed words struck through in red, added ones in green."""
    style = {"removed": '<del style="background:#fdd">{}</del>', "added": '<ins style="background:#dfd">{}</ins>',
             "same": "{}"}
    return '<pre style="white-space:pre-wrap;font-size:.85rem">' + " ".join(
        style[op].format(escape.html(text)) for op, text in parts) + "</pre>"
