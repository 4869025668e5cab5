"""Text from files or users (run and metric names, status messages, notes, labels, completions) escaped for the
renderer it reaches: Streamlit's Markdown, plotly's HTML subset (legend, hover, axis titles), or an HTML page.
One function per renderer, so every call site says which one it feeds."""
from __future__ import annotations

import html as _html
import re

# CommonMark lets every ASCII punctuation character be backslash-escaped; escaping all of them also covers
# Streamlit's extensions (`:red[…]`, `:material/…:`, `$…$` LaTeX) and GFM tables and strikethrough.
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")
# GFM turns bare "http://…", "www.…" and "name@host" into links even when escaped (seen in the browser); a
# zero-width space inside each keeps the text as it reads while no link can form.
_AUTOLINK = re.compile(r"(?<=[A-Za-z])(?=://)|(?<=\b[wW]{3})(?=\.)|(?=@)")
ZERO_WIDTH_SPACE = "\u200b"


def markdown(text: object) -> str:
    """For st.caption / st.error / st.warning / widget labels: shows `text` as written, no markup, no links."""
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(ZERO_WIDTH_SPACE, str(text)))


_MARKDOWN_FILE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&])")


def markdown_file(text: object) -> str:
    """For a Markdown file (the report's export): the characters that are markup there escaped and bare links
    broken as in `markdown`, but commas, colons and the like left alone so the file still reads as prose."""
    return _MARKDOWN_FILE.sub(r"\\\1", _AUTOLINK.sub(ZERO_WIDTH_SPACE, "" if text is None else str(text)))


def plotly(text: object) -> str:
    """For trace names, hover text and axis titles: plotly renders <a href>, <b>, <br>, … there and decodes
    entities, so escaping <, > and & shows the text as written; "%{" becomes "&#37;{" so a name is never read as a
    hover-template field."""
    return _html.escape(str(text), quote=False).replace("%{", "&#37;{")


def html(text: object) -> str:
    """For text placed in an HTML page (the report): element content and quoted attribute values."""
    return _html.escape(str(text), quote=True)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal(text: object) -> str:
    """For a terminal (`yardstick view`): control characters — escape sequences that move the cursor, recolour or
    retitle the terminal — shown as \\xNN instead of acted on; newlines and tabs kept."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", "" if text is None else str(text))
