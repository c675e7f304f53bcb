"""The CSV and plain-text readers, and that all four example formats give one OKR set."""

from __future__ import annotations

import pytest

from reviewer.errors import InputError
from reviewer.parse import read_okr_file, read_okr_text

from .helpers import EXAMPLE_FORMATS, example, line_of


def csv_set(text: str):
    return read_okr_text(text, source="okrs.csv", input_format="csv")


def text_set(text: str):
    return read_okr_text(text, source="<paste>")


# -- CSV ----------------------------------------------------------------------------------
def test_csv_example_lines_and_suppression():
    path = example("csv")
    okr_set = read_okr_file(path)
    assert (okr_set.team, okr_set.period) == ("Platform", "2026-Q3")
    assert len(okr_set.key_results()) == 14
    for objective, kr in okr_set.key_results():
        assert kr.location.line == line_of(path, kr.text)
        assert objective.location.line == line_of(path, objective.text)
    (suppressed,) = [kr for _, kr in okr_set.key_results() if kr.suppressions]
    assert suppressed.suppressions[0].reason.endswith("we record the baseline then.")


def test_csv_header_is_forgiving_and_rows_continue_objectives():
    okr_set = csv_set(
        " Objective ;Key Result;OWNER;Measured-By;Status;Ignore\n"
        "Faster CI;Cut p50 CI time from 12 to 8 minutes;Priya;CI analytics;on track;\n"
        ';"Keep flaky reruns; under 2%";;;;"KR201: no data yet; KR301"\n'
        "\n"
        "Cheaper infra;;;;;\n"
    )
    assert [o.text for o in okr_set.objectives] == ["Faster CI", "Cheaper infra"]
    first, second = okr_set.objectives[0].key_results
    assert (first.owner, first.measured_by, first.location.line) == ("Priya", "CI analytics", 2)
    assert second.text == "Keep flaky reruns; under 2%"
    assert [(s.code, s.reason) for s in second.suppressions] == [
        ("KR201", "no data yet"),
        ("KR301", None),
    ]
    assert okr_set.objectives[1].key_results == []


def test_csv_multiline_cell_keeps_the_row_start_line():
    okr_set = csv_set('objective,key_result\nA,"first line\nsecond line"\nA,next\n')
    first, second = okr_set.objectives[0].key_results
    assert first.location.line == 2
    assert second.location.line == 4


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("objective,owner\nA,Sam\n", "no 'key_result' column in the header", 1),
        ("kr,owner\nCut x,Sam\n", "no 'objective' column in the header", 1),
        ('objective,key_result\nA,"unclosed\n', "invalid CSV", 2),
        ('objective,key_result\nA,"a"b\n', "invalid CSV", 2),
        (
            "objective,key_result\nA,x,surplus\n",
            "the row has 3 cells but the header names 2 columns",
            2,
        ),
        ("objective,key_result\n,orphan\n", "key result without an objective", 2),
        ("objective,key_result\nA,\n", "no key results found", None),
        (
            "objective,key_result\nA," + "x" * 10_001 + "\n",
            "a cell is longer than 10000 characters",
            2,
        ),
        (
            ",".join(f"c{i}" for i in range(5000)) + "\n",
            "the header has 5000 columns; at most 64",
            1,
        ),
    ],
)
def test_bad_csv_is_an_input_error(text, message, line):
    with pytest.raises(InputError) as caught:
        csv_set(text)
    assert message in caught.value.detail
    assert caught.value.line == line


# -- plain text ---------------------------------------------------------------------------
def test_text_strips_bullets_numbers_and_labels_and_keeps_lines():
    okr_set = text_set(
        "Team: Growth\n"
        "Quarter: 2026-Q1\n"
        "\n"
        "Cut signup drop-off from 40% to 30%\n"
        "Objective: Make onboarding effortless\n"
        "Key results:\n"
        "- Raise week-one activation from 32% to 45%\n"
        "2. KR2: Ship the new tour\n"
        "  * [x] Halve support tickets about setup\n"
        "# Second objective\n"
        "KR 3.1 - Reduce time to first value to 1 day\n"
    )
    assert (okr_set.team, okr_set.period) == ("Growth", "2026-Q1")
    implicit, onboarding, second = okr_set.objectives
    assert implicit.implicit and implicit.text == ""
    assert [(kr.text, kr.location.line) for kr in implicit.key_results] == [
        ("Cut signup drop-off from 40% to 30%", 4)
    ]
    assert onboarding.text == "Make onboarding effortless" and not onboarding.implicit
    assert [kr.text for kr in onboarding.key_results] == [
        "Raise week-one activation from 32% to 45%",
        "Ship the new tour",
        "Halve support tickets about setup",
    ]
    assert second.text == "Second objective"
    assert [kr.text for kr in second.key_results] == ["Reduce time to first value to 1 day"]
    assert all(kr.location.file == "<paste>" for _, kr in okr_set.key_results())


