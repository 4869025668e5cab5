"""JSON text users hand us (JSONL imports, `yardstick score` input, run configs): UTF-8 only, nested at most
MAX_DEPTH levels, every failure a titled error that names the line. A UTF-16 or latin-1 file is named as such
rather than "unrecognised"; a nesting bomb is refused before Python's parser recurses on it."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from yardstick.errors import BadInput

TOO_DEEP = "Too deeply nested"
MAX_DEPTH = 64  # Yardstick's own records nest 3 levels; this leaves room for any honest extra field
SNIFF_BYTES = 64 * 1024
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


def loads(raw: bytes | str, where: str, bad_title: str = "Bad JSONL", record: bool = True) -> Any:
    """One JSON document (a JSONL line, a config file); `where` names it in errors ("data.jsonl line 3").
    A `record` (kept as it is) is refused beyond MAX_DEPTH; another tool's whole file (a W&B table of many MB, a
    trainer_state.json), of which readers take known fields, skips that scan and is refused only where the parser
    would recurse too deep."""
    text = decode(raw, where) if isinstance(raw, bytes) else raw
    if record and text.count("[") + text.count("{") > MAX_DEPTH and depth(text) > MAX_DEPTH:
        raise too_deep(where)
    try:
        return json.loads(text)
    except RecursionError:
        raise too_deep(where) from None
    except ValueError as exc:
        raise BadInput(bad_title, f"{where} is not valid JSON ({exc}).") from None


def decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8-sig")  # a UTF-8 byte-order mark is dropped
    except UnicodeDecodeError as exc:
        raise not_utf8(where, f"byte 0x{raw[exc.start]:02x} at position {exc.start}") from None


def depth(text: str) -> int:
    """How deeply arrays and objects nest (brackets inside strings do not count)."""
    level = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        level += 1 if bracket in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def sniff(path: Path) -> None:
    """Refuse a text file that is not UTF-8 (UTF-16/32, latin-1, Windows-1252), naming what it looks like.
    Binary files pass: the importers then say they do not recognise them."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    for bom, name in _BOMS.items():
        if head.startswith(bom):
            raise not_utf8(path.name, f"it starts with a {name} byte-order mark", name)
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and not head[0::2].count(0):
        raise not_utf8(path.name, "every other byte is zero", "UTF-16LE")
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and not head[1::2].count(0):
        raise not_utf8(path.name, "every other byte is zero", "UTF-16BE")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and len(head) == SNIFF_BYTES:
            return  # a character cut by the sniff window, not a bad byte
        if 0 in head or sum(b < 32 and b not in b"\t\n\r" for b in head) > len(head) // 100:
            return  # binary, not text in another encoding
        line = head.count(b"\n", 0, exc.start) + 1
        raise not_utf8(f"{path.name} line {line}", f"byte 0x{head[exc.start]:02x} is not UTF-8",
                       "latin-1") from None


def not_utf8(where: str, why: str, guess: str = "latin-1") -> BadInput:
    return BadInput("Not UTF-8", f"{where} is not UTF-8 text ({why}; it looks like {guess}). Save it as UTF-8, "
                    f"e.g. `iconv -f {guess} -t UTF-8 IN > OUT`, and import that.")


def too_deep(where: str) -> BadInput:
    return BadInput(TOO_DEEP, f"{where} nests arrays or objects too deeply to read (a record may nest "
                    f"{MAX_DEPTH} levels; Yardstick's own nest 3): it is not a file Yardstick can use.")
