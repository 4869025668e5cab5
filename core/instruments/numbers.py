"""The one number normaliser: "1,234", "$18.00", "18.", "-3", "50%", "3/4" become canonical strings.

Every instrument, importer, label and judge answer goes through `normalize`, so equality of the
canonical strings is numeric equality, in Python and in SQL alike. `last_number` also reads a LaTeX fraction
(\\frac{1}{2}, \\dfrac, \\tfrac) and scientific notation (1e3) whole, instead of their last digits.
"""
from __future__ import annotations

import re
from collections import deque
from decimal import Decimal, InvalidOperation
from fractions import Fraction

# A number as written in prose: optional minus (not after a digit, so "5-3" is not -3), optional $,
# thousands groups or plain digits, optional decimals, optional "/denominator", optional %.
# The leading lookahead is only for speed: it lets the regex engine skip non-candidates cheaply (2x faster).
NUMBER_RE = re.compile(
    r"(?=[-$\d])(?<![\d.])(-)?\$?(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?(?:/(\d+))?(%)?"
)
_PLAIN = re.compile(r"-?(\d+\.?\d*|\.\d+)(/-?\d+)?")
_NUMBER_CHARS = frozenset("0123456789,.$-/%")  # every character NUMBER_RE can match
_NUMBER_RUN = re.compile(r"[0-9,.$/%-]+")
_EDGE = 80  # longer than any number normalize accepts, with its separators
_MAX_CHARS = 40  # longer digit runs are junk, not answers (and int() refuses >4300 digits)
# Written numbers that end in another number: \frac{1}{2} ends in "2", 1e3 in "3". Read whole, with their span.
FRAC_RE = re.compile(r"(?<![\d.])(-\s*)?\\[dt]?frac\s*\{\s*(-?\d+(?:\.\d+)?)\s*\}\s*\{\s*(-?\d+)\s*\}")
SCI_RE = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?)[eE]([-+]?\d{1,3})(?![\d.])")
_WINDOW = 64  # how far before a number a fraction or mantissa may start


def normalize(raw: str | int | float | None) -> str | None:
    """Canonical form of a written number, or None when it is not one."""
    if raw is None:
        return None
    if isinstance(raw, str) and raw.isdigit() and len(raw) <= _MAX_CHARS:  # the hot path: plain integers
        return raw.lstrip("0") or "0"
    text = str(raw).strip().replace(" ", "").replace(",", "").replace("$", "")
    text = text.rstrip(".").rstrip("%").lstrip("+")
    if len(text) > _MAX_CHARS or not _PLAIN.fullmatch(text):
        return None
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            value = Fraction(Decimal(num)) / Fraction(Decimal(den))
        else:
            value = Fraction(Decimal(text))
    except (InvalidOperation, ValueError, ZeroDivisionError):
        return None
    return _canonical(value)


