"""The data model every stage shares: OKR input, parsed anatomy, findings, critique, report.

Everything a stage hands to the next is one of these pydantic models, so the CLI, the page,
the Python API and the JSON report all speak the same language. Fields are only ever added,
never renamed or removed: the JSON report is a committed interface.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "info"]
Kind = Literal["outcome", "output", "activity", "unmeasurable"]
Direction = Literal["increase", "decrease", "maintain", "reach"]
Comparator = Literal["<", "<=", "=", ">=", ">", "~"]
UnitKind = Literal[
    "percent",  # 12%, a share of something
    "percentage_points",  # "by 3 points", "3pp": an absolute change of a percentage
    "duration",  # normalised to seconds in `value`
    "money",  # currency amount; `unit` holds the currency symbol or code
    "count",  # a plain number of things (incidents, bugs)
    "rate",  # a count per period: 8/quarter, 12 per month
    "score",  # a value on a scale: 4.6/5, NPS 40
    "multiplier",  # 2x, 10x
    "size",  # bytes, normalised to bytes in `value`
    "percentile",  # p95, "99th percentile": names an aggregation, not a measured value
    "date",  # Q3, H2, FY26, 2027, 2026-09-30, "March 2027": a point in time
    "other",
]

SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class SourceLocation(_Model):
    """Where something was read from: a file (or `<stdin>`, `<paste>`) and a 1-based line."""

    file: str | None = None
    line: int | None = None


class Suppression(_Model):
    """A reasoned instruction in the OKR file to not report one rule code for one item."""

    code: str
    reason: str | None = None
    location: SourceLocation = Field(default_factory=SourceLocation)


class KeyResult(_Model):
    """One key result as the team wrote it, plus the explicit fields a file may give."""

    text: str
    owner: str | None = None
    baseline: str | None = None
    target: str | None = None
    deadline: str | None = None
    measured_by: str | None = None
    location: SourceLocation = Field(default_factory=SourceLocation)
    suppressions: list[Suppression] = Field(default_factory=list)


class Objective(_Model):
    """A qualitative objective and the key results that say how its success is measured."""

    text: str
    key_results: list[KeyResult] = Field(default_factory=list)
    location: SourceLocation = Field(default_factory=SourceLocation)
    suppressions: list[Suppression] = Field(default_factory=list)
    # True for the container readers make when key results come before any objective
    # (a paste of bare key results): its text is "" and set rules should not judge it.
    implicit: bool = False


class OKRSet(_Model):
    """A team's OKRs for one period, as read from one file (or one paste)."""

    team: str | None = None
    period: str | None = None
    objectives: list[Objective] = Field(default_factory=list)
    source_file: str | None = None
    suppressions: list[Suppression] = Field(default_factory=list)

    def key_results(self) -> list[tuple[Objective, KeyResult]]:
        """Every key result with the objective it belongs to, in file order."""
        return [(obj, kr) for obj in self.objectives for kr in obj.key_results]


class Quantity(_Model):
    """A number as written in a key result, with its unit normalised so values compare.

    Durations are normalised to seconds and sizes to bytes in `value`; `raw` keeps the words.
    """

    raw: str
    value: float
    upper: float | None = None  # the top of a range ("5-10 minutes"), normalised like value
    unit: str | None = None  # normalised unit symbol: "%", "pp", "s", "$", "x", "/5", "B"...
    unit_kind: UnitKind = "other"
    comparator: Comparator | None = None
    per: str | None = None  # the period of a rate: "quarter" in "8/quarter"
    span: tuple[int, int] | None = None  # character offsets in the key result text


class RelativeChange(_Model):
    """A change stated relative to an unstated starting point: "by 30%", "2x", "halve"."""

    raw: str
    value: float  # the fraction of change (0.3 for "by 30%") or the factor (2.0 for "2x")
    form: Literal["percent", "factor", "points", "absolute"] = "percent"
    span: tuple[int, int] | None = None


class Anatomy(_Model):
    """What a key result is made of, parsed from its text and explicit fields."""

    metric: str | None = None
    direction: Direction | None = None
    baseline: Quantity | None = None
    target: Quantity | None = None
    relative_change: RelativeChange | None = None
    percentile: str | None = None  # "p95"
    aggregation: str | None = None  # "mean", "average", "median", "p95"...
    window: str | None = None  # "over 28 days", "per quarter"
    deadline: str | None = None  # "by end of Q3"
    source: str | None = None  # "RUM p75 LCP on /checkout"
    numbers: list[Quantity] = Field(default_factory=list)  # every number found, in order
    cues: list[str] = Field(default_factory=list)  # the lexical cues the classifier used


