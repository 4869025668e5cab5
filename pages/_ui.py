"""Widgets and plumbing shared by the pages: the cached store, cached queries, errors, URL state.

Kept out of the page files so each page only lays out its own widgets.
"""
from __future__ import annotations

import importlib
import json
from typing import Any, Callable, NoReturn, TypeVar

import streamlit as st

from yardstick import home, views
from yardstick.errors import StoreUnavailable, YardstickError
from yardstick.guard import escape
from yardstick.importers.embedded import open_store
from yardstick.store import reviews
from yardstick.store.store import Store
from yardstick.views.blocks import View
from yardstick.views.state import State

S = TypeVar("S", bound=State)


@st.cache_resource(show_spinner="Opening the store (first start imports the study and GSM8K solutions)…")
def _store(path: str) -> Store:
    return open_store(path)


def store() -> Store:
    """The cached store; when another process holds it, or the disk is full, the page says so and stops."""
    try:
        return _store(str(home.store_path()))
    except StoreUnavailable as exc:
        unavailable(exc)


def unavailable(exc: StoreUnavailable) -> NoReturn:
    """One clear page instead of a traceback: the title and the app's advice, then stop."""
    show_error(exc)
    st.stop()


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(path: str, revision: int, module: str, name: str, args: tuple) -> Any:
    return getattr(importlib.import_module(module), name)(_store(path), *args)


def query(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(store, *args)` — a query of yardstick.store, or any core function taking the store first — cached until
    the store's next write."""
    s = store()
    return _cached(str(s.path), s.revision(), fn.__module__, fn.__qualname__, args)


plain = escape.markdown  # text for an element that renders markdown (labels, alerts); names come from files


def show_error(exc: YardstickError) -> None:
    """A titled error: the title is core's own words; the message is shown as plain text (it may quote input)."""
    st.error(exc.title, icon="⚠️")
    st.text(exc.app_message if isinstance(exc, StoreUnavailable) else exc.message)


def guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a core call; a YardstickError is shown and None returned instead of a traceback."""
    try:
        return fn(*args, **kwargs)
    except YardstickError as exc:
        show_error(exc)
        return None


def attempt(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Run a core call for its effect; False (and the error shown) when it was refused."""
    try:
        fn(*args, **kwargs)
    except YardstickError as exc:
        show_error(exc)
        return False
    return True


# --- URL state: a view's State is its URL, so a pasted link (or a pinned finding) reopens the view ----------
def url_state() -> dict[str, list[str]]:
    """Every URL parameter with all its values."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def int_param(name: str) -> int | None:
    value = st.query_params.get(name)
    return int(value) if value is not None and value.lstrip("-").isdigit() and len(value) < 10 else None


def state_flag(name: str) -> bool:
    """A page's own on/off URL switch (e.g. the report's meeting mode)."""
    return st.query_params.get(name) in ("1", "true")


def widget(key: str, default: Any) -> Any:
    """A widget's value as the user left it (Streamlit keeps it under its key before the widget is drawn again),
    else `default`. Pages read their widgets first, so they build their View once per rerun."""
    return st.session_state.get(key, default)


def state(cls: type[S]) -> S:
    """The view State the URL describes."""
    return cls.from_params(url_state())


def set_state(value: State) -> None:
    """Write a State to the URL: its own keys are replaced, other views' keys (a shared filter) are kept."""
    wanted = value.to_params()
    for key in [k for k in st.query_params if type(value).owns(k) and k not in wanted]:
        del st.query_params[key]
    for key, values in wanted.items():
        if st.query_params.get_all(key) != values:
            st.query_params[key] = values


@st.cache_data(show_spinner=False, max_entries=64)
def _view(path: str, revision: int, page: str, params: str) -> View:
    return views.build(_store(path), page, json.loads(params))


def view(page: str, value: State) -> View:
    """The page's View for this State, cached until the store's next write."""
    s = store()
    return _view(str(s.path), s.revision(), page, json.dumps(value.to_params(), sort_keys=True))


def export_button(label: str, table: str, file_name: str) -> None:
    """One click to download every label or judgment as CSV (they live only in the store)."""
    st.download_button(label, query(reviews.export, table).to_csv(index=False).encode(), file_name=file_name,
                       mime="text/csv", on_click="ignore")


def pin_form(page: str) -> None:
    """Sidebar form: pin the current view (its State from the URL, and a snapshot of what it shows) with a note."""
    from yardstick.share import findings
    with st.sidebar.popover("📌 Pin this view"), st.form("pin", clear_on_submit=True, border=False):
        title = st.text_input("Title", placeholder="Format-only reward games the metric")
        note = st.text_area("Note", placeholder="What the view shows, and what to do about it")
        if st.form_submit_button("Pin") and guarded(findings.pin, store(), page, url_state(), title, note):
            st.toast("Pinned; see the Report page.")


def sync_runs() -> None:
    """Ingest what run folders wrote since last time; say which could not be read (as text: names come from disk)."""
    from yardstick.jobs import scheduler
    from yardstick.jobs.sync import sync
    scheduler.ensure()  # normally started with the server; here too for `streamlit run app.py` and AppTest
    try:
        problems = sync(store()).problems
    except StoreUnavailable as exc:
        unavailable(exc)
    for problem in problems:
        st.warning("A run folder could not be read", icon="⚠️")
        st.text(problem)


@st.fragment(run_every=1.0)
def import_progress() -> None:
    """This home's latest import job, read from its folder (any page, any browser): a progress bar with rate and
    ETA and Cancel, then what was added or why not. It runs in the app's own thread; every page keeps working."""
    from yardstick.jobs import imports, queue

    latest = next(iter(imports.jobs()), None)
    if latest is None:
        return
    if latest["live"]:
        total, done, eta = latest["total"] or 0, latest["done"] or 0, latest["eta_s"]
        cols = st.columns([6, 1])
        cols[0].progress(min(done / total, 1.0) if total else 0.0,
                         text=f"Importing: {done:,} of {total:,} completions · {latest['rate'] or 0:,.0f}/s"
                              + (f" · about {eta:,.0f} s left" if eta else ""))
        if cols[1].button("Cancel", key=f"cancel-{latest['job']}"):
            guarded(queue.cancel, latest["job"])
    elif latest["state"] == "finished":
        st.success(plain(f"Imported {latest['recognised']}: {latest['result']}"))
    elif latest["state"] == "cancelled":
        st.info(plain(f"Import cancelled after {latest['result']}; importing it again adds only what is missing."))
    else:
        error = latest["error"] or {}
        st.error(plain(error.get("title", "Import interrupted")), icon="⚠️")
        st.text(error.get("message", f"{latest['path']}: the app stopped while importing it."))
        if latest["state"] == "crashed" and st.button("Import again", help="Adds only what is missing"):
            guarded(imports.submit, store(), latest["path"], latest["data"])
