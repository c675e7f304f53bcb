"""Review bars: deterministic critic quality, offline speed, and the LLM path's concurrency.

    .venv/bin/python benchmarks/bench_review.py [--no-llm | --llm-only] [--llm-n 50]
        [--llm-runs 3] [--delay 0.5]

Prints, each against its bar:
1. the deterministic critic over the labeled eval set (evals/datasets/key_results.yaml):
   share of rewrite candidates and of shown rewrites passing verification (bar 100% shown),
   invented numbers in shown rewrites (bar 0), share of key results with an error-level
   finding that get at least one rewrite (bar >= 90%), share of critiques citing at least
   one retrieved passage (bar 100%);
2. an offline review of a 50-key-result file in a fresh process with a current index
   (bar < 2 s wall time), through the Python API and through `okr-review check --offline`,
   and the warm latency of one key result (bar < 30 ms);
3. the LLM path against the scripted local OpenAI-compatible server (in a process of its
   own) with a fixed delay per request: 50 key results at concurrency 1, 4 and 16 against
   the ideal n x delay / limit (bar: within 1.3x; the wave floor ceil(n / limit) x delay is
   shown beside it), then a rerun answered from the cache (bar: zero requests).

Uses the default config (never a project's settings) with its own cache folder.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import yaml  # noqa: E402

from reviewer.anatomy import extract_numbers  # noqa: E402
from reviewer.config import Config, RetrievalConfig  # noqa: E402
from reviewer.models import KeyResult, Objective  # noqa: E402
from reviewer.pipeline import Reviewer  # noqa: E402
from reviewer.verify import allowed_numbers, is_invented, verify_result  # noqa: E402

EVAL_FILE = ROOT / "evals" / "datasets" / "key_results.yaml"
PASS, FAIL = "PASS", "FAIL"


def bar(ok: bool) -> str:
    return PASS if ok else FAIL


def load_cases() -> list[dict]:
    return yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["cases"]


# -- 1. quality -------------------------------------------------------------------------------
def critic_quality(reviewer: Reviewer, cases: list[dict]) -> bool:
    """Run the deterministic critic over the eval set and print the quality bars."""
    critic = reviewer._deterministic_critic()
    candidates = candidates_passing = shown = shown_verified = invented = 0
    with_error = with_error_and_rewrite = citing = critiques = 0
    for case in cases:
        kr = KeyResult(text=case["text"])
        objective = Objective(text=case["objective"]) if case.get("objective") else None
        period = case.get("period")
        item = reviewer.review_key_result(kr, objective, period)
        # Every candidate the critic proposed, before verification kept the passing ones:
        # the same critique input the pipeline built for `item`.
        _, ctx = reviewer._prepare(kr, objective, period)
        assert ctx is not None  # the benchmark's config is not rules-only
        verification = verify_result(critic.critique(ctx), ctx, reviewer.config)
        candidates += len(verification.result.rewrites)
        candidates_passing += sum(r.verified for r in verification.result.rewrites)
        # What the user sees.
        allowed = allowed_numbers(ctx)
        for rewrite in item.rewrites:
            shown += 1
            shown_verified += rewrite.verified
            invented += sum(is_invented(q, allowed) for q in extract_numbers(rewrite.text))
            invented += _digits_not_in_input(rewrite.text, case)
        if item.worst_severity() == "error":
            with_error += 1
            with_error_and_rewrite += bool(item.rewrites)
        if item.critique is not None:
            critiques += 1
            citing += bool(item.critique.cited)
    pct = lambda a, b: 100.0 * a / b if b else 100.0  # noqa: E731
    rows = [
        (
            "rewrites shown that pass verification",
            f"{pct(shown_verified, shown):.1f}% of {shown}",
            "100%",
            shown_verified == shown,
        ),
        (
            "rewrite candidates passing verification",
            f"{pct(candidates_passing, candidates):.1f}% of {candidates}",
            "(info)",
            True,
        ),
        ("invented numbers in shown rewrites", str(invented), "0", invented == 0),
        (
            "error key results with >= 1 rewrite",
            f"{pct(with_error_and_rewrite, with_error):.1f}% of {with_error}",
            ">= 90%",
            pct(with_error_and_rewrite, with_error) >= 90,
        ),
        (
            "critiques citing a retrieved passage",
            f"{pct(citing, critiques):.1f}% of {critiques}",
            "100%",
            citing == critiques,
        ),
    ]
    print(f"\n1. Deterministic critic on the labeled eval set ({len(cases)} key results)")
    _table(rows)
    return all(ok for *_rest, ok in rows)


_PERCENTILE = re.compile(r"\bp\d{2}(?:\.\d+)?\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)?")


def _digits_not_in_input(text: str, case: dict) -> int:
    """An independent, cruder check: digit strings in the rewrite absent from the input."""
    source = " ".join(str(case.get(k) or "") for k in ("text", "objective", "period"))
    allowed = {d.replace(",", "") for d in _DIGITS.findall(source)}
    found = {d.replace(",", "") for d in _DIGITS.findall(_PERCENTILE.sub(" ", text))}
    return len(found - allowed)


# -- 2. offline speed -------------------------------------------------------------------------
def write_fifty(cases: list[dict], folder: Path) -> Path:
    """A 50-key-result OKR file (YAML) built from eval drafts, 5 objectives of 10."""
    drafts = [c for c in cases][:50]
    objectives = []
    for i in range(0, 50, 10):
        chunk = drafts[i : i + 10]
        objectives.append(
            {
                "objective": chunk[0].get("objective") or f"Objective {i // 10 + 1}",
                "key_results": [c["text"] for c in chunk],
            }
        )
    path = folder / "fifty.yaml"
    path.write_text(
        yaml.safe_dump({"team": "Bench", "period": "2026-Q3", "objectives": objectives}),
        encoding="utf-8",
    )
    return path


API_SCRIPT = """
import sys, time
started = time.perf_counter()
from reviewer.config import load_config
from reviewer.pipeline import Reviewer
config = load_config(overrides={"offline": True, "retrieval": {"cache_dir": sys.argv[2]}})
report = Reviewer(config).review_file(sys.argv[1])
assert len(report.reviews) == 50, len(report.reviews)
print(round((time.perf_counter() - started) * 1000, 1), report.timings_ms["total"])
"""


def offline_speed(cases: list[dict], cache_dir: Path, folder: Path) -> bool:
    """Cold-process review of 50 key results, and warm single-key-result latency."""
    from bytecode import compile_package

    print(compile_package())
    path = write_fifty(cases, folder)
    env_python = sys.executable
    # Build (or confirm) the index first: the bar is for a current index.
    subprocess.run(
        [env_python, "-c", API_SCRIPT, str(path), str(cache_dir)],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    api_runs, cli_runs = [], []
    cli = Path(env_python).with_name("okr-review")
    for _ in range(3):
        api_runs.append(_timed([env_python, "-c", API_SCRIPT, str(path), str(cache_dir)], folder))
        cli_runs.append(
            _timed(
                [
                    str(cli),
                    "check",
                    str(path),
                    "--offline",
                    "--format",
                    "json",
                    "--cache-dir",
                    str(cache_dir),
                    "--fail-on",
                    "never",
                    "-q",
                ],
                folder,
            )
        )

    config = Config(offline=True, retrieval=RetrievalConfig(cache_dir=cache_dir))
    reviewer = Reviewer(config)
    texts = [c["text"] for c in cases[:60]]
    for text in texts[:5]:
        reviewer.review_key_result(text)  # warm: index open, tables loaded
    latencies = []
    for text in texts:
        started = time.perf_counter()
        reviewer.review_key_result(text)
        latencies.append((time.perf_counter() - started) * 1000)
    p50 = statistics.median(latencies)
    p95 = sorted(latencies)[int(0.95 * (len(latencies) - 1))]
    (api, api_cpu), (cli_wall, cli_cpu) = min(api_runs), min(cli_runs)
    load = os.getloadavg()[0]
    rows = [
        (
            "50 key results, fresh process, Python API",
            f"{api:.2f} s wall, {api_cpu:.2f} s CPU (best of 3)",
            "< 2 s",
            api < 2.0,
        ),
        (
            "50 key results, fresh process, okr-review check",
            f"{cli_wall:.2f} s wall, {cli_cpu:.2f} s CPU (best of 3)",
            "< 2 s",
            cli_wall < 2.0,
        ),
        ("one key result, warm (p50 / p95)", f"{p50:.1f} / {p95:.1f} ms", "< 30 ms", p95 < 30.0),
    ]
    print(
        "\n2. Offline speed (rules + retrieval + deterministic critic + verification); "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    _table(rows)
    return all(ok for *_rest, ok in rows)


def _timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and the child's CPU time (user + system) of one command, in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        print(done.stderr.decode(errors="replace")[-500:], file=sys.stderr)
        return float("inf"), cpu
    return wall, cpu


# -- 3. the LLM path --------------------------------------------------------------------------
def llm_path(cases: list[dict], n: int, delay: float, runs: int = 1) -> bool:
    """n key results against the scripted endpoint at concurrency 1, 4 and 16 (llm_path.py,
    the measurement `make bench` prints too), then a rerun from the cache."""
    import llm_path as measured

    with tempfile.TemporaryDirectory() as tmp:
        concurrency, cached, floor = measured.measure(
            [c["text"] for c in cases[:n]],
            delay_s=delay,
            folder=Path(tmp),
            index_cache=Path(tmp) / "index",
            runs=runs,
        )
    rows = [
        (
            f"{run.n} key results, concurrency {run.limit:>2}",
            run.describe(),
            f"<= {measured.BAR_RATIO}x",
            run.met,
        )
        for run in concurrency
    ]
    rows.append((f"HTTP floor, concurrency {floor.limit:>2}", floor.describe(), "-", None))
    rows.append(("cached rerun", cached.describe(), "0 requests", cached.met))
    load = os.getloadavg()[0]
    print(
        f"\n3. LLM path against the scripted local server in its own process "
        f"({delay * 1000:.0f} ms per request); load average {load:.1f} on {os.cpu_count()} cores"
    )
    _table(rows)
    return all(r[-1] for r in rows if r[-1] is not None)


def _table(rows: list[tuple[str, str, str, bool | None]]) -> None:
    """Rows of (figure, value, bar, met); a figure without a bar has None for met."""
    width = max(len(r[0]) for r in rows)
    for name, value, target, ok in rows:
        verdict = "" if ok is None else bar(ok)
        print(f"  {name:<{width}}  {value:<60}  bar {target:<7} {verdict}".rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-llm", action="store_true", help="skip the LLM-path timing")
    parser.add_argument("--llm-only", action="store_true", help="only the LLM-path timing")
    parser.add_argument("--llm-n", type=int, default=50)
    parser.add_argument("--llm-runs", type=int, default=1, help="runs per concurrency (median)")
    parser.add_argument("--delay", type=float, default=0.5)
    args = parser.parse_args(argv)
    if not EVAL_FILE.exists():
        print(f"no eval set at {EVAL_FILE}", file=sys.stderr)
        return 2
    cases = load_cases()
    results = []
    if not args.llm_only:
        with tempfile.TemporaryDirectory() as tmp:
            cache_dir = Path(tmp) / "cache"
            config = Config(offline=True, retrieval=RetrievalConfig(cache_dir=cache_dir))
            reviewer = Reviewer(config)
            results += [critic_quality(reviewer, cases), offline_speed(cases, cache_dir, Path(tmp))]
    if not args.no_llm:
        results.append(llm_path(cases, args.llm_n, args.delay, max(1, args.llm_runs)))
    print("\nall bars met" if all(results) else "\nSOME BARS MISSED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