class Finding(_Model):
    """One problem a rule found, with what to write instead and the guidance that explains it."""

    code: str
    name: str
    severity: Severity
    message: str
    fix: str
    guidance: list[str] = Field(default_factory=list)  # passage or document ids
    span: tuple[int, int] | None = None  # character offsets in the key result text
    objective: str | None = None  # for set-level findings: the objective concerned
    location: SourceLocation | None = None  # for set-level findings


class Passage(_Model):
    """A section of a guidance document, as retrieved for a key result."""

    id: str  # "doc-id#section-slug"
    doc_id: str
    title: str
    section: str = ""
    text: str
    rules: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    score: float = 0.0


class Problem(_Model):
    """One problem in the critique, citing the passages it relies on."""

    text: str
    citations: list[str] = Field(default_factory=list)


class Rewrite(_Model):
    """A suggested replacement key result; unknown values are visible placeholders."""

    text: str
    metric: str | None = None
    baseline: str | None = None
    target: str | None = None
    deadline: str | None = None
    placeholders: list[str] = Field(default_factory=list)  # which fields are placeholders
    rationale: str | None = None
    instrument_first: bool = False  # no baseline data exists yet: measure before committing
    verified: bool = False
    verification_notes: list[str] = Field(default_factory=list)


class Critique(_Model):
    """Why the key result falls short, grounded in cited guidance, and who wrote it."""

    critic: Literal["llm", "deterministic"]
    summary: str
    problems: list[Problem] = Field(default_factory=list)
    kind_opinion: Kind | None = None
    cited: list[Passage] = Field(default_factory=list)  # the retrieved passages it cites
    prompt: str | None = None  # "critique@3" when an LLM wrote it
    model: str | None = None
    fallback_reason: str | None = None  # why the LLM critique was not used, if it was wanted


class KeyResultReview(_Model):
    """Everything the reviewer says about one key result."""

    key_result: KeyResult
    objective: str | None = None
    kind: Kind
    anatomy: Anatomy
    findings: list[Finding] = Field(default_factory=list)
    suppressed: list[Finding] = Field(default_factory=list)
    retrieved: list[Passage] = Field(default_factory=list)
    critique: Critique | None = None
    rewrites: list[Rewrite] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    errors: list[str] = Field(default_factory=list)  # stage failures that degraded this review

    def worst_severity(self) -> Severity | None:
        """The most severe finding's severity, or None when nothing was found."""
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=SEVERITY_ORDER.__getitem__)


class InputProblem(_Model):
    """A file (or part of one) that could not be read, reported instead of crashing."""

    file: str
    line: int | None = None
    message: str


class Usage(_Model):
    """LLM usage for a run: calls made, tokens spent, cache hits that cost nothing."""

    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cache_hits: int = 0
    fallbacks: int = 0

    def add(self, other: Usage) -> None:
        """Add another usage record into this one (every counter)."""
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Summary(_Model):
    """Counts a reader wants first: key results by kind, findings by code and severity."""

    key_results: int = 0
    by_kind: dict[str, int] = Field(default_factory=dict)
    by_code: dict[str, int] = Field(default_factory=dict)
    by_severity: dict[str, int] = Field(default_factory=dict)
    by_critic: dict[str, int] = Field(default_factory=dict)


class Report(_Model):
    """The result of reviewing one or more OKR sets."""

    mode: Literal["offline", "llm"] = "offline"
    sets: list[OKRSet] = Field(default_factory=list)
    reviews: list[KeyResultReview] = Field(default_factory=list)
    set_findings: list[Finding] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    usage: Usage = Field(default_factory=Usage)
    input_problems: list[InputProblem] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # degradations worth telling the reader

    def all_findings(self) -> list[Finding]:
        """Key-result findings and set findings together."""
        return [f for r in self.reviews for f in r.findings] + list(self.set_findings)

    def summarise(self) -> Summary:
        """Recompute the summary counts from the reviews and set findings."""
        summary = Summary(key_results=len(self.reviews))
        for review in self.reviews:
            summary.by_kind[review.kind] = summary.by_kind.get(review.kind, 0) + 1
            if review.critique is not None:
                critic = review.critique.critic
                summary.by_critic[critic] = summary.by_critic.get(critic, 0) + 1
        for finding in self.all_findings():
            summary.by_code[finding.code] = summary.by_code.get(finding.code, 0) + 1
            summary.by_severity[finding.severity] = summary.by_severity.get(finding.severity, 0) + 1
        self.summary = summary
        return summary
