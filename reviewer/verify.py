"""Verification: every rewrite, from any critic, is checked before a user sees it.

1. Citations must be ids of passages retrieved for this key result; unknown ids are dropped.
2. No invented numbers: every number in a rewrite must appear in the draft, its explicit
   fields, its objective or the period (compared after unit normalisation, so "5 minutes"
   matches "300 s"). Anything else becomes a visible placeholder (`<baseline>`,
   `<target>`, `<deadline>`) and is marked in `placeholders`. Percentile labels such as
   p95 name an aggregation, not a value, and are allowed.
3. The rewrite must pass the rules about outcome and shape (KR101, KR102, KR103, KR203,
   KR204, KR501), and KR401 when the draft was flagged for a gameable metric (a rewrite
   may not keep that proxy); placeholder values count as present.

`verify_result` returns the corrected result and the violations a re-ask could fix; the
LLM critic re-asks once with them, the deterministic critic drops the failing candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .config import Config
from .critique.base import CritiqueInput, CritiqueResult
from .models import Finding, KeyResult, Passage, Quantity, Rewrite

SHAPE_CODES: tuple[str, ...] = ("KR101", "KR102", "KR103", "KR203", "KR204", "KR501")
# Checked on a rewrite only when the draft fired it: a rewrite must not keep the proxy the
# critique warned about, while a team that ignores KR401 keeps its metric in rewrites too.
GAMEABLE_CODE = "KR401"
PLACEHOLDER_RE = re.compile(r"<\s*(metric|baseline|target|deadline)(?:\s*:[^>]*)?>", re.I)
_VALUE_TOLERANCE = 1e-6


@dataclass
class Verification:
    """The outcome of verifying one critique and its rewrites."""

    result: CritiqueResult
    violations: list[str] = field(default_factory=list)  # what a re-ask should fix
    failed: list[Rewrite] = field(default_factory=list)  # rewrites that failed the shape rules

    @property
    def salvageable(self) -> bool:
        """True when the only violations are failing rewrites and at least one rewrite passed."""
        passed = [r for r in self.result.rewrites if r.verified]
        only_rewrites = all(v.startswith("rewrite ") for v in self.violations)
        return bool(passed) and only_rewrites

    def salvage(self) -> CritiqueResult:
        """The result with the failing rewrites removed, noting how many were dropped."""
        kept = [r for r in self.result.rewrites if r.verified]
        dropped = len(self.result.rewrites) - len(kept)
        self.result.rewrites = kept
        if dropped:
            self.result.notes.append(
                f"verify: dropped {dropped} rewrite(s) that still failed the shape rules"
            )
        return self.result


# -- numbers --------------------------------------------------------------------------------
def _numbers(text: str | None) -> list[Quantity]:
    from .anatomy import extract_numbers

    return extract_numbers(text) if text else []


def allowed_numbers(ctx: CritiqueInput) -> list[Quantity]:
    """Every number the input gives: draft text, explicit fields, objective, period."""
    kr = ctx.key_result
    sources = (
        kr.text,
        kr.baseline,
        kr.target,
        kr.deadline,
        kr.measured_by,
        ctx.objective_text,
        ctx.period,
    )
    return [q for source in sources for q in _numbers(source)]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _VALUE_TOLERANCE * max(1.0, abs(a), abs(b))


def _is_date(q: Quantity) -> bool:
    return q.unit_kind == "date"


_DIGIT_GROUPS = re.compile(r"\d+")


def is_invented(quantity: Quantity, allowed: Iterable[Quantity]) -> bool:
    """True when `quantity` matches no allowed number (by normalised value, dates by date)."""
    if quantity.unit_kind == "percentile":
        return False  # "p95" names the aggregation, it is not a claimed value
    allowed = list(allowed)
    if _is_date(quantity) or (quantity.unit_kind == "count" and 1900 <= quantity.value <= 2100):
        # Dates and years are compared by their digits: "2026" and "Q3" both come from a
        # period written "2026-Q3", however the parser splits them.
        known = {
            g
            for q in allowed
            if _is_date(q) or (q.unit_kind == "count" and 1900 <= q.value <= 2100)
            for g in _DIGIT_GROUPS.findall(q.raw)
        }
        groups = set(_DIGIT_GROUPS.findall(quantity.raw))
        if _is_date(quantity):
            return not (groups and groups <= known)
        if quantity.raw.strip() in known:
            return False
    values = [quantity.value] + ([quantity.upper] if quantity.upper is not None else [])
    for other in allowed:
        if _is_date(quantity) != _is_date(other):
            continue
        if _is_date(quantity) and (quantity.unit or "") != (other.unit or ""):
            continue
        candidates = [other.value] + ([other.upper] if other.upper is not None else [])
        if all(any(_close(v, c) for c in candidates) for v in values):
            return False
    return True


def _placeholder_for(text: str, quantity: Quantity, roles: dict[tuple[int, int], str]) -> str:
    if _is_date(quantity):
        return "<deadline>"
    span = quantity.span or (0, 0)
    if span in roles:
        return f"<{roles[span]}>"
    before = text[: span[0]].rstrip().lower()
    return "<baseline>" if re.search(r"\b(from|currently|baseline:?|at)$", before) else "<target>"


def _roles(text: str) -> dict[tuple[int, int], str]:
    """Which numbers of `text` its anatomy reads as baseline and target, by span."""
    try:
        from .anatomy import parse_anatomy

        anatomy = parse_anatomy(KeyResult(text=text))
    except Exception:
        return {}
    roles: dict[tuple[int, int], str] = {}
    if anatomy.baseline is not None and anatomy.baseline.span:
        roles[tuple(anatomy.baseline.span)] = "baseline"  # type: ignore[index]
    if anatomy.target is not None and anatomy.target.span:
        roles[tuple(anatomy.target.span)] = "target"  # type: ignore[index]
    return roles


def replace_invented_numbers(
    text: str, allowed: list[Quantity]
) -> tuple[str, list[tuple[str, str]]]:
    """`text` with invented numbers replaced by placeholders, and (raw, placeholder) pairs."""
    invented = [q for q in _numbers(text) if is_invented(q, allowed)]
    if not invented:
        return text, []
    roles = _roles(text)
    replaced: list[tuple[str, str]] = []
    # Replace right to left so earlier spans stay valid.
    for quantity in sorted(invented, key=lambda q: (q.span or (0, 0))[0], reverse=True):
        start, end = quantity.span or (
            text.find(quantity.raw),
            text.find(quantity.raw) + len(quantity.raw),
        )
        if start < 0:
            continue
        placeholder = _placeholder_for(text, quantity, roles)
        text = text[:start] + placeholder + text[end:]
        replaced.append((quantity.raw.strip(), placeholder))
    text = re.sub(r"(<(baseline|target|deadline)>)(\s+\1)+", r"\1", text)
    return text, list(reversed(replaced))


def _placeholders_in(*texts: str | None) -> list[str]:
    found: list[str] = []
    for text in texts:
        for match in PLACEHOLDER_RE.finditer(text or ""):
            name = match.group(1).lower()
            if name not in found:
                found.append(name)
    return found


# -- shape rules -----------------------------------------------------------------------------
def rewrite_codes(ctx: CritiqueInput) -> tuple[str, ...]:
    """The rules every rewrite for this draft must pass: the shape rules, and KR401 when
    the draft itself was flagged for a gameable metric."""
    if any(f.code == GAMEABLE_CODE for f in ctx.findings):
        return (*SHAPE_CODES, GAMEABLE_CODE)
    return SHAPE_CODES


def _verification_config(config: Config, codes: tuple[str, ...]) -> Config:
    """The user's config narrowed to `codes`, strict whatever the team's policy."""
    return config.model_copy(
        update={
            "select": list(codes),
            "ignore": [],
            "extend_select": [],
            "policy": "strict",
            "rules_only": True,
        }
    )


def shape_findings(rewrite: Rewrite, ctx: CritiqueInput, config: Config) -> list[Finding]:
    """The shape-rule findings a rewrite still triggers (empty means it passes).

    A placeholder counts as a present value. The parser does not read `<target>` as a
    number, so it may take another number for the target ("7-day" in "Increase 7-day
    retention from 28% to <target>") and report a unit or direction conflict that is not
    there; those two rules are then re-checked with neutral values in the placeholders'
    places, consistent with the stated direction and the known value's unit.
    """
    failures = _shape(rewrite, rewrite.text, ctx, config)
    value_rules = {"KR203", "KR204"}
    if (
        failures
        and {f.code for f in failures} <= value_rules
        and PLACEHOLDER_RE.search(rewrite.text)
    ):
        neutral = neutral_values(rewrite.text)
        if neutral != rewrite.text:
            failures = _shape(rewrite, neutral, ctx, config)
    return failures


def _shape(rewrite: Rewrite, text: str, ctx: CritiqueInput, config: Config) -> list[Finding]:
    from .rules import check_key_result

    def field(value: str | None) -> str | None:
        return None if value is None or PLACEHOLDER_RE.fullmatch(value.strip()) else value

    kr = KeyResult(
        text=text,
        baseline=field(rewrite.baseline),
        target=field(rewrite.target),
        deadline=field(rewrite.deadline),
        measured_by=ctx.key_result.measured_by,
        location=ctx.key_result.location,
    )
    codes = rewrite_codes(ctx)
    outcome = check_key_result(kr, ctx.objective, ctx.period, _verification_config(config, codes))
    return [f for f in outcome.findings if f.code in codes]


_KNOWN_THEN_TARGET = re.compile(r"\bfrom\s+(?P<known>[^<]+?)\s+to\s+(?P<ph><target>)", re.I)
_BASELINE_THEN_KNOWN = re.compile(
    r"\bfrom\s+(?P<ph><baseline>)\s+to\s+(?P<known>[^<]+?)(?=\s+(?:by|before|in|within|over)\b|$|[,;(]|\.(?:\s|$))",
    re.I,
)
_FIRST_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def neutral_values(text: str) -> str:
    """`text` with a `<baseline>` or `<target>` next to a known value replaced by a number
    in that value's unit, moved the way the verb says (for re-checking value rules only)."""
    from .anatomy import parse_anatomy

    direction = parse_anatomy(KeyResult(text=text)).direction
    if direction not in ("increase", "decrease"):
        return text
    for pattern, placeholder_is_target in (
        (_KNOWN_THEN_TARGET, True),
        (_BASELINE_THEN_KNOWN, False),
    ):
        match = pattern.search(text)
        if not match:
            continue
        known = match.group("known")
        number = _FIRST_NUMBER.search(known)
        if not number:
            continue
        value = float(number.group(0))
        percent = "%" in known
        # The placeholder's value goes up from the baseline for "increase", down for "decrease".
        up = (direction == "increase") == placeholder_is_target
        new = (
            min(value * 1.5, (value + 100) / 2)
            if (up and percent)
            else value * 1.5
            if up
            else value / 2
        )
        replacement = known[: number.start()] + f"{new:g}" + known[number.end() :]
        start, end = match.span("ph")
        text = text[:start] + replacement + text[end:]
    return text


# -- one rewrite -----------------------------------------------------------------------------
def verify_rewrite(
    rewrite: Rewrite,
    ctx: CritiqueInput,
    config: Config,
    allowed: list[Quantity] | None = None,
) -> tuple[Rewrite, list[Finding]]:
    """A copy of `rewrite` with invented numbers replaced and `verified` set, and its failures."""
    allowed = allowed_numbers(ctx) if allowed is None else allowed
    notes = list(rewrite.verification_notes)
    text, replaced = replace_invented_numbers(rewrite.text, allowed)
    for raw, placeholder in replaced:
        notes.append(f"'{raw}' appears nowhere in the input: replaced by {placeholder}")
    fields: dict[str, str | None] = {}
    for name in ("baseline", "target", "deadline"):
        value = getattr(rewrite, name)
        if value and any(is_invented(q, allowed) for q in _numbers(value)):
            notes.append(f"{name} '{value}' appears nowhere in the input: replaced by <{name}>")
            value = f"<{name}>"
        fields[name] = value
    placeholders = list(rewrite.placeholders)
    for name in _placeholders_in(text, *fields.values()):
        if name not in placeholders:
            placeholders.append(name)
    checked = rewrite.model_copy(
        update={
            "text": text,
            **fields,
            "placeholders": placeholders,
            "verification_notes": notes,
        }
    )
    failures = shape_findings(checked, ctx, config)
    if replaced:
        # Placeholders can hide a shape problem ("Hold <target> game days" no longer counts
        # anything): the rewrite as written must pass too.
        as_written = rewrite.model_copy(update={"text": rewrite.text})
        seen = {f.code for f in failures}
        failures += [f for f in shape_findings(as_written, ctx, config) if f.code not in seen]
    for finding in failures:
        notes.append(f"fails {finding.code} {finding.name}: {finding.message}")
    checked.verified = not failures
    checked.verification_notes = notes
    return checked, failures


# -- a whole critique ------------------------------------------------------------------------
def verify_citations(result: CritiqueResult, passages: list[Passage]) -> list[str]:
    """Drop citations of passages that were not retrieved; fill `cited`; return notes."""
    by_id = {p.id: p for p in passages}
    notes: list[str] = []
    cited: list[Passage] = []
    for problem in result.critique.problems:
        kept = []
        for citation in problem.citations:
            key = citation.strip()
            if key in by_id:
                if key not in kept:
                    kept.append(key)
            else:
                notes.append(f"dropped citation '{key[:80]}': not a retrieved passage")
        problem.citations = kept
        cited.extend(by_id[k] for k in kept if by_id[k] not in cited)
    for passage in result.critique.cited:
        if passage.id in by_id and by_id[passage.id] not in cited:
            cited.append(by_id[passage.id])
    result.critique.cited = cited
    return notes


def verify_result(
    result: CritiqueResult,
    ctx: CritiqueInput,
    config: Config,
    critic: Literal["llm", "deterministic"] = "deterministic",
) -> Verification:
    """Check citations, numbers and shape of a critique's rewrites; list what must be fixed."""
    violations: list[str] = []
    result.notes.extend(verify_citations(result, ctx.passages))
    if ctx.passages and not result.critique.cited:
        ids = ", ".join(ctx.passage_ids())
        violations.append(f"the critique cites no retrieved passage; cite one of: {ids}")
    allowed = allowed_numbers(ctx)
    checked: list[Rewrite] = []
    failed: list[Rewrite] = []
    for index, rewrite in enumerate(result.rewrites, start=1):
        verified, failures = verify_rewrite(rewrite, ctx, config, allowed)
        checked.append(verified)
        if failures:
            failed.append(verified)
            reasons = "; ".join(f"{f.code} {f.name}: {f.message}" for f in failures)
            violations.append(f"rewrite {index} ('{verified.text}') fails {reasons}")
    result.rewrites = checked
    if ctx.has_error() and not checked:
        codes = ", ".join(sorted({f.code for f in ctx.findings if f.severity == "error"}))
        violations.append(
            f"the key result has error-level findings ({codes}) but the answer has no rewrite"
        )
    return Verification(result=result, violations=violations, failed=failed)
