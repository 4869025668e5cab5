"""One renderer table per way out of a View — the page, HTML, Markdown and the CLI's text — each with an entry for
every block kind: a kind added to views/blocks.py without one fails here, instead of being dropped silently."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import REPO
from streamlit.testing.v1 import AppTest

from yardstick.share import html, markdown, text
from yardstick.views import cards
from yardstick.views.blocks import KINDS, Cards, Chart, Links, Note, Source, Stat, Table, View

HOSTILE = "<img src=x onerror=alert(1)> **bold** [link](http://evil) \x1b]0;retitled\x07\x1b[31mred"


def sample_view() -> View:
    """One block of every kind, each carrying hostile text where a user's or a model's text can appear."""
    src = Source(query="a test", runs=("r1",), n=3)
    card = cards.Card(header=f"r1 · step 1 · {HOSTILE}", text=f"The answer is 42. {HOSTILE}", marked="",
                      spans=[{"instrument": "last_number", "span_start": 14, "span_end": 16}],
                      lines=["last_number → 42 ✓"], question="What is 6*7?", completion_id=1, run_id="r1", step=1)
    card.marked = card.text[:14] + "⟦42⟧{last_number}" + card.text[16:]
    blocks = [Note("note", text=f"a note {HOSTILE}", tone="warning"),
              Stat("stat", label=f"rate {HOSTILE}", value=0.5, fmt="{:.2f}", n=3, lo=0.1, hi=0.9, source=src),
              Table("table", frame=pd.DataFrame({"run": [HOSTILE], "value": [0.25]}), title="a table", source=src),
              Chart("chart", figure={"data": [{"type": "scatter", "x": [0, 1], "y": [0, 1], "name": "r1"}],
                                     "layout": {}}, title="a chart", source=src),
              Cards("cards", items=[card], total=1, title="cards", mode="highlight",
                    colours={"last_number": "#ffe08a"}, source=src),
              Links("links", items=[(f"flag {HOSTILE}", "curves", {"run": ["r1"]}, "why")], title="links")]
    assert {b.kind for b in blocks} == set(KINDS), "the sample must hold one block of every kind"
    return View("overview", "sample", {}, 1, blocks)


def page_renderer():
    from pages import _render

    return _render.RENDER


@pytest.mark.parametrize("table", [html.RENDER, markdown.RENDER, text.RENDER], ids=["html", "markdown", "text"])
def test_every_block_kind_has_an_entry_and_renders_escaped(table):
    assert set(table) == set(KINDS)
    plotly = html._Plotly()
    for block in sample_view().blocks:
        out = table[block.kind](block, plotly) if table is html.RENDER else table[block.kind](block)
        out = out if isinstance(out, str) else "\n".join(out)
        assert out.strip(), f"{block.kind} rendered nothing"
        if table is html.RENDER:
            assert "<img src=x" not in out, f"{block.kind}: raw HTML from a file reached the output"
        if table is text.RENDER:
            assert "\x1b" not in out and "\x07" not in out, f"{block.kind}: a terminal escape reached the terminal"
        if table is markdown.RENDER:  # markup escaped, except inside a code fence (a completion's text)
            outside = re.sub(r"(`{3,})\n.*?\n\1", "", out, flags=re.S)
            assert not re.search(r"(?<!\\)<img|(?<!\\)\*\*bold", outside), f"{block.kind}: markup reached Markdown"


def test_the_page_has_an_entry_for_every_kind_and_shows_each(tmp_path):
    assert set(page_renderer()) == set(KINDS)
    (tmp_path / "pages").symlink_to(REPO / "pages")  # page links resolve against the app's pages
    (tmp_path / "sample_app.py").write_text(
        "import streamlit as st\n\n"
        "def sample():\n"
        "    from test_renderers import sample_view\n"
        "    from pages import _render\n"
        "    _render.view(sample_view())\n\n"
        "st.navigation([st.Page(sample, title='sample', url_path='sample', default=True),\n"
        "               st.Page('pages/curves.py', url_path='curves')]).run()\n")
    at = AppTest.from_file(str(tmp_path / "sample_app.py")).run(timeout=60)
    assert not at.exception, at.exception
    assert any("a note" in w.value for w in at.warning)
    assert [m.label for m in at.metric][0].startswith("rate")
    assert len(at.dataframe) == 1 and at.get("plotly_chart")
    assert any("r1 · step 1" in t.value for t in at.text)  # the card's header, as text
    assert at.get("page_link")


def test_a_snapshot_round_trips_every_kind():
    view = sample_view()
    again = View.from_snapshot(view.snapshot())
    assert again.digest() == view.digest()
    assert isinstance(again.get("cards").items[0], cards.Card)
