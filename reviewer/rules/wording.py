"""Small helpers rules use to quote the offending words in their messages."""

from __future__ import annotations

import re

_CLAUSE_BREAK = re.compile(
    r"(?=[\s,;(])\s(?:so\s+that|such\s+that|by\s+(?:the\s+)?end|by\s+q[1-4]|in\s+q[1-4])\b|[,;(]",
    re.IGNORECASE,
)
_VALUE_BREAK = re.compile(
    r"(?=[\s,;(])\s(?:so\s+that|such\s+that|by|in\s+q[1-4]|from|under|below|above|over|to\s+(?=[<>$€£¥\d]))"
    r"\b|[,;(]",
    re.IGNORECASE,
)


def clip(text: str, limit: int = 70) -> str:
    """One line, at most `limit` characters, with an ellipsis when cut."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote_from(
    text: str, start: int, max_words: int = 10, *, stop_before_values: bool = False
) -> tuple[str, tuple[int, int]]:
    """The phrase starting at `start` (up to a clause break, or a value), and its span.

    A phrase longer than `max_words` is cut with an ellipsis; the span covers what is quoted.
    """
    rest = text[start:]
    stop = (_VALUE_BREAK if stop_before_values else _CLAUSE_BREAK).search(rest)
    if stop:
        rest = rest[: stop.start()]
    rest = rest.rstrip()
    words = rest.split()
    if len(words) <= max_words:
        return clip(" ".join(words), 90), (start, min(start + len(rest), len(text)))
    position = 0
    for word in words[:max_words]:
        position = rest.index(word, position) + len(word)
    return clip(" ".join(words[:max_words]), 90) + "…", (start, start + position)


def lead_phrase(ctx) -> tuple[str, tuple[int, int] | None]:
    """The key result's lead verb and what follows, e.g. "Migrate the auth service to OAuth"."""
    parsed = ctx.parsed
    text = ctx.text
    if parsed is not None and parsed.lead_span is not None:
        phrase, span = quote_from(text, parsed.lead_span[0])
        return phrase, span
    stripped = text.strip()
    if not stripped:
        return "", None
    start = text.index(stripped[0])
    return quote_from(text, start)
