"""Stable keys: the same problem or completion always gets the same key, which is what makes ingest idempotent.

A completion's key is a hash of its natural key; its `completion_id` is a sequential number the store assigns,
so completions of one run and step sit together on disk and filters can skip the rest.
"""
from __future__ import annotations

import hashlib


def problem_id(question: str, gold: str | None) -> str:
    return hashlib.blake2b(f"{question}\x1f{gold}".encode(), digest_size=8).hexdigest()


def completion_key(run_id: str, phase: str, decoding: str, step: int, problem: str, sample: int) -> int:
    """A signed 64-bit hash of the completion's natural key (run, phase, decoding, step, problem, sample)."""
    key = f"{run_id}\x1f{phase}\x1f{decoding}\x1f{int(step)}\x1f{problem}\x1f{int(sample)}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little", signed=True)
