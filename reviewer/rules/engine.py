"""The rule engine: run the enabled rules on a key result or a set, then apply suppressions.

Suppressions come from the OKR file (`ignore:` in YAML, `<!-- okr-review: ignore ... -->`
in Markdown) at three levels: a key result, an objective (covers its key results and the
set findings about it) and the whole set. A suppressed finding moves to `suppressed`; a
suppression without a reason still applies but is reported as KR901, and one that
suppresses nothing as KR902. `check_key_result` reports on the key result's own
suppressions; `check_set` on objective and set suppressions and on key-result suppressions
of set-level codes (OKR605), so nothing is reported twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..anatomy import Parsed, analyse
from ..anatomy.construct import build
from ..classify import classify_parsed
from ..config import Config
from ..models import (
    Anatomy,
    Finding,
    KeyResult,
    Kind,
    Objective,
    OKRSet,
    Severity,
    SourceLocation,
    Suppression,
)
from .policy import META_CODES, Plan, plan_for
from .registry import REGISTRY, Hit, KeyResultContext, RuleSpec, SetContext


@dataclass(slots=True)
class RuleOutcome:
    """What the rules say about one key result."""

    kind: Kind
    anatomy: Anatomy
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)


def all_rules() -> list[RuleSpec]:
    """Every registered rule, sorted by code."""
    return [REGISTRY[code] for code in sorted(REGISTRY)]


def enabled_rules(config: Config) -> list[RuleSpec]:
    """The rules this config runs, sorted by code."""
    return [REGISTRY[code] for code in sorted(plan_for(config).enabled)]


def effective_severity(code: str, config: Config) -> Severity:
    """The severity a rule's findings get under this config (policy and overrides applied)."""
    return plan_for(config).severity[code]


def _finding(spec: RuleSpec, severity: Severity, hit: Hit) -> Finding:
    return build(
        Finding,
        dict(
            code=spec.code,
            name=spec.name,
            severity=severity,
            message=hit.message,
            fix=hit.fix or spec.fix,
            guidance=list(spec.guidance),
            span=hit.span,
            objective=hit.objective,
            location=None,
        ),
    )


def _raw_key_result(
    kr: KeyResult,
    objective: Objective | None,
    period: str | None,
    config: Config,
    plan: Plan,
) -> tuple[Parsed, Kind, list[Finding]]:
    parsed = analyse(kr)
    kind = classify_parsed(parsed)
    context = KeyResultContext(
        key_result=kr,
        anatomy=parsed.anatomy,
        kind=kind,
        objective=objective,
        period=period,
        config=config,
        parsed=parsed,
    )
    findings: list[Finding] = []
    for spec, severity in plan.rules_for(kind):
        for hit in spec.func(context):
            findings.append(_finding(spec, severity, hit))
    return parsed, kind, findings


def _matching(code: str, suppressions: Iterable[Suppression]) -> Suppression | None:
    for suppression in suppressions:
        if suppression.code.strip().upper() == code:
            return suppression
    return None


def _split(
    findings: list[Finding], layers: Sequence[Sequence[Suppression]], used: set[int]
) -> tuple[list[Finding], list[Finding]]:
    """Move findings matched by a suppression (innermost layer first) to `suppressed`."""
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        match = None
        if finding.code not in META_CODES:
            for layer in layers:
                match = _matching(finding.code, layer)
                if match is not None:
                    break
        if match is None:
            kept.append(finding)
        else:
            used.add(id(match))
            suppressed.append(finding)
    return kept, suppressed


def _suppression_findings(
    suppressions: Sequence[Suppression],
    used: set[int],
    plan: Plan,
    *,
    skip_unused_codes: frozenset[str] = frozenset(),
    where: str,
    objective: str | None = None,
    default_file: str | None = None,
    report_missing_reason: bool = True,
) -> list[Finding]:
    """KR901 for suppressions without a reason, KR902 for those that suppressed nothing."""
    out: list[Finding] = []
    for suppression in suppressions:
        code = suppression.code.strip().upper()
        location = suppression.location
        if location is not None and location.file is None and default_file:
            location = SourceLocation(file=default_file, line=location.line)
        if (
            report_missing_reason
            and "KR901" in plan.enabled
            and not (suppression.reason or "").strip()
        ):
            spec = REGISTRY["KR901"]
            out.append(
                _finding(
                    spec,
                    plan.severity["KR901"],
                    Hit(
                        message=f"the suppression of {code or '(no code)'} on {where} gives no "
                        "reason, so nobody can tell later whether it still applies",
                        fix=f'Add a reason: `ignore: [{{code: {code or "KR101"}, reason: "..."}}]` '
                        f'in YAML, or `<!-- okr-review: ignore {code or "KR101"} reason="..." -->` '
                        "in Markdown.",
                        objective=objective,
                    ),
                ).model_copy(update={"location": location})
            )
        if "KR902" not in plan.enabled or id(suppression) in used or code in skip_unused_codes:
            continue
        if code not in REGISTRY:
            why = f"{code or '(empty)'} is not a rule code"
        elif code in META_CODES:
            why = f"{code} is about suppressions and cannot itself be suppressed in the file"
        elif code not in plan.enabled:
            why = f"{code} is not enabled in this configuration"
        else:
            why = f"{code} did not fire on {where}"
        spec = REGISTRY["KR902"]
        out.append(
            _finding(
                spec,
                plan.severity["KR902"],
                Hit(
                    message=f"the suppression of {code or '(no code)'} on {where} suppresses "
                    f"nothing: {why}",
                    objective=objective,
                ),
            ).model_copy(update={"location": location})
        )
    return out


