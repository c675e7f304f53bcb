"""What `open_index` does to save start-up time must leave no trace on the process."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from retrieval_kit import make_config

from reviewer.errors import InputError
from reviewer.retrieve import open_index


@pytest.mark.parametrize("enabled", [True, False], ids=["gc-on", "gc-off"])
def test_garbage_collection_is_left_as_it_was(
    corpus_dir: Path, cache_dir: Path, enabled: bool
) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        open_index(make_config(corpus_dir, cache_dir))
        assert gc.isenabled() is enabled
        # also when opening fails (a malformed document is the one error it raises)
        (corpus_dir / "broken.md").write_text("---\nid: [not, a, string]\n---\ntext\n")
        with pytest.raises(InputError):
            open_index(make_config(corpus_dir, cache_dir))
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
