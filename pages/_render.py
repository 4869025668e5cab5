"""Streamlit renderers for View blocks (core/views/blocks.py): the one place a page turns blocks into elements.

Text from files, users or models is shown with text elements, or escaped for the markdown that labels and alerts
render; completions only ever reach st.code / st.text.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from core import browse, escape
from core.views.blocks import Block, Cards, Chart, Links, Note, Stat, Table, View
from pages._ui import plain

TONES = {"info": st.info, "success": st.success, "warning": st.warning, "error": st.error}


def view(v: View, skip: tuple[str, ...] = (), prefix: str = "") -> None:
    """Every block of a view, in order (except those the page lays out itself). `prefix` keeps widget keys apart
    when one page shows several views (the report)."""
    for b in v.blocks:
        if b.key in skip:
            continue
        if isinstance(b, Chart):
            chart(b, key=f"{prefix}chart-{b.key}")
        elif isinstance(b, Cards):
            cards(b, prefix=prefix)
        else:
            block(b)


def block(b: Block, **kwargs: Any) -> Any:
    if isinstance(b, Note):
        return note(b)
    if isinstance(b, Stat):
        return stat(b)
    if isinstance(b, Table):
        return table(b)
    if isinstance(b, Chart):
        return chart(b, **kwargs)
    if isinstance(b, Cards):
        return cards(b, **kwargs)
    if isinstance(b, Links):
        return links(b)
    return None


def source(b: Block) -> None:
    """Where the block's numbers came from: the gist in a caption, every detail (instruments and versions, reward
    specs, judge, labellers) on hover."""
    if b.source is not None:
        st.caption(plain("source: " + b.source.short()), help=plain(b.source.describe()))


def note(b: Note) -> None:
    if b.tone in TONES:
        TONES[b.tone](plain(b.text))
    elif b.tone == "heading":
        st.subheader(plain(b.text))
    elif b.tone == "text":
        st.text(b.text)
    else:
        st.caption(plain(b.text))


def stat(b: Stat, where: Any = st) -> None:
    value = "–" if b.value is None else b.fmt.format(b.value)
    detail = []
    if b.lo is not None and b.hi is not None:
        detail.append(f"95% CI {b.fmt.format(b.lo)}–{b.fmt.format(b.hi)}")
    if b.n is not None:
        detail.append(f"n = {b.n:,}")
    where.metric(plain(b.label), value, help=plain(b.source.describe()) if b.source else None)
    if detail:
        where.caption(" · ".join(detail))


def stats(blocks: list[Block]) -> None:
    """Numbers side by side."""
    for col, b in zip(st.columns(max(len(blocks), 1)), blocks):
        stat(b, col)


def _column(name: str, kind: str, arg: str) -> Any:
    if kind == "progress":
        return st.column_config.ProgressColumn(name, format=arg, min_value=0, max_value=1)
    if kind == "link":
        return st.column_config.LinkColumn(name, display_text=arg)
    return st.column_config.NumberColumn(name, format=arg)


def table(b: Table) -> None:
    if b.title:
        st.subheader(plain(b.title))
    st.dataframe(b.frame, hide_index=True, column_config={c: _column(c, *spec) for c, spec in b.columns.items()})
    if b.caption:
        st.caption(plain(b.caption))
    source(b)


def chart(b: Chart, key: str | None = None, on_select: str = "ignore") -> Any:
    event = st.plotly_chart(b.figure, key=key or f"chart-{b.key}", on_select=on_select, selection_mode="points",
                            theme=None)  # the figure's own colours: the same as in an exported report
    source(b)
    return event


def card(item: dict, compact: bool = False, prefix: str = "", highlight: bool = False) -> None:
    """One completion: header, question, the text (long ones cut), every verdict. The text is plain (st.code), or
    with `highlight` each instrument's span in its colour — HTML made from escaped text (browse.highlight_html)."""
    st.text(f"{item['run_id']} · step {item['step']} · sample {item['sample']}" if compact and "run_id" in item
            else item.get("header", ""))
    if item.get("question") and not compact:
        with st.expander("Question"):
            st.text(item["question"])
    text = item.get("marked") or item.get("text", "")
    full = False
    if len(text) > browse.PREVIEW_CHARS:
        full = st.toggle("Show all", key=f"{prefix}full-{item.get('completion_id')}-{compact}")
    if item.get("aside"):
        left, right = st.columns(2)
        left.code(browse.preview(text, full), language=None, wrap_lines=True)
        right.text(item["aside"])
    elif highlight and item.get("spans"):
        shown = item["text"] if full else item["text"][:browse.PREVIEW_CHARS]
        st.html(browse.highlight_html(shown, item["spans"], colours()))
        if len(item["text"]) > len(shown):
            st.caption(f"… {len(item['text']) - len(shown):,} more characters")
    else:
        st.code(browse.preview(text, full), language=None, wrap_lines=True)
    if item.get("lines"):
        st.text(("\n" if compact else "   ").join(item["lines"]))


def colours() -> dict[str, str]:
    from core.store.queries import instrument_names

    return browse.instrument_colours(instrument_names())


def legend() -> None:
    """Which colour is which instrument (escaped names, fixed colours)."""
    chips = " ".join(f'<mark style="background:{c};padding:0 .3rem">{escape.html(n)}</mark>'
                     for n, c in colours().items())
    st.html(f'<div style="font-size:.8rem">{chips}</div>')


def diff(item: dict) -> None:
    """The word diff against the same run's previous step (escaped HTML)."""
    if item.get("diff"):
        with st.expander(f"changes since step {item['previous_step']}"):
            st.html(browse.diff_html(item["diff"]))


def cards(b: Cards, columns: int = 0, prefix: str = "", highlight: bool = False, follow: bool = False) -> None:
    """Cards in a list (or `columns` side by side); `follow` adds a link to the prompt's strip through training."""
    if columns:
        for col, item in zip(st.columns(min(len(b.items), columns) or 1), b.items[:columns]):
            with col:
                card(item, compact=True, prefix=prefix, highlight=highlight)
        return
    for item in b.items:
        with st.container(border=True):
            card(item, prefix=prefix, highlight=highlight)
            if follow and item.get("problem_id"):
                st.page_link("pages/strip.py", label="Follow this prompt through training", icon="🧵",
                             query_params={"problem": item["problem_id"], "run": item["run_id"],
                                           "phase": "eval" if item.get("phase") == "final" else item.get("phase"),
                                           "decoding": item.get("decoding")})


def links(b: Links, title: bool = True) -> None:
    if b.title and title:
        st.subheader(plain(b.title))
    for label, page, params, detail in b.items:
        st.page_link(f"pages/{page}.py", label=plain(label), icon=b.icon or None, query_params=params,
                     help=plain(detail) if detail else None)
