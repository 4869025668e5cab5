"""Run an instrument in worker processes with a hard time limit per completion.

math-verify times itself out with signal.alarm, which only works in a main thread (Streamlit runs scripts in
other threads) and can hang on pathological input; a worker process can always be killed.
"""
from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, TimeoutError as FutureTimeout
from typing import Any

CHUNK = 64


def _apply_chunk(name: str, items: list[tuple[str, str | None]]) -> list[Any]:
    from core.instruments.registry import get

    inst = get(name)
    return [inst.fn(text, gold) if inst.needs_gold else inst.fn(text) for text, gold in items]


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"))


def run_isolated(name: str, items: list[tuple[str, str | None]], time_limit: float, workers: int = 2,
                 failed: Any = None) -> list[Any]:
    """Raw outputs of instrument `name` on each (text, gold); `failed` where a completion ran over the limit."""
    if not items:
        return []
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    out: list[Any] = []
    pool = _pool(workers)
    try:
        futures = [pool.submit(_apply_chunk, name, c) for c in chunks]
        i = 0
        while i < len(chunks):
            try:
                # Chunks run `workers` at a time, so one may wait behind another before it starts.
                out.extend(futures[i].result(timeout=time_limit * len(chunks[i]) * 2 + 30))
                i += 1
                continue
            except FutureTimeout:
                pass
            _kill(pool)
            out.extend(_one_by_one(name, chunks[i], time_limit, failed))
            i += 1
            pool = _pool(workers)
            futures[i:] = [pool.submit(_apply_chunk, name, c) for c in chunks[i:]]
    finally:
        _kill(pool)
    return out


def _one_by_one(name: str, chunk: list, time_limit: float, failed: Any) -> list[Any]:
    """Re-run a chunk that hung, one completion at a time, to find the culprit(s)."""
    results = []
    for item in chunk:
        pool = _pool(1)
        try:
            results.append(pool.submit(_apply_chunk, name, [item]).result(timeout=time_limit + 20)[0])
        except FutureTimeout:
            results.append(failed)
        finally:
            _kill(pool)
    return results


def _kill(pool: ProcessPoolExecutor) -> None:
    for proc in list(getattr(pool, "_processes", {}).values()):
        proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)
