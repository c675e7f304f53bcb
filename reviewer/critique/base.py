"""What every critic receives about one key result, and what it hands back.

Both critics (LLM and deterministic) take a `CritiqueInput` and return a `CritiqueResult`,
so the pipeline and the verifier treat them alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import (
    Anatomy,
    Critique,
    Finding,
    KeyResult,
    Kind,
    Objective,
    Passage,
    Rewrite,
    Usage,
)


@dataclass
class CritiqueInput:
    """One key result after rules and retrieval: the draft, its parse, findings and guidance."""

    key_result: KeyResult
    objective: Objective | None
    period: str | None
    kind: Kind
    anatomy: Anatomy
    findings: list[Finding]
    passages: list[Passage]

    @property
    def objective_text(self) -> str | None:
        """The objective's text, or None."""
        return self.objective.text if self.objective else None

    def passage_ids(self) -> list[str]:
        """Ids of the passages retrieved for this key result, best first."""
        return [p.id for p in self.passages]

    def has_error(self) -> bool:
        """True when an error-level finding fired: the draft needs a rewrite."""
        return any(f.severity == "error" for f in self.findings)

    def needs_rewrite(self) -> bool:
        """True when a finding at warning or error level fired."""
        return any(f.severity in ("error", "warning") for f in self.findings)


@dataclass
class CritiqueResult:
    """A critique and its rewrites, plus what a caller should know about how it was made."""

    critique: Critique
    rewrites: list[Rewrite]
    notes: list[str] = field(default_factory=list)  # degradations for this key result
    usage: Usage = field(default_factory=Usage)  # LLM calls and tokens spent on it
    verify_ms: float = 0.0  # time spent verifying inside the critic (LLM re-ask loop)
    queue_ms: float = 0.0  # time the critic's requests waited for a request slot
