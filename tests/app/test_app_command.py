"""`okr-review app` serves this page (started from another folder, loopback only)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from pagekit import REPO

NETBLOCK = REPO / "tests" / "support" / "netblock"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_okr_review_app_serves_the_page(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHROMA_"))}
    env.update(
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        PYTHONPATH=os.pathsep.join(filter(None, [str(NETBLOCK), env.get("PYTHONPATH")])),
        OKR_NETBLOCK_LOG=str(tmp_path / "netblock.log"),
        OKR_REVIEW_CACHE_DIR=str(tmp_path / "cache"),
    )
    command = [sys.executable, "-m", "reviewer.cli", "app", "--port", str(port)]
    log = (tmp_path / "app.log").open("w")
    # From an unrelated folder: the command must find app.py and its .streamlit config itself.
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"okr-review app did not serve:\n{(tmp_path / 'app.log').read_text()}")
            time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert b"<html" in response.read().lower()
        output = (tmp_path / "app.log").read_text()
        assert f"http://127.0.0.1:{port}" in output
    finally:
        # The command runs streamlit as its child: stop the whole group it leads.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
    netlog = tmp_path / "netblock.log"
    assert not netlog.exists() or netlog.read_text() == ""
