"""Reading JSONL files users hand us: clear errors with line numbers, and a size guard."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from core.errors import BadInput

MAX_BYTES = 2 * 1024**3


def first_object(path: Path) -> dict | None:
    """The first JSON object of a JSONL file, or None if the file does not start like one."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            for raw in fh:
                if raw.strip():
                    obj = json.loads(raw)
                    return obj if isinstance(obj, dict) else None
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def read_objects(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-empty line; a bad line is an error naming it."""
    if path.stat().st_size > MAX_BYTES:
        raise BadInput("File too large", f"{path.name} is over {MAX_BYTES // 1024**3} GB.")
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise BadInput("Bad JSONL", f"{path.name} line {number} is not valid JSON ({exc}).") from exc
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
