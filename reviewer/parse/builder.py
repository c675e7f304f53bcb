"""Assembling an OKRSet line by line, for the readers of line-oriented formats.

The Markdown and text readers decide what each line is; this builder keeps the rest
consistent between them: where key results without an objective go, and which item a
stand-alone suppression comment applies to (the key result or objective on the very next
line; otherwise the objective it sits under, or the whole file before any objective).
"""

from __future__ import annotations

from ..errors import InputError
from ..models import KeyResult, Objective, OKRSet, SourceLocation, Suppression
from . import lines as grammar


class SetBuilder:
    """Collects objectives, key results, metadata and suppressions in file order."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.team: str | None = None
        self.period: str | None = None
        self.objectives: list[Objective] = []
        self.set_suppressions: list[Suppression] = []
        self.explicit: set[int] = set()  # ids of objectives that said "Objective" themselves
        self._pending: list[Suppression] = []
        self._pending_last_line: int | None = None

    # -- where things go -------------------------------------------------------------
    @property
    def current(self) -> Objective | None:
        """The objective new key results belong to, if any has started."""
        return self.objectives[-1] if self.objectives else None

    def _take_pending(self, line: int) -> list[Suppression]:
        """Suppressions from comment lines directly above `line`; older ones are flushed."""
        if self._pending and self._pending_last_line == line - 1:
            taken, self._pending = self._pending, []
            self._pending_last_line = None
            return taken
        self.flush_pending()
        return []

    def flush_pending(self) -> None:
        """Attach waiting comment suppressions to the enclosing objective, or the set."""
        if not self._pending:
            return
        target = self.current
        if target is None:
            self.set_suppressions.extend(self._pending)
        else:
            target.suppressions.extend(self._pending)
        self._pending = []
        self._pending_last_line = None

    # -- events from the readers ------------------------------------------------------
    def comment_line(self, suppressions: list[Suppression], line: int) -> None:
        """A line holding only okr-review comments: they wait for the next line."""
        if self._pending and self._pending_last_line != line - 1:
            self.flush_pending()
        self._pending.extend(suppressions)
        self._pending_last_line = line

    def other_line(self, suppressions: list[Suppression], line: int) -> None:
        """A line that is neither objective nor key result (prose, blank, metadata)."""
        self.flush_pending()
        target = self.current
        if suppressions:
            (target.suppressions if target else self.set_suppressions).extend(suppressions)

    def blank_line(self, suppressions: list[Suppression], line: int) -> None:
        """A line with no text left once comments are taken out."""
        if suppressions:
            self.comment_line(suppressions, line)
        else:
            self.other_line([], line)

    def heading_line(
        self, heading: grammar.Heading, suppressions: list[Suppression], line: int
    ) -> bool:
        """A Markdown heading: metadata, a label, or an objective; True if one started."""
        if (meta := grammar.meta_line(heading.raw)) is not None:
            self.set_meta(*meta, suppressions, line)
        elif grammar.is_key_results_label(heading.raw) or not heading.objective:
            self.other_line(suppressions, line)
        else:
            self.start_objective(
                heading.objective, line, suppressions, explicit=heading.says_objective
            )
            return True
        return False

    def set_meta(self, key: str, value: str, suppressions: list[Suppression], line: int) -> None:
        """A `Team:` or `Period:` line; its trailing comment applies to the whole set."""
        self.flush_pending()
        setattr(self, key, value)
        self.set_suppressions.extend(suppressions)

    def start_objective(
        self, text: str, line: int, suppressions: list[Suppression], *, explicit: bool = True
    ) -> Objective:
        """A new objective; comments directly above it and at its line's end apply to it."""
        above = self._take_pending(line)
        objective = Objective(
            text=text,
            location=SourceLocation(file=self.file, line=line),
            suppressions=[*above, *suppressions],
        )
        self.objectives.append(objective)
        if explicit:
            self.explicit.add(id(objective))
        return objective

    def objective_named(self, text: str, line: int) -> Objective:
        """The objective with this text, started here if there is none yet (a table names
        its objective on every row)."""
        for objective in reversed(self.objectives):
            if objective.text == text:
                return objective
        return self.start_objective(text, line, [])

    def add_key_result(
        self,
        text: str,
        line: int,
        suppressions: list[Suppression],
        objective: Objective | None = None,
    ) -> KeyResult:
        """A key result under `objective`, else under the current objective (an implicit one
        before any objective)."""
        above = self._take_pending(line)
        if objective is None and self.current is None:
            self.objectives.append(
                Objective(
                    text="", implicit=True, location=SourceLocation(file=self.file, line=line)
                )
            )
            self.explicit.add(id(self.objectives[-1]))
        key_result = KeyResult(
            text=text,
            location=SourceLocation(file=self.file, line=line),
            suppressions=[*above, *suppressions],
        )
        target = objective if objective is not None else self.current
        assert target is not None
        target.key_results.append(key_result)
        return key_result

    # -- the result -------------------------------------------------------------------
    def build(self, *, no_key_results_hint: str) -> OKRSet:
        """The OKR set; objectives without key results survive only if they were explicit."""
        self.flush_pending()
        objectives: list[Objective] = []
        for objective in self.objectives:
            if objective.key_results or id(objective) in self.explicit:
                objectives.append(objective)
            else:  # a title heading: what was written under it concerns the whole file
                self.set_suppressions.extend(objective.suppressions)
                if self.period is None and not objectives:
                    # "# Platform team Q1 2027": the title names the period the file plans,
                    # unless front matter or a `Period:` line said otherwise.
                    self.period = grammar.period_in_title(objective.text)
        if not any(o.key_results for o in objectives):
            raise InputError("no key results found", file=self.file, hint=no_key_results_hint)
        return OKRSet(
            team=self.team,
            period=self.period,
            objectives=objectives,
            source_file=self.file,
            suppressions=self.set_suppressions,
        )
