"""The same retrieval through a real Chroma server (`chroma run`) and `chromadb.HttpClient`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from retrieval_kit import retrieval_settings

pytestmark = [pytest.mark.slow, pytest.mark.chroma_server]

STARTUP_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chroma_executable() -> str | None:
    beside_python = Path(sys.executable).with_name("chroma")
    return str(beside_python) if beside_python.exists() else shutil.which("chroma")


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A `chroma run` server on a free loopback port; skipped only if it cannot start."""
    exe = chroma_executable()
    if exe is None:
        pytest.skip("the `chroma` command (from the chromadb package) is not installed")
    port = free_port()
    log = (tmp_path / "chroma.log").open("w")
    proc = subprocess.Popen(
        [
            exe,
            "run",
            "--path",
            str(tmp_path / "server-data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while True:
            if proc.poll() is not None:
                log.flush()
                output = (tmp_path / "chroma.log").read_text()[-1500:]
                pytest.skip(f"chroma server exited at start-up ({proc.returncode}): {output}")
            try:
                url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.skip(
                    f"chroma server did not answer its heartbeat in {STARTUP_TIMEOUT_S:.0f}s"
                )
            time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


def test_retrieval_through_a_chroma_server_matches_the_embedded_index(
    chroma_server: tuple[str, int],
    corpus_dir: Path,
    cache_dir: Path,
    run_probe: Callable[..., dict[str, Any]],
) -> None:
    host, port = chroma_server
    query = {"query": "users wait too long for the slowest requests", "codes": ["KR403"], "k": 3}
    http_settings = retrieval_settings(corpus_dir, cache_dir, chroma_host=host, chroma_port=port)

    first = run_probe({"retrieval": http_settings, **query})
    status = first["status"]
    assert status["backend"] == "http", status
    assert status["location"] == f"http://{host}:{port}"
    assert status["degraded"] is None
    assert status["rebuilt"] is True
    assert status["search"] == "exact"  # the vectors came over HTTP once
    assert first["results"][0]["id"].startswith("gamma-latency#")

    # A second user of the shared server finds the collection filled: no rebuild.
    second = run_probe({"retrieval": http_settings, **query})
    assert second["status"]["backend"] == "http"
    assert second["status"]["rebuilt"] is False
    assert second["results"] == first["results"]
    assert not cache_dir.exists()  # the server holds the vectors, not the local cache

    # The server's own nearest-neighbour query (what a corpus too large to read whole
    # uses) ranks the same passages.
    asked = run_probe({"retrieval": {**http_settings, "exact_search_max": 0}, **query})
    assert asked["status"]["search"] == "chroma"
    assert asked["status"]["degraded"] is None
    assert [r["id"] for r in asked["results"]] == [r["id"] for r in first["results"]]

    embedded = run_probe({"retrieval": retrieval_settings(corpus_dir, cache_dir), **query})
    assert embedded["status"]["backend"] == "persistent"
    assert [r["id"] for r in embedded["results"]] == [r["id"] for r in first["results"]]


def test_an_unreachable_server_degrades_to_memory(
    corpus_dir: Path, cache_dir: Path, run_probe: Callable[..., dict[str, Any]]
) -> None:
    settings = retrieval_settings(
        corpus_dir, cache_dir, chroma_host="127.0.0.1", chroma_port=free_port()
    )
    result = run_probe({"retrieval": settings, "query": "p99 latency", "codes": ["KR403"]})
    assert result["status"]["backend"] == "memory"
    assert "http index unusable" in result["status"]["degraded"]
    assert result["results"][0]["id"].startswith("gamma-latency#")
