"""Widgets and plumbing shared by the pages: the cached store, cached queries, errors, URL state.

Kept out of the page files so each page only lays out its own widgets.
"""
from __future__ import annotations

import importlib
import re
from typing import Any, Callable

import streamlit as st

from core import home
from core.embedded import open_store
from core.errors import YardstickError
from core.store import queries
from core.store.queries import CompletionQuery
from core.store.store import Store


@st.cache_resource(show_spinner="Opening the store (first start imports the study and GSM8K solutions)…")
def _store(path: str) -> Store:
    return open_store(path)


def store() -> Store:
    return _store(str(home.store_path()))


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(path: str, revision: int, module: str, name: str, args: tuple) -> Any:
    return getattr(importlib.import_module(module), name)(_store(path), *args)


def query(name: str | Callable[..., Any], *args: Any) -> Any:
    """`core.store.queries.<name>(store, *args)` — or any core function taking the store first — cached until
    the store's next write."""
    module, name = ("core.store.queries", name) if isinstance(name, str) else (name.__module__, name.__qualname__)
    s = store()
    return _cached(str(s.path), s.revision(), module, name, args)


def plain(text: str) -> str:
    """Text for an element that renders markdown (labels, alerts): every markdown character escaped, because run
    names and metric names can come from imported files."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


def show_error(exc: YardstickError) -> None:
    """A titled error; the message is shown as plain text (it may quote user input)."""
    st.error(exc.title, icon="⚠️")
    st.text(exc.message)


def guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a core call; a YardstickError is shown and None returned instead of a traceback."""
    try:
        return fn(*args, **kwargs)
    except YardstickError as exc:
        show_error(exc)
        return None


# --- URL state: shareable selections live in st.query_params so a pasted link reopens the view ------
def param(name: str, default: str | None = None) -> str | None:
    return st.query_params.get(name, default)


def params(name: str) -> list[str]:
    return st.query_params.get_all(name)


def int_param(name: str) -> int | None:
    value = st.query_params.get(name)
    return int(value) if value is not None and value.lstrip("-").isdigit() else None


def set_params(**values: Any) -> None:
    """Write selections to the URL; None or empty removes a key."""
    for key, value in values.items():
        if value is None or value == [] or value == "":
            st.query_params.pop(key, None)
        elif isinstance(value, (list, tuple)):
            st.query_params[key] = [str(v) for v in value]
        else:
            st.query_params[key] = str(value)


VERDICTS = ["any", *queries.VERDICT_NAMES]


def url_state() -> dict[str, list[str]]:
    """Every URL parameter with all its values: what a pinned finding keeps to reopen the view."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def completion_query() -> CompletionQuery:
    """The completions filter in the URL (the Completions and Label pages share it, so "label these" is a link)."""
    return CompletionQuery.from_params(url_state())


def completion_card(row: dict, readings: Any, checks: set[str], marks: bool, compact: bool = False,
                    show_question: bool = True) -> None:
    """One completion as plain text: header, question, the text (spans marked, long ones cut), every verdict.

    Completions are untrusted: only st.text / st.code, never markdown or HTML.
    """
    from core import browse

    st.text(f"{row['run_id']} · step {row['step']} · sample {row['sample']}" if compact else
            f"{row['run_id']} · step {row['step']} · {row['phase']}/{row['decoding']} · sample {row['sample']} · "
            f"problem {row['problem_id']} · gold {row['gold']} · id {row['completion_id']}")
    if show_question and not compact:
        with st.expander("Question"):
            st.text(row["question"])
    full = False
    if len(row["text"]) > browse.PREVIEW_CHARS:
        full = st.toggle("Show all", key=f"full-{row['completion_id']}-{compact}")
    st.code(browse.preview(browse.mark_spans(row["text"], readings) if marks else row["text"], full), language=None,
            wrap_lines=True)
    order = {n: i for i, n in enumerate(queries.instrument_names())}
    lines = [browse.verdict_line(r.instrument, r.answer, r.verdict, row["gold"], r.instrument in checks)
             for r in sorted(readings.itertuples(), key=lambda r: order.get(r.instrument, 99))]
    st.text(("\n" if compact else "   ").join(lines))


def export_button(label: str, table: str, file_name: str) -> None:
    """One click to download every label or judgment as CSV (they live only in the store)."""
    st.download_button(label, query("export", table).to_csv(index=False).encode(), file_name=file_name,
                       mime="text/csv", on_click="ignore")


def pin_form(page: str) -> None:
    """Sidebar form: pin the current view (its page and URL) with a note, for the Report page."""
    with st.sidebar.popover("📌 Pin this view"), st.form("pin", clear_on_submit=True, border=False):
        title = st.text_input("Title", placeholder="Format-only reward games the metric")
        note = st.text_area("Note", placeholder="What the view shows, and what to do about it")
        if st.form_submit_button("Pin") and guarded(store().add_finding, title, note, page, url_state()) is None:
            if title.strip():
                st.toast("Pinned; see the Report page.")


def sync_runs() -> None:
    """Ingest what run folders wrote since last time; say which could not be read (as text: names come from disk)."""
    from core import launcher, scheduler

    scheduler.ensure()  # normally started with the server; here too for `streamlit run app.py` and AppTest
    for problem in launcher.sync(store()).problems:
        st.warning("A run folder could not be read", icon="⚠️")
        st.text(problem)


@st.fragment(run_every=1.0)
def import_progress() -> None:
    """The store's running (or last) import: a progress bar with rate and ETA, then what was added or why not.
    The import runs in its own thread, so this session and every other page keep working meanwhile."""
    from core.importers import current_import

    job = current_import(store())
    if job is None:
        return
    p = job.progress
    if job.running:
        eta = p.eta_s()
        st.progress(p.fraction() or 0.0, text=f"Importing: {p.done:,} of {p.total or 0:,} completions · "
                                             f"{p.rate():,.0f}/s" + (f" · about {eta:,.0f} s left" if eta else ""))
    elif job.error is not None:
        show_error(job.error)
    elif job.result is not None:
        st.success(f"Imported {job.result[0]}: {job.result[1]}")
