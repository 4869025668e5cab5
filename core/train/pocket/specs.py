"""The pocket models' specs: what each named pocket model is. Plain data (no torch), so checks that only need to
know a model's shape — the preflight's memory estimate — can read them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PocketSpec:
    """The knobs of the pocket model; the defaults give a base model that uses the tag about half the time and
    is right about a third of the time (measured values are saved beside the model in pocket.json)."""

    seed: int = 0
    difficulty: int = 2
    n_sft: int = 4000
    tag_rate: float = 0.45
    terse_tags: bool = False
    vocab_size: int = 400
    hidden: int = 128
    layers: int = 4
    steps: int = 1000
    batch: int = 32
    lr: float = 3e-3


POCKETS = {  # name → spec; "pocket" is the default, "pocket-mini" what the tests train
    "pocket": PocketSpec(),
    "pocket-terse-tags": PocketSpec(terse_tags=True),  # tag use goes with answer-only solutions (see README)
    "pocket-mini": PocketSpec(n_sft=600, hidden=64, layers=2, steps=250, batch=16),
}
