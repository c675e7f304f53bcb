"""Every rule's named fail/pass cases (tests/rules/cases/<CODE>.yaml), in one test."""

from __future__ import annotations

import pytest
from case_loader import RuleCase, codes_reported, load_cases

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
