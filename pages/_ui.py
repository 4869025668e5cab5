"""Widgets and plumbing shared by the pages: the cached store, cached queries, errors, URL state.

Kept out of the page files so each page only lays out its own widgets.
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from core import home
from core.embedded import open_store
from core.errors import YardstickError
from core.store import queries
from core.store.store import Store


@st.cache_resource(show_spinner="Opening the store (first start imports the study and GSM8K solutions)…")
def _store(path: str) -> Store:
    return open_store(path)


def store() -> Store:
    return _store(str(home.store_path()))


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(path: str, revision: int, name: str, args: tuple) -> Any:
    return getattr(queries, name)(_store(path), *args)


def query(name: str, *args: Any) -> Any:
    """`core.store.queries.<name>(store, *args)`, cached until the store's next write."""
    s = store()
    return _cached(str(s.path), s.revision(), name, args)


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
