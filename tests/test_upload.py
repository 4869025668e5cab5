"""Uploading a run folder archive from another machine, and archives that try to escape."""
from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from yardstick.errors import YardstickError
from yardstick.importers import import_path
from yardstick.importers.upload import save
from yardstick.record.folder import RunFolder
from yardstick.store import queries
from yardstick.store.store import Store


def run_folder(path) -> None:
    folder = RunFolder(path).create("recorded", {"model": "Qwen/Qwen2.5-0.5B-Instruct", "reward": "format", "steps": 2})
    folder.set_status(state="finished", step=2)
    folder.write_completions("train", 1, [{"question": "2+2?", "gold": "4", "text": "<answer>4</answer>",
                                           "decoding": "sampled", "sample": 0, "reward": 1.0}])
    folder.write_steps(1, {"reward": 1.0, "frac_reward_zero_std": 0.0})


def test_a_zipped_run_folder_imports(tmp_path, isolated_env):
    run_folder(tmp_path / "gpu-run")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for p in (tmp_path / "gpu-run").rglob("*"):
            z.write(p, p.relative_to(tmp_path))
    store = Store(isolated_env / "yardstick.duckdb")
    kind, result = import_path(store, save("gpu-run.zip", buf.getvalue()))
    assert kind == "run folder" and result.completions == 1 and result.metrics == 2
    assert queries.runs(store).set_index("run_id").loc["gpu-run", "status"] == "finished"


@pytest.mark.parametrize("name", ["../escape.txt", "/tmp/abs-escape.txt"])
def test_archives_cannot_write_outside_the_import_folder(tmp_path, isolated_env, name):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        info = tarfile.TarInfo(name)
        info.size = 2
        t.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(YardstickError, match="Unsafe archive"):
        save("evil.tar.gz", buf.getvalue())
    assert not (isolated_env / "imports" / "escape.txt").exists() and not (tmp_path / "escape.txt").exists()


def test_garbage_archive(isolated_env):
    with pytest.raises(YardstickError, match="Bad archive"):
        save("broken.zip", b"not a zip")
