"""A view's State is its URL: a frozen dataclass whose fields say their URL key; this module is the one codec.

`from_params` reads what a URL (or a pinned finding) holds — unknown keys ignored, bad values dropped to their
default — and `to_params` writes only what differs from the default, so links stay short and round-trip exactly.
Nested dataclass fields (e.g. the shared completions Filter) are flattened into the same parameters.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, Mapping, TypeVar

S = TypeVar("S", bound="State")
Params = Mapping[str, "list[str] | tuple[str, ...] | str"]


def url(key: str, default: Any = None, **meta: Any) -> Any:
    """A State field stored under URL key `key` (a key ending in "." holds a mapping: `v.lenient=correct`)."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("State fields are immutable: use a tuple")
    return dataclasses.field(default=default, metadata={"url": key, **meta})


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _values(params: Params, key: str) -> list[str]:
    raw = params.get(key)
    if raw is None:
        return []
    return [raw] if isinstance(raw, str) else [str(v) for v in raw]


def _parse(kind: Any, values: list[str]) -> Any:
    """One field's value from its URL strings; raises ValueError when they do not fit the type."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple:
        item = args[0]
        return tuple(_parse(item, [v]) for v in values)
    if not values:
        raise ValueError("absent")
    value = values[-1]
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)][0]
        return _parse(inner, [value])
    if kind is bool:
        if value not in ("true", "false", "1", "0"):
            raise ValueError(value)
        return value in ("true", "1")
    if kind is int:
        if not value.lstrip("-").isdigit() or len(value) > 18:
            raise ValueError(value)
        return int(value)
    if kind is float:
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(value)
        return number
    return value


def _format(value: Any) -> list[str]:
    if isinstance(value, tuple):
        return [s for v in value for s in _format(v)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


@dataclasses.dataclass(frozen=True)
class State:
    """Base of every view's State. Subclasses are frozen dataclasses of `url(...)` fields."""

    @classmethod
    def from_params(cls: type[S], params: Params) -> S:
        values: dict[str, Any] = {}
        hints = _hints(cls)
        for f in dataclasses.fields(cls):
            kind = hints[f.name]
            if dataclasses.is_dataclass(kind):
                values[f.name] = kind.from_params(params)
                continue
            key = f.metadata.get("url", f.name)
            if key.endswith("."):  # a mapping spread over keys: v.lenient=correct
                allowed = f.metadata.get("allowed")
                pairs = [(k[len(key):], _values(params, k)[-1]) for k in sorted(params) if k.startswith(key)
                         and _values(params, k)]
                values[f.name] = tuple((k, v) for k, v in pairs if allowed is None or v in allowed)
                continue
            try:
                parsed = _parse(kind, _values(params, key))
            except ValueError:
                continue
            allowed = f.metadata.get("allowed")
            if allowed is not None:
                parsed = tuple(v for v in parsed if v in allowed) if isinstance(parsed, tuple) else parsed
                if not isinstance(parsed, tuple) and parsed not in allowed:
                    continue
            values[f.name] = parsed
        return cls(**values)

    def to_params(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        hints = _hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if dataclasses.is_dataclass(hints[f.name]):
                out.update(value.to_params())
                continue
            if value == f.default or value is None or value == ():
                continue
            key = f.metadata.get("url", f.name)
            if key.endswith("."):
                out.update({key + k: [v] for k, v in value})
            else:
                out[key] = _format(value)
        return out

    @classmethod
    def owns(cls, key: str) -> bool:
        """Whether URL parameter `key` belongs to this State (a page clears its own keys before writing)."""
        hints = _hints(cls)
        for f in dataclasses.fields(cls):
            if dataclasses.is_dataclass(hints[f.name]):
                if hints[f.name].owns(key):
                    return True
                continue
            name = f.metadata.get("url", f.name)
            if key == name or (name.endswith(".") and key.startswith(name)):
                return True
        return False

    def replace(self: S, **changes: Any) -> S:
        return dataclasses.replace(self, **changes)
