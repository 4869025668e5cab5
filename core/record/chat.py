"""Chat messages as text: the one reader of TRL's shapes, for the recorder (what a reward function is handed) and
the importers (what a completions table or a W&B table holds).

A prompt or completion is a string, or a list of messages whose `content` is a string or a list of content blocks
(`{"type": "text", "text": …}`; images and other blocks are left out). Lists read back from parquet are numpy
arrays: anything iterable that is not a string or a mapping counts as a list.
"""
from __future__ import annotations

from typing import Any


def _listlike(value: Any) -> bool:
    return not isinstance(value, (str, bytes, dict)) and hasattr(value, "__iter__")


def message_text(content: Any) -> str:
    """A message's content as text: a string, or a list of blocks of which the text ones count."""
    if isinstance(content, str):
        return content
    if _listlike(content):
        return "".join(b.get("text") or "" for b in content if isinstance(b, dict) and b.get("type") == "text")
    return "" if content is None else str(content)


def prompt_text(prompt: Any) -> str:
    """A prompt as the question to show: plain text as is; chat messages → the last user message."""
    if _listlike(prompt):
        messages = [m for m in prompt if isinstance(m, dict)]
        users = [m for m in messages if m.get("role") == "user"] or messages
        return message_text(users[-1].get("content")) if users else ""
    return "" if prompt is None else str(prompt)


def completion_text(completion: Any) -> str:
    """A completion as text: chat completions are the messages' contents joined."""
    if _listlike(completion):
        return "".join(message_text(m.get("content")) for m in completion if isinstance(m, dict))
    return "" if completion is None else str(completion)
