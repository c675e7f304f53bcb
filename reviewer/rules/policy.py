"""Which rules run and at what severity: select / ignore / extend_select, policy, overrides.

Precedence for severity, lowest first: the rule's default, the policy preset, then the
per-code `severity` table of the config. Selection works like ruff: `select` replaces the
default set, `extend_select` adds to it (this is how off-by-default rules such as KR402 are
turned on), `ignore` removes; each entry is a code (`KR101`), a prefix (`KR1`, `OKR`) or
`ALL`. An entry that matches no rule is a configuration error, so typos do not pass silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ConfigError
from ..models import Severity
from .registry import REGISTRY, RuleSpec

# Presets a team picks with `policy = "..."`. Each maps codes to the severity it gets.
POLICY_SEVERITIES: dict[str, dict[str, Severity]] = {
    # Outcome key results only: outputs and activities are errors.
    "strict": {},
    # A new product often has no history to measure against and must ship before it can
    # move a metric: deliverables are tolerated as warnings, and a missing baseline is
    # a note (instrument first), not a warning.
    "early-stage": {"KR101": "warning", "KR201": "info"},
}
POLICY_NOTES: dict[str, str] = {
    "strict": "outcome key results only; outputs and activities are errors",
    "early-stage": "for new products: KR101 output-not-outcome is a warning and KR201 "
    "missing-baseline is info (instrument first); everything else as strict",
}
# Codes the engine itself produces about suppressions; they cannot be suppressed inline.
META_CODES = frozenset({"KR901", "KR902"})


@dataclass(frozen=True)
class Plan:
    """The rules one config runs, each with its effective severity."""

    key_result_rules: tuple[tuple[RuleSpec, Severity], ...]
    set_rules: tuple[tuple[RuleSpec, Severity], ...]
    enabled: frozenset[str]
    severity: dict[str, Severity]
    # key_result_rules narrowed to those that can fire on each kind (RuleSpec.kinds)
    by_kind: dict[str, tuple[tuple[RuleSpec, Severity], ...]] = field(default_factory=dict)

    def rules_for(self, kind: str) -> tuple[tuple[RuleSpec, Severity], ...]:
        """The key-result rules worth running on a key result of this kind."""
        return self.by_kind.get(kind, self.key_result_rules)


_PLANS: dict[tuple, Plan] = {}


def _expand(entries: list[str], what: str) -> set[str]:
    codes: set[str] = set()
    for entry in entries:
        entry = entry.strip().upper()
        if not entry:
            continue
        if entry == "ALL":
            codes.update(REGISTRY)
            continue
        matched = {code for code in REGISTRY if code.startswith(entry)}
        if not matched:
            by_name = {code for code, spec in REGISTRY.items() if spec.name.upper() == entry}
            matched = by_name
        if not matched:
            raise ConfigError(
                f"{what}: {entry!r} matches no rule code (see `okr-review rules` for the list)"
            )
        codes.update(matched)
    return codes


def plan_for(config) -> Plan:
    """The (cached) plan for a config; built once per distinct selection and severity set."""
    key = (
        config.policy,
        tuple(config.select) if config.select is not None else None,
        tuple(config.ignore),
        tuple(config.extend_select),
        tuple(sorted(config.severity.items())),
        len(REGISTRY),
    )
    plan = _PLANS.get(key)
    if plan is None:
        plan = _build_plan(config)
        _PLANS[key] = plan
    return plan


def _build_plan(config) -> Plan:
    if config.policy not in POLICY_SEVERITIES:
        raise ConfigError(
            f"unknown policy {config.policy!r}: use one of {sorted(POLICY_SEVERITIES)}"
        )
    if config.select is None:
        enabled = {code for code, spec in REGISTRY.items() if spec.enabled_by_default}
    else:
        enabled = _expand(list(config.select), "select")
    enabled |= _expand(list(config.extend_select), "extend_select")
    enabled -= _expand(list(config.ignore), "ignore")
    severity: dict[str, Severity] = {code: spec.severity for code, spec in REGISTRY.items()}
    severity.update(POLICY_SEVERITIES[config.policy])
    for entry, level in config.severity.items():
        for code in _expand([entry], "severity"):
            severity[code] = level
    ordered = sorted(enabled)
    key_result_rules = tuple(
        (REGISTRY[c], severity[c])
        for c in ordered
        if REGISTRY[c].scope == "key_result" and c not in META_CODES
    )
    return Plan(
        key_result_rules=key_result_rules,
        by_kind={
            kind: tuple(r for r in key_result_rules if not r[0].kinds or kind in r[0].kinds)
            for kind in ("outcome", "output", "activity", "unmeasurable")
        },
        set_rules=tuple((REGISTRY[c], severity[c]) for c in ordered if REGISTRY[c].scope == "set"),
        enabled=frozenset(enabled),
        severity=severity,
    )
