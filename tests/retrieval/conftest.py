"""Fixtures for the retrieval tests: a small corpus, a fresh cache per test, a new-process probe."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from retrieval_kit import FIXTURE_CORPUS, parse_probe, probe_command, probe_env


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture corpus (tests may edit it)."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, target)
    return target


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """A fresh cache folder: never reuse a path a PersistentClient had open."""
    return tmp_path / "cache"


@pytest.fixture
def run_probe(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """Run PROBE in a new process (network blocked) and return its JSON; asserts no egress."""
    netlog = tmp_path / "netblock.log"

    def run(spec: dict[str, Any], *, wrapper: list[str] | None = None) -> dict[str, Any]:
        proc = subprocess.run(
            [*(wrapper or []), *probe_command(spec)],
            capture_output=True,
            text=True,
            env=probe_env(netlog),
            timeout=180,
        )
        result = parse_probe(proc)
        attempts = netlog.read_text() if netlog.exists() else ""
        assert not attempts, f"the index tried to reach the network:\n{attempts}"
        return result

    return run
