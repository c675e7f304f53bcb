"""Fixtures for the hardening suites: a warm shared cache, the example's baseline report,
and the scripted OpenAI-compatible server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hardkit import EXAMPLE, Run, run_cli
from support.openai_server import openai_server, openai_server_factory  # noqa: F401 (fixtures)


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder whose guidance index is already built (one offline CLI run)."""
    cache = tmp_path_factory.mktemp("warm-cache")
    run = run_cli("check", str(EXAMPLE), "--offline", "--format", "json", cache_dir=cache)
    assert run.code in (0, 1), run.stderr[-3000:]
    return cache


@pytest.fixture(scope="session")
def baseline_run(warm_cache: Path) -> Run:
    """The example reviewed offline with a healthy, warm cache: the reference report."""
    run = run_cli("check", str(EXAMPLE), "--offline", "--format", "json", cache_dir=warm_cache)
    assert run.code in (0, 1), run.stderr[-3000:]
    return run


@pytest.fixture(scope="session")
def baseline(baseline_run: Run) -> dict[str, Any]:
    """The reference report as JSON."""
    return json.loads(baseline_run.stdout)


@pytest.fixture
def cache_copy(warm_cache: Path, tmp_path: Path) -> Path:
    """A private copy of the warm cache that a test may break."""
    target = tmp_path / "cache"
    shutil.copytree(warm_cache, target, ignore=shutil.ignore_patterns("*.lock"))
    return target
