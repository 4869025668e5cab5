"""Each renderer gets text escaped for itself: rendered, hostile names and messages come out as the text written."""
from __future__ import annotations

import html
from html.parser import HTMLParser

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from yardstick.guard import escape
from yardstick.views import charts

HOSTILE = ['<a href="http://127.0.0.1:9/x">x</a>', "**bold** _it_ `code` ~~gone~~", "![x](http://127.0.0.1:9/beacon)",
           "[link](javascript:alert(1))", "<img src=x onerror=alert(1)>", "# heading", "| a | b |\n|---|---|\n| 1 | 2 |",
           ":red[colour] :material/home: $x^2$", "<http://127.0.0.1:9/auto>", "a & b &lt;b&gt; \\*x\\*", "1. 2) - + >quote",
           "</script><script>alert(1)</script>", "plain run-name_1.0"]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text += data


def parsed(markup: str) -> Tags:
    parser = Tags()
    parser.feed(markup)
    return parser


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_renders_as_the_text_written(text):
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])  # CommonMark + the GFM parts Streamlit has
    out = parsed(md.render(escape.markdown(text)))
    assert set(out.tags) <= {"p"}, out.tags
    shown = out.text.replace(escape.ZERO_WIDTH_SPACE, "")  # the space that keeps URLs from becoming links
    assert shown.replace("\n", " ").strip() == text.replace("\n", " ").strip()


def test_markdown_breaks_every_autolink():
    for text in ["http://127.0.0.1:9/x", "see www.example.com", "mail a.b@example.com", "HTTPS://X.ORG"]:
        shown = escape.markdown(text).replace("\\", "").lower()
        assert "http://" not in shown and "https://" not in shown and "www." not in shown, shown
        assert all(shown[i - 1] == escape.ZERO_WIDTH_SPACE for i, c in enumerate(shown) if c == "@"), shown


@pytest.mark.parametrize("text", HOSTILE)
def test_plotly_and_html_escape_every_tag(text):
    for escaped in (escape.plotly(text), escape.html(text)):
        assert "<" not in escaped and ">" not in escaped
        assert html.unescape(escaped) == text
    assert '"' not in escape.html(text) and "'" not in escape.html(text)  # safe inside attribute values too


def test_chart_trace_names_reach_plotly_escaped():
    import pandas as pd

    name = '<a href="http://127.0.0.1:9/x">x</a>'
    df = pd.DataFrame({"run_id": name, "line": name, "runs": name, "name": ["reward", name], "decoding": "sampled",
                       "step": 1, "value": 0.5, "reward_spec": "format", "phase": "eval"})
    fig = charts.panels(df, ["reward", name])
    shown = [t.name for t in fig.data if t.name] + [a.text for a in fig.layout.annotations]
    assert all("<a" not in t for t in shown) and any("&lt;a href" in t for t in shown)
    assert [t.customdata[0][0] for t in fig.data] == [name, name]  # clicks still open the run by its real id


def test_the_markdown_export_keeps_names_and_notes_as_text():
    text = "see http://x.example or www.y.example, mail a@b.c & pay $5 | *bold*"
    shown = escape.markdown_file(text)
    assert escape.ZERO_WIDTH_SPACE + "://" in shown and "www" + escape.ZERO_WIDTH_SPACE + "\\." in shown
    assert escape.ZERO_WIDTH_SPACE + "@" in shown and "\\&" in shown and "\\$5" in shown and "\\| \\*bold\\*" in shown
    assert shown.replace("\\", "").replace(escape.ZERO_WIDTH_SPACE, "") == text


def test_a_name_is_never_read_as_a_plotly_hover_field():
    """Seen in Chromium: a run named "r%{x}" showed as "r" in the legend and "r10" in the hover before."""
    name = "r%{x}"
    fig = charts.panels(pd.DataFrame({"run_id": name, "line": name, "runs": name, "name": "reward", "decoding": "sampled",
                                      "step": [1, 2], "value": 0.5, "reward_spec": "format", "phase": "eval"}),
                        ["reward"])
    (trace,) = fig.data
    assert "%{x}" not in trace.name and html.unescape(trace.name) == name
    assert html.unescape(trace.hovertemplate.split("<br>")[0]).startswith(name)
    assert trace.hovertemplate.count("%{") == 2  # only the template's own fields: step and value
