"""Load the rule case files (tests/rules/cases/<CODE>.yaml) and run one case.

A case is either one key result (`text`, optional `objective`, `period`, explicit fields
and `ignore` suppressions) or a whole set (`set:` with `period`, `ignore` and
`objectives`, each with `text`, `ignore`, `implicit` (the container a reader makes for
key results pasted without an objective) and `key_results` given as strings or dicts).
Both may carry `config` (Config fields). The rule under test is always selected on top
of the defaults, so off-by-default rules such as KR402 can be tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reviewer.config import Config
from reviewer.models import KeyResult, Objective, OKRSet, Suppression
from reviewer.rules import check_key_result, check_set

CASES_DIR = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class RuleCase:
    """One named example: the rule's code, whether it must fire, and the input."""

    code: str
    expect: str  # "fail": the code must fire; "pass": it must not
    name: str
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.code}-{self.expect}-{self.name}"


def load_rule_files() -> dict[str, dict[str, Any]]:
    """Every rule case file, by the code it declares."""
    files = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        if not re.fullmatch(r"(?:KR|OKR)\d{3}", path.stem):
            continue  # kinds.yaml and anatomy.yaml feed the anatomy tests
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        files[data["code"]] = data
    return files


def load_cases() -> list[RuleCase]:
    """All cases of all rule files, flattened."""
    cases = []
    for code, data in load_rule_files().items():
        for expect in ("fail", "pass"):
            for item in data.get(expect) or []:
                cases.append(RuleCase(code=code, expect=expect, name=item["name"], data=item))
    return cases


def _suppressions(items: list[dict[str, Any]] | None) -> list[Suppression]:
    return [Suppression(code=str(i["code"]), reason=i.get("reason")) for i in items or []]


def _key_result(item: str | dict[str, Any]) -> KeyResult:
    if isinstance(item, str):
        return KeyResult(text=item)
    fields = {k: item.get(k) for k in ("baseline", "target", "deadline", "measured_by")}
    return KeyResult(
        text=str(item.get("text", "")),
        suppressions=_suppressions(item.get("ignore")),
        **{k: str(v) for k, v in fields.items() if v is not None},
    )


def build_config(code: str, overrides: dict[str, Any] | None) -> Config:
    """The default config plus the case's overrides, with the rule under test selected."""
    data = dict(overrides or {})
    data["extend_select"] = [*data.get("extend_select", []), code]
    return Config.model_validate(data)


def codes_reported(case: RuleCase) -> set[str]:
    """Every code the engine reports for the case (key-result and set findings)."""
    data = case.data
    config = build_config(case.code, data.get("config"))
    if "set" in data:
        spec = data["set"]
        okr_set = OKRSet(
            period=spec.get("period"),
            suppressions=_suppressions(spec.get("ignore")),
            objectives=[
                Objective(
                    text=str(o.get("text", "")),
                    implicit=bool(o.get("implicit", False)),
                    suppressions=_suppressions(o.get("ignore")),
                    key_results=[_key_result(k) for k in o.get("key_results") or []],
                )
                for o in spec.get("objectives") or []
            ],
        )
        codes = set()
        for objective, kr in okr_set.key_results():
            outcome = check_key_result(kr, objective, okr_set.period, config, okr_set=okr_set)
            codes |= {f.code for f in outcome.findings}
        findings, _suppressed = check_set(okr_set, config)
        return codes | {f.code for f in findings}
    kr = _key_result(data)
    objective = Objective(text=data["objective"]) if data.get("objective") else None
    outcome = check_key_result(kr, objective, data.get("period"), config)
    return {f.code for f in outcome.findings}
