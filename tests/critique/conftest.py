"""Fixtures for the critique tests: a scripted OpenAI-compatible server, configs, one index.

The guidance index is opened once per session (lexical ranking over the real corpus, so no
embedding model is loaded) and injected into each `Reviewer`; every test gets its own
cache folder so LLM answers never leak between tests.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.openai_server import (  # noqa: F401  (fixtures re-exported for this folder)
    OpenAIServer,
    openai_server,
    openai_server_factory,
)

from reviewer.config import Config, LLMConfig, RetrievalConfig
from reviewer.pipeline import Reviewer


@pytest.fixture(scope="session")
def lexical_index(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The real guidance corpus, ranked lexically (no embeddings), shared by the session."""
    from reviewer.retrieve import open_index

    cache = tmp_path_factory.mktemp("index-cache")
    return open_index(Config(retrieval=RetrievalConfig(embedding="none", cache_dir=cache)))


@pytest.fixture
def api_key() -> str:
    """A fresh, recognisable fake key per test, so a leak is unambiguous."""
    return "sk-test-" + secrets.token_hex(16)


@pytest.fixture
def llm_config(tmp_path: Path, api_key: str) -> Callable[..., Config]:
    """Build a Config whose LLM points at a scripted server; keyword overrides go to LLMConfig."""

    def make(server: OpenAIServer, **llm: Any) -> Config:
        settings = {
            "base_url": server.base_url,
            "api_key": api_key,
            "model": "scripted-model",
            "timeout_s": 5.0,
            "max_retries": 0,
            "concurrency": 4,
            **llm,
        }
        return Config(
            llm=LLMConfig(**settings),
            retrieval=RetrievalConfig(embedding="none", cache_dir=tmp_path / "cache"),
        )

    return make


@pytest.fixture
def reviewer_for(lexical_index: Any) -> Callable[[Config], Reviewer]:
    """A Reviewer with the shared index injected."""

    def make(config: Config) -> Reviewer:
        return Reviewer(config, index=lexical_index)

    return make
