"""Load and fault tests, bounded in time and traffic, loopback only: many sessions reading while
imports commit and undo, SIGKILL in the middle of an import, a read-only or full disk, and a
server that serves 1,000 page loads without growing."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import PROJECT, subprocess_env
from journey.build import open_store

IMPORT_ROWS = (
    300_000  # under the 15 MB upload limit; a CLI import of this many rows takes several seconds: room to kill it midway
)


OBSERVATIONS_HASH = (
    "SELECT count(*) n, coalesce(sum(hash(obs_id, area_code, measure, period_start, period_end, value, "
    "symbol, source, vintage, replaced_by)), 0) h FROM observations"
)


def observations_hash(store, committed_only: bool = False) -> tuple[int, int]:
    """(rows, a hash of their content) of the observations (of committed imports only)."""
    where = " WHERE import_id IN (SELECT import_id FROM imports WHERE status = 'committed')" if committed_only else ""
    row = store.query(OBSERVATIONS_HASH + where).iloc[0]
    return int(row["n"]), int(row["h"])


def fingerprint(db: Path) -> tuple:
    """Everything an import changes, as numbers: rows, a hash of their content, the import log
    and the data version. Equal fingerprints mean equal stores for these tests."""
    s = open_store(db, read_only=True)
    try:
        imports = s.query("SELECT count(*) n, coalesce(sum(hash(import_id, status, rows_added)), 0) h FROM imports").iloc[0]
        return (*observations_hash(s), int(imports["n"]), int(imports["h"]), s.meta("data_version"))
    finally:
        s.close()


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "journey", *args],
        cwd=PROJECT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    from bench.synthetic import tidy_csv

    path = tmp_path_factory.mktemp("big") / "scorecards.csv"
    path.write_bytes(tidy_csv(IMPORT_ROWS))
    return path


# ---- crash safety ------------------------------------------------------------------------
def test_sigkill_during_an_import_leaves_the_store_as_it_was(default_db, big_csv, tmp_path):
    db = tmp_path / "crash.duckdb"
    shutil.copy(default_db, db)
    # How long one whole import takes on this machine, so the kills land across all of it.
    start = time.perf_counter()
    first = _cli("import", str(big_csv), "--db", str(db), "--accept-warnings")
    duration = time.perf_counter() - start
    assert first.returncode == 0, first.stderr
    assert _cli("undo", str(fingerprint(db)[2]), "--db", str(db)).returncode == 0
    before = fingerprint(db)
    rng = random.Random(20261122)
    killed_midway = completed = 0
    for _ in range(25):
        proc = subprocess.Popen(
            [sys.executable, "-m", "journey", "import", str(big_csv), "--db", str(db), "--accept-warnings"],
            cwd=PROJECT,
            env=subprocess_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, duration * 1.1))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        after = fingerprint(db)
        if after == before:  # killed before its commit: no trace
            assert proc.returncode == -signal.SIGKILL, "an import that ran to its end must have added its figures"
            killed_midway += 1
        else:
            # The import committed before the kill (the process may have been ending): it must
            # be whole, then undo it.
            completed += 1
            assert proc.returncode in (0, -signal.SIGKILL)
            assert after[0] == before[0] + IMPORT_ROWS
            undo = _cli("undo", str(after[2]), "--db", str(db))
            assert undo.returncode == 0, undo.stderr
            undone = fingerprint(db)
            assert undone[:2] == before[:2]  # the same figures as before the import
            before = undone  # the import log now records the import and its undo
        check = _cli("check", "--db", str(db))
        assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
        if killed_midway >= 10:
            break
    assert killed_midway >= 10, f"only {killed_midway} kills landed mid-import ({completed} imports finished first)"


# ---- read-only location and full disk ----------------------------------------------------
def _read_only_command(folder: Path, command: list[str]) -> list[str]:
    """``command`` run where ``folder`` is read-only: for root (who ignores file modes) inside a
    private mount namespace with the folder bind-mounted read-only; for others, by file modes."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        for f in folder.iterdir():
            os.chmod(f, 0o444)
        return command
    if not shutil.which("unshare") or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("this machine cannot make a read-only location for root (no mount namespaces)")
    quoted = " ".join(f"'{c}'" for c in command)
    return [
        "unshare",
        "-m",
        "sh",
        "-c",
        f"mount --bind '{folder}' '{folder}' && mount -o remount,ro,bind '{folder}' && exec {quoted}",
    ]


