"""Helpers for reading an AppTest of the page: cards, their text, everything rendered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"


def cards(at: AppTest, mode: str) -> list[Any]:
    """The key-result cards of one mode ("paste" or "file"), in order."""
    found = []
    while True:
        try:
            found.append(at.get_by_key(f"{mode}-card-{len(found)}"))
        except KeyError:
            return found


def block_text(block: Any) -> str:
    """Every string a block shows: Markdown, captions, text, code, alerts, expander labels."""
    parts: list[str] = []
    for node in block:
        kind = type(node).__name__
        if kind in {"Markdown", "Caption", "Text", "Code", "Error", "Warning", "Info", "Success"}:
            parts.append(str(node.value))
        elif kind == "Expander":
            parts.append(str(node.label))
    return "\n".join(parts)


def codes_shown(block: Any) -> list[str]:
    """The rule codes on a card's finding badges, in order."""
    import re

    return re.findall(
        r":(?:red|orange|blue)-badge\[:material/\w+: ((?:KR|OKR)\d{3})\]", block_text(block)
    )


def kind_shown(block: Any) -> str | None:
    """The kind on a card's badge."""
    import re

    match = re.search(
        r":\w+-badge\[:material/\w+: (outcome|output|activity|unmeasurable)\]", block_text(block)
    )
    return match.group(1) if match else None


def rewrites_shown(block: Any) -> list[str]:
    """The rewrites a card offers to copy (its code blocks)."""
    return [str(code.value) for code in block.code]


def everything_rendered(at: AppTest) -> str:
    """The serialised protos of every element and block on the page, sidebar included."""
    parts = []
    for root in (at.main, at.sidebar):
        for node in root:
            proto = getattr(node, "proto", None)
            if proto is not None:
                parts.append(str(proto))
    return "\n".join(parts)


def errors_shown(at: AppTest) -> list[str]:
    """The text of every st.error on the page."""
    return [str(e.value) for e in at.error]
