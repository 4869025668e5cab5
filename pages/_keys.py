"""The labelling keyboard: a tiny trusted component (components v2, inline JS) that turns keystrokes into actions.

It never renders completion text, only the digits being typed. Shortcuts are off while an input has focus
(typing a note); Esc leaves the input.
"""
from __future__ import annotations

import streamlit as st

KEYS = {"0-9 . - /": "type the committed answer", "Backspace": "delete a character",
        "Enter": "save the answer and go to the next", "n": "save 'no committed answer'", "s": "skip",
        "b": "back to the previous item", "?": "show or hide this cheatsheet", "Esc": "leave the note field"}

_JS = """
export default function(component) {
  const { data, setTriggerValue, parentElement } = component;
  let box = parentElement.querySelector('.ys-keys');
  if (!box) { box = document.createElement('div'); box.className = 'ys-keys'; parentElement.appendChild(box); }
  const s = window.__ysLabelKeys || (window.__ysLabelKeys = { buffer: '', item: null, handler: null });
  s.item = data.item;
  const render = () => { box.textContent = 'Answer: ' + (s.buffer || '_') + '    Enter saves · n none · s skip · b back · ? keys'; };
  render();
  if (s.handler) document.removeEventListener('keydown', s.handler, true);
  s.handler = (e) => {
    const t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) {
      if (e.key === 'Escape') t.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key, stamp = ':' + s.item + ':' + Date.now();
    if (/^[0-9.\\-\\/]$/.test(k)) { s.buffer += k; }
    else if (k === 'Backspace') { s.buffer = s.buffer.slice(0, -1); }
    else if (k === 'Enter') { if (!s.buffer) return; setTriggerValue('action', 'save' + stamp + ':' + s.buffer); s.buffer = ''; }
    else if (k === 'n') { setTriggerValue('action', 'none' + stamp); s.buffer = ''; }
    else if (k === 's') { setTriggerValue('action', 'skip' + stamp); s.buffer = ''; }
    else if (k === 'b') { setTriggerValue('action', 'back' + stamp); s.buffer = ''; }
    else if (k === '?') { setTriggerValue('action', 'help' + stamp); }
    else return;
    e.preventDefault();
    render();
  };
  document.addEventListener('keydown', s.handler, true);
}
"""
_CSS = ".ys-keys { font-family: monospace; font-size: 1.1rem; padding: 0.4rem 0; }"

_component = st.components.v2.component("yardstick.label_keys", js=_JS, css=_CSS)


def keyboard(item: int | None) -> tuple[str, int | None, str, str] | None:
    """The action typed since the last run: (kind, item it was typed for, answer, event id) or None. The event id
    is unique per keystroke, so typing the same answer again (after `b`) is a new action."""
    result = _component(data={"item": str(item)}, key="label-keys", on_action_change=lambda: None)
    raw = getattr(result, "action", None)
    if not raw:
        return None
    kind, item_typed, _, *answer = str(raw).split(":", 3)
    return kind, int(item_typed) if item_typed.lstrip("-").isdigit() else None, answer[0] if answer else "", str(raw)


_ARROWS_JS = """
export default function(component) {
  const { setTriggerValue } = component;
  const s = window.__ysArrows || (window.__ysArrows = { handler: null });
  if (s.handler) document.removeEventListener('keydown', s.handler, true);
  s.handler = (e) => {
    const t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    if (e.key === 'ArrowRight' || e.key === 'PageDown' || e.key === ' ') { setTriggerValue('move', 'next:' + Date.now()); }
    else if (e.key === 'ArrowLeft' || e.key === 'PageUp') { setTriggerValue('move', 'prev:' + Date.now()); }
    else return;
    e.preventDefault();
  };
  document.addEventListener('keydown', s.handler, true);
}
"""
_arrows = st.components.v2.component("yardstick.meeting_keys", js=_ARROWS_JS)


def arrows() -> tuple[str, str] | None:
    """The arrow key pressed since the last run: ("next" | "prev", event id) or None (meeting mode)."""
    raw = getattr(_arrows(key="meeting-keys", on_move_change=lambda: None), "move", None)
    return (str(raw).split(":", 1)[0], str(raw)) if raw else None
