"""Completions as text for reading: instruments' spans marked with plain-text brackets, long texts cut.

Completions are untrusted; everything here returns plain text that pages show with text elements only.
"""
from __future__ import annotations

import pandas as pd

OPEN, CLOSE = "⟦", "⟧"
PREVIEW_CHARS = 3000


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


def verdict_line(instrument: str, answer: str | None, verdict: bool, gold: str | None, is_check: bool) -> str:
    """"last_number → 42 ✗ (gold 24)": what the instrument read, kept apart from whether it is right."""
    if is_check:
        return f"{instrument}: {'pass' if verdict else 'fail'}"
    if answer is None or pd.isna(answer):
        return f"{instrument} → no answer"
    return f"{instrument} → {answer} " + ("✓" if verdict else f"✗ (gold {gold})")


def cards(rows: pd.DataFrame, readings: pd.DataFrame, instruments: list[tuple[str, str]], marks: bool = True,
          hide_readings: bool = False) -> list[dict]:
    """Completion rows as cards: the row's fields, the text with spans marked, and one verdict line per instrument
    in registry order. `instruments` is [(name, kind)]; `hide_readings` keeps a blind labeller unanchored."""
    order = {name: i for i, (name, _) in enumerate(instruments)}
    checks = {name for name, kind in instruments if kind == "check"}
    out = []
    for row in rows.to_dict("records"):
        mine = readings[readings["completion_id"] == row["completion_id"]] if not hide_readings else readings.iloc[0:0]
        mine = mine.iloc[sorted(range(len(mine)), key=lambda i: order.get(mine["instrument"].iloc[i], 99))]
        card = {k: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        card["marked"] = mark_spans(row["text"], mine) if marks else row["text"]
        card["lines"] = [verdict_line(r.instrument, r.answer, r.verdict, row["gold"], r.instrument in checks)
                         for r in mine.itertuples()]
        gold = "" if hide_readings else f" · gold {row['gold']}"  # blind labelling hides gold too
        card["header"] = (f"{row['run_id']} · step {row['step']} · {row['phase']}/{row['decoding']} · sample "
                          f"{row['sample']} · problem {row['problem_id']}{gold} · id {row['completion_id']}")
        out.append(card)
    return out
