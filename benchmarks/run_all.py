"""Every speed and memory figure of the project in one table, each beside its target.

    .venv/bin/python benchmarks/run_all.py            # what `make bench` runs (~6 minutes)
    .venv/bin/python benchmarks/run_all.py --quick    # smaller inputs, for a smoke check
    .venv/bin/python benchmarks/run_all.py --json out.json

Figures (targets from issue 8):
- rules-only throughput on 10,000 key results, and its cost as a multiple of one
  compiled-regex pass over the same texts (target >= 5,000 key results/s);
- offline review (rules, retrieval, deterministic critic, verification) warm: throughput
  and per-key-result latency p50 / p95;
- cold start of whole processes: `okr-review --help` (< 0.5 s), a rules-only check of the
  example, a full offline check of the example, and of a 50-key-result file (< 2 s);
- the LLM path: 50 key results against the test suite's scripted local endpoint with a
  fixed 500 ms per request at concurrency 1, 4 and 16 (median of 3 runs; llm_path.py),
  against the ideal 50 x 0.5 s / limit
  (target within 1.3x), the same requests replayed at concurrency 16 by the SDK's HTTP
  client alone (the floor the endpoint and HTTP stack set; no target), and a rerun
  answered from the cache (0 requests);
- peak resident memory of a 10,000-key-result batch (target < 500 MB).

The inputs are the ones the per-area scripts use (bench_rules.TEXTS, bench_review's
50-key-result file from the eval set), so the figures agree with theirs. Benchmarks print
figures; nothing here fails a build. The machine's load average is printed with them:
on a shared machine, wall times are upper bounds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "hardening"))

EXAMPLE = ROOT / "examples" / "platform-team.yaml"
CLI = Path(sys.executable).with_name("okr-review")


@dataclass
class Row:
    """One line of the table."""

    figure: str
    value: str
    target: str = ""
    verdict: str = ""  # "met", "MISSED" or "" (a figure without a target)
    number: float | None = None


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# -- inputs -------------------------------------------------------------------------------
def key_result_texts(n: int) -> list[str]:
    """n realistic drafts, cycled from the rules benchmark's list and made distinct."""
    from bench_rules import TEXTS

    return [f"{TEXTS[i % len(TEXTS)]} (team {i // len(TEXTS)})" for i in range(n)]


def write_batch(path: Path, n: int) -> Path:
    """A text OKR file of n key results, four per objective."""
    lines = ["Team: Bench", "Period: 2026-Q3"]
    for i, text in enumerate(key_result_texts(n)):
        if i % 4 == 0:
            lines.append(f"Objective: Make service {i // 4} fast and dependable")
        lines.append(f"- {text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fifty_texts(n: int) -> list[str]:
    """The drafts of the 50-key-result file (eval-set drafts, as bench_review.py), else ours."""
    try:
        from bench_review import load_cases

        texts = [case["text"] for case in load_cases()[:n]]
        if len(texts) == n:
            return texts
    except Exception:  # the eval set or the script is missing: same size, our drafts
        pass
    return key_result_texts(n)


def write_fifty(folder: Path) -> Path:
    """The 50-key-result file bench_review.py times (eval-set drafts), else our own."""
    try:
        from bench_review import load_cases
        from bench_review import write_fifty as review_fifty

        return review_fifty(load_cases(), folder)
    except Exception:  # the eval set or the script is missing: same size, our drafts
        return write_batch(folder / "fifty.txt", 50)


def clean_env(cache: Path) -> dict[str, str]:
    """No LLM or remote store configured; our own cache folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "CHROMA_")) and k != "OKR_REVIEW_MODEL"
    }
    env["OKR_REVIEW_CACHE_DIR"] = str(cache)
    return env


# -- measuring processes ------------------------------------------------------------------
def run_process(command: Sequence[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, the process's own peak RSS in MB, and its exit code."""
    from hardkit import measured  # forks from a tiny helper: see RSS_HELPER there

    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        started = time.perf_counter()
        done = subprocess.run(
            measured(command, rss_file),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        wall = time.perf_counter() - started
        if done.returncode not in (0, 1):
            err = done.stderr.decode(errors="replace")
            raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {err[-500:]}")
        return wall, int(rss_file.read_text()) / 1024, done.returncode


def median_wall(command: Sequence[str], env: dict[str, str], runs: int) -> float:
    return statistics.median(run_process(command, env)[0] for _ in range(runs))


# -- 1. rules-only ------------------------------------------------------------------------
def rules_only(n: int) -> list[Row]:
    """check_key_result over n key results (one core, warm) vs one compiled-regex pass."""
    from reviewer.config import Config
    from reviewer.models import KeyResult, Objective, OKRSet
    from reviewer.rules import check_key_result, check_set

    config = Config()
    texts = key_result_texts(n)
    key_results = [KeyResult(text=t) for t in texts]
    objective = Objective(text="Make checkout fast and dependable")
    check_key_result(key_results[0], objective, "2026-Q3", config)  # warm the plan cache

    started = time.perf_counter()
    for kr in key_results:
        check_key_result(kr, objective, "2026-Q3", config)
    rules_s = time.perf_counter() - started

    one_regex = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?(?:%|ms|s|x)?")
    started = time.perf_counter()
    for text in texts:
        for _match in one_regex.finditer(text):
            pass
    regex_s = time.perf_counter() - started

    objectives = [
        Objective(text=f"Make service {i} fast and dependable", key_results=key_results[i : i + 4])
        for i in range(0, n, 4)
    ]
    started = time.perf_counter()
    check_set(OKRSet(objectives=objectives, period="2026-Q3"), config)
    set_s = time.perf_counter() - started

    rate = n / rules_s
    return [
        Row(
            f"rules-only: key-result rules, {n:,} key results",
            f"{rate:,.0f} KR/s ({rules_s:.2f} s)",
            ">= 5,000 KR/s",
            verdict(rate >= 5000),
            rate,
        ),
        Row(
            "rules-only: cost vs one compiled-regex pass",
            f"{rules_s / regex_s:,.0f}x ({regex_s * 1000:.1f} ms for the regex pass)",
            number=rules_s / regex_s,
        ),
        Row(
            f"rules-only: set rules over the same {n:,} key results",
            f"{set_s:.2f} s ({n / set_s:,.0f} KR/s)",
            number=set_s,
        ),
    ]


# -- 2. offline review, warm --------------------------------------------------------------
def offline_warm(n: int, cache: Path) -> list[Row]:
    """Each key result reviewed on its own through a warm Reviewer: latency and throughput."""
    from reviewer.config import load_config
    from reviewer.pipeline import Reviewer

    reviewer = Reviewer(
        load_config(overrides={"offline": True, "retrieval": {"cache_dir": cache}}, use_env=False)
    )
    texts = key_result_texts(n)
    for text in texts[:10]:
        reviewer.review_key_result(text, "Make checkout fast", "2026-Q3")  # warm
    latencies = []
    started = time.perf_counter()
    for text in texts:
        one = time.perf_counter()
        reviewer.review_key_result(text, "Make checkout fast", "2026-Q3")
        latencies.append((time.perf_counter() - one) * 1000)
    total = time.perf_counter() - started
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, math.ceil(0.95 * len(latencies)) - 1)]
    return [
        Row(
            f"offline review warm: throughput ({n} KRs)", f"{n / total:,.0f} KR/s", number=n / total
        ),
        Row(
            "offline review warm: latency per KR p50 / p95",
            f"{p50:.1f} / {p95:.1f} ms",
            number=p95,
        ),
    ]


