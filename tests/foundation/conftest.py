"""Fixtures for the foundation tests."""

from __future__ import annotations

import pytest

from .helpers import run_cli


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    """One index/response cache for the session's CLI runs, away from the user's."""
    return tmp_path_factory.mktemp("okr-review-cache")


@pytest.fixture
def okr_review(cache_dir):
    """Run the real `okr-review` console script: `okr_review("check", path, ...)`."""

    def run(*args: str, **kwargs):
        return run_cli(*args, cache_dir=cache_dir, **kwargs)

    return run