def _canonical(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    if den != 1:  # not a terminating decimal: keep it exact
        return f"{value.numerator}/{value.denominator}"
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def same(answer: str | None, gold: str | None) -> bool:
    """Numeric equality of two written numbers; a missing side is never equal."""
    a, g = normalize(answer), normalize(gold)
    return a is not None and a == g


def find_numbers(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Every number written in `text`, normalised, with its character span, in order."""
    found = []
    for m in NUMBER_RE.finditer(text):
        value = normalize(m.group(0))
        if value is not None:
            found.append((value, m.span()))
    return found


def last_number(text: str) -> tuple[str, tuple[int, int]] | None:
    """The last number written in `text`, read whole when it ends a LaTeX fraction or scientific notation."""
    found = _last_plain_number(text)
    whole = found and _whole(text, found)
    if whole is not None and whole[0] is None:
        return None  # \\frac{1}{0}, 1e99: written as a number, but not one
    return whole or found


def _whole(text: str, found: tuple[str, tuple[int, int]]) -> tuple[str | None, tuple[int, int]] | None:
    """The fraction (\\frac{a}{b}) or a×10^e (1e3) that the number at `found` ends, if it ends one (its value is
    None when it is not a number: a zero denominator, or more digits than any answer has)."""
    start, end = found[1]
    before = text[start - 1:start]
    if before == "{":
        pattern, read = FRAC_RE, lambda m: normalize(f"{m.group(1) or ''}{m.group(2)}/{m.group(3)}".replace(" ", ""))
    elif before in ("e", "E", "+") and start > 1:
        pattern, read = SCI_RE, _scientific
    else:
        return None
    for m in pattern.finditer(text, max(0, start - _WINDOW), min(len(text), end + _WINDOW)):
        if m.start() < start and m.end() >= end:
            return read(m), m.span()
    return None


def _scientific(m: re.Match) -> str | None:
    try:
        value = Fraction(Decimal(f"{m.group(1)}e{m.group(2)}"))
    except (InvalidOperation, ValueError):
        return None
    text = _canonical(value)
    return text if len(text) <= _MAX_CHARS else None


def _last_plain_number(text: str) -> tuple[str, tuple[int, int]] | None:
    """The last number as NUMBER_RE reads it — the same answer as scanning the whole text, found faster because
    this runs on every completion: find the last digit (C-level rfind), parse only the run of number characters
    around it (no match can cross a character outside that run), and fall back to the general scan otherwise."""
    last = max(map(text.rfind, "0123456789"))
    if last < 0:
        return None
    start = last
    while start > 0 and text[start - 1] in _NUMBER_CHARS and last - start < 2 * _EDGE:
        start -= 1
    tail = deque(NUMBER_RE.finditer(text, start, last + 2), maxlen=1)  # +2: a "%" after the last digit
    m = tail[0] if tail else None
    if m is not None and m.end() > last and (start == 0 or text[start - 1] not in _NUMBER_CHARS):
        value = normalize(m.group(0))
        if value is not None:
            return value, m.span()
    return _scan_last_number(text)


def _scan_last_number(text: str) -> tuple[str, tuple[int, int]] | None:
    """The general case: scan a tail window, widening it only when a match there could be cut."""
    window = 256
    while True:
        start = max(0, len(text) - window)
        for m in reversed(list(NUMBER_RE.finditer(text, start))):
            # Near the window's edge, or right after a comma, a match may be the tail of a longer number.
            if start and (m.start() < start + _EDGE or text[m.start() - 1] == ","):
                break
            value = normalize(m.group(0))
            if value is not None:
                return value, m.span()
        else:
            if start == 0:
                return None
        window *= 4


def find_value(text: str, value: str) -> tuple[int, int] | None:
    """Span of the first number in `text` equal to `value` (normalised). Runs on every completion for the lenient
    reward, so it parses only the runs of number characters that could hold the value (a match never crosses a
    character outside its run, so this finds what a scan of the whole text would)."""
    digits = value.lstrip("-").lstrip("0") or "0"
    if "/" not in text and digits not in text and digits not in text.replace(",", ""):
        return None
    for run in _NUMBER_RUN.finditer(text):
        chunk = run.group(0)
        # "6/2" equals 3 without the digit "3" appearing, so fractions are always compared.
        if "/" not in chunk and digits not in chunk.replace(",", ""):
            continue
        for m in NUMBER_RE.finditer(text, run.start(), run.end()):
            raw = m.group(0)
            if ("/" in raw or digits in raw.replace(",", "")) and normalize(raw) == value:
                return m.span()
    return None


def gold_of(ground_truth: str) -> str:
    """The gold number of a GSM8K-style answer: after "####" (GSM8K's train/test files) or "A:" (its model
    solutions file)."""
    for marker in ("####", "A:"):
        if marker in ground_truth:
            return ground_truth.rsplit(marker, 1)[1].strip()
    raise ValueError("no '####' or 'A:' marker")
