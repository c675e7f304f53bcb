"""The YAML reader: shape, lines, explicit fields, suppressions, and hostile documents."""

from __future__ import annotations

import time

import pytest

from reviewer.errors import InputError
from reviewer.parse import read_okr_file, read_okr_text

from .helpers import example, line_of


def read(text: str, tmp_path, name: str = "okrs.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_okr_file(path)


def error_of(text: str, tmp_path) -> InputError:
    with pytest.raises(InputError) as caught:
        read(text, tmp_path)
    return caught.value


def test_example_is_read_with_team_period_and_every_line():
    path = example("yaml")
    okr_set = read_okr_file(path)
    assert okr_set.team == "Platform"
    assert okr_set.period == "2026-Q3"
    assert okr_set.source_file == str(path)
    assert len(okr_set.objectives) == 4
    assert len(okr_set.key_results()) == 14
    for objective, kr in okr_set.key_results():
        assert kr.location.file == str(path)
        assert kr.location.line == line_of(path, kr.text[:40])
        assert objective.location.line == line_of(path, objective.text)


def test_example_suppression_keeps_code_reason_and_line():
    path = example("yaml")
    suppressed = [kr for _, kr in read_okr_file(path).key_results() if kr.suppressions]
    assert len(suppressed) == 1
    (suppression,) = suppressed[0].suppressions
    assert suppression.code == "KR201"
    assert suppression.reason.startswith("Per-request cost allocation starts in July")
    assert suppression.location.line == line_of(path, "- code: KR201")


def test_mapping_key_result_keeps_fields_as_written(tmp_path):
    okr_set = read(
        """
team: Checkout
objectives:
  - objective: Make checkout fast
    key_results:
      - text: Cut p95 checkout latency to 400 ms
        owner: Dana
        baseline: 850
        target: 400.0
        deadline: 2026-09-30
        measured-by: RUM dashboard
        x-jira: CHK-12
        notes: agreed in planning
""",
        tmp_path,
    )
    (kr,) = okr_set.objectives[0].key_results
    assert kr.text == "Cut p95 checkout latency to 400 ms"
    assert (kr.owner, kr.baseline, kr.target, kr.deadline, kr.measured_by) == (
        "Dana",
        "850",
        "400.0",
        "2026-09-30",
        "RUM dashboard",
    )
    assert kr.location.line == 6


def test_ignore_entries_at_every_level_and_missing_reasons(tmp_path):
    okr_set = read(
        """
ignore: [OKR602]
objectives:
  - objective: Reliable payments
    ignore:
      - {code: okr601, reason: "  "}
    key_results:
      - text: Raise payment success from 97% to 99%
        ignore: KR301
""",
        tmp_path,
    )
    assert [(s.code, s.reason) for s in okr_set.suppressions] == [("OKR602", None)]
    objective = okr_set.objectives[0]
    assert [(s.code, s.reason) for s in objective.suppressions] == [("OKR601", None)]
    assert [(s.code, s.location.line) for s in objective.key_results[0].suppressions] == [
        ("KR301", 9)
    ]


def test_bad_rule_code_in_ignore_is_an_error(tmp_path):
    error = error_of("objectives:\n  - objective: A\n    ignore: [{code: nonsense}]\n", tmp_path)
    assert "'nonsense' is not a rule code" in str(error)
    assert error.line == 3


def test_objective_without_key_results_and_bare_list_of_objectives(tmp_path):
    okr_set = read(
        "- Make CI fast\n- objective: Cut costs\n  key_results: [Halve spend]\n", tmp_path
    )
    assert [o.text for o in okr_set.objectives] == ["Make CI fast", "Cut costs"]
    assert okr_set.objectives[0].key_results == []


def test_merge_keys_and_a_few_aliases_are_fine(tmp_path):
    okr_set = read(
        """
x-defaults: &defaults {owner: Sam, deadline: end of Q3}
objectives:
  - objective: Faster builds
    key_results:
      - {<<: *defaults, text: Cut CI p50 from 12 to 8 minutes}
""",
        tmp_path,
    )
    kr = okr_set.objectives[0].key_results[0]
    assert (kr.owner, kr.deadline) == ("Sam", "end of Q3")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("objectives: [\n", "invalid YAML", 2),
        ("team: a\n  period: b\n", "invalid YAML", 2),
        ("team: Platform\n", "no `objectives:` list", 1),
        ("objectives: []\n", "the objectives list is empty", 1),
        (
            "objectives: [{objective: A, key_results: [42]}]\n",
            "key result must be text, not a number",
            1,
        ),
        (
            "objectives:\n- objective: A\n  key_results:\n  - [a, b]\n",
            "key result must be text, not a list",
            4,
        ),
        (
            "objectives:\n- objective: A\n  key_results:\n  - owner: Sam\n",
            "key result has no text",
            4,
        ),
        (
            "objectives:\n- objective: A\n  key_results:\n  - text: {a: 1}\n",
            "key result must be text, not a mapping",
            4,
        ),
        (
            "objectives:\n- objective: A\n  key_results:\n  - ~\n",
            "key result must be text, not nothing",
            4,
        ),
        (
            "objectives:\n- objective: A\n  key_results:\n  - text: x\n    baseine: 3\n",
            "unknown key 'baseine' in a key result",
            5,
        ),
        (
            "objectives:\n- objective: A\n  key_results: [a]\n  key_results: [b]\n",
            "duplicate key 'key_results'",
            4,
        ),
        ("objectives:\n- key_results: [a]\n", "objective has no `objective:` text", 2),
        ("objectives:\n- !!python/object/apply:os.system [ls]\n", "unsupported YAML tag", 2),
        ("a: 1\n---\nb: 2\n", "expected a single document", 2),
        ("just a sentence\n", "the file must be a mapping, not text", 1),
    ],
)
def test_malformed_yaml_names_the_problem_and_line(tmp_path, text, message, line):
    error = error_of(text, tmp_path)
    assert message in error.detail
    assert error.line == line
    assert error.file == str(tmp_path / "okrs.yaml")


BILLION_LAUGHS = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
objectives: [{objective: boom, key_results: *i}]
"""


def test_alias_bomb_is_rejected_quickly(tmp_path):
    started = time.perf_counter()
    error = error_of(BILLION_LAUGHS, tmp_path)
    assert time.perf_counter() - started < 1.0
    assert "aliases expand to more than" in error.detail
    assert error.hint and "aliases" in error.hint


def test_too_many_aliases_and_self_reference_are_rejected(tmp_path):
    many = "a: &a x\nb: [" + ", ".join(["*a"] * 300) + "]\n"
    assert "more than 200 aliases" in error_of(many, tmp_path).detail
    assert "refers to itself" in error_of("a: &a [*a]\nobjectives: [x]\n", tmp_path).detail


def test_deep_nesting_is_rejected_before_composing(tmp_path):
    # Deep enough to overflow a recursive composer if it were reached.
    error = error_of("[" * 200_000, tmp_path)
    assert "nested more than" in error.detail
    assert error.line == 1


def test_yaml_text_can_be_read_from_a_string():
    okr_set = read_okr_text(
        "objectives: [{objective: A, key_results: [Cut toil by 20%]}]",
        source="api",
        input_format="yaml",
    )
    assert okr_set.objectives[0].key_results[0].location.file == "api"
