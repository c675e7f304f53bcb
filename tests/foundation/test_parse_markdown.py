"""The Markdown reader: objectives, key results vs notes, lines, suppression placement."""

from __future__ import annotations

import pytest

from reviewer.errors import InputError
from reviewer.parse import read_okr_file, read_okr_text

from .helpers import example, line_of


def read(text: str):
    return read_okr_text(text, source="okrs.md", input_format="markdown")


def test_example_lines_team_period_and_notes_are_not_key_results():
    path = example("md")
    okr_set = read_okr_file(path)
    assert (okr_set.team, okr_set.period) == ("Platform", "2026-Q3")
    # The title heading has no key results of its own, so it is not an objective.
    assert okr_set.objectives[0].text == "Make shipping to production boring and safe"
    assert len(okr_set.objectives) == 4
    texts = [kr.text for _, kr in okr_set.key_results()]
    assert len(texts) == 14
    assert not any("services are left" in t or "noisy alerts" in t for t in texts)
    for objective, kr in okr_set.key_results():
        assert kr.location.line == line_of(path, kr.text)
        assert objective.location.line == line_of(path, f"## {objective.text}")


def test_structure_headings_objective_lines_labels_and_numbering():
    okr_set = read(
        """# Team handbook

## Objective 1: Make CI fast
### Key results
1. Cut p50 CI time from 12 to 8 minutes
2) KR2: Keep flaky reruns under 2%
   - owner: Priya
   - Baseline: 3.5%
   - this nested note is not a key result

**Objective:** Cut cloud costs
* [ ] Reduce spend per customer from $4 to $3
+ [x] Decommission the old cluster
  which still runs two batch jobs

Some prose about the plan that is not a key result.

| table | rows | are skipped |

```
- code blocks are skipped too
```
<!--
- neither are key results inside an HTML comment
-->
## Objective 3: Empty for now
"""
    )
    assert [o.text for o in okr_set.objectives] == [
        "Make CI fast",
        "Cut cloud costs",
        "Empty for now",
    ]
    first, second, third = okr_set.objectives
    assert [kr.text for kr in first.key_results] == [
        "Cut p50 CI time from 12 to 8 minutes",
        "Keep flaky reruns under 2%",
    ]
    assert first.key_results[1].owner == "Priya"
    assert first.key_results[1].baseline == "3.5%"
    assert [kr.text for kr in second.key_results] == [
        "Reduce spend per customer from $4 to $3",
        "Decommission the old cluster which still runs two batch jobs",
    ]
    assert [kr.location.line for kr in second.key_results] == [12, 13]
    assert third.key_results == []  # said "Objective", so kept for OKR604 to flag


def test_front_matter_sets_team_period_and_file_suppressions():
    okr_set = read(
        """---
team: Payments
period: 2026-Q4
ignore: [{code: OKR602, reason: "merger quarter"}]
---
## Reliable payments
- Raise payment success from 97.1% to 99% by 31 December 2026
"""
    )
    assert (okr_set.team, okr_set.period) == ("Payments", "2026-Q4")
    assert [(s.code, s.reason, s.location.line) for s in okr_set.suppressions] == [
        ("OKR602", "merger quarter", 4)
    ]
    assert okr_set.objectives[0].key_results[0].location.line == 7


@pytest.mark.parametrize(
    ("title", "period"),
    [
        ("# Platform team Q1 2027", "Q1 2027"),
        ("# Platform team OKRs, 2026-Q3", "2026-Q3"),
        ("# Payments OKRs H2 2026", "H2 2026"),
        ("# Infra goals FY27 Q1 (draft 2)", "FY27 Q1"),
        ("# Roadmap 2027", None),  # a bare year dates the document, it plans no period
        ("# Platform team, January 2027", None),
        ("# Platform team", None),
    ],
)
def test_title_heading_names_the_period(title, period):
    okr_set = read(f"{title}\n\n## Make CI fast\n- Cut p50 CI time from 12 to 8 minutes\n")
    assert okr_set.period == period
    assert [o.text for o in okr_set.objectives] == ["Make CI fast"]


def test_declared_period_wins_over_the_title_and_objectives_name_none():
    body = "## Make CI fast\n- Cut p50 CI time from 12 to 8 minutes\n"
    assert read(f"# Platform Q1 2027\n\nPeriod: 2027-Q2\n\n{body}").period == "2027-Q2"
    assert read(f"---\nperiod: H1 2027\n---\n# Platform Q1 2027\n{body}").period == "H1 2027"
    # A heading with key results under it is an objective, not a title: its quarter is
    # what the objective is about, not the file's period.
    assert read("## Ship the Q3 2026 release safely\n- Cut rollbacks from 6 to 2\n").period is None
    # Only a title before the first objective speaks for the file.
    later = read(f"{body}\n# Appendix for Q4 2026\n")
    assert later.period is None