# -- 3. cold starts -------------------------------------------------------------------------
def cold_starts(cache: Path, folder: Path, runs: int) -> list[Row]:
    """Whole processes, median of `runs`, with a current index in the cache and the
    package's bytecode current (bytecode.py says why)."""
    from bytecode import compile_package

    print(compile_package(), file=sys.stderr)
    env = clean_env(cache)
    fifty = write_fifty(folder)
    full = [str(CLI), "check", str(EXAMPLE), "--offline", "-q", "-f", "json"]
    run_process(full, env)  # build the index once: the targets are for a current index
    helptime = median_wall([str(CLI), "--help"], env, runs)
    rules = median_wall([str(CLI), "check", "--rules-only", str(EXAMPLE), "-q"], env, runs)
    example = median_wall(full, env, runs)
    fifty_s = median_wall(
        [str(CLI), "check", str(fifty), "--offline", "-q", "-f", "json"], env, runs
    )
    return [
        Row(
            "cold: okr-review --help",
            f"{helptime:.2f} s",
            "< 0.5 s",
            verdict(helptime < 0.5),
            helptime,
        ),
        Row(
            "cold: check --rules-only (example, 14 KRs)",
            f"{rules:.2f} s",
            number=rules,
        ),
        Row("cold: check --offline (example, 14 KRs)", f"{example:.2f} s", number=example),
        Row(
            "cold: check --offline (50-KR file)",
            f"{fifty_s:.2f} s",
            "< 2 s",
            verdict(fifty_s < 2.0),
            fifty_s,
        ),
    ]


# -- 4. the LLM path ------------------------------------------------------------------------
def llm_path(n: int, delay: float, cache: Path, folder: Path, runs: int) -> list[Row]:
    """n key results against the scripted endpoint with `delay` per request (llm_path.py),
    the median of `runs` runs per concurrency."""
    import llm_path as measured

    concurrency, cached, floor = measured.measure(
        fifty_texts(n), delay_s=delay, folder=folder, index_cache=cache, runs=runs
    )
    rows = [
        Row(
            f"LLM path: {n} KRs at concurrency {run.limit}",
            run.describe(),
            f"<= {measured.BAR_RATIO}x ideal",
            verdict(run.met),
            run.ratio,
        )
        for run in concurrency
    ]
    rows.append(
        Row(
            f"LLM path: HTTP floor at concurrency {floor.limit} (no reviewer)",
            floor.describe(),
            number=floor.ratio,
        )
    )
    rows.append(
        Row(
            "LLM path: cached rerun",
            cached.describe(),
            "0 requests",
            verdict(cached.met),
            cached.requests,
        )
    )
    return rows


