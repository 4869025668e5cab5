"""The fast paths in the number readers give exactly what a scan of the whole text gives (seeded random texts
made of the characters numbers are written with)."""
from __future__ import annotations

import random

import pytest

from yardstick.instruments import builtin, numbers

ALPHABETS = ["0123456789,,.$-% ab\n/", "12,3 4.5/6", "1,0 00.%$-", "9999,", ".,9x", "12{}\\frac e-+E.3 "]


def texts(seed: int, n: int = 4000, longest: int = 400):
    rng = random.Random(seed)
    for alphabet in ALPHABETS:
        for _ in range(n):
            yield "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, longest)))


def full_last(text: str):
    for m in reversed(list(numbers.NUMBER_RE.finditer(text))):
        value = numbers.normalize(m.group(0))
        if value is not None:
            return value, m.span()
    return None


def full_find(text: str, value: str):
    for m in numbers.NUMBER_RE.finditer(text):
        if numbers.normalize(m.group(0)) == value:
            return m.span()
    return None


def full_study_last(text: str):
    matches = list(builtin._STUDY_NUMBER.finditer(text))
    return (numbers.normalize(matches[-1].group(0)), matches[-1].span()) if matches else (None, None)


def full_last_whole(text: str):
    """The full scan, then the fraction or scientific number that the last number ends (as last_number reads)."""
    found = full_last(text)
    whole = found and numbers._whole(text, found)
    return None if whole is not None and whole[0] is None else whole or found


def test_last_number_fast_path_equals_full_scan():
    for text in texts(1):
        assert numbers.last_number(text) == full_last_whole(text), repr(text)
    for text in ["9" * 100_000 + " 7", "x" * 100_000, "answer 42 and .5", "1,234,567,890,123,456,789,012,345 end",
                 "\\frac{" * 20_000 + "1}{2}", "1e" * 50_000 + "3"]:
        assert numbers.last_number(text) == full_last_whole(text)


@pytest.mark.parametrize("value", ["0", "3", "12", "1000", "1234", "0.5", "2.5", "-3"])
def test_find_value_fast_path_equals_full_scan(value):
    for text in texts(2, n=800):
        assert numbers.find_value(text, value) == full_find(text, value), repr(text)


def test_study_last_number_fast_path_equals_full_scan():
    for text in texts(3):
        got = builtin._study_last(text, 0)
        assert (got.answer, got.span) == full_study_last(text), repr(text)