def check_key_result(
    kr: KeyResult,
    objective: Objective | None = None,
    period: str | None = None,
    config: Config | None = None,
    *,
    okr_set: OKRSet | None = None,
) -> RuleOutcome:
    """Run the enabled key-result rules on one key result and apply its suppressions.

    Suppressions on the key result, its objective and (when `okr_set` is given) the set
    apply; KR901/KR902 are reported here for the key result's own suppressions.
    """
    config = config if config is not None else _default_config()
    plan = plan_for(config)
    parsed, kind, findings = _raw_key_result(kr, objective, period, config, plan)
    layers: list[Sequence[Suppression]] = [kr.suppressions]
    if objective is not None:
        layers.append(objective.suppressions)
    if okr_set is not None:
        layers.append(okr_set.suppressions)
    suppressed: list[Finding] = []
    if any(layers):
        used: set[int] = set()
        findings, suppressed = _split(findings, layers, used)
        if kr.suppressions:
            findings.extend(
                _suppression_findings(
                    kr.suppressions,
                    used,
                    plan,
                    skip_unused_codes=_set_codes(),
                    where="this key result",
                )
            )
    return RuleOutcome(kind=kind, anatomy=parsed.anatomy, findings=findings, suppressed=suppressed)


_DEFAULT_CONFIG: list[Config] = []


def _default_config() -> Config:
    """One shared default Config for callers that pass none (building one costs a validation)."""
    if not _DEFAULT_CONFIG:
        _DEFAULT_CONFIG.append(Config())
    return _DEFAULT_CONFIG[0]


def _set_codes() -> frozenset[str]:
    """Codes of set-scope rules (their key-result suppressions are judged by check_set)."""
    return frozenset(code for code, spec in REGISTRY.items() if spec.scope == "set")


def check_set(
    okr_set: OKRSet,
    config: Config | None = None,
    outcomes: Mapping[int, RuleOutcome] | None = None,
) -> tuple[list[Finding], list[Finding]]:
    """Run the set rules on a whole OKR set: (findings, suppressed).

    Set findings carry the objective text and a location. Also reports KR901/KR902 for
    objective- and set-level suppressions (and key-result suppressions of set codes).

    `outcomes` maps `id(key_result)` to what `check_key_result` already said about it with
    the same config (as the pipeline has after reviewing each key result); those key
    results are not parsed and checked again. Key results missing from it are checked here.
    """
    config = config if config is not None else _default_config()
    plan = plan_for(config)
    source_file = okr_set.source_file
    parsed: dict[int, tuple[Anatomy, Kind]] = {}
    used: set[int] = set()
    needs_kr_pass = bool(okr_set.suppressions) or any(o.suppressions for o in okr_set.objectives)
    for objective, kr in okr_set.key_results():
        known = outcomes.get(id(kr)) if outcomes else None
        if known is not None:
            parsed[id(kr)] = (known.anatomy, known.kind)
            # its raw findings: what was kept (less the suppression meta-findings) and
            # what its own suppressions took away
            raw = [f for f in known.findings if f.code not in META_CODES] + known.suppressed
        else:
            analysis, kind, raw = _raw_key_result(kr, objective, okr_set.period, config, plan)
            parsed[id(kr)] = (analysis.anatomy, kind)
        if needs_kr_pass and raw:
            _split(raw, [kr.suppressions, objective.suppressions, okr_set.suppressions], used)
    context = SetContext(okr_set=okr_set, config=config, parsed=parsed)
    objective_by_text = {o.text: o for o in okr_set.objectives}
    objective_of = {id(kr): o for o in okr_set.objectives for kr in o.key_results}
    findings: list[Finding] = []
    suppressed: list[Finding] = []
    for spec, severity in plan.set_rules:
        for hit in spec.func(context):
            finding = _finding(spec, severity, hit)
            objective = objective_by_text.get(hit.objective) if hit.objective else None
            if objective is None and hit.key_result is not None:
                objective = objective_of.get(id(hit.key_result))  # its suppressions apply
            layers: list[Sequence[Suppression]] = []
            location = None
            if hit.key_result is not None:
                layers.append(hit.key_result.suppressions)
                location = hit.key_result.location
            if objective is not None:
                layers.append(objective.suppressions)
                location = location or objective.location
            layers.append(okr_set.suppressions)
            file = (location.file if location else None) or source_file
            line = hit.line if hit.line is not None else (location.line if location else None)
            finding = finding.model_copy(update={"location": SourceLocation(file=file, line=line)})
            kept, gone = _split([finding], layers, used)
            findings.extend(kept)
            suppressed.extend(gone)
    # suppression hygiene for the levels check_key_result does not see
    for objective in okr_set.objectives:
        findings.extend(
            _suppression_findings(
                objective.suppressions,
                used,
                plan,
                where=f'objective "{_clip(objective.text)}"',
                objective=objective.text,
                default_file=source_file,
            )
        )
        for kr in objective.key_results:
            set_level = [s for s in kr.suppressions if s.code.strip().upper() in _set_codes()]
            if set_level:
                findings.extend(
                    _suppression_findings(
                        set_level,
                        used,
                        plan,
                        where=f'key result "{_clip(kr.text)}"',
                        objective=objective.text,
                        default_file=source_file,
                        report_missing_reason=False,  # check_key_result reports KR901 for these
                    )
                )
    findings.extend(
        _suppression_findings(
            okr_set.suppressions, used, plan, where="the whole set", default_file=source_file
        )
    )
    return findings, suppressed


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
