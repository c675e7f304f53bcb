"""Fixtures for the page tests: a clean environment and an AppTest of app.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pagekit import APP, REPO
from support.openai_server import openai_server, openai_server_factory  # noqa: F401 (fixtures)

# Environment that would point the page at a real LLM or a remote vector store.
REMOTE_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "OKR_REVIEW_MODEL",
    "CHROMA_HOST",
    "CHROMA_PORT",
)


@pytest.fixture(scope="session")
def page_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index / response cache for the whole page test session (built once)."""
    return tmp_path_factory.mktemp("okr-review-cache")


@pytest.fixture
def page_env(monkeypatch: pytest.MonkeyPatch, page_cache_dir: Path) -> Path:
    """Run the page from the repo root with no LLM or remote store in the environment."""
    for name in REMOTE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OKR_REVIEW_CACHE_DIR", str(page_cache_dir))
    monkeypatch.setenv("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    monkeypatch.chdir(REPO)
    return page_cache_dir


@pytest.fixture
def no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Refuse every non-loopback connection in this process; yields the attempt log."""
    from support.netblock import support_netguard

    log = tmp_path / "netblock.log"
    monkeypatch.setenv("OKR_NETBLOCK_LOG", str(log))
    support_netguard.install()
    try:
        yield log
    finally:
        support_netguard.uninstall()


@pytest.fixture
def page(page_env: Path):  # type: ignore[no-untyped-def]
    """app.py loaded and run once, as a first-time visitor sees it."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at
