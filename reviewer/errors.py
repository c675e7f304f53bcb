"""The small family of errors the reviewer raises, all under one base class.

Each carries what a caller needs to tell the user what went wrong and what to do, so
the CLI can print one line and exit 2 instead of a traceback.
"""

from __future__ import annotations


class ReviewerError(Exception):
    """Base class for every error the reviewer raises on purpose."""


class InputError(ReviewerError):
    """An OKR file (or paste) that cannot be read: names the file, the line and what to do."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.hint = hint
        self.detail = message
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """`file:line: message (hint)`, the shape linters print."""
        where = self.file or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        text = f"{where}: {self.detail}"
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class ConfigError(ReviewerError):
    """A configuration file or option that cannot be used as given."""


class IndexError_(ReviewerError):
    """The guidance index could not be built or queried."""


class LLMError(ReviewerError):
    """The LLM critic failed for one key result; carries attempts and the last raw output."""

    def __init__(self, message: str, *, attempts: int = 0, last_output: str | None = None) -> None:
        self.attempts = attempts
        self.last_output = last_output
        super().__init__(message)
