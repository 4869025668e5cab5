"""math_verify: the math-verify package's parser as an extractor (LaTeX, \\frac, \\boxed, plain numbers).

It has a time limit: the store and the score command run it in worker processes with a hard limit, because its
own timeouts rely on signal.alarm (main thread only) and it can hang on pathological input.
"""
from __future__ import annotations

from yardstick.instruments import numbers
from yardstick.instruments.registry import Extraction, extractor


@extractor(time_limit_s=10.0)
def math_verify(text: str) -> Extraction:
    """The final answer as math-verify parses it (LaTeX-aware: \\frac{1}{2} reads as 0.5)."""
    from math_verify import parse

    try:
        parsed = parse(text, parsing_timeout=5)
    except Exception:  # math-verify raises a zoo of sympy/antlr errors on junk; that is "no answer"
        return Extraction(None)
    if not parsed:
        return Extraction(None)
    value = parsed[0]
    answer = numbers.normalize(_plain(value))
    return Extraction(answer)


def _plain(value: object) -> str:
    """A sympy number as a plain string ("1/2", "0.5"); anything else as its text."""
    try:
        import sympy

        if isinstance(value, sympy.Basic) and value.is_number:
            rational = sympy.nsimplify(value) if isinstance(value, sympy.Float) else value
            if isinstance(rational, sympy.Rational):
                return f"{rational.p}/{rational.q}" if rational.q != 1 else str(rational.p)
    except Exception:
        pass
    return str(value)
