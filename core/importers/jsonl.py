"""Reading JSONL files users hand us: clear errors with line numbers, a size guard, and a numeric gold."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from yardstick.errors import BadInput
from yardstick.guard import jsontext
from yardstick.instruments.numbers import normalize

MAX_BYTES = 2 * 1024**3


def first_object(path: Path) -> dict | None:
    """The first JSON object of a JSONL file, or None if the file does not start like one (a nesting bomb on the
    first line is still an error: it is refused, not skipped)."""
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            if raw.strip():
                try:
                    obj = jsontext.loads(raw, f"{path.name} line {number}")
                except BadInput as exc:
                    if exc.title == jsontext.TOO_DEEP:
                        raise
                    return None
                return obj if isinstance(obj, dict) else None
    return None


def read_objects(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-empty line; a bad line is an error naming it."""
    if path.stat().st_size > MAX_BYTES:
        raise BadInput("File too large", f"{path.name} is over {MAX_BYTES // 1024**3} GB.")
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            obj = jsontext.loads(raw, f"{path.name} line {number}")
            if not isinstance(obj, dict):
                raise BadInput("Bad JSONL", f"{path.name} line {number} is not a JSON object.")
            yield number, obj


def require_text(obj: dict, key: str, where: str) -> str:
    value = obj.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "text":
        return str(value)
    if not isinstance(value, str):
        raise BadInput("Missing field", f"{where}: {key!r} must be a string (got {type(value).__name__}).")
    return value.replace("\x00", "\ufffd")


def require_gold(gold: str, where: str) -> str:
    """Gold must read as a number: every instrument's verdict compares with it, so a gold such as "5 apples" or
    "5 <img …>" would make every completion of that problem wrong without a word."""
    if normalize(gold) is None:
        raise BadInput("Gold is not a number", f"{where}: gold {gold[:60]!r} is not a number (e.g. 42, 1,234, "
                       "-3.5, 3/4). Fix that line; nothing was imported.")
    return gold
