"""The page's renderer of View blocks (core/views/blocks.py): RENDER has one entry per block kind, like the report's
HTML and Markdown renderers and the CLI's text (a test walks every kind through all four).

Text from files, users or models is shown with text elements, or escaped for the markdown that labels and alerts
render; completions reach st.code / st.text, or st.html made from escaped text (views/cards.highlight_html).
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from pages._ui import plain
from yardstick.guard import escape
from yardstick.views import cards as texts, link, strip
from yardstick.views.blocks import Block, Cards, Chart, Links, Note, Stat, Table, View
from yardstick.views.cards import Card

TONES = {"info": st.info, "success": st.success, "warning": st.warning, "error": st.error}


def view(v: View, skip: tuple[str, ...] = (), prefix: str = "") -> None:
    """Every block of a view, in order (except those the page lays out itself). `prefix` keeps widget keys apart
    when one page shows several views (the report)."""
    for b in v.blocks:
        if b.key not in skip:
            block(b, prefix=prefix)


def block(b: Block, prefix: str = "", **kwargs: Any) -> Any:
    """One block through its kind's entry (a kind without one is an error, never a silent gap)."""
    return RENDER[b.kind](b, prefix=prefix, **kwargs)


def source(b: Block) -> None:
    """Where the block's numbers came from: the gist in a caption, every detail (instruments and versions, reward
    specs, judge, labellers) on hover."""
    if b.source is not None:
        st.caption(plain("source: " + b.source.short()), help=plain(b.source.describe()))


def note(b: Note, prefix: str = "") -> None:
    if b.tone in TONES:
        TONES[b.tone](plain(b.text))
    elif b.tone == "heading":
        st.subheader(plain(b.text))
    elif b.tone == "text":
        st.text(b.text)
    else:
        st.caption(plain(b.text))


def stat(b: Stat, where: Any = st, prefix: str = "") -> None:
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


def table(b: Table, prefix: str = "") -> None:
    if b.title:
        st.subheader(plain(b.title))
    st.dataframe(b.frame, hide_index=True, column_config={c: _column(c, *spec) for c, spec in b.columns.items()})
    if b.caption:
        st.caption(plain(b.caption))
    source(b)


def chart(b: Chart, prefix: str = "", on_select: str = "ignore") -> Any:
    event = st.plotly_chart(b.figure, key=f"{prefix}chart-{b.key}", on_select=on_select, selection_mode="points",
                            theme=None)  # the figure's own colours: the same as in an exported report
    source(b)
    return event


def card(item: Card, mode: str, colours: dict[str, str], compact: bool = False, prefix: str = "") -> None:
    """One completion: header, question, the text (long ones cut), every verdict. The text is plain (st.code), with
    its spans in ⟦brackets⟧, or (mode highlight) each instrument's span in its colour — HTML made from escaped text."""
    st.text(f"{item.run_id} · step {item.step} · sample {item.sample}" if compact and item.run_id else item.header)
    if item.question and not compact:
        with st.expander("Question"):
            st.text(item.question)
    text = item.shown(mode)
    full = False
    if len(text) > texts.PREVIEW_CHARS:
        full = st.toggle("Show all", key=f"{prefix}full-{item.completion_id}-{compact}")
    if item.aside:
        left, right = st.columns(2)
        left.code(texts.preview(text, full), language=None, wrap_lines=True)
        right.text(item.aside)
    elif mode == "highlight" and item.spans:
        shown = item.text if full else item.text[:texts.PREVIEW_CHARS]
        st.html(texts.highlight_html(shown, item.spans, colours))
        if len(item.text) > len(shown):
            st.caption(f"… {len(item.text) - len(shown):,} more characters")
    else:
        st.code(texts.preview(text, full), language=None, wrap_lines=True)
    if item.lines:
        st.text(("\n" if compact else "   ").join(item.lines))


def legend(b: Cards) -> None:
    """Which colour is which instrument (escaped names, the block's colours)."""
    chips = " ".join(f'<mark style="background:{c};padding:0 .3rem">{escape.html(n)}</mark>'
                     for n, c in b.colours.items())
    st.html(f'<div style="font-size:.8rem">{chips}</div>')


def diff(item: Card) -> None:
    """The word diff against the same run's previous step (escaped HTML)."""
    if item.diff:
        with st.expander(f"changes since step {item.previous_step}"):
            st.html(texts.diff_html(item.diff))


def cards(b: Cards, prefix: str = "", follow: bool = False) -> None:
    """Cards in a list, the legend first when highlighted; `follow` adds a link to the prompt's strip through
    training."""
    if b.mode == "highlight" and any(c.spans for c in b.items):
        legend(b)
    for item in b.items:
        with st.container(border=True):
            card(item, b.mode, b.colours, prefix=prefix)
            if follow and item.problem_id:
                page, params = link(strip.State(problem=item.problem_id, runs=(item.run_id,),
                                                phase="eval" if item.phase == "final" else item.phase,
                                                decoding=item.decoding or "greedy"))
                st.page_link(f"pages/{page}.py", label="Follow this prompt through training", icon="🧵",
                             query_params=params)


def links(b: Links, prefix: str = "", title: bool = True) -> None:
    if b.title and title:
        st.subheader(plain(b.title))
    for label, page, params, detail in b.items:
        st.page_link(f"pages/{page}.py", label=plain(label), icon=b.icon or None, query_params=params,
                     help=plain(detail) if detail else None)


RENDER: dict[str, Callable[..., Any]] = {
    "note": note, "stat": stat, "table": table, "chart": chart, "cards": cards, "links": links}