@contextlib.contextmanager
def _store_in_a_read_only_folder(default_db: Path, tmp_path: Path):
    """(folder, database, fingerprint before) for a copy of the default store in a folder that
    ``_read_only_command`` makes read-only; the file modes are put back afterwards."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    db = folder / "journey.duckdb"
    shutil.copy(default_db, db)
    try:
        yield folder, db, fingerprint(db)
    finally:
        os.chmod(folder, 0o755)
        for f in folder.iterdir():
            os.chmod(f, 0o644)


def test_import_into_a_read_only_location_fails_clearly_and_changes_nothing(default_db, tmp_path):
    csv = tmp_path / "one.csv"
    csv.write_text("area,measure,period,value\nWorcestershire,referrals,Apr-25,400\n")
    with _store_in_a_read_only_folder(default_db, tmp_path) as (folder, db, before):
        command = _read_only_command(folder, [sys.executable, "-m", "journey", "import", str(csv), "--db", str(db)])
        run = subprocess.run(command, cwd=PROJECT, env=subprocess_env(), capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert re.search(r"read-only|not writable|permission", run.stderr + run.stdout, re.I), run.stderr
    assert fingerprint(db) == before


def test_reading_commands_work_on_a_store_in_a_read_only_location(default_db, tmp_path):
    """`check`, `imports` and `show` only read: a read-only location opens read-only, not refused."""
    runs = {}
    with _store_in_a_read_only_folder(default_db, tmp_path) as (folder, db, before):
        for name, args in {
            "check": ["check"],
            "imports": ["imports"],
            "show": ["show", "Worcestershire", "cp_rate_per_10k"],
        }.items():
            command = _read_only_command(folder, [sys.executable, "-m", "journey", *args, "--db", str(db)])
            runs[name] = subprocess.run(command, cwd=PROJECT, env=subprocess_env(), capture_output=True, text=True, timeout=120)
    for name, run in runs.items():
        assert run.returncode == 0, (name, run.stderr[-2000:])
        assert "Traceback" not in run.stderr
    assert "Integrity: OK" in runs["check"].stdout
    assert "Default dataset" in runs["imports"].stdout
    assert "Yearly figures:" in runs["show"].stdout and "DfE" in runs["show"].stdout
    assert fingerprint(db) == before


def _small_files(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_import_on_a_full_disk_fails_clearly_and_changes_nothing(default_db, big_csv, tmp_path):
    db = tmp_path / "full.duckdb"
    shutil.copy(default_db, db)
    before = fingerprint(db)
    # Files may not grow past their size now plus 64 KB: the disk is "full" for this import.
    limit = max(p.stat().st_size for p in tmp_path.iterdir()) + 65_536
    run = subprocess.run(
        [sys.executable, "-m", "journey", "import", str(big_csv), "--db", str(db), "--accept-warnings"],
        cwd=PROJECT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_small_files(limit),
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert re.search(r"disk|space|write", run.stderr + run.stdout, re.I), run.stderr[-2000:]
    assert fingerprint(db) == before


ZERO_BYTES_FREE = r"""
import json, os, subprocess, sys
from pathlib import Path
sys.path[:0] = [sys.argv[4], sys.argv[4] + "/tests"]
from test_resilience import fingerprint

mount, db, big = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
before = fingerprint(db)
# Fill what is left of the small file system, to 0 bytes free (unbuffered: nothing left to flush).
f = open(mount / "filler", "wb", buffering=0)
for size in (65536, 4096, 512, 1):
    try:
        while True:
            f.write(b"\0" * size)
    except OSError:
        pass
f.close()
free = os.statvfs(mount).f_bavail
run = subprocess.run([sys.executable, "-m", "journey", "import", str(big), "--db", str(db), "--accept-warnings"],
                     capture_output=True, text=True, timeout=300)
(mount / "filler").unlink()
print(json.dumps({"free": free, "code": run.returncode, "out": run.stdout[-2000:], "err": run.stderr[-3000:],
                  "same": fingerprint(db) == before}))
"""


def test_import_with_zero_bytes_free_fails_clearly_and_changes_nothing(default_db, big_csv, tmp_path):
    """Issue 12: with 0 bytes free DuckDB's COMMIT raised TransactionException, a traceback. A
    small tmpfs in a private mount namespace, filled to the last byte, holds the database."""
    if (
        os.geteuid() != 0
        or not shutil.which("unshare")
        or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0
    ):
        pytest.skip("needs root and mount namespaces to make a full file system")
    mount = tmp_path / "small"
    mount.mkdir()
    script = tmp_path / "zero.py"
    script.write_text(ZERO_BYTES_FREE)
    size = default_db.stat().st_size + 8_000_000
    inner = (
        f"mount -t tmpfs -o size={size} tmpfs '{mount}' && cp '{default_db}' '{mount}/journey.duckdb' && "
        f"exec '{sys.executable}' '{script}' '{mount}' '{mount}/journey.duckdb' '{big_csv}' '{PROJECT}'"
    )
    run = subprocess.run(
        ["unshare", "-m", "sh", "-c", inner], cwd=PROJECT, env=subprocess_env(), capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["free"] == 0
    assert result["code"] != 0
    assert "Traceback" not in result["err"], result["err"]
    assert "could not be written" in result["err"] and "nothing was changed" in result["err"], result
    assert result["same"] is True


AFTER_FULL_DISK = r"""
import resource, signal, sys
from pathlib import Path
from journey.build import open_store
from journey.errors import StoreError
from journey.importing.formats import Options
from journey.importing.plan import commit, prepare

