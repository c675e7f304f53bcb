"""`okr-review check` through the real console script: formats, exit codes, bad input."""

from __future__ import annotations

import codecs
import csv
import io
import json

import pytest

from reviewer.parse import MAX_INPUT_BYTES

from .helpers import EXAMPLE_FORMATS, REPO

EXAMPLE = "examples/platform-team.yaml"


def only_line(stderr: str) -> str:
    """The single line a bad input must produce on stderr (no traceback, no noise)."""
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


# -- the main job -------------------------------------------------------------------------
def test_example_review_prints_a_report_grouped_by_objective(okr_review):
    run = okr_review("check", EXAMPLE, "--offline")
    assert run.code == 1, run.stderr  # the example has errors on purpose
    assert "Traceback" not in run.stderr
    assert run.stdout.startswith("examples/platform-team.yaml · Platform · 2026-Q3")
    for objective in (
        "Make shipping to production boring and safe",
        "Give engineers a fast feedback loop",
        "Keep the platform dependable for our customers",
        "Spend less on infrastructure for every customer we serve",
    ):
        assert f"Objective: {objective}" in run.stdout
    assert "KR101" in run.stdout
    assert "\033[" not in run.stdout  # not a terminal: no colour
    assert run.stdout.rstrip().splitlines()[-1].startswith("14 key results (")


def test_all_formats_render_and_parse(okr_review):
    outputs = {}
    for fmt in ("text", "json", "markdown", "sarif", "github", "csv"):
        run = okr_review("check", EXAMPLE, "--rules-only", "--format", fmt)
        assert run.code == 1, (fmt, run.stderr)
        assert run.stdout.strip(), fmt
        outputs[fmt] = run.stdout
    assert len(json.loads(outputs["json"])["results"]) == 14
    assert json.loads(outputs["sarif"])["version"] == "2.1.0"
    assert outputs["markdown"].startswith("# OKR review")
    assert len(list(csv.reader(io.StringIO(outputs["csv"])))) == 15
    assert outputs["github"].startswith("::")


def _strip_location(item: dict) -> dict:
    return {k: v for k, v in item.items() if k not in ("file", "line")}


def test_all_four_input_formats_give_identical_json_results(okr_review):
    paths = [f"examples/platform-team.{fmt}" for fmt in EXAMPLE_FORMATS]
    run = okr_review("check", *paths, "--offline", "--format", "json")
    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    assert report["input_problems"] == []
    by_file: dict[str, list[dict]] = {path: [] for path in paths}
    for result in report["results"]:
        by_file[result["file"]].append(_strip_location(result))
    set_by_file: dict[str, list[dict]] = {path: [] for path in paths}
    for finding in report["set_findings"]:
        set_by_file[finding["file"]].append(_strip_location(finding))
    reference = by_file[paths[0]]
    assert len(reference) == 14
    for path in paths[1:]:
        assert by_file[path] == reference, path
        assert set_by_file[path] == set_by_file[paths[0]], path
    # and the suppression in the file worked the same way everywhere
    suppressed = [r for r in reference if r["suppressed"]]
    assert [s["code"] for r in suppressed for s in r["suppressed"]] == ["KR201"]


