"""Judge jobs: Claude reads the selected completions (instruments/judge.py) in a worker process the scheduler owns,
like training — so progress and cancel are on any page and in any browser, and a job outlives the app that started
it. The job folder holds what to judge (items.parquet, written at submit: the worker never opens the store) and
the verdicts as they land (judgments/*.parquet), which the app ingests like any run folder's shards.

A Message Batches job records its batch id in its status the moment the batch exists; if its worker dies, `resume`
queues a job that follows the same paid batch instead of submitting it again.
"""
from __future__ import annotations

import signal
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from yardstick import home
from yardstick.errors import BadInput
from yardstick.instruments.judge import PROMPT_VERSION, Progress, Verdict, client, estimate, run_batch, run_concurrent
from yardstick.jobs import queue
from yardstick.record.config import slug
from yardstick.record.folder import ITEMS, JUDGMENTS, LIVE, RESUMED, RunFolder, unique, write_atomic

FLUSH_S = 1.0  # verdicts reach the folder (and so the app) at least this often
REPORT_S = 0.5


@dataclass(frozen=True)
class Spec:
    """A judge job's config.json."""

    model: str
    prompt_version: str = PROMPT_VERSION
    batch: bool = False
    poll_s: float = 30.0
    concurrency: int = 8
    resume_batch: str | None = None  # follow this Message Batches submission instead of making one


def plan(store: Any, completion_ids: list[int], model: str) -> dict[str, float]:
    """Before running: how many calls, how many are cached, and the estimated cost (direct and batched)."""
    todo = _todo(store, completion_ids, model)
    texts, questions = todo["text"].tolist(), todo["question"].tolist()
    return {"selected": len(completion_ids), "cached": len(completion_ids) - len(todo), "calls": len(todo),
            "usd": estimate(texts, questions, model), "usd_batch": estimate(texts, questions, model, batch=True)}


def _todo(store: Any, completion_ids: list[int], model: str) -> pd.DataFrame:
    from yardstick.store import reviews, selection

    cached = reviews.judged(store, model, PROMPT_VERSION, completion_ids)
    return selection.completions_by_id(store, [c for c in completion_ids if c not in cached])


def submit(store: Any, completion_ids: list[int], model: str, *, batch: bool = False, poll_s: float = 30.0,
           resume_batch: str | None = None) -> str:
    """Queue a job judging the selected completions not judged yet by this model and prompt; returns its id. No
    API key, or nothing to judge, is said before anything is written."""
    client()  # no key: a clear error now, not a failed job later
    items = _todo(store, completion_ids, model)
    if items.empty:
        raise BadInput("Nothing to judge", f"Every selected completion already has a verdict from {model} (prompt "
                       f"{PROMPT_VERSION}); nothing was sent.")
    folder = unique(home.jobs_dir(), f"{time.strftime('%Y%m%d-%H%M%S')}-judge-{slug(model)}-{len(items)}")
    items[["completion_id", "completion_key", "question", "text"]].to_parquet(folder.path / ITEMS, index=False)
    folder.create("judge", asdict(Spec(model, batch=batch, poll_s=poll_s, resume_batch=resume_batch)))
    return folder.run_id


def resume(job: str) -> str:
    """A Message Batches job whose worker died: queue one that follows the same batch (nothing is paid twice)."""
    old = RunFolder(home.jobs_dir() / job)
    status, spec = old.status(), Spec(**old.config())
    if not status.get("batch_id") or status.get("state") not in ("crashed", "failed"):
        raise BadInput("Nothing to resume", f"{job} has no submitted batch whose worker stopped.")
    if (old.path / RESUMED).exists():
        raise BadInput("Already resumed", f"{job} is followed by {(old.path / RESUMED).read_text()}; see that job.")
    new = unique(home.jobs_dir(), f"{job}-resumed")
    new.path.joinpath(ITEMS).write_bytes((old.path / ITEMS).read_bytes())
    new.create("judge", asdict(Spec(**{**asdict(spec), "batch": True, "resume_batch": status["batch_id"]})))
    write_atomic(old.path / RESUMED, new.run_id.encode())
    return new.run_id


