"""Suppressions as OKR files write them: YAML entries, Markdown comments, a CSV column.

A suppression names one rule code and, ideally, the reason the team accepts the finding.
A missing reason is kept as `None` rather than rejected: the rules report it (KR901), so a
team sees the gap in the same report as everything else.
"""

from __future__ import annotations

import re

from ..errors import InputError
from ..models import SourceLocation, Suppression

CODE_PATTERN = re.compile(r"^[A-Z]{2,6}[0-9]{3}$")
COMMENT_SYNTAX = '<!-- okr-review: ignore KR201 reason="why this is acceptable" -->'

# `<!-- okr-review: ... -->` on one line; anything else in an HTML comment is not ours.
OKR_COMMENT = re.compile(r"<!--\s*okr-review\s*:(?P<body>.*?)-->", re.IGNORECASE)
_IGNORE_BODY = re.compile(
    r"""^\s*ignore\s+(?P<codes>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)
        (?:\s+reason\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'))?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def normalise_code(raw: str, *, file: str | None, line: int | None) -> str:
    """An upper-case rule code, or an InputError saying what a code looks like."""
    code = raw.strip().upper()
    if not CODE_PATTERN.match(code):
        raise InputError(
            f"{raw.strip()!r} is not a rule code",
            file=file,
            line=line,
            hint="codes look like KR101 or OKR601; `okr-review rules` lists them",
        )
    return code


def clean_reason(reason: str | None) -> str | None:
    """A reason with surrounding space removed; blank counts as missing."""
    if reason is None:
        return None
    reason = reason.strip()
    return reason or None


def parse_comment_body(body: str, *, file: str | None, line: int) -> list[Suppression]:
    """The suppressions in one `<!-- okr-review: ... -->` comment body."""
    match = _IGNORE_BODY.match(body)
    if not match:
        raise InputError(
            f"cannot read the okr-review comment {body.strip()!r}",
            file=file,
            line=line,
            hint=f"write it as {COMMENT_SYNTAX}",
        )
    reason = clean_reason(match.group("dq") if match.group("dq") is not None else match.group("sq"))
    location = SourceLocation(file=file, line=line)
    return [
        Suppression(
            code=normalise_code(code, file=file, line=line), reason=reason, location=location
        )
        for code in match.group("codes").split(",")
    ]


def extract_comments(
    line_text: str, *, file: str | None, line: int
) -> tuple[str, list[Suppression]]:
    """Remove okr-review comments from a line; return what is left and their suppressions."""
    found: list[Suppression] = []
    if "okr-review" not in line_text.lower():
        return line_text, found
    for match in OKR_COMMENT.finditer(line_text):
        found.extend(parse_comment_body(match.group("body"), file=file, line=line))
    rest = OKR_COMMENT.sub("", line_text)
    if re.search(r"<!--\s*okr-review", rest, re.IGNORECASE):
        raise InputError(
            "an okr-review comment must open and close on the same line",
            file=file,
            line=line,
            hint=f"write it as {COMMENT_SYNTAX}",
        )
    return rest, found


def parse_ignore_cell(cell: str, *, file: str | None, line: int) -> list[Suppression]:
    """A CSV `ignore` cell: `KR201: no data yet; KR401` (code, optional `: reason`, `;`-separated).

    Only a `;` followed by a code separates entries, so a reason may contain semicolons.
    """
    suppressions: list[Suppression] = []
    for part in re.split(r";\s*(?=[A-Za-z]{2,6}[0-9]{3}\b)", cell):
        if not part.strip():
            continue
        code, _, reason = part.partition(":")
        suppressions.append(
            Suppression(
                code=normalise_code(code, file=file, line=line),
                reason=clean_reason(reason) if _ else None,
                location=SourceLocation(file=file, line=line),
            )
        )
    return suppressions