def test_sarif_has_the_structure_code_scanning_needs(okr_review):
    from reviewer.rules import all_rules

    run = okr_review("check", EXAMPLE, "--rules-only", "--format", "sarif")
    sarif = json.loads(run.stdout)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    (sarif_run,) = sarif["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "okr-review" and driver["version"]
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    assert set(ids) >= {spec.code for spec in all_rules()}
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = sarif_run["results"]
    assert results
    for result in results:
        assert result["ruleId"] == ids[result["ruleIndex"]]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == EXAMPLE
        assert location["region"]["startLine"] >= 1
    json_report = json.loads(
        okr_review("check", EXAMPLE, "--rules-only", "--format", "json").stdout
    )
    expected = sum(len(r["findings"]) + len(r["suppressed"]) for r in json_report["results"])
    assert len(results) == expected + len(json_report["set_findings"])
    suppressed = [r for r in results if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["KR201"]
    assert suppressed[0]["suppressions"][0]["justification"].startswith("Per-request cost")


def test_github_annotations_point_at_file_and_line(okr_review):
    run = okr_review("check", EXAMPLE, "--rules-only", "--format", "github")
    *annotations, summary = run.stdout.splitlines()
    assert summary.startswith("okr-review: 14 key results")
    assert annotations
    for line in annotations:
        assert line.startswith(("::error file=", "::warning file=", "::notice file="))
        assert ",line=" in line and ",title=" in line
    migrate = next(a for a in annotations if "Migrate every remaining service" in a)
    assert migrate.startswith("::error file=examples/platform-team.yaml,line=8,title=KR10")


# -- exit codes ---------------------------------------------------------------------------
def test_exit_codes_follow_fail_on(okr_review):
    assert okr_review("check", EXAMPLE, "--rules-only", "--fail-on", "never").code == 0
    assert okr_review("check", EXAMPLE, "--rules-only").code == 1
    # KR403 (mean latency) is a warning and fires once in the example.
    only_latency = ("check", EXAMPLE, "--rules-only", "--select", "KR403")
    run = okr_review(*only_latency, "--format", "json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["summary"]["by_code"] == {"KR403": 1}
    assert okr_review(*only_latency, "--fail-on", "warning").code == 1
    assert okr_review(*only_latency, "--fail-on", "info").code == 1
    assert okr_review(*only_latency, "--ignore", "KR403", "--fail-on", "info").code == 0


def test_exit_code_matches_the_worst_severity_reported(okr_review):
    report = json.loads(okr_review("check", EXAMPLE, "--rules-only", "--format", "json").stdout)
    severities = set(report["summary"]["by_severity"])
    order = ["info", "warning", "error"]
    for fail_on in order:
        bar = order.index(fail_on)
        expected = 1 if any(order.index(s) >= bar for s in severities) else 0
        assert okr_review("check", EXAMPLE, "--rules-only", "--fail-on", fail_on).code == expected


# -- bad input: one line, file and line, exit 2 ---------------------------------------------
BAD_INPUTS = [
    ("broken.yaml", b"team: Platform\nobjectives:\n  - objective: [unclosed\n", 4, "invalid YAML"),
    (
        "broken.csv",
        b'objective,key_result\nA,"unclosed\n',
        2,
        "invalid CSV: unexpected end of data",
    ),
    ("nocolumn.csv", b"objective,owner\nA,Sam\n", 1, "no 'key_result' column in the header"),
    (
        "number.yaml",
        b"objectives:\n  - objective: A\n    key_results:\n      - 42\n",
        4,
        "key result must be text, not a number",
    ),
    ("empty.md", b"", None, "file is empty"),
    ("binary.txt", b"PK\x03\x04\x00\x00\x08\x00", 1, "looks like a binary file"),
    (
        "latin1.txt",
        "Objective: A\nAm\xe9liorer x\n".encode("latin-1"),
        2,
        "is not valid UTF-8 text",
    ),
    (
        "bomb.yaml",
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n"
                for p, n in zip("abcdefg", "bcdefgh", strict=True)
            )
            + "objectives: [{objective: A, key_results: *h}]\n"
        ).encode(),
        5,  # where the expansion passes the cap: the fifth level, 111,111 nodes
        "YAML aliases expand to more than 100000 nodes",
    ),
]


def test_period_named_by_a_markdown_title_counts_as_the_deadline(okr_review, tmp_path):
    path = tmp_path / "okrs.md"
    path.write_text(
        "# Platform team Q1 2027\n\n## Make CI fast\n- Cut p50 CI time from 12 to 8 minutes\n",
        encoding="utf-8",
    )
    run = okr_review("check", str(path), "--rules-only", "--format", "json")
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["files"][0]["period"] == "Q1 2027"
    codes = [f["code"] for result in report["results"] for f in result["findings"]]
    assert "KR301" not in codes
    # The same key result under an untitled file has no period, so KR301 fires.
    path.write_text("## Make CI fast\n- Cut p50 CI time from 12 to 8 minutes\n", encoding="utf-8")
    run = okr_review("check", str(path), "--rules-only", "--format", "json")
    codes = [f["code"] for result in json.loads(run.stdout)["results"] for f in result["findings"]]
    assert "KR301" in codes


@pytest.mark.parametrize(
    ("name", "data", "line", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_is_one_line_with_file_line_and_exit_2(
    okr_review, tmp_path, name, data, line, message
):
    path = tmp_path / name
    path.write_bytes(data)
    run = okr_review("check", str(path), "--rules-only")
    assert run.code == 2
    where = f"{path}:{line}: " if line else f"{path}: "
    error = only_line(run.stderr)
    assert error.startswith(where + message), error
    assert error.endswith(")")  # every message says what to do, in parentheses


def test_file_over_the_size_limit(okr_review, tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Cut CI time by 10%\n" * (MAX_INPUT_BYTES // 19 + 1))
    run = okr_review("check", str(path), "--rules-only")
    assert run.code == 2
    assert only_line(run.stderr) == (
        f"{path}: file is too large (5.0 MB; the limit is 5 MB) (split it into one file per team)"
    )


def test_utf16_with_bom_is_read(okr_review, tmp_path):
    path = tmp_path / "okrs.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "Objective: A\nCut CI time by 10%\n".encode("utf-16-le"))
    run = okr_review("check", str(path), "--rules-only", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    (result,) = json.loads(run.stdout)["results"]
    assert (result["key_result"], result["line"]) == ("Cut CI time by 10%", 2)


def test_one_bad_file_does_not_stop_the_others(okr_review, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("objectives: [\n")
    run = okr_review(
        "check", EXAMPLE, str(bad), "examples/platform-team.md", "--rules-only", "--format", "json"
    )
    assert run.code == 2
    assert only_line(run.stderr).startswith(f"{bad}:2: invalid YAML")
    report = json.loads(run.stdout)
    assert {r["file"] for r in report["results"]} == {EXAMPLE, "examples/platform-team.md"}
    assert len(report["results"]) == 28
    assert [p["file"] for p in report["input_problems"]] == [str(bad)]
    assert report["input_problems"][0]["line"] == 2


def test_missing_file_and_unknown_extension(okr_review, tmp_path):
    run = okr_review("check", str(tmp_path / "nope.yaml"), "--rules-only")
    assert run.code == 2
    assert only_line(run.stderr) == f"{tmp_path / 'nope.yaml'}: no such file (check the path)"
    odd = tmp_path / "okrs.docx"
    odd.write_text("Cut x by 3%")
    assert "cannot tell the format" in only_line(
        okr_review("check", str(odd), "--rules-only").stderr
    )
    run = okr_review(
        "check", str(odd), "--input-format", "text", "--rules-only", "--fail-on", "never"
    )
    assert run.code == 0, run.stderr


# -- ways in and ways out -----------------------------------------------------------------
def test_stdin_is_read_as_text(okr_review):
    run = okr_review(
        "check",
        "-",
        "--rules-only",
        "--format",
        "json",
        "--fail-on",
        "never",
        stdin="Objective: Faster CI\n- Migrate the build to new runners\n",
    )
    assert run.code == 0, run.stderr
    (result,) = json.loads(run.stdout)["results"]
    assert (result["file"], result["line"], result["objective"]) == ("<stdin>", 2, "Faster CI")
    assert result["key_result"] == "Migrate the build to new runners"


def test_a_folder_reviews_every_okr_file_in_it(okr_review):
    run = okr_review("check", "examples", "--rules-only", "--format", "json")
    files = {r["file"] for r in json.loads(run.stdout)["results"]}
    assert files == {f"examples/platform-team.{fmt}" for fmt in EXAMPLE_FORMATS}


def test_output_is_written_atomically_to_a_file(okr_review, tmp_path):
    target = tmp_path / "report.sarif"
    target.write_text("old report")
    run = okr_review("check", EXAMPLE, "--rules-only", "--format", "sarif", "--output", str(target))
    assert run.code == 1 and run.stdout == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.sarif"]
    missing = tmp_path / "no-such-dir" / "report.json"
    run = okr_review("check", EXAMPLE, "--rules-only", "--output", str(missing))
    assert run.code == 2
    assert only_line(run.stderr).startswith(f"okr-review: cannot write {missing}:")


def test_usage_and_config_errors_exit_2(okr_review, tmp_path):
    assert okr_review("check").code == 2
    run = okr_review("check", EXAMPLE, "--format", "xml")
    assert run.code == 2 and "invalid choice: 'xml'" in run.stderr
    run = okr_review("check", EXAMPLE, "--config", str(tmp_path / "missing.toml"))
    assert run.code == 2
    assert only_line(run.stderr).startswith(f"okr-review: {tmp_path / 'missing.toml'}: cannot read")
    bad = tmp_path / ".okr-review.toml"
    bad.write_text('fail_fast = "yes"\n')
    run = okr_review("check", EXAMPLE, "--config", str(bad))
    assert run.code == 2 and "invalid okr-review settings" in only_line(run.stderr)
    assert okr_review("check", "-", "-", stdin="x").code == 2


def test_config_file_found_upward_changes_the_rules(okr_review, tmp_path):
    (tmp_path / ".okr-review.toml").write_text('select = ["KR403"]\n')
    target = tmp_path / "okrs.yaml"
    target.write_text((REPO / EXAMPLE).read_text())
    run = okr_review("check", str(target), "--rules-only", "--format", "json", "--fail-on", "never")
    assert json.loads(run.stdout)["summary"]["by_code"] == {"KR403": 1}


COMMANDS = ["check", "rules", "knowledge", "eval", "app"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_of_every_command(okr_review, command):
    args = ["--help"] if command is None else [command, "--help"]
    run = okr_review(*args)
    assert run.code == 0
    assert run.stdout.startswith("usage: okr-review")


def test_help_does_not_import_heavy_libraries(tmp_path):
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from reviewer.cli import main\n"
        "for command in ('check', 'rules', 'knowledge', 'eval', 'app'):\n"
        "    try:\n"
        "        main([command, '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = {'chromadb', 'langchain', 'langchain_core', 'langchain_openai', 'openai',\n"
        "         'streamlit', 'wordllama', 'bm25s', 'numpy', 'yaml', 'pydantic'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO)
    assert done.stderr.strip() == "[]", done.stderr


def test_progress_shows_on_a_terminal_stderr_only(tmp_path, cache_dir):
    import os
    import pty
    import subprocess

    from .helpers import console_script

    def review(*extra: str) -> str:
        leader, follower = pty.openpty()
        env = {**os.environ, "OKR_REVIEW_CACHE_DIR": str(cache_dir)}
        done = subprocess.run(
            [*console_script(), "check", EXAMPLE, "--rules-only", "--format", "json", *extra],
            stdout=subprocess.PIPE,
            stderr=follower,
            cwd=REPO,
            env=env,
            timeout=120,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        json.loads(done.stdout)  # stdout stays clean JSON
        return b"".join(chunks).decode()

    shown = review()
    assert "reviewing 14/14" in shown
    assert shown.endswith("\r\033[K")  # erased when done
    assert "reviewing" not in review("--quiet")
