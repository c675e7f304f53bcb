"""Shared fixtures for the eval tests: one index cache for the whole session."""

from __future__ import annotations

import pytest
from support.openai_server import openai_server_factory  # noqa: F401  (fixture for this folder)


@pytest.fixture(scope="session")
def eval_cache_dir(tmp_path_factory):
    """A cache folder for the guidance index (and LLM answers), built once per session."""
    return tmp_path_factory.mktemp("eval-cache")
