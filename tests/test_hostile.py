"""The hostile-input table (tests/cases/hostile.jsonl): archives, configs, files, names and killed processes. Each
row says what it tries and what must hold — a titled error naming the culprit, nothing written, no orphan, no
markup rendered. Files and archives are built here from the row's `make` (nothing big is committed)."""
from __future__ import annotations

import html
import io
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from conftest import CASES, REPO
from markdown_it import MarkdownIt

from yardstick import cli, views
from yardstick.errors import YardstickError
from yardstick.guard import escape
from yardstick.importers import import_path
from yardstick.importers.upload import save
from yardstick.jobs import queue
from yardstick.share import findings, html as report_html
from yardstick.store import queries
from yardstick.store.store import Batch, Store

ROWS = [json.loads(line) for line in (CASES / "hostile.jsonl").read_text().splitlines() if line.strip()]
GOOD = {"question": "What is 2+2?", "gold": "4", "text": "It is <answer>4</answer>."}


def rows(kind: str) -> list:
    return [pytest.param(r, id=r["id"]) for r in ROWS if r["kind"] == kind]


def test_every_row_says_what_it_tries_and_what_must_hold():
    assert len(ROWS) >= 60 and len({r["id"] for r in ROWS}) == len(ROWS)
    assert all(r.get("tries") and r.get("must") for r in ROWS)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def jsonl(make: dict, path: Path) -> Path:
    """A completions JSONL whose line `make["line"]` is the hostile one, in `make["encoding"]`."""
    if "nested" in make:
        bad = json.dumps(GOOD)[:-1] + ', "x": ' + nested(make["nested"]) + "}"
    else:
        bad = json.dumps({**GOOD, **{k: make[k] for k in ("gold", "text") if k in make}}, ensure_ascii=False)
    lines = [json.dumps(GOOD)] * (make.get("line", 1) - 1) + [bad]
    path.write_bytes(("\n".join(lines) + "\n").encode(make.get("encoding", "utf-8")))
    return path