def test_a_table_of_key_results_reads_like_a_csv_sheet():
    okr_set = read(
        """# Platform OKRs 2027-Q2

| Objective | Key result | Owner | Baseline | Ignore |
| :-- | --- | --- | ---: | --- |
| Make CI fast | Cut p50 CI time to 8 minutes | Ana | 12 minutes | |
| | KR2: Keep flaky reruns under 2% \\| on main | Ben | | KR201: measured from next week |
| Spend less | Reduce cost per build from $0.40 to $0.25 <!-- okr-review: ignore KR301 reason="FinOps sets the date" --> | | | |
| Make CI fast | Migrate all builds to the new runners | | | |

| Risk | Mitigation |
| --- | --- |
| Runner capacity | Buy more |
"""
    )
    assert okr_set.period == "2027-Q2"
    assert [o.text for o in okr_set.objectives] == ["Make CI fast", "Spend less"]
    fast, cheap = okr_set.objectives
    assert [kr.text for kr in fast.key_results] == [
        "Cut p50 CI time to 8 minutes",
        "Keep flaky reruns under 2% | on main",
        "Migrate all builds to the new runners",
    ]
    first, second, third = fast.key_results
    assert (first.owner, first.baseline, first.location.line) == ("Ana", "12 minutes", 5)
    assert (second.owner, second.location.line) == ("Ben", 6)
    assert [(s.code, s.reason) for s in second.suppressions] == [
        ("KR201", "measured from next week")
    ]
    assert third.location.line == 8
    assert [s.code for s in cheap.key_results[0].suppressions] == ["KR301"]
    texts = [kr.text for _, kr in okr_set.key_results()]
    assert "Buy more" not in texts and "Runner capacity" not in texts  # another table


def test_a_table_without_an_objective_column_fills_the_heading_above():
    okr_set = read(
        """## Make CI fast
| KR | Measured by |
|----|----|
| Cut p50 CI time from 12 to 8 minutes | CI analytics |
| Keep flaky reruns under 2% | |
- Reduce queue time from 5 to 1 minute
"""
    )
    (objective,) = okr_set.objectives
    assert objective.text == "Make CI fast"
    assert [kr.text for kr in objective.key_results] == [
        "Cut p50 CI time from 12 to 8 minutes",
        "Keep flaky reruns under 2%",
        "Reduce queue time from 5 to 1 minute",
    ]
    assert objective.key_results[0].measured_by == "CI analytics"


def test_a_table_of_key_results_wider_than_a_sheet_is_an_input_error():
    header = "| Objective | Key result | " + " | ".join(f"c{i}" for i in range(80)) + " |"
    delimiter = "|" + " --- |" * 82
    with pytest.raises(InputError, match="82 columns; at most 64") as caught:
        read(f"# OKRs\n\n{header}\n{delimiter}\n| O | Cut CI time from 9 to 6 minutes |\n")
    assert caught.value.line == 3


def test_a_table_of_something_else_is_still_skipped():
    with pytest.raises(InputError, match="no key results found"):
        read("# Risks\n\n| Risk | Owner |\n| --- | --- |\n| Runner capacity | Ana |\n")


def test_suppression_comments_apply_where_they_are_written():
    okr_set = read(
        """<!-- okr-review: ignore OKR602 reason="one-off" -->

## Faster builds
<!-- okr-review: ignore OKR601 reason="four is right here" -->

- Cut CI p50 from 12 to 8 minutes <!-- okr-review: ignore KR301 -->
<!-- okr-review: ignore KR101, KR201 reason='agreed with the VP' -->
- Move builds to the new runners
- Cut cache misses by 30%

<!-- okr-review: ignore KR205 reason="stray, after a blank line" -->

- Hold the median build under 10 minutes
"""
    )
    assert [(s.code, s.reason) for s in okr_set.suppressions] == [("OKR602", "one-off")]
    objective = okr_set.objectives[0]
    assert [(s.code, s.reason) for s in objective.suppressions] == [
        ("OKR601", "four is right here"),
        ("KR205", "stray, after a blank line"),
    ]
    first, second, third, fourth = objective.key_results
    assert first.text == "Cut CI p50 from 12 to 8 minutes"
    assert [(s.code, s.reason, s.location.line) for s in first.suppressions] == [("KR301", None, 6)]
    assert [(s.code, s.reason) for s in second.suppressions] == [
        ("KR101", "agreed with the VP"),
        ("KR201", "agreed with the VP"),
    ]
    assert third.suppressions == [] and fourth.suppressions == []


def test_comment_directly_above_a_heading_applies_to_that_objective():
    okr_set = read(
        """## First
- Cut toil hours from 30 to 15 a week
<!-- okr-review: ignore OKR603 reason="revenue is the point" -->
## Grow revenue 20%
- Raise paid conversion from 2.1% to 2.6%
"""
    )
    first, second = okr_set.objectives
    assert first.suppressions == []
    assert [s.code for s in second.suppressions] == ["OKR603"]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("## A\n- x <!-- okr-review: ignroe KR101 -->\n", "cannot read the okr-review comment", 2),
        ("## A\n- x <!-- okr-review: ignore K1 -->\n", "'K1' is not a rule code", 2),
        ("## A\n- x <!-- okr-review: ignore XYZ999999 -->\n", "is not a rule code", 2),
        (
            "## A\n- x <!-- okr-review: ignore KR101\n-->\n",
            "must open and close on the same line",
            2,
        ),
        ("# Title\n\nJust prose, no list.\n", "no key results found", None),
        ("---\nteam: [a\n---\n## A\n- x\n", "invalid YAML", 3),
    ],
)
def test_bad_markdown_is_an_input_error(text, message, line):
    with pytest.raises(InputError) as caught:
        read(text)
    assert message in caught.value.detail
    assert caught.value.line == line
    assert caught.value.file == "okrs.md"