db, big = Path(sys.argv[1]), Path(sys.argv[2])
store = open_store(db)  # one store object, as a server process holds it
plan = prepare(store, [(big.name, big.read_bytes())], Options())
assert plan.ok
limit = max(p.stat().st_size for p in db.parent.iterdir()) + 65_536
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
try:
    commit(store, plan, acknowledged=True)
    print("COMMITTED")
except StoreError as exc:
    print("REFUSED", exc)
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))  # space freed
print("READ", store.scalar("SELECT count(*) FROM observations WHERE replaced_by IS NULL"))
small = prepare(store, [("one.csv", b"area,measure,period,value\nWorcestershire,referrals,Apr-25,401\n")], Options())
commit(store, small, acknowledged=True)
print("WROTE", store.scalar("SELECT count(*) FROM observations WHERE replaced_by IS NULL"))
"""


def test_the_open_store_keeps_working_after_a_refused_write(default_db, big_csv, tmp_path):
    """A server keeps its store open: after the disk refuses an import, the same connection
    still reads the old figures, and writes again once there is space."""
    folder = tmp_path / "server"
    folder.mkdir()
    db = folder / "journey.duckdb"
    shutil.copy(default_db, db)
    s = open_store(db, read_only=True)
    rows = s.scalar("SELECT count(*) FROM observations WHERE replaced_by IS NULL")
    s.close()
    run = subprocess.run(
        [sys.executable, "-c", AFTER_FULL_DISK, str(db), str(big_csv)],
        cwd=PROJECT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    assert "COMMITTED" not in lines and "could not be written" in lines["REFUSED"]
    assert int(lines["READ"]) == rows
    assert int(lines["WROTE"]) == rows + 1


# ---- many sessions while imports commit and undo ------------------------------------------
READERS = 20
MIN_CYCLES = 2
OLD = ("43.5", "40.6")  # Worcestershire's and England's CP rate at 31 March 2025 as published
NEW = ("99.9", "77.7")  # the same two figures as a later (test) release gives them


def test_twenty_sessions_read_while_imports_commit_and_undo(default_db, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from journey.importing.formats import Options
    from journey.importing.plan import commit, prepare, undo
    from ui.data import store as data_store

    db = tmp_path / "shared.duckdb"
    shutil.copy(default_db, db)
    monkeypatch.setenv("JOURNEY_DB", str(db))
    store = data_store()  # the store every session of this "server" shares
    upload = [
        (
            "release.csv",
            b"area,measure,period,value\nWorcestershire,cp_rate_per_10k,2025,99.9\nEngland,cp_rate_per_10k,2025,77.7\n",
        )
    ]
    before = observations_hash(store, committed_only=True)
    seen: list[tuple[str, str]] = []
    problems: list[str] = []
    cycles = 0
    stop = threading.Event()

    def writer() -> None:
        nonlocal cycles
        while not stop.is_set():
            import_id = commit(store, prepare(store, upload, Options(vintage="2026-11")), "load test release")
            time.sleep(0.3)
            undo(store, import_id)
            cycles += 1
            time.sleep(0.3)

    def read_once() -> None:
        at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=300)
        at.switch_page("views/indicator.py")
        at.run()
        if at.exception:
            problems.append(str(at.exception[0].value))
            return
        text = next(m.value for m in at.markdown if m.value.startswith(("Down", "Up", "Unchanged")))
        la = re.search(r" to ([\d.]+) per 10k children 0-17 at 31 Mar 2025", text)
        england = re.search(r"England \(([\d.]+)\)", text)
        seen.append((la.group(1), england.group(1)))

    def reader() -> None:
        # Read until the writer has committed and undone at least twice (at most 8 page runs).
        for _ in range(8):
            read_once()
            if cycles >= MIN_CYCLES:
                break

    write = threading.Thread(target=writer)
    write.start()
    reads = [threading.Thread(target=reader) for _ in range(READERS)]
    for t in reads:
        t.start()
    for t in reads:
        t.join()
    stop.set()
    write.join()
    assert not problems, problems
    assert len(seen) >= READERS
    assert set(seen) <= {OLD, NEW}, f"a read saw part of an import: {set(seen) - {OLD, NEW}}"
    assert cycles >= MIN_CYCLES
    assert observations_hash(store, committed_only=True) == before  # every import undone: the figures are as they were


# ---- a long run ----------------------------------------------------------------------------
LOADS = 1000
PAGES = ["upload", "data_sources", "board", "", "indicator", "benchmarks", "journey_flow"]


def resident_kb(pid: int) -> int:
    """The process's resident memory (VmRSS) in kB."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1))


