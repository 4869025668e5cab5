"""Views: each page is a State (its URL, views/state.py) built into a View (blocks with sources, views/blocks.py).

`build(store, page, params)` is the one path from a URL to what is shown: the page renders it with Streamlit, the
report renders it as HTML, a finding keeps its snapshot. Modules here read the store only through
`core.store.queries` and compute numbers only through `core.stats`.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Mapping

from core.views.blocks import Source, View

PAGES = ("overview", "runs", "curves", "completions", "strip", "label", "audit", "judge", "launch", "final",
         "replication")


def module(page: str) -> ModuleType:
    if page not in PAGES:
        raise KeyError(page)
    return importlib.import_module(f"core.views.{page}")


def build(store: Any, page: str, params: Mapping[str, Any]) -> View:
    """The View a page shows for these URL parameters."""
    views = module(page)
    return views.build(store, views.State.from_params(params))


def source(store: Any, query: str, runs: list[str] | tuple[str, ...] = (), n: int | None = None,
           instruments: list[str] | None = None, **extra: Any) -> Source:
    """A Source with the instruments' versions, the runs' reward specs and the store revision filled in."""
    from core.store import queries

    versions = queries.instrument_versions(store)
    chosen = instruments if instruments is not None else list(versions)
    specs = queries.reward_specs(store, list(runs)) if runs else {}
    return Source(query=query, runs=tuple(runs), n=n,
                  instruments=tuple(f"{name}@{versions[name]}" for name in chosen if name in versions),
                  reward_specs=tuple(f"{r}: {s}" for r, s in specs.items() if s), revision=store.revision(),
                  **extra)


def flag_links(found: list) -> list[tuple[str, str, dict[str, list[str]], str]]:
    """Flags (core.flags) as Links items, a group a line: each opens Curves on its runs, the reward and the metrics
    it is about; the hover holds every flag's rule, numbers and interval."""
    from core.flags import group_headline, grouped

    return [(group_headline(g), "curves", {"run": list(g[0].runs), "metric": list(dict.fromkeys(
        ["reward"] + [f.metric for f in g]))}, "\n\n".join(f.message for f in g)) for g in grouped(found)]