# -- 5. peak memory ---------------------------------------------------------------------------
BATCH_API = """
import sys
from reviewer.config import load_config
from reviewer.pipeline import Reviewer
config = load_config(overrides={"offline": True, "rules_only": sys.argv[2] == "rules"})
report = Reviewer(config).review_file(sys.argv[1])
assert len(report.reviews) == int(sys.argv[3]), len(report.reviews)
"""


def peak_memory(n: int, cache: Path, folder: Path) -> list[Row]:
    """Peak RSS of whole processes reviewing an n-key-result file."""
    env = clean_env(cache)
    batch = write_batch(folder / f"batch-{n}.txt", n)
    rows = []

    def check(mode: str, fmt: str, out: str) -> list[str]:
        """`okr-review check` of the batch in `mode`, its report written to `out`."""
        return [str(CLI), "check", str(batch), mode, "-q", "-f", fmt, "-o", str(folder / out)]

    for label, command in (
        ("API, full offline review", [sys.executable, "-c", BATCH_API, str(batch), "full", str(n)]),
        ("CLI, full offline, JSON report written", check("--offline", "json", "batch.json")),
        ("CLI, full offline, SARIF report written", check("--offline", "sarif", "batch.sarif")),
        ("CLI, rules-only, JSON report written", check("--rules-only", "json", "batch-rules.json")),
    ):
        wall, rss, _code = run_process(command, env)
        rows.append(
            Row(
                f"peak RSS, {n:,} KRs: {label}",
                f"{rss:,.0f} MB ({wall:.1f} s, {n / wall:,.0f} KR/s)",
                "< 500 MB",
                verdict(rss < 500),
                rss,
            )
        )
    return rows


# -- the table ----------------------------------------------------------------------------------
def print_table(rows: list[Row]) -> None:
    width = max(len(r.figure) for r in rows)
    value_width = min(90, max(len(r.value) for r in rows))
    header = f"{'figure':<{width}}  {'measured':<{value_width}}  {'target':<14}  verdict"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row.figure:<{width}}  {row.value:<{value_width}}  {row.target:<14}  {row.verdict}")


# -- the machine ---------------------------------------------------------------------------
def reference_loop_ms() -> float:
    """A fixed pure-Python loop (best of 5), so figures taken at different times or on
    different machines can be compared.

    Machines of the same kind differ from session to session, and one machine drifts
    within minutes: on 2026-12-07 this loop took 60-106 ms on the same machine, and the
    rules-only figure moved between 3,300 and 5,600 key results/s with it. Every figure but
    the LLM path's waits scales with this loop, so it is timed before each section.
    """
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        timings.append(time.perf_counter() - started)
    return min(timings) * 1000


def section(
    name: str, rows: list[Row], measure: Callable[[], list[Row]], reference: dict[str, float]
) -> None:
    reference[name] = reference_loop_ms()
    print(f"measuring: {name} ...", file=sys.stderr, flush=True)
    try:
        rows.extend(measure())
    except Exception as exc:  # one broken measurement must not hide the others
        rows.append(Row(name, f"not measured: {type(exc).__name__}: {str(exc)[:150]}", "", "ERROR"))


def reference_row(reference: dict[str, float]) -> Row:
    times = ", ".join(f"{name} {ms:.0f}" for name, ms in reference.items())
    return Row(
        "machine: pure-Python reference loop before each section (lower is faster)",
        f"{times} ms",
        number=max(reference.values()) if reference else None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs (smoke check)")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    n_rules = 2_000 if args.quick else 10_000
    n_warm = 100 if args.quick else 500
    n_llm, delay = (20, 0.2) if args.quick else (50, 0.5)
    n_batch = 1_000 if args.quick else 10_000
    runs = 3 if args.quick else 5
    llm_runs = 1 if args.quick else 3  # wall times of ~2 s vary by a few ms: the median

    rows: list[Row] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="okr-bench-") as tmp:
        folder = Path(tmp)
        cache = folder / "cache"
        reference: dict[str, float] = {}
        section("cold starts", rows, lambda: cold_starts(cache, folder, runs), reference)
        section("rules-only", rows, lambda: rules_only(n_rules), reference)
        section("offline warm", rows, lambda: offline_warm(n_warm, cache), reference)
        section(
            "LLM path", rows, lambda: llm_path(n_llm, delay, cache, folder, llm_runs), reference
        )
        section("peak memory", rows, lambda: peak_memory(n_batch, cache, folder), reference)
        reference["end"] = reference_loop_ms()
        rows.insert(0, reference_row(reference))
    print()
    load = os.getloadavg()
    print(
        f"okr-review benchmarks ({'quick' if args.quick else 'full'}; {os.cpu_count()} cores, "
        f"load average {load[0]:.1f} / {load[1]:.1f}; {time.perf_counter() - started:.0f} s)"
    )
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
