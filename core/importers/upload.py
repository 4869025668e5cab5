"""Uploaded files: a JSONL is saved as is; a .zip or .tar(.gz) (a run folder from a GPU cluster, or one JSONL) is
unpacked under caps on its total unpacked size and member count, checked from the headers before anything is
written and again while streaming (headers can lie). A refused archive leaves nothing behind: it is unpacked into
a staging folder that is removed on any failure and renamed into place only when complete."""
from __future__ import annotations

import io
import os
import re
import shutil
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterator

from yardstick import home
from yardstick.errors import BadInput

MAX_BYTES = 2 * 1024**3
CHUNK = 1024**2


@dataclass(frozen=True)
class Limits:
    """What one archive may unpack to: $YARDSTICK_UNPACK_MAX_MB (default 1024) and $YARDSTICK_UNPACK_MAX_FILES
    (default 100,000: a run folder holds about two files per logged step). Bigger data: import it by path."""

    max_bytes: int
    max_members: int

    @classmethod
    def current(cls) -> "Limits":
        return cls(_env_int("YARDSTICK_UNPACK_MAX_MB", 1024) * 1024**2, _env_int("YARDSTICK_UNPACK_MAX_FILES", 100_000))


@dataclass(frozen=True)
class Member:
    name: str
    size: int  # as the header declares it
    is_dir: bool
    open: Callable[[], IO[bytes]]


def save(name: str, data: bytes) -> Path:
    """Write an upload under $YARDSTICK_HOME/imports and return the path to import."""
    if len(data) > MAX_BYTES:
        raise BadInput("Upload too large", "Uploads are limited to 2 GB; import big folders by path instead.")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name).lstrip(".") or "upload"
    imports = home.home() / "imports"
    imports.mkdir(parents=True, exist_ok=True)
    _clear_stale(imports)
    lower = stem.lower()
    if lower.endswith(".zip"):
        return _unpack(_zip_members, data, imports / stem[:-4])
    if lower.endswith((".tar", ".tar.gz", ".tgz")):
        return _unpack(_tar_members, data, imports / re.sub(r"(\.tar\.gz|\.tgz|\.tar)$", "", stem, flags=re.I))
    target = imports / stem
    staged = imports / f".{stem}.{os.getpid()}.partial"
    try:
        staged.write_bytes(data)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    return target


def _unpack(members: Callable[[bytes], Iterator[Member]], data: bytes, folder: Path) -> Path:
    limits = Limits.current()
    staging = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=folder.parent))
    try:
        listed = _checked(members(data), limits, staging)
        free = shutil.disk_usage(staging).free
        if sum(m.size for m in listed) > free - 64 * 1024**2:
            raise BadInput("Not enough disk space", f"The archive unpacks to {_mb(sum(m.size for m in listed))}; "
                           f"{_mb(free)} is free where imports go ({folder.parent}). Nothing was written.")
        written = 0
        for member in listed:
            written += _write(member, staging, limits, written)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BadInput("Bad archive", f"it could not be unpacked ({type(exc).__name__}: {exc}"[:300] +
                       "); nothing was imported.") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return _root(folder)


def _checked(members: Iterator[Member], limits: Limits, staging: Path) -> list[Member]:
    """Every member's header, refused as soon as one breaks a rule (before any byte is unpacked)."""
    listed, total = [], 0
    for member in members:
        listed.append(member)
        total += member.size
        if len(listed) > limits.max_members:
            raise BadInput("Archive too large", f"It holds more than {limits.max_members:,} files (the limit, "
                           "$YARDSTICK_UNPACK_MAX_FILES). Nothing was written; import it by path instead.")
        if total > limits.max_bytes:
            raise _too_big(limits, f"its headers declare more than {_mb(limits.max_bytes)}")
        if not (staging / member.name).resolve().is_relative_to(staging.resolve()):
            raise BadInput("Unsafe archive", f"{member.name[:200]!r} would be written outside the import folder; "
                           "nothing was imported.")
    return listed


def _write(member: Member, staging: Path, limits: Limits, before: int) -> int:
    """Stream one member to disk, stopping past its declared size or the archive's limit (`before` bytes are
    already unpacked)."""
    path = staging / member.name
    if member.is_dir:
        path.mkdir(parents=True, exist_ok=True)
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with member.open() as src, path.open("wb") as dst:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > member.size:
                raise BadInput("Unsafe archive", f"{member.name[:200]!r} unpacks to more than its header says; "
                               "nothing was imported.")
            if before + written > limits.max_bytes:
                raise _too_big(limits, "it unpacked past that")
            dst.write(chunk)
    return written


def _zip_members(data: bytes) -> Iterator[Member]:
    z = zipfile.ZipFile(io.BytesIO(data))
    for info in z.infolist():
        if info.filename.strip("/"):
            yield Member(info.filename, info.file_size, info.is_dir(), lambda info=info: z.open(info))


def _tar_members(data: bytes) -> Iterator[Member]:
    t = tarfile.open(fileobj=io.BytesIO(data))
    for info in t:  # lazily: a header past a limit stops the listing before the rest is decompressed
        if not (info.isfile() or info.isdir()):
            raise BadInput("Unsafe archive", f"{info.name[:200]!r} is a link or a device; nothing was imported.")
        if info.name.strip("/."):
            yield Member(info.name, 0 if info.isdir() else info.size, info.isdir(),
                         lambda info=info: t.extractfile(info))


def _clear_stale(imports: Path) -> None:
    """Staging folders left by a process killed mid-unpack (an hour old: no unpack takes that long)."""
    for stale in imports.glob(".unpacking-*"):
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def _root(folder: Path) -> Path:
    """What to import: the folder, or the one folder or file it holds (a zipped run folder, a zipped JSONL)."""
    while True:
        entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX"]
        if len(entries) != 1:
            return folder
        if not entries[0].is_dir():
            return entries[0]
        folder = entries[0]


def _too_big(limits: Limits, why: str) -> BadInput:
    return BadInput("Archive too large", f"Archives may unpack to at most {_mb(limits.max_bytes)} "
                    f"($YARDSTICK_UNPACK_MAX_MB) and {why}. Nothing was written; import it by path instead.")


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip().isdigit() and int(raw) > 0 else default
