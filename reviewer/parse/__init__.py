"""Reading OKR files and pastes: YAML, Markdown, CSV and plain text, one OKRSet out.

    read_okr_file("okrs/platform.yaml")        # format from the extension
    read_okr_file("-", input_format="text")    # stdin
    read_okr_text("Objective: Faster CI\\n- Cut p95 CI time from 20 to 10 min")

Every key result and objective keeps its file and 1-based line. Anything that cannot be
read raises `InputError` with the file, the line when known, and what to do about it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from ..models import KeyResult, Objective, OKRSet
from .source import (
    MAX_INPUT_BYTES,
    STDIN_NAME,
    check_text_size,
    decode_source,
    normalise_text,
    read_source_bytes,
    require_content,
)

__all__ = [
    "EXTENSIONS",
    "INPUT_FORMATS",
    "MAX_INPUT_BYTES",
    "MAX_KEY_RESULTS",
    "MAX_TEXT_CHARS",
    "check_text_limit",
    "detect_format",
    "read_okr_file",
    "read_okr_text",
]

INPUT_FORMATS = ("yaml", "markdown", "csv", "text")
EXTENSIONS = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "yaml",  # JSON is YAML, and the same shape works
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".txt": "text",
    ".text": "text",
}
_ALIASES = {"yml": "yaml", "md": "markdown", "txt": "text", "plain": "text"}
# Far beyond any real team's OKRs, and low enough that a hostile file under the size limit
# (a 1 MB "key result", 100,000 bullets) is refused at once instead of costing the review
# minutes and gigabytes.
MAX_TEXT_CHARS = 10_000  # one objective or key result field (the CSV cell limit too)
MAX_KEY_RESULTS = 10_000  # per file
_TEXT_FIELDS = ("text", "owner", "baseline", "target", "deadline", "measured_by")


def check_text_limit(item: Objective | KeyResult, name: str) -> None:
    """Raise InputError when any text field of one objective or key result is over the limit.

    Files are checked as they are read; the Python API checks what it is handed the same
    way, so a 1 MB string gets a clear error rather than a slow, useless review.
    """
    is_objective = isinstance(item, Objective)
    fields = ("text",) if is_objective else _TEXT_FIELDS
    longest = max(len(getattr(item, field) or "") for field in fields)
    if longest > MAX_TEXT_CHARS:
        what = "objective" if is_objective else "key result"
        raise InputError(
            f"{what} is {longest:,} characters long; the limit is {MAX_TEXT_CHARS:,}",
            file=name,
            line=item.location.line,
            hint="a key result is one sentence; check for a missing line break",
        )


def check_limits(okr_set: OKRSet, name: str) -> OKRSet:
    """Raise InputError for an over-long text or too many key results; else return the set."""
    count = 0
    for objective in okr_set.objectives:
        check_text_limit(objective, name)
        for kr in objective.key_results:
            check_text_limit(kr, name)
        count += len(objective.key_results)
    if count > MAX_KEY_RESULTS:
        raise InputError(
            f"file has {count:,} key results; the limit is {MAX_KEY_RESULTS:,} per file",
            file=name,
            hint="split it into one file per team",
        )
    return okr_set


def _reader(input_format: str) -> Callable[[str, str], OKRSet]:
    if input_format == "yaml":
        from .from_yaml import read_yaml

        return read_yaml
    if input_format == "markdown":
        from .from_markdown import read_markdown

        return read_markdown
    if input_format == "csv":
        from .from_csv import read_csv

        return read_csv
    from .from_text import read_text

    return read_text


def _normalise_format(input_format: str, name: str) -> str:
    fmt = _ALIASES.get(input_format.lower(), input_format.lower())
    if fmt not in INPUT_FORMATS:
        raise InputError(
            f"unknown input format {input_format!r}",
            file=name,
            hint="use one of " + ", ".join(INPUT_FORMATS),
        )
    return fmt


def detect_format(path: str | Path) -> str:
    """The input format for a path, from its extension; stdin ('-') is text."""
    if str(path) == "-":
        return "text"
    suffix = Path(path).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    raise InputError(
        f"cannot tell the format from the extension {suffix or '(none)'!r}",
        file=str(path),
        hint="name it .yaml, .md, .csv or .txt, or pass --input-format",
    )


def read_okr_file(
    path: str | Path, input_format: str | None = None, *, max_bytes: int = MAX_INPUT_BYTES
) -> OKRSet:
    """Read one OKR file ('-' for stdin) into an OKRSet; raises InputError if it cannot."""
    name = STDIN_NAME if str(path) == "-" else str(path)
    fmt = _normalise_format(input_format, name) if input_format else detect_format(path)
    data, name = read_source_bytes(path, max_bytes=max_bytes)
    text = decode_source(data, name)
    require_content(text, name)
    return check_limits(_reader(fmt)(text, name), name)


def read_okr_text(
    text: str,
    source: str = "<paste>",
    input_format: str = "text",
    *,
    max_bytes: int = MAX_INPUT_BYTES,
) -> OKRSet:
    """Read OKRs from a string (a paste, an API call); `source` names it in messages."""
    fmt = _normalise_format(input_format, source)
    check_text_size(text, source, max_bytes)
    if "\x00" in text:
        raise InputError(
            "looks like binary data (it contains NUL characters)",
            file=source,
            hint="paste the key results as text",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates, from a broken clipboard or API call
        raise InputError(
            "is not valid text (it contains a lone surrogate character)",
            file=source,
            line=text.count("\n", 0, exc.start) + 1,
            hint="paste the key results again as plain text",
        ) from None
    text = normalise_text(text.removeprefix("\ufeff"))
    require_content(text, source)
    return check_limits(_reader(fmt)(text, source), source)
