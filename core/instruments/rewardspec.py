"""Reward specs: a weighted sum of instruments written as text, e.g. `0.3*format + 0.7*lenient`.

Parsed and validated here only; runs store the text verbatim and rebuild callables from the registry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from yardstick.errors import BadInput
from yardstick.instruments import all_instruments

_TERM = re.compile(r"^\s*(?:(\d+(?:\.\d+)?|\.\d+)\s*\*\s*)?([A-Za-z_]\w*)\s*$")


@dataclass(frozen=True)
class RewardSpec:
    text: str
    terms: tuple[tuple[float, str], ...]  # (weight, instrument name)

    @property
    def instruments(self) -> list[str]:
        return [name for _, name in self.terms]


def parse(text: str) -> RewardSpec:
    """Parse `w*name + w*name …`; every name must be a registered instrument, weights positive."""
    known = {i.name for i in all_instruments()}
    if not text or not text.strip():
        raise BadInput("Empty reward", "Give a reward such as `format` or `0.3*format + 0.7*lenient`.")
    terms = []
    for part in text.split("+"):
        m = _TERM.match(part)
        if not m:
            raise BadInput("Bad reward spec", f"{part.strip()!r} is not `weight*instrument` (e.g. 0.3*format).")
        weight, name = float(m.group(1) or 1.0), m.group(2)
        if name not in known:
            raise BadInput("Unknown instrument in reward", f"{name!r} is not an instrument. Known: "
                           f"{', '.join(sorted(known))}.")
        if weight <= 0:
            raise BadInput("Bad reward weight", f"the weight of {name} must be above 0.")
        terms.append((weight, name))
    return RewardSpec(text.strip(), tuple(terms))


def reward_instruments(text: str | None) -> set[str]:
    """Instruments a stored reward spec uses; empty for runs without one (imports)."""
    if not text:
        return set()
    try:
        return set(parse(text).instruments)
    except BadInput:
        return set()


def metric_role(metric: str, reward_spec: str | None) -> str:
    """What a metric is to a run trained on `reward_spec`: "reward" (the reward and its logged components),
    "circular" (an instrument of the same family as one in the reward: it rises by construction), "independent"
    (an instrument or judge outside the reward's families: the ones to believe), or "other" (loss, KL, lengths)."""
    from yardstick.instruments.registry import family

    if metric == "reward" or metric.startswith("rewards/"):
        return "reward"
    name = metric.removeprefix("train/")
    if name not in {i.name for i in all_instruments()} | {"judge"}:
        return "other"
    return "circular" if family(name) in {family(i) for i in reward_instruments(reward_spec)} else "independent"
