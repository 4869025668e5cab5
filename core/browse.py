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
