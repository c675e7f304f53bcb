"""Hostile input through the real CLI: each case ends in one clear line naming the file and
exit code 2 (never a traceback, never an out-of-memory kill), or in a correct review.
"""

from __future__ import annotations

import codecs
import html as html_module
import json
import re
from pathlib import Path

import pytest
from hardkit import EXAMPLE, assert_clean_error, assert_no_traceback, review_digest, run_cli

from reviewer.parse import MAX_INPUT_BYTES

SAFE_KRS = [
    "Cut p95 checkout latency from 800 ms to 400 ms by 30 September 2026",
    "Migrate the billing service to Kubernetes",
    "Run 12 incident reviews with the product teams",
]


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _text_okrs(objective: str, krs: list[str], newline: str = "\n") -> str:
    lines = ["Team: Platform", "Period: 2026-Q3", f"Objective: {objective}", *krs]
    return newline.join(lines) + newline


# -- inputs that must be refused with one clear line ------------------------------------
def _giant(path: Path) -> None:
    """50 MB of plausible YAML, written in chunks (never held in this process at once)."""
    chunk = b"      - Reduce p95 latency of the checkout API from 800 ms to 400 ms\n" * 16_000
    with path.open("wb") as handle:
        handle.write(b"team: Platform\nobjectives:\n  - objective: Fast\n    key_results:\n")
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)


def _nested(path: Path) -> None:
    _write(path, "team: a\nobjectives: " + "[" * 5000 + "]" * 5000 + "\n")


