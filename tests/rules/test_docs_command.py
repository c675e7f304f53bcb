"""`okr-review rules`: the catalogue and one rule's docs, through the real CLI."""

from __future__ import annotations

import json

import pytest

from reviewer.cli import main
from reviewer.rules import all_rules


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["rules", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_text_shows_every_rule(capsys) -> None:
    code, out, _ = run(capsys)
    assert code == 0
    for spec in all_rules():
        assert spec.code in out and spec.name in out
    assert "off by default" in out  # KR402


def test_list_json_is_the_catalogue_as_data(capsys) -> None:
    code, out, _ = run(capsys, "list", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and [r["code"] for r in rules] == [s.code for s in all_rules()]
    kr101 = rules[0]
    assert kr101["policies"] == {"strict": "error", "early-stage": "warning"}
    assert "## Why it matters" in kr101["doc"] and kr101["guidance"]


def test_list_markdown_is_a_table(capsys) -> None:
    code, out, _ = run(capsys, "list", "--format", "markdown")
    assert code == 0
    assert out.startswith("| code | name | severity |")
    assert "| KR402 | no-measurement-source | info | off |" in out


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_explain_prints_the_rule_docs(capsys, fmt: str) -> None:
    code, out, _ = run(capsys, "explain", "KR403", "--format", fmt)
    assert code == 0
    for section in ("What it checks", "Why it matters", "Example", "Use instead"):
        assert section in out
    assert "mean-latency" in out and "latency-percentiles" in out


def test_explain_accepts_lowercase_codes_and_names(capsys) -> None:
    assert run(capsys, "explain", "kr101")[0] == 0
    code, out, _ = run(capsys, "explain", "output-not-outcome", "--format", "json")
    assert code == 0 and json.loads(out)["code"] == "KR101"


def test_unknown_code_exits_2_with_a_message(capsys) -> None:
    code, out, err = run(capsys, "explain", "KR999")
    assert code == 2 and out == ""
    assert "unknown rule code 'KR999'" in err


def test_explain_without_a_code_exits_2(capsys) -> None:
    code, _, err = run(capsys, "explain")
    assert code == 2 and "give a rule code" in err