def jobs() -> list[dict[str, Any]]:
    """Every judge job of this home, newest first, as the Judge page shows it (read from the folders: live)."""
    return [{"job": folder.run_id, "model": spec.get("model"), "batch": bool(spec.get("batch")),
             "state": status.get("state"), "done": status.get("done") or 0, "total": status.get("total") or 0,
             "scored": status.get("scored") or 0, "unscored": status.get("unscored") or 0,
             "errors": status.get("errors") or 0, "cost_usd": status.get("cost_usd") or 0.0,
             "message": status.get("message") or "", "batch_id": status.get("batch_id"),
             "error": (status.get("error") or {}).get("message", ""), "live": status.get("state") in LIVE,
             "resumed_by": (folder.path / RESUMED).read_text() if (folder.path / RESUMED).exists() else None}
            for folder, status, spec in queue.listing("judge")]


def work(folder: RunFolder, api: Any = None) -> int:
    """The worker (the `judge` kind of jobs/worker.py): judge the job's items, writing verdicts as they land and
    its progress every REPORT_S; SIGTERM or a cancel request stops it (a submitted batch is cancelled too)."""
    spec = Spec(**folder.config())
    items = pd.read_parquet(folder.path / ITEMS)
    api = api or client()
    progress = Progress(total=len(items))
    keys = dict(zip(items["completion_id"], items["completion_key"]))
    shards = _Shards(folder, spec)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: progress.cancel.set())
    folder.set_status(state="running", started_at=time.time(), message="")
    batch_id: list[str] = []

    def save(completion_id: int, verdict: Verdict) -> None:
        shards.add(keys[completion_id], verdict)

    def submitted(batch: str) -> None:
        batch_id.append(batch)
        report()

    writing = threading.Lock()  # the watcher and the batch's submission both report

    def report() -> None:
        with writing:
            folder.set_status(**{k: getattr(progress, k) for k in ("done", "total", "scored", "unscored", "errors")},
                              cost_usd=round(progress.cost_usd, 6), message=progress.message,
                              **({"batch_id": batch_id[0]} if batch_id else {}))

    stop = threading.Event()

    def watch() -> None:  # one thread writes the status while the calls run; the cancel file is seen here too
        while not stop.wait(REPORT_S):
            if folder.cancel_requested():
                progress.cancel.set()
            shards.flush(FLUSH_S)
            report()

    watcher = threading.Thread(target=watch, daemon=True, name="yardstick-judge-report")
    watcher.start()
    try:
        if spec.batch:
            run_batch(api, items, spec.model, save, progress, spec.poll_s, spec.resume_batch, submitted)
        else:
            run_concurrent(api, items, spec.model, save, progress, spec.concurrency)
    finally:
        stop.set()
        watcher.join()
        shards.flush(0)
    state = "failed" if progress.state == "failed" else "cancelled" if progress.cancel.is_set() else "finished"
    report()
    folder.set_status(state=state, finished_at=time.time(),
                      **({"error": {"title": "Judge job stopped", "message": progress.message}}
                         if state == "failed" else {}))
    return 0


class _Shards:
    """Verdicts as judgments/*.parquet shards, written at most every FLUSH_S (and at the end)."""

    def __init__(self, folder: RunFolder, spec: Spec) -> None:
        self.folder, self.spec = folder, spec
        self.rows: list[dict] = []
        self.lock = threading.Lock()
        self.last = time.monotonic()

    def add(self, completion_key: int, verdict: Verdict) -> None:
        with self.lock:
            self.rows.append({"completion_key": int(completion_key), "model": self.spec.model,
                              "prompt_version": self.spec.prompt_version, "status": verdict.status,
                              "answer": verdict.answer, "is_none": verdict.answer is None, "reason": verdict.reason,
                              "raw": verdict.raw, "cost_usd": verdict.cost_usd,
                              "created_at": pd.Timestamp.now(tz="UTC").tz_localize(None)})

    def flush(self, every_s: float) -> None:
        with self.lock:
            if not self.rows or time.monotonic() - self.last < every_s:
                return
            rows, self.rows, self.last = self.rows, [], time.monotonic()
        import io

        buf = io.BytesIO()
        pd.DataFrame(rows).to_parquet(buf, index=False)
        (self.folder.path / JUDGMENTS).mkdir(exist_ok=True)
        write_atomic(self.folder.path / JUDGMENTS / f"{time.time_ns()}.parquet", buf.getvalue())
