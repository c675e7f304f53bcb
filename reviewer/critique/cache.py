"""A disk cache of LLM answers, so re-reviewing an unchanged file makes no LLM calls.

Keys hash the model, the prompt id@version, the structured-output method and the rendered
messages: never the API key or the endpoint's credentials. Values are the raw answer
text and its token usage. Writes are atomic (temp file + rename), so concurrent runs and
interrupted runs never leave a half-written entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CACHE_FORMAT = 1


def default_cache_root(configured: Path | None = None) -> Path:
    """The reviewer's cache folder: the configured one, or the platform user cache dir."""
    if configured is not None:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("okr-review"))


def cache_key(model: str, prompt_ref: str, method: str, messages: Sequence[tuple[str, str]]) -> str:
    """A stable hex digest of everything that determines the answer (no secrets)."""
    payload = json.dumps(
        {
            "format": CACHE_FORMAT,
            "model": model,
            "prompt": prompt_ref,
            "method": method,
            "messages": [list(m) for m in messages],
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResponseCache:
    """Answers on disk under `<root>/llm/<key[:2]>/<key>.json`; disabled means a no-op."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.folder = Path(root) / "llm"
        self.enabled = enabled

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored entry for `key`, or None (also for unreadable or foreign entries)."""
        if not self.enabled:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return None
        return data

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store `entry` for `key`; a cache that cannot be written is silently skipped."""
        if not self.enabled:
            return
        path = self._path(key)
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            # One write of the whole text: json.dump writes chunk by chunk (hundreds of calls).
            text = json.dumps({"format": CACHE_FORMAT, **entry}, ensure_ascii=False)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except OSError:
            # A read-only or full cache dir must not fail a review; the answer is still used.
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