def test_single_key_result_paste_works():
    okr_set = text_set("Migrate auth to OAuth 2.0")
    (objective,) = okr_set.objectives
    assert objective.implicit
    assert objective.key_results[0].text == "Migrate auth to OAuth 2.0"


def test_a_pasted_table_is_read_by_its_columns():
    okr_set = text_set(
        "Objective | Key result | Owner\n"
        "--- | --- | ---\n"
        "Make CI fast | Cut p50 CI time from 12 to 8 minutes | Ana\n"
        " | Keep flaky reruns under 2% | Ben\n"
        "Spend less | Reduce cost per build from $0.40 to $0.25 |\n"
        "\n"
        "Migrate auth to OAuth 2.0\n"
    )
    fast, cheap = okr_set.objectives
    assert fast.text == "Make CI fast" and cheap.text == "Spend less"
    assert [(kr.text, kr.owner) for kr in fast.key_results] == [
        ("Cut p50 CI time from 12 to 8 minutes", "Ana"),
        ("Keep flaky reruns under 2%", "Ben"),
    ]
    # After the table, lines are key results again, under the objective above.
    assert [kr.text for kr in cheap.key_results] == [
        "Reduce cost per build from $0.40 to $0.25",
        "Migrate auth to OAuth 2.0",
    ]
    assert cheap.key_results[0].location.line == 5


def test_cells_pasted_from_a_spreadsheet_are_read_as_a_sheet():
    okr_set = text_set(
        "Objective\tKey result\tOwner\tBaseline\n"
        "Make CI fast\tCut p50 CI time to 8 minutes\tAna\t12 minutes\n"
        "\tKeep flaky reruns under 2%\tBen\t\n"
    )
    (objective,) = okr_set.objectives
    assert objective.text == "Make CI fast"
    first, second = objective.key_results
    assert (first.text, first.owner, first.baseline) == (
        "Cut p50 CI time to 8 minutes",
        "Ana",
        "12 minutes",
    )
    assert (second.text, second.owner, second.location.line) == (
        "Keep flaky reruns under 2%",
        "Ben",
        3,
    )
    # Tabs without such a header stay lines of text.
    plain = text_set("Cut p50 CI time\tto 8 minutes\n")
    assert plain.objectives[0].key_results[0].text == "Cut p50 CI time\tto 8 minutes"


def test_text_suppression_comment_at_end_of_line():
    okr_set = text_set('Cut CI time by 30% <!-- okr-review: ignore KR201 reason="new metric" -->\n')
    (kr,) = okr_set.objectives[0].key_results
    assert kr.text == "Cut CI time by 30%"
    assert [(s.code, s.reason) for s in kr.suppressions] == [("KR201", "new metric")]


def test_text_with_only_objectives_has_no_key_results():
    with pytest.raises(InputError) as caught:
        text_set("Objective: Be great\n\n")
    assert caught.value.detail == "no key results found"


# -- the same OKRs in four formats ----------------------------------------------------------
def _without_locations(value):
    if isinstance(value, dict):
        return {
            k: _without_locations(v)
            for k, v in value.items()
            if k not in ("location", "source_file")
        }
    if isinstance(value, list):
        return [_without_locations(v) for v in value]
    return value


def test_all_four_example_formats_read_to_the_same_set():
    sets = {fmt: read_okr_file(example(fmt)) for fmt in EXAMPLE_FORMATS}
    reference = _without_locations(sets["yaml"].model_dump())
    for fmt in EXAMPLE_FORMATS[1:]:
        assert _without_locations(sets[fmt].model_dump()) == reference, fmt