@pytest.mark.parametrize("row", rows("config"))
def test_config(row, tmp_path, capsys, isolated_env):
    path = tmp_path / "config.json"
    if "make" in row:
        path.write_text('{"name": ' + nested(row["make"]["nested"]) + "}")
    else:
        path.write_text(json.dumps(row["config"]).replace("{CASES}", str(CASES)))
    assert cli.main(["train", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {row['title']}:") and row["names"] in err, err
    assert queue.folders() == [], "nothing may be created for a config that cannot run"


def run_folder(make: dict, tmp_path: Path) -> Path:
    """A copy of a committed import folder (tests/cases/bad_imports) whose file `make["replace"]` is a nesting
    bomb `make["nested"]` levels deep."""
    import shutil

    folder = shutil.copytree(CASES / "bad_imports" / make["folder"], tmp_path / make["folder"])
    (folder / make["replace"]).write_text(nested(make["nested"]))
    return folder


@pytest.mark.parametrize("row", rows("import"))
def test_import(row, tmp_path):
    make = row.get("make", {})
    path = run_folder(make, tmp_path) if "folder" in make else jsonl(make, tmp_path / "hostile.jsonl") if make \
        else CASES / "hostile" / row["file"]
    store = Store(tmp_path / "s.duckdb")
    before, revision = queries.summary(store), store.revision()
    if "imports" in row:
        assert import_path(store, path)[1].completions == row["imports"]
        return
    with pytest.raises(YardstickError) as err:
        import_path(store, path)
    assert err.value.title == row["title"] and row["names"] in err.value.message, err.value
    assert queries.summary(store) == before and store.revision() == revision


@pytest.mark.parametrize("row", rows("score"))
def test_score(row, tmp_path):
    path = jsonl(row["make"], tmp_path / "hostile.jsonl")
    proc = subprocess.run([sys.executable, "-m", "yardstick", "score", str(path)], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: {row['title']}:"), proc.stderr[-2000:]
    assert row["names"] in proc.stderr and "Traceback" not in proc.stderr


class Zeros(io.RawIOBase):
    """`size` zero bytes, read in chunks: a bomb is built without holding it in memory."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readinto(self, buf) -> int:
        n = min(len(buf), self.left)
        buf[:n] = bytes(n)
        self.left -= n
        return n


def members(spec: dict):
    """(name, size, reader) for one `make` member spec."""
    if "zeros_mb" in spec:
        yield spec["name"], spec["zeros_mb"] * 1024**2, lambda: Zeros(spec["zeros_mb"] * 1024**2)
        return
    body = ("\n".join([json.dumps(GOOD)] * spec["jsonl"]) if "jsonl" in spec else spec.get("text", "")).encode()
    for i in range(spec.get("count", 1)):
        yield spec["name"].format(i=i), len(body), lambda: io.BytesIO(body)


def archive(make: dict, name: str) -> bytes:
    buf = io.BytesIO()
    if "zip" in make:
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for spec in make["zip"]:
                for member, size, reader in members(spec):
                    with z.open(member, "w", force_zip64=size >= 2**31) as dst, reader() as src:
                        while chunk := src.read(1024**2):
                            dst.write(chunk)
        data = buf.getvalue()
        if "declare" in make:  # the local and central headers' uncompressed size
            data = bytearray(data)
            data[22:26] = make["declare"].to_bytes(4, "little")
            central = data.rindex(b"PK\x01\x02")
            data[central + 24:central + 28] = make["declare"].to_bytes(4, "little")
        return bytes(data[:int(len(data) * make.get("truncate", 1))])
    with tarfile.open(fileobj=buf, mode="w:gz" if name.endswith("gz") else "w") as t:
        for spec in make["tar"]:
            for member, size, reader in members(spec):
                info = tarfile.TarInfo(member)
                for key, kind in (("symlink", tarfile.SYMTYPE), ("hardlink", tarfile.LNKTYPE), ("fifo", tarfile.FIFOTYPE)):
                    if key in spec:
                        info.type, info.linkname = kind, str(spec[key]) if kind != tarfile.FIFOTYPE else ""
                if info.isfile():
                    info.size = size
                    t.addfile(info, reader())
                else:
                    t.addfile(info)
    return buf.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("row", rows("archive"))
def test_archive(row, tmp_path, isolated_env, monkeypatch):
    for key, value in row.get("env", {}).items():
        monkeypatch.setenv(key, value)
    data = archive(row["make"], row["name"])
    assert len(data) < 8 * 1024**2, "hostile archives are small uploads"
    if "imports" in row:
        store = Store(tmp_path / "s.duckdb")
        assert import_path(store, save(row["name"], data))[1].completions == row["imports"]
        return
    with pytest.raises(YardstickError) as err:
        save(row["name"], data)
    assert err.value.title == row["title"] and row.get("names", "") in err.value.message, err.value
    assert list((isolated_env / "imports").rglob("*")) == [], "a refused archive leaves nothing behind"
    assert not Path("/tmp/yardstick-abs-escape.txt").exists() and not (isolated_env / "escape.txt").exists()


class Markup(HTMLParser):
    """Start tags outside scripts, and what the scripts hold."""

    def __init__(self) -> None:
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


@pytest.mark.parametrize("row", rows("name"))
def test_name(row, tmp_path):
    text = row["text"]
    store = Store(tmp_path / "s.duckdb")
    store.ingest(Batch(runs=[{"run_id": text, "name": text, "reward_spec": "format"}], metrics=pd.DataFrame(
        {"run_id": text, "step": [0, 1], "name": [text, text], "value": [0.2, 0.5], "phase": "eval",
         "decoding": "sampled"})))
    fig = views.build(store, "curves", {"run": [text], "metric": [text]}).get("curves").figure
    shown = [t["name"] for t in fig["data"] if t.get("name")] + [a["text"] for a in fig["layout"]["annotations"]]
    assert shown and all("<" not in t and ">" not in t for t in shown)
    assert html.unescape(shown[0]).startswith(text)  # plotly decodes entities: it shows what was typed

    findings.pin(store, "curves", {"run": [text]}, text, text)
    page = Markup()
    page.feed(report_html.document(findings.reopen_all(store)))
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"a", "img", "b", "strong", "i", "em"}, tags
    plotly_scripts = go.Figure().to_html(full_html=False, include_plotlyjs="inline").count("<script")
    assert [tag for tag, _ in page.tags].count("script") == plotly_scripts  # plotly's own, nothing else
    assert all(text not in script for script in page.scripts if "<" in text)

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    assert re.fullmatch(r"<p>[^<]*</p>\n", md.render(escape.markdown(text))), md.render(escape.markdown(text))


def descendants(pid: int) -> set[tuple[int, str]]:
    """(pid, start time) of every process below `pid` (the start time tells a reused pid apart)."""
    children: dict[int, list[tuple[int, str]]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append((int(stat.parent.name), fields[19]))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def alive(procs: set[tuple[int, str]]) -> list[str]:
    left = []
    for pid, start in procs:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
        except OSError:
            continue
        if fields[19] == start and fields[0] != "Z":
            left.append(f"{pid}: {cmdline}")
    return left


def big_jsonl(path: Path, lines: int) -> Path:
    with path.open("w") as fh:
        for i in range(lines):
            fh.write(json.dumps({"run": "big", "question": f"What is {i % 997} + 1?", "gold": str(i % 997 + 1),
                                 "text": f"Add one: {i % 997} + 1 = {i % 997 + 1}. <answer>{i % 997 + 1}</answer>"}) + "\n")
    return path


def kill_when_workers_run(proc_pid: int, at_least: int = 3, timeout: float = 180) -> set[tuple[int, str]]:
    """Wait until the instrument workers (and the resource tracker) are up, then kill -9 `proc_pid`."""
    deadline = time.time() + timeout
    while len(procs := descendants(proc_pid)) < at_least:
        assert time.time() < deadline, f"the import never started its workers: {procs}"
        time.sleep(0.2)
    time.sleep(1)
    procs = descendants(proc_pid)
    os.kill(proc_pid, signal.SIGKILL)
    return procs


@pytest.mark.slow
@pytest.mark.parametrize("row", rows("kill"))
def test_kill(row, tmp_path, isolated_env):
    big = big_jsonl(tmp_path / "big.jsonl", row["lines"])
    isolated_env.mkdir(parents=True, exist_ok=True)
    if row["via"] == "cli":
        proc = subprocess.Popen([sys.executable, "-m", "yardstick", "import", str(big)], cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs = kill_when_workers_run(proc.pid)
        proc.wait()
    else:
        from browser import browser_page, server, streamlit_server

        with streamlit_server(isolated_env) as url, browser_page() as page:
            page.goto(url)  # the Overview page, with its import form
            page.get_by_text("Import data").first.click()
            page.get_by_label("Path on this machine").fill(str(big))
            page.get_by_label("Path on this machine").press("Enter")
            page.get_by_role("button", name="Import", exact=True).click()
            procs = kill_when_workers_run(server.proc.pid)
            server.proc.wait()
    deadline = time.time() + 5  # what it started must be gone within 5 s (each worker watches its parent)
    while alive(procs) and time.time() < deadline:
        time.sleep(0.2)
    assert alive(procs) == [], "orphans after kill -9"


PAGES = ["overview", "launch", "curves", "completions", "label", "audit", "judge", "report"]
FULL_DISK_APP = """
import json, resource, sys
from streamlit import config
from streamlit.testing.v1 import AppTest
config.set_option("server.address", "localhost")  # as under `make app` (see conftest.served_on_localhost)
at = AppTest.from_file(sys.argv[1], default_timeout=120)
at.run()
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), resource.RLIM_INFINITY))  # writes past this fail
next(w for w in at.text_input if w.label == "Path on this machine").set_value(sys.argv[2]).run()
next(b for b in at.button if b.label == "Import").click().run()
import time  # the import runs in its own thread: wait for it, then draw the page again
from yardstick.jobs import imports
while any(job["live"] for job in imports.jobs()):
    time.sleep(0.2)
