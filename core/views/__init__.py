"""Views: each page is a State (its URL, views/state.py) built into a View (blocks with sources, views/blocks.py).

`build(store, page, params)` is the one path from a URL to what is shown: the page renders it with Streamlit, the
report as HTML or Markdown, the CLI as text, a finding keeps its snapshot. A link to a view is made from its State
(`link`, `path`), never by hand. Modules here read the store only through `yardstick.store` and compute numbers
only through `yardstick.analysis.stats`.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import urlencode

if TYPE_CHECKING:  # imported where used: `yardstick.views.PAGES` is read by the CLI, which must start fast
    from yardstick.views.blocks import Cards, Source, View
    from yardstick.views.cards import Card
    from yardstick.views.state import State

PAGES = ("overview", "runs", "curves", "completions", "strip", "label", "audit", "judge", "launch", "final",
         "replication")


def module(page: str) -> ModuleType:
    if page not in PAGES:
        raise KeyError(page)
    return importlib.import_module(f"yardstick.views.{page}")


def build(store: Any, page: str, params: Mapping[str, Any]) -> View:
    """The View a page shows for these URL parameters."""
    views = module(page)
    return views.build(store, views.State.from_params(params))


def page_of(state: State) -> str:
    """The page a State belongs to (each view module's State is its page's)."""
    page = type(state).__module__.rsplit(".", 1)[-1]
    if page not in PAGES:
        raise KeyError(f"{type(state).__qualname__} is not a page's State")
    return page


def link(state: State) -> tuple[str, dict[str, list[str]]]:
    """(page, URL parameters) of a view: what a Links item, a page link and a pinned finding hold."""
    return page_of(state), state.to_params()


def path(page: str, params: Mapping[str, list[str]]) -> str:
    """The URL path of a page with these parameters (the overview is the app's root)."""
    query = urlencode([(k, v) for k, values in params.items() for v in values])
    return ("/" if page == "overview" else f"/{page}") + (f"?{query}" if query else "")


def href(state: State) -> str:
    return path(*link(state))


def source(store: Any, query: str, runs: list[str] | tuple[str, ...] = (), n: int | None = None,
           instruments: list[str] | None = None, **extra: Any) -> Source:
    """A Source with the instruments' versions, the runs' reward specs and the store revision filled in."""
    from yardstick.store import queries
    from yardstick.views.blocks import Source

    versions = queries.instrument_versions(store)
    chosen = instruments if instruments is not None else list(versions)
    specs = queries.reward_specs(store, list(runs)) if runs else {}
    return Source(query=query, runs=tuple(runs), n=n,
                  instruments=tuple(f"{name}@{versions[name]}" for name in chosen if name in versions),
                  reward_specs=tuple(f"{r}: {s}" for r, s in specs.items() if s), revision=store.revision(),
                  **extra)


def card_block(key: str, items: list[Card], mode: str = "highlight", total: int | None = None,
               title: str = "", source: Source | None = None) -> Cards:
    """Completion cards with the instruments' colours (registry order) and how to show their text, so the page,
    the report and a pinned snapshot show them alike."""
    from yardstick.store.queries import instrument_names
    from yardstick.views import cards
    from yardstick.views.blocks import Cards

    return Cards(key, items=items, total=len(items) if total is None else total, title=title, mode=mode,
                 colours=cards.instrument_colours(instrument_names()), source=source)