def test_server_serves_1000_page_loads_without_growing(tmp_path_factory):
    from servers import running_server
    from wsclient import load_many

    with running_server(tmp_path_factory, process=True) as (url, proc):
        warm_up = [(PAGES[i % len(PAGES)], "") for i in range(140)]  # every page 20 times: caches filled
        loads = load_many(url, warm_up)
        settled = resident_kb(proc.pid)
        loads += load_many(url, [(PAGES[i % len(PAGES)], "") for i in range(LOADS - len(warm_up))])
        final = resident_kb(proc.pid)
        assert proc.poll() is None, "the server is still running"
    assert len(loads) == LOADS
    assert all(p.status == 0 and not p.exceptions for p in loads), [p.exceptions for p in loads if p.exceptions][:3]
    assert final <= settled * 1.10, f"resident memory grew from {settled:,} kB to {final:,} kB"


# ---- several servers sharing one store (README: scaling beyond one machine) ---------------
RELEASE = b"area,measure,period,value\nWorcestershire,cp_rate_per_10k,2025,99.9\n"


def test_publish_copies_the_store_in_one_step(default_db, tmp_path):
    from journey.errors import StoreError
    from journey.importing.formats import Options
    from journey.importing.plan import commit, prepare

    admin = tmp_path / "admin.duckdb"
    shutil.copy(default_db, admin)
    dest = tmp_path / "shared" / "published.duckdb"
    store = open_store(admin)
    try:
        store.publish(dest)
        store.close()
        assert fingerprint(dest) == fingerprint(admin)  # figures, import log and data version
        store = open_store(admin)
        commit(store, prepare(store, [("release.csv", RELEASE)], Options(vintage="2026-11")))
        store.publish(dest)  # over the old copy
        with pytest.raises(StoreError, match="another file"):
            store.publish(admin)
    finally:
        store.close()
    assert fingerprint(dest) == fingerprint(admin)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["published.duckdb"]  # no temporary file left
    copy = open_store(dest, read_only=True)
    try:
        from journey.figures import latest

        assert latest(copy, ["885"], ["cp_rate_per_10k"], 2025)["value"].tolist() == [99.9]
    finally:
        copy.close()


def test_two_read_only_servers_share_a_published_copy_while_the_admin_imports(default_db, tmp_path, tmp_path_factory):
    """The README's configuration: imports go into the admin's file; `journey publish` copies it
    to where any number of read-only servers open it; a restarted server shows the release."""
    from servers import running_server
    from wsclient import load_many

    admin = tmp_path / "admin.duckdb"
    shutil.copy(default_db, admin)
    dest = tmp_path / "shared" / "published.duckdb"
    published = _cli("publish", str(dest), "--db", str(admin))
    assert published.returncode == 0, published.stderr
    from journey import figures

    source = open_store(admin)
    try:
        held = figures.observation_count(source)
    finally:
        source.close()
    assert f"Published {held:,} figures" in published.stdout

    def takeaway(url: str) -> str:
        return " ".join(load_many(url, [("indicator", "")])[0].texts)

    with (
        running_server(tmp_path_factory, db=dest, JOURNEY_READ_ONLY="1") as first,
        running_server(tmp_path_factory, db=dest, JOURNEY_READ_ONLY="1") as second,
    ):
        every_page = [(page, "") for page in PAGES]
        for url in (first, second):
            loads = load_many(url, every_page * 2)
            assert all(p.status == 0 and not p.exceptions for p in loads), [p.exceptions for p in loads if p.exceptions]
        assert "to 43.5 per 10k" in takeaway(first)
        # The admin imports a release and publishes it while both servers are serving.
        release = tmp_path / "release.csv"
        release.write_bytes(RELEASE)
        imported = _cli("import", str(release), "--db", str(admin), "--vintage", "2026-11")
        assert imported.returncode == 0, imported.stderr
        assert _cli("publish", str(dest), "--db", str(admin)).returncode == 0
        assert "to 43.5 per 10k" in takeaway(second)  # a running server keeps the copy it opened
    with running_server(tmp_path_factory, db=dest, JOURNEY_READ_ONLY="1") as restarted:
        assert "to 99.9 per 10k" in takeaway(restarted)