at.run()
print(json.dumps({"errors": [e.value for e in at.error], "texts": [t.value for t in at.text],
                  "exceptions": [e.value for e in at.exception]}))
"""


def hold_store(path: Path) -> subprocess.Popen:
    """Another process holding the store, as a second app would."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom yardstick.store.store import Store\n"
                             "store = Store(sys.argv[1]); print('ready', flush=True); time.sleep(600)", str(path)],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def file_limit(store: Path) -> int:
    return store.stat().st_size + 256 * 1024  # room for the store as it is, not for what the import adds


@pytest.mark.slow
@pytest.mark.parametrize("row", rows("store"))
def test_store(row, tmp_path, isolated_env):

    from test_pages import open_page

    isolated_env.mkdir(parents=True, exist_ok=True)
    path = isolated_env / "yardstick.duckdb"
    Store(path).close()
    big = big_jsonl(tmp_path / "big.jsonl", 5000)
    if row["trouble"] == "held":
        holder = hold_store(path)
        try:
            if row["via"] == "app":
                for name in PAGES:
                    at = open_page(name)  # asserts: no exception on the page
                    assert [e.value for e in at.error] == [row["title"]], name
                    assert any(row["names"] in t.value and "YARDSTICK_HOME" in t.value for t in at.text), name
                return
            proc = subprocess.run([sys.executable, "-m", "yardstick", "import", str(big)], capture_output=True,
                                  text=True, cwd=REPO, timeout=120)
        finally:
            holder.kill()
            holder.wait()
    elif row["via"] == "app":
        proc = subprocess.run([sys.executable, "-c", FULL_DISK_APP, str(REPO / "app.py"), str(big),
                               str(file_limit(path))], capture_output=True, text=True, cwd=REPO, timeout=300)
        assert proc.stdout.strip(), proc.stderr[-3000:]
        page = json.loads(proc.stdout.splitlines()[-1])
        assert page["exceptions"] == [] and page["errors"] == [row["title"]], page
        assert any(row["names"] in t for t in page["texts"]), page
    else:
        import resource

        limit = file_limit(path)
        proc = subprocess.run([sys.executable, "-m", "yardstick", "import", str(big)], capture_output=True, text=True,
                              cwd=REPO, timeout=300,
                              preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    if row["via"] == "cli":
        assert proc.returncode == 2 and proc.stderr.startswith(f"error: {row['title']}:"), proc.stderr[-2000:]
        assert row["names"] in proc.stderr and "Traceback" not in proc.stderr
    assert queries.summary(Store(path))["completions"] == 0, "the store is as it was"


@pytest.mark.slow
@pytest.mark.parametrize("row", rows("serve"))
def test_serve(row, isolated_env, monkeypatch):
    for key, value in row["env"].items():
        monkeypatch.setenv(key, value)
    isolated_env.mkdir(parents=True, exist_ok=True)
    if "refuses" in row:
        address = ["--server.address", row["address"]] if row["address"] else []
        proc = subprocess.run([sys.executable, str(REPO / "pages/_serve.py"), "--server.headless", "true",
                               "--server.port", "1", *address], capture_output=True, text=True, cwd=REPO, timeout=60)
        assert proc.returncode == 2 and proc.stderr.startswith("Yardstick will not start:"), proc.stderr[-2000:]
        assert row["refuses"] in proc.stderr
        return
    from browser import browser_page, streamlit_server, wait_for_text

    with streamlit_server(isolated_env, address=row["address"]) as url, browser_page() as page:
        for path in ("", "/curves?run=x", "/launch"):
            page.goto(url + path)
            page.get_by_label("Access token").wait_for(timeout=60_000)
            body = page.inner_text("body")
            assert "Import data" not in body and "Launch" not in body and "Curves" not in body, body
        page.get_by_label("Access token").fill("wrong-token-wrong-token")
        page.get_by_role("button", name="Enter").click()
        wait_for_text(page, "That is not the access token.")
        page.get_by_label("Access token").fill(row["env"]["YARDSTICK_TOKEN"])
        page.get_by_role("button", name="Enter").click()
        wait_for_text(page, "Runs train in their own process")  # the page asked for: Launch


@pytest.mark.parametrize("row", rows("roots"))
def test_import_roots(row, tmp_path, isolated_env, monkeypatch):
    from test_pages import open_page

    root = tmp_path / "allowed"
    root.mkdir()
    monkeypatch.setenv("YARDSTICK_IMPORT_ROOTS", str(root))
    path = Path(row["path"].replace("{ROOT}", str(root)))
    if "link_to" in row:
        path.symlink_to(row["link_to"])
    at = open_page("overview")
    next(w for w in at.text_input if w.label == "Path on this machine").set_value(str(path)).run()
    next(b for b in at.button if b.label == "Import").click().run()
    assert [e.value for e in at.error] == [row["title"]] and not at.exception
    assert any(str(root) in t.value for t in at.text)
    assert queries.summary(Store(isolated_env / "yardstick.duckdb"))["completions"] == 0
