"""The rule catalogue and the engine that runs it.

    from reviewer.rules import check_key_result, check_set, all_rules, enabled_rules

Rules are grouped by theme: `kinds` (KR1xx), `values` (KR2xx), `timing` (KR3xx),
`metrics` (KR4xx), `shape` (KR5xx), `sets` (OKR6xx) and `suppressions` (KR9xx). Importing
this package registers them all; `docs` serves `okr-review rules`.
"""

from __future__ import annotations

from . import kinds, metrics, sets, shape, suppressions, timing, values  # noqa: F401 - register
from .engine import (
    RuleOutcome,
    all_rules,
    check_key_result,
    check_set,
    effective_severity,
    enabled_rules,
)
from .policy import POLICY_NOTES, POLICY_SEVERITIES
from .registry import REGISTRY, Hit, KeyResultContext, RuleSpec, SetContext, rule

__all__ = [
    "POLICY_NOTES",
    "POLICY_SEVERITIES",
    "REGISTRY",
    "Hit",
    "KeyResultContext",
    "RuleOutcome",
    "RuleSpec",
    "SetContext",
    "all_rules",
    "check_key_result",
    "check_set",
    "effective_severity",
    "enabled_rules",
    "rule",
]