def _alias_bomb(path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines.append("objectives: *i")
    _write(path, "\n".join(lines) + "\n")


def _many_columns(path: Path) -> None:
    header = ["objective", "key_result", *(f"extra{i}" for i in range(5000))]
    row = ["Fast", SAFE_KRS[0], *("x" for _ in range(5000))]
    _write(path, ",".join(header) + "\n" + ",".join(row) + "\n")


def _no_header(path: Path) -> None:
    _write(path, "".join(f"Make deploys boring,{kr}\n" for kr in SAFE_KRS))


def _nul_bytes(path: Path) -> None:
    _write(path, b"Objective: Fast\n- Cut p95 latency\x00 from 800 ms to 400 ms\n")


def _invalid_utf8(path: Path) -> None:
    _write(path, b"Objective: Fast\n- Cut p95 latency from 800 ms to 400 ms \xff\xfe\xc3(\n")


def _binary(path: Path) -> None:
    _write(path, bytes(range(256)) * 64)


def _python_tag(path: Path) -> None:
    _write(path, "objectives: !!python/object/apply:os.system ['touch /tmp/pwned-okr']\n")


def _empty(path: Path) -> None:
    _write(path, "\n\n   \n")


REFUSED = {
    "giant-50mb": ("okrs.yaml", _giant, ("too large",)),
    "deeply-nested-yaml": ("okrs.yaml", _nested, ("nested",)),
    "alias-bomb": ("okrs.yaml", _alias_bomb, ("alias",)),
    "csv-thousands-of-columns": ("okrs.csv", _many_columns, ("columns",)),
    "csv-missing-header": ("okrs.csv", _no_header, ("header",)),
    "nul-bytes": ("okrs.txt", _nul_bytes, ("NUL",)),
    "invalid-utf8": ("okrs.txt", _invalid_utf8, ("UTF-8",)),
    "binary": ("okrs.md", _binary, ()),
    "python-tag": ("okrs.yaml", _python_tag, ("tag",)),
    "empty": ("okrs.txt", _empty, ("empty",)),
}


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_a_hostile_file_is_refused_with_one_clear_line(case: str, tmp_path: Path) -> None:
    name, make, words = REFUSED[case]
    path = tmp_path / name
    make(path)
    run = run_cli("check", str(path), "--offline", cache_dir=tmp_path / "cache", timeout=120)
    assert_clean_error(run, str(path), words=words)
    # Refusing a hostile file is cheap: no index is opened, nothing big is held.
    assert run.seconds < 20, run.seconds
    assert run.max_rss_mb < 400, run.max_rss_mb
    assert not Path("/tmp/pwned-okr").exists()


def test_a_giant_stdin_is_refused_quickly_with_bounded_memory(tmp_path: Path) -> None:
    data = b"- Cut p95 latency of the checkout API from 800 ms to 400 ms by Q3\n" * 800_000
    assert len(data) > 50 * 1024 * 1024
    run = run_cli("check", "-", "--offline", cache_dir=tmp_path / "cache", stdin=data)
    line = assert_clean_error(run, "<stdin>", words=("too large",))
    assert f"{MAX_INPUT_BYTES // 1024 // 1024} MB" in line
    assert run.seconds < 20, run.seconds
    assert run.max_rss_mb < 300, run.max_rss_mb


# -- inputs that must be reviewed, and reviewed correctly -------------------------------
def test_encodings_line_endings_and_unicode_give_the_same_review(
    warm_cache: Path, tmp_path: Path
) -> None:
    """UTF-16 with BOM, UTF-8 with BOM and CRLF read exactly like plain UTF-8 with LF; emoji,
    right-to-left text and zero-width characters do not derail the review."""
    text = _text_okrs("Make checkout fast for every customer", SAFE_KRS)
    plain = _write(tmp_path / "plain.txt", text)
    variants = {
        "utf16-le.txt": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "utf16-be.txt": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "utf8-bom.txt": codecs.BOM_UTF8 + text.encode(),
        "crlf.txt": text.replace("\n", "\r\n").encode(),
        "utf16-crlf.md": codecs.BOM_UTF16_LE
        + text.replace("Objective:", "## Objective:")
        .replace("\nCut", "\n- Cut")
        .replace("\nMigrate", "\n- Migrate")
        .replace("\nRun", "\n- Run")
        .replace("\n", "\r\n")
        .encode("utf-16-le"),
    }
    paths = [_write(tmp_path / name, data) for name, data in variants.items()]
    unicode_krs = [
        "Cut p95 checkout latency from 800 ms to 400 ms by 30 September 2026 🚀🔥",
        "خفض زمن استجابة الدفع من 800 إلى 400 مللي ثانية",  # right-to-left (Arabic)
        "Cut p95 checkout\u200b latency from 800\u200d ms to 400 ms\u2060 by Q3 \u202eevil",
        "👩\u200d💻 " * 50 + "Ship the thing",
    ]
    weird = _write(tmp_path / "unicode.txt", _text_okrs("Fast checkout ✨ للجميع", unicode_krs))
    run = run_cli(
        "check",
        str(plain),
        *map(str, paths),
        str(weird),
        "--offline",
        "--format",
        "json",
        cache_dir=warm_cache,
    )
    assert_no_traceback(run)
    assert run.code in (0, 1), run.stderr
    report = json.loads(run.stdout)
    assert not report["input_problems"]
    by_file: dict[str, list] = {}
    for result in report["results"]:
        by_file.setdefault(Path(result["file"]).name, []).append(result)
    expected = review_digest({"results": by_file["plain.txt"]})
    assert [r[0] for r in expected] == [kr[:60] for kr in SAFE_KRS]
    for name in variants:
        assert review_digest({"results": by_file[name]}) == expected, name
        lines = [r["line"] for r in by_file[name]]
        assert lines == [r["line"] for r in by_file["plain.txt"]], name
    texts = [r["key_result"] for r in by_file["unicode.txt"]]
    assert texts == [kr.strip() for kr in unicode_krs]
    for result in by_file["unicode.txt"]:
        assert result["kind"] in ("outcome", "output", "activity", "unmeasurable")
        assert result["critique"] is not None
    # The emoji-decorated measurable key result is read as the plain one is.
    assert by_file["unicode.txt"][0]["kind"] == by_file["plain.txt"][0]["kind"]


def test_a_giant_key_result_is_refused_with_the_limit_named(
    warm_cache: Path, tmp_path: Path
) -> None:
    """One key result of 1 MB of text: refused at once (a review took 25 s and 740 MB)."""
    sentence = "Reduce the p95 latency of the checkout API for customers in every region "
    giant = (sentence * (1024 * 1024 // len(sentence) + 1))[: 1024 * 1024]
    for name, body in (
        ("giant-kr.txt", _text_okrs("Fast", [SAFE_KRS[0], giant])),
        ("giant-kr.yaml", f"objectives:\n  - objective: Fast\n    key_results:\n      - {giant}\n"),
        ("giant-kr.csv", f"objective,key_result\nFast,{giant}\n"),
    ):
        path = _write(tmp_path / name, body)
        run = run_cli("check", str(path), "--offline", cache_dir=warm_cache, timeout=120)
        # CSV stops earlier, at the csv module's own field limit ("a cell is far too long").
        assert_clean_error(run, str(path), words=("too long",) if "csv" in name else ("10,000",))
        assert run.seconds < 20, run.seconds
        assert run.max_rss_mb < 400, run.max_rss_mb


def test_the_python_api_refuses_a_giant_text_with_the_limit_named(tmp_path: Path) -> None:
    """The API applies the readers' 10,000-character limit to what it is handed directly."""
    import time

    from reviewer import InputError, Reviewer
    from reviewer.config import Config, RetrievalConfig
    from reviewer.models import KeyResult, Objective, OKRSet

    reviewer = Reviewer(
        Config(retrieval=RetrievalConfig(embedding="none", cache_dir=tmp_path / "cache"))
    )
    giant = "Reduce the p95 latency of the checkout API " * 30_000  # about 1.3 MB
    started = time.perf_counter()
    for call in (
        lambda: reviewer.review_key_result(giant),
        lambda: reviewer.review_key_result(SAFE_KRS[0], objective=giant),
        lambda: reviewer.review_key_result(KeyResult(text=SAFE_KRS[0], baseline=giant)),
        lambda: reviewer.review_set(
            OKRSet(objectives=[Objective(text="Fast", key_results=[KeyResult(text=giant)])])
        ),
    ):
        with pytest.raises(InputError, match="the limit is 10,000"):
            call()
    assert time.perf_counter() - started < 5
    # Right at the limit is still reviewed.
    at_limit = (SAFE_KRS[0] + " ") * (10_000 // (len(SAFE_KRS[0]) + 1))
    assert len(at_limit) <= 10_000
    assert reviewer.review_key_result(at_limit).kind


def test_markdown_with_100000_bullets_is_refused_with_bounded_time_and_memory(
    tmp_path: Path,
) -> None:
    """5 MB of bullets, under the size limit: reviewing them took 15 min and 6.6 GB."""
    path = tmp_path / "bullets.md"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("# Objective: Make checkout fast\n")
        for number in range(100_000):
            handle.write(f"- Cut p95 latency of api {number} from 800 to 400 ms\n")
    assert path.stat().st_size < MAX_INPUT_BYTES  # under the size limit: a count problem
    run = run_cli("check", str(path), "--offline", cache_dir=tmp_path / "cache", timeout=150)
    assert_clean_error(run, str(path), words=("100,000 key results", "10,000"))
    assert run.seconds < 30, run.seconds
    assert run.max_rss_mb < 500, run.max_rss_mb


def test_one_run_reviews_at_most_10000_key_results_and_names_the_rest(
    warm_cache: Path, tmp_path: Path
) -> None:
    small = _write(tmp_path / "small.txt", _text_okrs("Fast checkout", SAFE_KRS))
    rows = "".join(
        f"Team {n} objective,Cut p95 latency of api {n} from 800 to 400 ms\n" for n in range(9_999)
    )
    big = _write(tmp_path / "big.csv", "objective,key_result\n" + rows)
    run = run_cli("check", str(small), str(big), "--rules-only", "-f", "json", cache_dir=warm_cache)
    assert_clean_error(run, str(big), words=("limit is 10,000 per run",))
    assert [r["key_result"] for r in json.loads(run.stdout)["results"]] == SAFE_KRS


# -- markup in key results is data, never markup ----------------------------------------
MARKUP_KRS = [
    "Ship the <script>alert('okr')</script> widget to production",
    "Cut p95 latency <img src=x onerror=alert(1)> from 800 ms to 400 ms by Q3",
    "Launch the [status page](javascript:alert(document.cookie)) for customers",
    "Raise NPS from 30 to 40 by Q3 <a href='javascript:void(0)'>click</a> **bold** `code`",
    "Ship the tracker ![pixel](https://tracker.example/p.png) to every team",
    "Ship \\<script>alert(2)\\</script> and \\[link](javascript:alert(3)) escapes",
]


def test_markup_in_key_results_is_reproduced_as_text_by_the_cli(
    warm_cache: Path, tmp_path: Path
) -> None:
    path = _write(tmp_path / "markup.txt", _text_okrs("<b>Objective</b> & more", MARKUP_KRS))
    as_json = run_cli("check", str(path), "--offline", "-f", "json", cache_dir=warm_cache)
    assert_no_traceback(as_json)
    texts = [r["key_result"] for r in json.loads(as_json.stdout)["results"]]
    assert texts == MARKUP_KRS
    as_text = run_cli("check", str(path), "--offline", "--no-color", cache_dir=warm_cache)
    assert_no_traceback(as_text)
    flat = " ".join(as_text.stdout.split())
    for kr in MARKUP_KRS:
        # Wrapped to the terminal width, but every character is there, in order.
        assert " ".join(kr.split()) in flat, kr
    markdown = run_cli("check", str(path), "--offline", "-f", "markdown", cache_dir=warm_cache)
    assert_no_traceback(markdown)
    # Rendered (GitHub, docs tools), the Markdown report must not contain live markup.
    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    renderer.validateLink = lambda url: True  # judge our escaping, not the link filter
    html = renderer.render(markdown.stdout)
    assert not re.search(r"<(script|img|a|svg)\b", html, re.I), html[:3000]
    for words in ("widget to production", "onerror=alert(1)", "javascript:alert(document"):
        assert html_module.escape(words, quote=False) in html  # ... the words shown as text


def test_terminal_control_sequences_in_key_results_do_not_reach_the_terminal(
    warm_cache: Path, tmp_path: Path
) -> None:
    """An ESC in a key result would let a file repaint or retitle the reader's terminal."""
    hostile = "Cut p95 latency from 800 ms to 400 ms \x1b[2J\x1b]0;pwned\x07 by Q3 \x1b[31mred"
    path = _write(tmp_path / "ansi.txt", _text_okrs("Fast", [hostile]))
    run = run_cli("check", str(path), "--offline", "--no-color", cache_dir=warm_cache)
    assert_no_traceback(run)
    if run.code == 2:
        assert_clean_error(run, str(path))
    else:
        assert "\x1b" not in run.stdout
        assert "\x07" not in run.stdout


# -- one bad file among good ones -------------------------------------------------------
def test_one_bad_file_never_stops_the_others(warm_cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    _alias_bomb(bad)
    binary = tmp_path / "sheet.csv"
    _binary(binary)
    good_text = _write(tmp_path / "good.txt", _text_okrs("Fast checkout", SAFE_KRS))
    run = run_cli(
        "check",
        str(EXAMPLE),
        str(bad),
        str(good_text),
        str(binary),
        "--offline",
        "--format",
        "json",
        cache_dir=warm_cache,
    )
    assert_clean_error(run, str(bad))
    assert_clean_error(run, str(binary))
    report = json.loads(run.stdout)
    files = {Path(r["file"]).name for r in report["results"]}
    assert files == {EXAMPLE.name, good_text.name}
    assert {Path(p["file"]).name for p in report["input_problems"]} == {"broken.yaml", "sheet.csv"}
    assert all(r["critique"] is not None for r in report["results"])


def test_the_api_reports_a_bad_file_and_reviews_the_rest(tmp_path: Path, warm_cache: Path) -> None:
    from reviewer.config import load_config
    from reviewer.pipeline import Reviewer

    bad = tmp_path / "bad.txt"
    _invalid_utf8(bad)
    good = _write(tmp_path / "good.txt", _text_okrs("Fast checkout", SAFE_KRS))
    config = load_config(
        overrides={"offline": True, "retrieval": {"cache_dir": warm_cache}}, use_env=False
    )
    report = Reviewer(config).review_files([bad, good])
    assert [r.key_result.text for r in report.reviews] == SAFE_KRS
    assert len(report.input_problems) == 1
    assert report.input_problems[0].file == str(bad)
    assert "UTF-8" in report.input_problems[0].message
