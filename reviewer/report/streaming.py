"""Indented JSON written piece by piece, byte for byte what `json.dumps(indent=2)` writes.

A 10,000-result report is about 55 MB of JSON. `json.dumps(..., indent=...)` runs
Python's pure-Python encoder, which collects millions of small strings before joining
them into one, so rendering it whole cost several hundred MB on top of the review. Here
the big arrays are `LazyArray`s: their items are built, encoded and handed to the writer
one at a time, and only the small parts of the document are ever whole in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

INDENT = 2


class LazyArray:
    """A JSON array whose items are produced (and dropped) one at a time while writing."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


def _holds_lazy(value: Any) -> bool:
    if isinstance(value, LazyArray):
        return True
    if isinstance(value, dict):
        return any(_holds_lazy(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_lazy(v) for v in value)
    return False


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=INDENT, ensure_ascii=False)


def iter_json(value: Any, level: int = 0) -> Iterator[str]:
    """`value` as indented JSON text in pieces; joined, the pieces equal `json.dumps(value,
    indent=2, ensure_ascii=False)` with LazyArrays read as lists."""
    if not _holds_lazy(value):
        text = _dumps(value)
        # Strings inside JSON never hold a raw newline (it is escaped), so every newline
        # is a line break of the layout and takes the enclosing level's indentation.
        yield text.replace("\n", "\n" + " " * (INDENT * level)) if level else text
        return
    inner = "\n" + " " * (INDENT * (level + 1))
    close = "\n" + " " * (INDENT * level)
    if isinstance(value, dict):
        opener, closer = "{", "}"
        entries: Iterable[tuple[str | None, Any]] = value.items()
    else:
        opener, closer = "[", "]"
        items = value.items if isinstance(value, LazyArray) else value
        entries = ((None, item) for item in items)
    first = True
    for key, item in entries:
        head = opener if first else ","
        first = False
        if key is not None:
            yield f"{head}{inner}{json.dumps(key, ensure_ascii=False)}: "
        else:
            yield head + inner
        yield from iter_json(item, level + 1)
    yield opener + closer if first else close + closer


def iter_json_document(value: Any) -> Iterator[str]:
    """The whole document as `render_*` writes it: indented JSON ending in a newline."""
    yield from iter_json(value)
    yield "\n"
