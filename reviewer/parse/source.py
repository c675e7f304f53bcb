"""Turning a file, stdin or a paste into clean text: size limit, encodings, binary detection.

Every reader starts from the text this module returns, so the checks a hostile or broken
input needs (too big, binary, not UTF-8, empty) live in one place and give one kind of
error: an `InputError` naming the file, the line when there is one, and what to do.
"""

from __future__ import annotations

import codecs
import re
import sys
from pathlib import Path

from ..errors import InputError

# The one place the input size limit lives: OKR files are small; 5 MB is far beyond any
# real team's file and still cheap to parse.
MAX_INPUT_BYTES = 5 * 1024 * 1024
STDIN_NAME = "<stdin>"

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _size_error(name: str, size: int | None, max_bytes: int) -> InputError:
    shown = f"{size / 1024 / 1024:.1f} MB; " if size is not None else ""  # unknown for stdin
    return InputError(
        f"file is too large ({shown}the limit is {max_bytes // 1024 // 1024} MB)",
        file=name,
        hint="split it into one file per team",
    )


def read_source_bytes(path: str | Path, max_bytes: int = MAX_INPUT_BYTES) -> tuple[bytes, str]:
    """The raw bytes of `path` ('-' for stdin) and the name to report it under."""
    if str(path) == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text-only stdin (tests, embedded use)
            data = sys.stdin.read(max_bytes + 1).encode("utf-8")
        else:
            data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise _size_error(STDIN_NAME, None, max_bytes)
        return data, STDIN_NAME
    name = str(path)
    file = Path(path)
    try:
        if file.is_dir():
            raise InputError("is a folder, not a file", file=name, hint="pass the OKR files in it")
        size = file.stat().st_size
        if size > max_bytes:
            raise _size_error(name, size, max_bytes)
        with file.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError("no such file", file=name, hint="check the path") from None
    except PermissionError:
        raise InputError(
            "permission denied", file=name, hint="check the file's permissions"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name) from None
    if len(data) > max_bytes:  # the file grew while we looked, or stat lied (pipes, /proc)
        raise _size_error(name, None, max_bytes)
    return data, name


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_source(data: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (or UTF-8/16/32 with a BOM) and normalise line endings.

    NUL bytes outside a UTF-16/32 encoding mean a binary file (a spreadsheet, an image, a
    PDF), which gets its own message rather than a confusing decode error.
    """
    encoding = "utf-8"
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom) :], bom_encoding
            break
    if encoding == "utf-8" and b"\x00" in data:
        raise InputError(
            "looks like a binary file (it contains NUL bytes)",
            file=name,
            line=_line_of_offset(data, data.index(b"\x00")),
            hint="export it as YAML, Markdown, CSV or plain text",
        )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _line_of_offset(data, exc.start) if encoding == "utf-8" else None
        raise InputError(
            f"is not valid {encoding.upper()} text (byte {exc.start + 1})",
            file=name,
            line=line,
            hint="save the file as UTF-8",
        ) from None
    if "\x00" in text:
        raise InputError(
            "looks like a binary file (it contains NUL characters)",
            file=name,
            hint="export it as YAML, Markdown, CSV or plain text",
        )
    return normalise_text(text)


# C0 and C1 control characters other than tab and newline: they can move a terminal's
# cursor or recolour it when a report is printed, and YAML refuses them outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalise_text(text: str) -> str:
    """CRLF and lone CR become LF (every reader counts lines alike); controls become spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


def check_text_size(text: str, name: str, max_bytes: int = MAX_INPUT_BYTES) -> None:
    """Apply the file size limit to text that did not come from a file (a paste)."""
    # Cheap bound first: a str of n characters encodes to at most 4n bytes.
    if len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise _size_error(name, len(text.encode("utf-8", "surrogatepass")), max_bytes)


def require_content(text: str, name: str) -> None:
    """An empty or whitespace-only input is an error, not an empty report."""
    if not text.strip():
        raise InputError(
            "file is empty", file=name, hint="add objectives and key results, one per line"
        )
