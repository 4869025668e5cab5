"""Uploaded files: a JSONL is saved as is; a .zip or .tar(.gz) (e.g. a run folder from a GPU cluster) is unpacked,
refusing members that would land outside the target folder. Then the ordinary import_path takes over."""
from __future__ import annotations

import io
import re
import tarfile
import zipfile
from pathlib import Path

from core import home
from core.errors import BadInput

MAX_BYTES = 2 * 1024**3


def save(name: str, data: bytes) -> Path:
    """Write an upload under $YARDSTICK_HOME/imports and return the path to import."""
    if len(data) > MAX_BYTES:
        raise BadInput("Upload too large", "Uploads are limited to 2 GB; import big folders by path instead.")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name) or "upload"
    target = home.home() / "imports" / stem
    target.parent.mkdir(parents=True, exist_ok=True)
    lower = stem.lower()
    if lower.endswith(".zip"):
        return _unpack_zip(data, target.with_suffix(""))
    if lower.endswith((".tar", ".tar.gz", ".tgz")):
        return _unpack_tar(data, Path(str(target).removesuffix(".gz").removesuffix(".tar").removesuffix(".tgz")))
    target.write_bytes(data)
    return target


def _root(folder: Path) -> Path:
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else folder


def _safe(folder: Path, member: str) -> None:
    if not (folder / member).resolve().is_relative_to(folder.resolve()):
        raise BadInput("Unsafe archive", f"{member!r} would be written outside the import folder; nothing was "
                       "imported.")


def _unpack_zip(data: bytes, folder: Path) -> Path:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for member in z.namelist():
                _safe(folder, member)
            z.extractall(folder)
    except zipfile.BadZipFile as exc:
        raise BadInput("Bad archive", f"not a readable zip file ({exc}).") from None
    return _root(folder)


def _unpack_tar(data: bytes, folder: Path) -> Path:
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as t:
            for member in t.getmembers():
                _safe(folder, member.name)
                if member.issym() or member.islnk():
                    raise BadInput("Unsafe archive", f"{member.name!r} is a link; nothing was imported.")
            t.extractall(folder, filter="data")
    except tarfile.TarError as exc:
        raise BadInput("Bad archive", f"not a readable tar file ({exc}).") from None
    return _root(folder)
