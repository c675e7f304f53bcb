"""`okr-review app` starts the real Streamlit server on the host and port it is given."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from .helpers import REPO, console_script


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_app_serves_the_page_on_the_given_port(tmp_path):
    if not (REPO / "app.py").exists():
        pytest.skip("app.py is not in this checkout yet")
    port = free_port()
    env = {**os.environ, "OKR_REVIEW_CACHE_DIR": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    process = subprocess.Popen(
        [*console_script(), "app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,  # the command finds app.py from the package, not the working directory
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/_stcore/health"
                with urllib.request.urlopen(url, timeout=2) as response:
                    status = response.status
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200, process.stderr.read().decode() if process.poll() is not None else ""
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
