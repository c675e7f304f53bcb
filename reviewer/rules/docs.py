"""`okr-review rules [list|explain CODE] [--format text|json|markdown]`: the catalogue.

The text printed here is the rules' own docstrings, so the CLI, the generated docs and the
code never disagree.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from . import all_rules
from .policy import POLICY_NOTES, POLICY_SEVERITIES
from .registry import REGISTRY, RuleSpec

EXIT_OK, EXIT_ERROR = 0, 2


def find_rule(code_or_name: str) -> RuleSpec | None:
    """A rule by code ("KR101", case-insensitive) or by name ("output-not-outcome")."""
    wanted = code_or_name.strip()
    spec = REGISTRY.get(wanted.upper())
    if spec is not None:
        return spec
    return next((s for s in REGISTRY.values() if s.name == wanted.lower()), None)


def policy_severities(spec: RuleSpec) -> dict[str, str]:
    """The rule's severity under each policy preset."""
    return {
        policy: overrides.get(spec.code, spec.severity)
        for policy, overrides in POLICY_SEVERITIES.items()
    }


def rule_to_dict(spec: RuleSpec) -> dict[str, Any]:
    """Everything the catalogue says about one rule, as plain data."""
    return {
        "code": spec.code,
        "name": spec.name,
        "severity": spec.severity,
        "scope": spec.scope,
        "enabled_by_default": spec.enabled_by_default,
        "summary": spec.summary,
        "fix": spec.fix,
        "guidance": list(spec.guidance),
        "policies": policy_severities(spec),
        "doc": spec.doc,
    }


def _policy_line(spec: RuleSpec) -> str:
    by_policy = policy_severities(spec)
    differing = [f"{p}: {s}" for p, s in by_policy.items() if s != spec.severity]
    return f" ({'; '.join(differing)})" if differing else ""


def render_list(fmt: str) -> str:
    """The whole catalogue in one format."""
    rules = all_rules()
    if fmt == "json":
        return json.dumps([rule_to_dict(s) for s in rules], indent=2, ensure_ascii=False)
    if fmt == "markdown":
        lines = [
            "| code | name | severity | default | what it flags |",
            "| --- | --- | --- | --- | --- |",
        ]
        for spec in rules:
            lines.append(
                f"| {spec.code} | {spec.name} | {spec.severity}{_policy_line(spec)} | "
                f"{'on' if spec.enabled_by_default else 'off'} | {spec.summary} |"
            )
        lines.append("")
        lines.append("Policies: " + "; ".join(f"`{p}`: {n}" for p, n in POLICY_NOTES.items()))
        return "\n".join(lines)
    width = max(len(s.name) for s in rules)
    lines = []
    for spec in rules:
        state = "" if spec.enabled_by_default else "  [off by default]"
        lines.append(
            f"{spec.code:<7} {spec.name:<{width}}  {spec.severity:<7}  {spec.summary}{state}"
        )
    lines.append("")
    lines.append("Run `okr-review rules explain CODE` for the rationale and an example.")
    return "\n".join(lines)


def render_explain(spec: RuleSpec, fmt: str) -> str:
    """One rule's documentation in one format."""
    if fmt == "json":
        return json.dumps(rule_to_dict(spec), indent=2, ensure_ascii=False)
    guidance = ", ".join(spec.guidance) or "-"
    default = "on" if spec.enabled_by_default else "off (enable with extend_select)"
    if fmt == "markdown":
        return "\n".join(
            [
                f"# {spec.code} {spec.name}",
                "",
                f"- severity: **{spec.severity}**{_policy_line(spec)}",
                f"- scope: {spec.scope}",
                f"- default: {default}",
                f"- fix: {spec.fix}",
                f"- guidance: {guidance}",
                "",
                spec.doc,
            ]
        )
    return "\n".join(
        [
            f"{spec.code} {spec.name}",
            f"severity: {spec.severity}{_policy_line(spec)}   scope: {spec.scope}   "
            f"default: {default}",
            "",
            spec.doc,
            "",
            f"Fix: {spec.fix}",
            f"Guidance: {guidance}",
        ]
    )


def run_rules_command(args: Any) -> int:
    """Entry point for `okr-review rules`; returns the exit code."""
    action = getattr(args, "action", None) or "list"
    fmt = getattr(args, "format", None) or "text"
    code = getattr(args, "code", None)
    if fmt not in ("text", "json", "markdown"):
        print(f"okr-review rules: unknown format {fmt!r}", file=sys.stderr)
        return EXIT_ERROR
    if action == "list":
        if code:
            spec = find_rule(code)
            if spec is None:
                return _unknown(code)
            print(render_explain(spec, fmt))
            return EXIT_OK
        print(render_list(fmt))
        return EXIT_OK
    if action == "explain":
        if not code:
            print(
                "okr-review rules explain: give a rule code, e.g. `okr-review rules explain KR101`",
                file=sys.stderr,
            )
            return EXIT_ERROR
        spec = find_rule(code)
        if spec is None:
            return _unknown(code)
        print(render_explain(spec, fmt))
        return EXIT_OK
    print(f"okr-review rules: unknown action {action!r} (use list or explain)", file=sys.stderr)
    return EXIT_ERROR


def _unknown(code: str) -> int:
    known = ", ".join(sorted(REGISTRY))
    print(f"okr-review rules: unknown rule code {code!r}; known codes: {known}", file=sys.stderr)
    return EXIT_ERROR
