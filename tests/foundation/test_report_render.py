"""Renderers on a report built from real models: escaping, structure, colour, atomic writes.

These tests build the Report directly (a data value, not a mock) so each renderer's own
behaviour is pinned down independently of what the rules currently find.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat

import pytest

from reviewer.models import (
    Anatomy,
    Critique,
    Finding,
    InputProblem,
    KeyResult,
    KeyResultReview,
    Objective,
    OKRSet,
    Problem,
    Report,
    Rewrite,
    SourceLocation,
    Suppression,
)
from reviewer.report import FORMATS, render, to_json_dict
from reviewer.report.commands import exit_code, write_atomically
from reviewer.report.github import escape_data, escape_property

FILE = "okrs/q3: team,a.md"  # a path with the characters workflow commands must escape


def finding(code: str, severity: str, message: str = "m", **extra) -> Finding:
    return Finding(
        code=code,
        name=f"name-of-{code.lower()}",
        severity=severity,
        message=message,
        fix="Write <metric> from <baseline>.",
        **extra,
    )


@pytest.fixture
def report() -> Report:
    kr_output = KeyResult(
        text="=Launch | the 100% new portal",
        location=SourceLocation(file=FILE, line=3),
        suppressions=[Suppression(code="KR201", reason="no data until July")],
    )
    kr_good = KeyResult(
        text="Raise availability from 99.5% to 99.9% by 30 September 2026",
        location=SourceLocation(file=FILE, line=4),
    )
    objective = Objective(
        text="Make the portal matter",
        key_results=[kr_output, kr_good],
        location=SourceLocation(file=FILE, line=2),
    )
    okr_set = OKRSet(team="Platform", period="2026-Q3", objectives=[objective], source_file=FILE)
    reviews = [
        KeyResultReview(
            key_result=kr_output,
            objective=objective.text,
            kind="output",
            anatomy=Anatomy(),
            findings=[
                finding("KR301", "warning", "no deadline"),
                finding("KR101", "error", "100% a deliverable:\nnot, a change\r", span=(1, 7)),
            ],
            suppressed=[finding("KR201", "warning", "no baseline")],
            critique=Critique(
                critic="deterministic",
                summary="Shipping the portal says nothing about whether engineers are helped.",
                problems=[
                    Problem(text="It is a task.", citations=["outcomes-vs-outputs#the-test"])
                ],
            ),
            rewrites=[
                Rewrite(
                    text="Cut time to first deploy from <baseline> to <target> by 30 September 2026",
                    placeholders=["baseline", "target"],
                    instrument_first=True,
                )
            ],
            timings_ms={"rules": 1.25},
        ),
        KeyResultReview(
            key_result=kr_good, objective=objective.text, kind="outcome", anatomy=Anatomy()
        ),
    ]
    result = Report(
        sets=[okr_set],
        reviews=reviews,
        set_findings=[finding("OKR604", "info", "only two key results", objective=objective.text)],
        input_problems=[
            InputProblem(file="bad.yaml", line=7, message="bad.yaml:7: invalid YAML: x (hint)")
        ],
        notes=["retrieval unavailable: index locked"],
        timings_ms={"total": 12.345},
    )
    result.summarise()
    return result


def test_every_format_renders(report):
    for fmt in FORMATS:
        if fmt == "sarif":
            continue  # needs the rule catalogue; covered through the CLI
        output = render(report, fmt)
        assert output.endswith("\n") and output.strip(), fmt
    with pytest.raises(ValueError, match="unknown report format"):
        render(report, "xml")


def test_json_dict_has_the_committed_fields(report):
    data = to_json_dict(report)
    assert data["schema_version"] == 1
    assert data["tool"]["name"] == "okr-review"
    assert data["mode"] == "offline"
    for key in (
        "results",
        "set_findings",
        "summary",
        "timings_ms",
        "usage",
        "input_problems",
        "notes",
    ):
        assert key in data
    first = data["results"][0]
    assert (first["file"], first["line"], first["objective"]) == (FILE, 3, "Make the portal matter")
    assert first["key_result"] == "=Launch | the 100% new portal"
    assert first["kind"] == "output" and first["severity"] == "error"
    assert set(first["findings"][0]) >= {"code", "name", "severity", "message", "fix", "guidance"}
    assert first["findings"][1]["span"] == [1, 7]
    assert first["suppressed"][0]["reason"] == "no data until July"
    assert first["critique"]["problems"][0]["citations"] == ["outcomes-vs-outputs#the-test"]
    assert first["rewrites"][0]["placeholders"] == ["baseline", "target"]
    assert data["results"][1]["severity"] is None
    (set_finding,) = data["set_findings"]
    assert (set_finding["objective"], set_finding["file"], set_finding["line"]) == (
        "Make the portal matter",
        FILE,
        2,
    )
    assert data["summary"]["by_severity"] == {"warning": 1, "error": 1, "info": 1}
    assert data["summary"]["suppressed"] == 1
    assert data["timings_ms"] == {"total": 12.3, "rules": 1.2}
    assert json.loads(render(report, "json")) == data


def test_github_escaping_follows_the_toolkit():
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a: b, c%") == "a%3A b%2C c%25"


ANNOTATION = re.compile(
    r"^::(error|warning|notice) (file=[^,:]+,)?(line=\d+,)?title=[^,:]+::[^\r\n]*$"
)


def test_github_annotations_one_per_finding_and_problem(report):
    lines = render(report, "github").splitlines()
    *annotations, summary = lines
    assert summary.startswith("okr-review: 2 key results")
    assert len(annotations) == 1 + 2 + 1  # input problem, two findings, one set finding
    assert all(ANNOTATION.match(line) for line in annotations), annotations
    error = next(line for line in annotations if "KR101" in line)
    assert error.startswith(
        "::error file=okrs/q3%3A team%2Ca.md,line=3,title=KR101 name-of-kr101::"
    )
    assert "100%25 a deliverable:%0Anot, a change%0D" in error
    assert any(line.startswith("::notice ") and "OKR604" in line for line in annotations)
    assert any(line.startswith("::warning ") and "KR301" in line for line in annotations)


def test_csv_one_row_per_key_result_and_no_formula_cells(report):
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert rows[0] == [
        "file",
        "line",
        "objective",
        "key_result",
        "kind",
        "severity",
        "codes",
        "first_rewrite",
    ]
    assert len(rows) == 3
    assert rows[1][3] == "'=Launch | the 100% new portal"
    assert rows[1][5:7] == ["error", "KR101 KR301"]
    assert rows[1][7].startswith("Cut time to first deploy from <baseline>")
    assert rows[2][5:] == ["", "", ""]


def test_markdown_table_escapes_pipes_and_shows_details(report):
    output = render(report, "markdown")
    assert "| 3 | =Launch \\| the 100% new portal | output |" in output
    assert "`Cut time to first deploy from <baseline> to <target> by 30 September 2026`" in output
    assert "`OKR604`" in output and "Files that could not be read" in output
    # a bare <metric> would be swallowed as an HTML tag by Markdown renderers
    assert "*Fix:* Write \\<metric> from \\<baseline>." in output
    assert "<metric>" not in output.replace("\\<metric>", "")


def test_text_is_plain_unless_colour_is_asked_for(report):
    plain = render(report, "text")
    assert "\033[" not in plain
    assert "Objective: Make the portal matter (line 2)" in plain
    assert plain.index("KR101") < plain.index("KR301")  # errors before warnings
    assert "suppressed: KR201" in plain
    assert "rewrite: Cut time to first deploy from <baseline>" in plain
    assert "bad.yaml:7: invalid YAML" in plain
    assert plain.rstrip().endswith(
        "2 key results (1 outcome, 1 output) · 1 error, 1 warning, 1 info · 1 suppressed · 1 file not read · 0.01 s"
    )
    coloured = render(report, "text", color=True)
    assert "\033[31m" in coloured and "\033[0m" in coloured


def test_exit_code_follows_fail_on(report):
    assert exit_code(report, "error") == 2  # an input problem wins
    report.input_problems.clear()
    assert exit_code(report, "error") == 1
    assert exit_code(report, "never") == 0
    report.reviews[0].findings = [f for f in report.reviews[0].findings if f.severity != "error"]
    assert exit_code(report, "error") == 0
    assert exit_code(report, "warning") == 1
    report.reviews[0].findings.clear()
    assert exit_code(report, "warning") == 0
    assert exit_code(report, "info") == 1  # the set finding is info


def test_write_atomically_replaces_whole_files_and_leaves_no_temp(tmp_path):
    target = tmp_path / "report.json"
    write_atomically(target, "first\n")
    assert target.read_text() == "first\n"
    os.chmod(target, 0o640)
    write_atomically(target, "second\n")
    assert target.read_text() == "second\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    with pytest.raises(OSError):
        write_atomically(tmp_path / "missing" / "report.json", "x")


# -- streaming: write_report writes exactly what render returns, piece by piece -----------
@pytest.mark.parametrize("fmt", FORMATS)
def test_write_report_writes_exactly_what_render_returns(report, fmt):
    from reviewer.report import iter_report, write_report

    stream = io.StringIO()
    write_report(report, fmt, stream)
    assert stream.getvalue() == render(report, fmt)
    assert "".join(iter_report(report, fmt)) == render(report, fmt)


def test_streamed_json_and_sarif_equal_one_json_dumps_of_the_whole_dict(report):
    from reviewer.report import write_report
    from reviewer.report.sarif import to_sarif_dict

    for fmt, whole in (("json", to_json_dict(report)), ("sarif", to_sarif_dict(report))):
        stream = io.StringIO()
        write_report(report, fmt, stream)
        text = stream.getvalue()
        assert text == json.dumps(whole, indent=2, ensure_ascii=False) + "\n", fmt
        assert json.loads(text) == whole
    assert len(to_json_dict(report)["results"]) == 2


@pytest.mark.parametrize(
    "value",
    [
        {"a": [], "b": {}, "c": "x\ny\u00e9\u202e", "d": [1, 2.5, None, True]},
        {"nested": {"deeper": [{"k": "v"}, []]}, "empty": []},
        [[], {}, "\t", {"x": [1, {"y": 2}]}],
    ],
)
@pytest.mark.parametrize("lazy_items", [[], [{}], [{"a": [1, {"b": "c\n"}]}, [], "s", 3]])
def test_iter_json_matches_json_dumps_with_lazy_arrays_anywhere(value, lazy_items):
    from reviewer.report.streaming import LazyArray, iter_json_document

    def with_lazy(v):
        if isinstance(v, dict):
            return {**{k: with_lazy(x) for k, x in v.items()}, "lazy": LazyArray(iter(lazy_items))}
        if isinstance(v, list):
            return [with_lazy(x) for x in v] + [LazyArray(iter(lazy_items))]
        return v

    def with_list(v):
        if isinstance(v, dict):
            return {**{k: with_list(x) for k, x in v.items()}, "lazy": list(lazy_items)}
        if isinstance(v, list):
            return [with_list(x) for x in v] + [list(lazy_items)]
        return v

    expected = json.dumps(with_list(value), indent=2, ensure_ascii=False) + "\n"
    assert "".join(iter_json_document(with_lazy(value))) == expected


def test_a_report_that_fails_midway_leaves_the_old_file_whole(tmp_path):
    from reviewer.report.commands import write_atomically_with

    target = tmp_path / "report.json"
    target.write_text("old\n")

    def half_then_fail(handle):
        handle.write("partial")
        raise RuntimeError("renderer broke")

    with pytest.raises(RuntimeError):
        write_atomically_with(target, half_then_fail)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
