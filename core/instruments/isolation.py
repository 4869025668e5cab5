"""Run an instrument in worker processes with a hard time limit per completion.

math-verify times itself out with signal.alarm, which only works in a main thread (Streamlit runs scripts in
other threads) and can hang on pathological input; a worker process can always be killed. Workers are started
per call and killed after it, unless the caller keeps them for a stream of small batches (`kept_workers`).
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import Any, Iterator

from yardstick.instruments.workers import pool as _pool

CHUNK = 64
_kept: dict[int, ProcessPoolExecutor] | None = None  # workers → a live pool, inside kept_workers()


def _apply_chunk(name: str, items: list[tuple[str, str | None]]) -> list[Any]:
    from yardstick.instruments.registry import get

    inst = get(name)
    return [inst.fn(text, gold) if inst.needs_gold else inst.fn(text) for text, gold in items]


@contextmanager
def kept_workers() -> Iterator[None]:
    """Reuse workers across run_isolated calls inside this block (`yardstick score` reads its input in small
    batches; starting math-verify's workers costs seconds each time). They are killed when the block ends."""
    global _kept
    outer, _kept = _kept, (_kept if _kept is not None else {})
    try:
        yield
    finally:
        if outer is None:
            for pool in _kept.values():
                _kill(pool)
        _kept = outer


def _acquire(workers: int) -> ProcessPoolExecutor:
    if _kept is None:
        return _pool(workers)
    pool = _kept.get(workers)
    if pool is None or getattr(pool, "_broken", False):
        pool = _kept[workers] = _pool(workers)
    return pool


def _release(pool: ProcessPoolExecutor, workers: int, hung: bool = False) -> None:
    if _kept is None or hung:
        _kill(pool)
        if _kept is not None:
            _kept.pop(workers, None)


def run_isolated(name: str, items: list[tuple[str, str | None]], time_limit: float, workers: int = 2,
                 failed: Any = None) -> list[Any]:
    """Raw outputs of instrument `name` on each (text, gold); `failed` where a completion ran over the limit."""
    if not items:
        return []
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    out: list[Any] = []
    pool = _acquire(workers)
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
            _release(pool, workers, hung=True)
            out.extend(_one_by_one(name, chunks[i], time_limit, failed))
            i += 1
            pool = _acquire(workers)
            futures[i:] = [pool.submit(_apply_chunk, name, c) for c in chunks[i:]]
    except BaseException:
        _release(pool, workers, hung=True)
        raise
    _release(pool, workers)
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
