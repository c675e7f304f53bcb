"""Every rule's named fail/pass cases (tests/rules/cases/<CODE>.yaml), in one test."""

from __future__ import annotations

import re

import pytest
from case_loader import RuleCase, build_config, codes_reported, load_cases

from reviewer.models import KeyResult
from reviewer.rules import check_key_result

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case: RuleCase) -> None:
    reported = codes_reported(case)
    if case.expect == "fail":
        assert case.code in reported, f"{case.code} should fire; reported {sorted(reported)}"
    else:
        assert case.code not in reported, (
            f"{case.code} should not fire; reported {sorted(reported)}"
        )


QUOTING = ("KR101", "KR102", "KR103", "KR201", "KR202", "KR203", "KR204", "KR401", "KR403")
QUOTED = [c for c in CASES if c.code in QUOTING and c.expect == "fail" and c.data.get("text")]


@pytest.mark.parametrize("case", QUOTED, ids=[c.id for c in QUOTED])
def test_messages_quote_the_offending_words(case: RuleCase) -> None:
    config = build_config(case.code, case.data.get("config"))
    kr = KeyResult(text=case.data["text"])
    finding = next(
        f
        for f in check_key_result(kr, None, case.data.get("period"), config).findings
        if f.code == case.code
    )
    quotes = re.findall(r'"([^"]+)"', finding.message)
    assert quotes, finding.message
    text = " ".join(case.data["text"].lower().split())
    assert any(q.rstrip("…").lower() in text for q in quotes), (finding.message, text)
    assert finding.fix and finding.fix != finding.message
