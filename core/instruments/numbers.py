"""The one number normaliser: "1,234", "$18.00", "18.", "-3", "50%", "3/4" become canonical strings.

Every instrument, importer, label and judge answer goes through `normalize`, so equality of the
canonical strings is numeric equality, in Python and in SQL alike.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

# A number as written in prose: optional minus (not after a digit, so "5-3" is not -3), optional $,
# thousands groups or plain digits, optional decimals, optional "/denominator", optional %.
NUMBER_RE = re.compile(
    r"(?<![\d.])(-)?\$?(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?(?:/(\d+))?(%)?"
)
_PLAIN = re.compile(r"-?(\d+\.?\d*|\.\d+)(/-?\d+)?")
_MAX_CHARS = 40  # longer digit runs are junk, not answers (and int() refuses >4300 digits)


def normalize(raw: str | int | float | None) -> str | None:
    """Canonical form of a written number, or None when it is not one."""
    if raw is None:
        return None
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
