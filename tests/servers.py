"""Start the real server (`streamlit run app.py`, the README's command) on a free loopback port."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import PROJECT, subprocess_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp_path_factory, db: Path | None = None, **env: str):
    """`streamlit run app.py` on a free port: on ``db`` (default: a new database, built on the
    first run) with ``env`` added to its environment (e.g. JOURNEY_READ_ONLY="1")."""
    folder = tmp_path_factory.mktemp("server")
    db = db or folder / "journey.duckdb"
    port = _free_port()
    log_path = folder / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=PROJECT,
        env=subprocess_env(JOURNEY_DB=str(db), **env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("streamlit did not start: " + log_path.read_text())
        time.sleep(0.3)
    return proc, url, log


@contextlib.contextmanager
def running_server(tmp_path_factory, *, process: bool = False, db: Path | None = None, **env: str):
    """The server's URL (and its process, with ``process=True``) while the block runs; ``db``
    and ``env`` as for ``start_server``."""
    proc, url, log = start_server(tmp_path_factory, db, **env)
    try:
        yield (url, proc) if process else url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
