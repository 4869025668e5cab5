"""The built-in instruments: Yardstick's normalised extractors and checks, and the study's exact definitions.

The `study_*` variants re-state the published study's rules (tiered last number, no minus sign, format =
any <answer>…</answer> block) so its numbers can be reproduced and set beside the normalised ones.
"""
from __future__ import annotations

import re
from collections import deque

from yardstick.instruments import numbers, sqlforms
from yardstick.instruments.registry import Extraction, check, extractor

ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
WELL_FORMED = re.compile(r"<answer>\s*(?:" + "|".join(
    p.pattern for p in (numbers.FRAC_RE, numbers.SCI_RE, numbers.NUMBER_RE)) + r")\s*</answer>")
BOXED = re.compile(r"\\boxed\{([^}]*)\}")


def _last_number_in(text: str, offset: int = 0) -> Extraction:
    found = numbers.last_number(text)
    if found is None:
        return Extraction(None)
    value, (start, end) = found
    return Extraction(value, (start + offset, end + offset))


@extractor(version="2", sql=sqlforms.LAST_NUMBER)  # 2: \\frac{a}{b} and 1e3 are read whole
def last_number(text: str) -> Extraction:
    """The last number written anywhere in the completion."""
    return _last_number_in(text)


@extractor(version="2", sql=sqlforms.STRICT_TAG)  # 2: <answer>\\frac{1}{2}</answer> reads 1/2, not 2
def strict_tag(text: str) -> Extraction:
    """The number inside the last <answer>…</answer> block; nothing if there is no such block."""
    blocks = list(ANSWER_TAG.finditer(text))
    if not blocks:
        return Extraction(None)
    block = blocks[-1]
    return _last_number_in(block.group(1), block.start(1))


@extractor(needs_gold=True, sql=sqlforms.LENIENT)
def lenient(text: str, gold: str | None) -> Extraction:
    """The gold number, if it appears anywhere as a whole number (not inside another number)."""
    target = numbers.normalize(gold)
    span = numbers.find_value(text, target) if target is not None else None
    return Extraction(target, span) if span else Extraction(None)


@check(version="2", sql=sqlforms.FORMAT)  # 2: a LaTeX fraction or 1e3 in the tag is a number too
def format(text: str) -> bool:  # noqa: A001  (the study's name for it)
    """A well-formed <answer>NUMBER</answer> somewhere in the completion (\\frac{a}{b} and 1e3 count)."""
    return WELL_FORMED.search(text) is not None


# --- the study's exact definitions -------------------------------------------------------------
_STUDY_NUMBER = re.compile(r"[\d,]+(?:\.\d+)?")  # no minus sign; commas anywhere
_DROP = str.maketrans("", "", ",$%")
_DROPPED = re.compile(r"[,$%]")


def _study_last(text: str, offset: int) -> Extraction:
    """Last match of the study's pattern. A lone "," matches too: then the span is set but the answer is
    None, and (as in the study) that tier still wins."""
    last = max(map(text.rfind, "0123456789,"))
    if last < 0:
        return Extraction(None)
    start = last  # tokens never cross a character outside [0-9,.], so tokenising that run alone suffices
    while start > 0 and text[start - 1] in "0123456789,.":
        start -= 1
    (m,) = deque(_STUDY_NUMBER.finditer(text, start), maxlen=1)  # the run holds at least one token
    return Extraction(numbers.normalize(m.group(0)), (m.start() + offset, m.end() + offset))


@extractor(family="last_number", sql=sqlforms.STUDY_LAST_NUMBER)
def study_last_number(text: str) -> Extraction:
    """The study's tiered last number: first <answer> block, else first \\boxed{}, else the whole text."""
    for pattern in (ANSWER_TAG, BOXED):
        m = pattern.search(text)
        if m:
            found = _study_last(m.group(1), m.start(1))
            if found.span is not None:
                return found
    return _study_last(text, 0)


@extractor(family="strict_tag", sql=sqlforms.STUDY_STRICT_TAG)
def study_strict_tag(text: str) -> Extraction:
    """The study's tag-only extractor: last number in the first <answer> block."""
    m = ANSWER_TAG.search(text)
    return _study_last(m.group(1), m.start(1)) if m else Extraction(None)


@extractor(needs_gold=True, family="lenient", sql=sqlforms.STUDY_LENIENT)
def study_lenient(text: str, gold: str | None) -> Extraction:
    """The study's substring match: gold anywhere once ",", "$", "%" are dropped (no digit or . or - before)."""
    target = numbers.normalize(gold)
    if not target or not text:
        return Extraction(None)
    m = re.search(r"(?<![\d.-])" + re.escape(target) + r"(?!\d|\.\d)", text.translate(_DROP))
    if not m:
        return Extraction(None)
    # Dropping characters shifted offsets; map the match back to the original text.
    return Extraction(target, (_unshift(text, m.start()), _unshift(text, m.end() - 1) + 1))


def _unshift(text: str, pos: int) -> int:
    """Position in `text` of character `pos` of `text.translate(_DROP)`."""
    for dropped in _DROPPED.finditer(text):
        if dropped.start() > pos:
            break
        pos += 1
    return pos


@check(family="format", sql=sqlforms.STUDY_FORMAT)
def study_format(text: str) -> bool:
    """The study's format compliance: any <answer>…</answer> block, whatever is inside."""
    return ANSWER_TAG.search(text) is not None


from yardstick.instruments import mathverify  # noqa: E402,F401  (registers math_verify)
