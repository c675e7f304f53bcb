"""Retrieve: the guidance corpus, its vector index and the ranking that picks passages.

`open_index(config)` gives a `GuidanceIndex` whose `search(query, codes, k)` returns the
passages a critique should cite. Only `index.py` and `embeddings.py` touch chromadb, and
only when an index is opened with an embedding; importing this package is cheap.
"""

from __future__ import annotations

from .corpus import load_passages
from .index import GuidanceIndex, open_index

__all__ = ["GuidanceIndex", "load_passages", "open_index"]
