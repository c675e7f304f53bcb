"""`okr-review eval`: run the reviewer over the labeled datasets, score, print, compare.

Stages, each scored per split (dev and test side by side, and the blind `holdout` split
beside them: reported in aggregate only and never gated, see evals/README.md):
- rules: every key-result case through `check_key_result` -> kind accuracy and confusion,
  per-code precision / recall / F1, anatomy accuracy;
- sets: every set case through the YAML reader and `check_set` -> set-finding accuracy;
- retrieval: `retrieval.yaml` through the default index and a lexical-only index ->
  recall@3, hit@3, MRR;
- critic: every key-result and critique case through `Reviewer.review_key_result` with the
  offline (deterministic) critic or the configured LLM -> rewrite validity and coverage,
  citation validity and grounding.

A stage that fails is reported (and its metrics are missing, so its bars fail); it never
hides the other stages. The bars live in `bars.py`; the committed baseline is
`evals/baselines/<critic>.json`.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import scorers
from .bars import BAR_CODES, BARS, Bar, BarResult, check_bars, closed_gaps, known_gaps, missed
from .datasets import REPORTED_ONLY_SPLITS, SPLITS, by_split, default_data_dir, load_dataset

STAGES: tuple[str, ...] = ("rules", "sets", "retrieval", "critic")
REPORTED_CODES: tuple[str, ...] = (
    *BAR_CODES,
    "KR203",
    "KR204",
    "KR205",
    "KR401",
    "KR403",
    "KR501",
)
SET_CODES: tuple[str, ...] = ("OKR601", "OKR602", "OKR603", "OKR604", "OKR605")
RETRIEVAL_K = 3
RETRIEVAL_DEPTH = 10  # how many passages to rank for MRR
# Metrics shown in the summary table, in order, with a short label.
SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    ("rules.kind_accuracy", "kind accuracy"),
    ("rules.anatomy.has_baseline", "has_baseline accuracy"),
    ("rules.anatomy.has_target", "has_target accuracy"),
    ("rules.anatomy.timebound", "timebound accuracy"),
    ("rules.reference_rewrites_outcome", "reference rewrites read as outcomes"),
    ("sets.accuracy", "set findings accuracy"),
    ("retrieval.default.recall_at_3", "retrieval recall@3 (default)"),
    ("retrieval.default.hit_at_3", "retrieval hit@3 (default)"),
    ("retrieval.default.mrr", "retrieval MRR (default)"),
    ("retrieval.lexical.recall_at_3", "retrieval recall@3 (lexical)"),
    ("retrieval.lexical.hit_at_3", "retrieval hit@3 (lexical)"),
    ("retrieval.lexical.mrr", "retrieval MRR (lexical)"),
    ("rewrites.verified_rate", "rewrites verified"),
    ("rewrites.invented_numbers", "invented numbers"),
    ("rewrites.keeps_subject_rate", "rewrites keep the subject"),
    ("rewrites.coverage", "error KRs with a rewrite"),
    ("critique.cites_retrieved_rate", "critiques citing a retrieved passage"),
    ("critique.valid_citation_rate", "citations among retrieved"),
    ("critique.grounded_rate", "critiques citing expected guidance"),
    ("judge.agreement", "LLM judge agreement with labels"),
    ("judge.kappa", "LLM judge Cohen's kappa"),
)


@dataclass
class EvalOptions:
    """What to run: which critic, which splits, where the data is, which stages."""

    critic: str = "offline"  # offline | llm
    splits: tuple[str, ...] = SPLITS
    data_dir: Path | None = None
    stages: tuple[str, ...] = STAGES
    config: Any = None  # a reviewer Config; built from the critic choice when None
    judge: bool = False  # LLM critic only: also score critiques with an LLM-as-judge rubric


@dataclass
class SplitResult:
    """Everything scored for one split: flat metrics plus the details behind them."""

    metrics: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class EvalResult:
    """The outcome of one eval run."""

    critic: str
    data_dir: str
    splits: dict[str, SplitResult]
    errors: dict[str, str] = field(default_factory=dict)  # stage -> why it failed
    timings_s: dict[str, float] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # dataset -> split -> n

    def metrics_by_split(self) -> dict[str, dict[str, float]]:
        return {name: split.metrics for name, split in self.splits.items()}

    def bar_results(self, bars: tuple[Bar, ...] = BARS) -> list[BarResult]:
        """Every bar applied to every gated split, limited to the stages that were run.

        The holdout is never gated: it was written blind after the bars were set, and a gate
        on it would invite tuning until it passes.
        """
        gated = {s: m for s, m in self.metrics_by_split().items() if s not in REPORTED_ONLY_SPLITS}
        return check_bars(gated, bars, only_prefixes=self.stage_prefixes)

    def reported_only(self) -> list[str]:
        """The splits in this run that are reported but not gated (the holdout)."""
        return [s for s in self.splits if s in REPORTED_ONLY_SPLITS]

    stage_prefixes: tuple[str, ...] = ("rules.", "sets.", "retrieval.", "rewrites.", "critique.")


# -- configuration ---------------------------------------------------------------------------
def eval_config(critic: str = "offline", **overrides: Any) -> Any:
    """The config an eval runs with: defaults (strict policy), not the caller's project file.

    The environment still applies (index cache dir, Chroma server, LLM endpoint). The
    offline critic never calls an LLM, even with one configured. The LLM critic takes the
    endpoint from OPENAI_BASE_URL / OPENAI_API_KEY / OKR_REVIEW_MODEL and keeps its
    response cache on, so a rerun costs nothing.
    """
    from ..config import load_config
    from ..errors import ConfigError

    if critic == "offline":
        base = {"offline": True, "critic": "deterministic"}
    elif critic == "llm":
        base = {"offline": False, "critic": "llm"}
    else:
        raise ConfigError(f"unknown critic {critic!r}: use offline or llm")
    # Start the config search at the filesystem root: the eval measures the defaults, not
    # whatever `[tool.okr-review]` the checkout or the working directory happens to carry.
    root = Path(Path.cwd().anchor or "/")
    config = load_config(root, {**base, **overrides})
    if critic == "llm" and not config.llm.configured:
        raise ConfigError(
            "--critic llm needs an endpoint: set OPENAI_BASE_URL (and OPENAI_API_KEY if it "
            "needs one), or run the offline eval"
        )
    return config


# -- stages ----------------------------------------------------------------------------------
def _key_result(case: dict[str, Any]) -> Any:
    from ..models import KeyResult, SourceLocation

    fields = {k: case.get(k) for k in ("baseline", "target", "deadline", "measured_by")}
    return KeyResult(
        text=case["text"],
        location=SourceLocation(file=f"evals:{case['id']}", line=1),
        **{k: str(v) for k, v in fields.items() if v is not None},
    )


def _objective(case: dict[str, Any]) -> Any:
    from ..models import Objective

    text = case.get("objective")
    return Objective(text=text) if text else None


def _period(case: dict[str, Any]) -> str | None:
    period = case.get("period")
    return str(period) if period is not None else None


def predict_key_results(
    cases: Sequence[dict[str, Any]], config: Any
) -> dict[str, scorers.KeyResultPrediction]:
    """Run the rules over key-result cases and reduce each outcome to a prediction."""
    from ..rules import check_key_result

    predictions = {}
    for case in cases:
        outcome = check_key_result(_key_result(case), _objective(case), _period(case), config)
        anatomy = outcome.anatomy
        predictions[case["id"]] = scorers.KeyResultPrediction(
            case_id=case["id"],
            kind=outcome.kind,
            codes=frozenset(f.code for f in outcome.findings),
            has_baseline=anatomy.baseline is not None,
            has_target=anatomy.target is not None or anatomy.relative_change is not None,
            has_deadline=anatomy.deadline is not None,
        )
    return predictions


def predict_sets(
    cases: Sequence[dict[str, Any]], config: Any
) -> dict[str, list[tuple[str, str | None]]]:
    """Run the YAML reader and the set rules over set cases: `(code, objective)` per finding."""
    import yaml

    from ..parse import read_okr_text
    from ..rules import check_set

    predictions: dict[str, list[tuple[str, str | None]]] = {}
    for case in cases:
        text = yaml.safe_dump(case["set"], sort_keys=False, allow_unicode=True)
        okr_set = read_okr_text(text, source=f"evals:{case['id']}", input_format="yaml")
        findings, _suppressed = check_set(okr_set, config)
        predictions[case["id"]] = [(f.code, f.objective) for f in findings]
    return predictions


def rank_retrieval(
    cases: Sequence[dict[str, Any]], config: Any, embedding: str
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Rank passages for each retrieval case with one embedding ("none": lexical only)."""
    from ..retrieve import open_index

    settings = config.retrieval.model_copy(update={"embedding": embedding})
    index = open_index(config.model_copy(update={"retrieval": settings}))
    ranked = {}
    for case in cases:
        hits = index.search(case.get("query", ""), case.get("codes") or (), k=RETRIEVAL_DEPTH)
        ranked[case["id"]] = [p.id for p in hits]
    return ranked, dict(index.status)


def review_cases(
    cases: Sequence[dict[str, Any]], config: Any, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Full reviews (rules, retrieval, critique, verified rewrites) for the given cases."""
    from ..pipeline import Reviewer

    reviewer = Reviewer(config)
    reviews = {}
    for done, case in enumerate(cases, start=1):
        reviews[case["id"]] = reviewer.review_key_result(
            _key_result(case), _objective(case), _period(case)
        )
        if progress:
            progress(done, len(cases))
    return reviews


# -- scoring ---------------------------------------------------------------------------------
def score_rules(
    cases: Sequence[dict[str, Any]], predictions: dict[str, scorers.KeyResultPrediction]
) -> SplitResult:
    """Kind, per-code and anatomy scores for one split's key-result cases."""
    result = SplitResult()
    if not cases:
        return result
    result.metrics["rules.kind_accuracy"] = scorers.kind_accuracy(cases, predictions)
    per_code = scorers.code_scores(cases, predictions)
    for code, score in per_code.items():
        for measure in ("precision", "recall", "f1", "support"):
            result.metrics[f"rules.{code}.{measure}"] = float(getattr(score, measure))
    for name, value in scorers.anatomy_accuracy(cases, predictions).items():
        result.metrics[f"rules.anatomy.{name}"] = value
    misclassified = [
        {
            "id": c["id"],
            "text": c["text"],
            "label": c["labels"]["kind"],
            "predicted": predictions[c["id"]].kind,
        }
        for c in cases
        if predictions[c["id"]].kind != c["labels"]["kind"]
    ]
    missed_codes: dict[str, list[str]] = {}
    false_alarms: dict[str, list[str]] = {}
    for case in cases:
        pred = predictions[case["id"]].codes
        for code in case["labels"].get("must_fire") or ():
            if code not in pred:
                missed_codes.setdefault(code, []).append(case["id"])
        for code in case["labels"].get("must_not_fire") or ():
            if code in pred:
                false_alarms.setdefault(code, []).append(case["id"])
    result.details.update(
        {
            "per_code": {code: s.as_dict() for code, s in per_code.items()},
            "confusion": scorers.confusion_matrix(cases, predictions),
            "misclassified": misclassified,
            "missed": missed_codes,
            "false_alarms": false_alarms,
        }
    )
    return result


def score_sets(
    cases: Sequence[dict[str, Any]], predictions: dict[str, list[tuple[str, str | None]]]
) -> SplitResult:
    """Set-finding accuracy and per-code scores for one split's set cases."""
    result = SplitResult()
    if not cases:
        return result
    score = scorers.set_finding_scores(cases, predictions)
    result.metrics["sets.accuracy"] = score.accuracy
    for code, code_score in score.per_code.items():
        result.metrics[f"sets.{code}.precision"] = code_score.precision
        result.metrics[f"sets.{code}.recall"] = code_score.recall
    result.details["sets"] = {
        "per_code": {code: s.as_dict() for code, s in score.per_code.items()},
        "failures": score.failures,
    }
    return result


def score_retrieval(
    cases: Sequence[dict[str, Any]], ranked: dict[str, list[str]], name: str
) -> SplitResult:
    """recall@3, hit@3 and MRR for one split of retrieval cases under one backend."""
    result = SplitResult()
    if not cases:
        return result
    expected = [list(c.get("expected") or ()) for c in cases]
    lists = [ranked[c["id"]] for c in cases]
    result.metrics[f"retrieval.{name}.recall_at_3"] = scorers.mean_recall_at_k(
        expected, lists, RETRIEVAL_K
    )
    any_hit = [
        float(any(scorers.id_matches(x, p) for x in e for p in r[:RETRIEVAL_K])) if e else 1.0
        for e, r in zip(expected, lists, strict=True)
    ]
    result.metrics[f"retrieval.{name}.hit_at_3"] = sum(any_hit) / len(any_hit)
    result.metrics[f"retrieval.{name}.mrr"] = scorers.mean_reciprocal_rank(expected, lists)
    result.details[f"retrieval_{name}_misses"] = [
        {"id": c["id"], "expected": e, "top3": r[:RETRIEVAL_K]}
        for c, e, r in zip(cases, expected, lists, strict=True)
        if scorers.recall_at_k(e, r, RETRIEVAL_K) < 1.0
    ][:20]
    return result


def _sources(case: dict[str, Any]) -> tuple[str, ...]:
    texts = [case.get("objective"), case.get("period")]
    texts += [case.get(k) for k in ("baseline", "target", "deadline", "measured_by")]
    return tuple(str(t) for t in texts if t is not None)


def _normalizer() -> scorers.Normalizer | None:
    """The reviewer's number parser, so a unit conversion is not counted as invented."""
    try:
        from ..anatomy import extract_numbers
    except ImportError:  # a checkout without the anatomy parser: token matching only
        return None

    def normalize(text: str) -> list[tuple[str, float, str]]:
        return [(q.raw, q.value, q.unit_kind) for q in extract_numbers(text)]

    return normalize


def score_critic(cases: Sequence[dict[str, Any]], reviews: dict[str, Any]) -> SplitResult:
    """Rewrite validity and citation validity / grounding for one split's reviewed cases."""
    result = SplitResult()
    if not cases:
        return result
    rewrite_samples = []
    citation_samples = []
    fallbacks = 0
    for case in cases:
        review = reviews[case["id"]]
        has_error = any(f.severity == "error" for f in review.findings)
        rewrite_samples.append(
            scorers.RewriteSample(
                case_id=case["id"],
                draft=case["text"],
                sources=_sources(case),
                rewrites=tuple((r.text, r.verified) for r in review.rewrites),
                has_error=has_error,
            )
        )
        critique = review.critique
        if critique is not None and critique.fallback_reason:
            fallbacks += 1
        # A critique that names no problem has nothing to ground; only those that do count.
        if critique is not None and critique.problems:
            cited = [c for p in critique.problems for c in p.citations]
            cited += [p.id for p in critique.cited]
            citation_samples.append(
                scorers.CitationSample(
                    case_id=case["id"],
                    cited=tuple(cited),
                    retrieved=tuple(p.id for p in review.retrieved),
                    expected=tuple(case.get("expected_citations") or ()),
                )
            )
    rewrites = scorers.rewrite_validity(rewrite_samples, normalize=_normalizer())
    citations = scorers.citation_validity(citation_samples)
    m = result.metrics
    m["rewrites.verified_rate"] = rewrites.verified_rate
    m["rewrites.invented_numbers"] = float(rewrites.invented_numbers)
    m["rewrites.keeps_subject_rate"] = rewrites.keeps_subject_rate
    m["rewrites.coverage"] = rewrites.coverage
    m["rewrites.count"] = float(rewrites.rewrites)
    m["critique.count"] = float(citations.critiques)
    m["critique.cites_retrieved_rate"] = citations.cites_retrieved_rate
    m["critique.valid_citation_rate"] = citations.valid_citation_rate
    if citations.grounded_rate is not None:
        m["critique.grounded_rate"] = citations.grounded_rate
    m["critique.fallbacks"] = float(fallbacks)
    uncited = [s.case_id for s in citation_samples if not set(s.cited) & set(s.retrieved)]
    result.details["rewrites"] = rewrites.as_dict()
    result.details["critique"] = {**citations.as_dict(), "uncited": uncited[:20]}
    return result


# -- the run ---------------------------------------------------------------------------------
def _merge(into: SplitResult, part: SplitResult) -> None:
    into.metrics.update(part.metrics)
    into.details.update(part.details)


def _stage_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def evaluate(options: EvalOptions, log: Callable[[str], None] | None = None) -> EvalResult:
    """Run the requested stages over the requested splits and score them."""
    say = log or (lambda _msg: None)
    data_dir = options.data_dir or default_data_dir()
    config = options.config if options.config is not None else eval_config(options.critic)
    splits = {name: SplitResult() for name in options.splits}
    result = EvalResult(critic=options.critic, data_dir=str(data_dir), splits=splits)
    datasets = {
        name: load_dataset(name, data_dir)
        for name in ("key_results", "sets", "critique", "retrieval")
    }
    for name, cases in datasets.items():
        result.counts[name] = {s: len(by_split(cases, s)) for s in options.splits}
    kr_cases = [c for c in datasets["key_results"] if c.get("split") in options.splits]

    def stage(name: str, run: Callable[[], None]) -> None:
        if name not in options.stages:
            return
        started = time.perf_counter()
        try:
            run()
        except Exception as exc:  # one broken stage must not hide the others' scores
            result.errors[name] = _stage_error(exc)
            say(f"eval: stage {name} failed: {result.errors[name]}")
        result.timings_s[name] = round(time.perf_counter() - started, 2)

    def rules() -> None:
        predictions = predict_key_results(kr_cases, config)
        for split in options.splits:
            _merge(splits[split], score_rules(by_split(kr_cases, split), predictions))
        # The hand-written reference rewrites are outcomes by construction: a classifier that
        # disagrees is wrong about them (or the rewrite is), either way worth a look.
        references = [
            {**c, "id": f"{c['id']}:reference", "text": c["reference_rewrite"]}
            for c in kr_cases
            if c.get("reference_rewrite")
        ]
        kinds = predict_key_results(references, config)
        for split in options.splits:
            part = [r for r in references if r["split"] == split]
            if part:
                outcome = [r["id"] for r in part if kinds[r["id"]].kind == "outcome"]
                splits[split].metrics["rules.reference_rewrites_outcome"] = len(outcome) / len(part)
                splits[split].details["reference_rewrites_not_outcome"] = [
                    {"id": r["id"], "text": r["text"], "kind": kinds[r["id"]].kind}
                    for r in part
                    if r["id"] not in outcome
                ]

    def sets() -> None:
        cases = [c for c in datasets["sets"] if c.get("split") in options.splits]
        predictions = predict_sets(cases, config)
        for split in options.splits:
            _merge(splits[split], score_sets(by_split(cases, split), predictions))

    def retrieval() -> None:
        cases = [c for c in datasets["retrieval"] if c.get("split") in options.splits]
        if not cases:  # e.g. a holdout-only run: no index to build
            return
        for name, embedding in (("default", config.retrieval.embedding), ("lexical", "none")):
            ranked, status = rank_retrieval(cases, config, embedding)
            for split in options.splits:
                part = score_retrieval(by_split(cases, split), ranked, name)
                part.details[f"retrieval_{name}_status"] = {
                    k: status.get(k) for k in ("backend", "embedding", "degraded", "passages")
                }
                _merge(splits[split], part)

    def critic() -> None:
        crit_cases = [c for c in datasets["critique"] if c.get("split") in options.splits]
        all_cases = kr_cases + crit_cases
        say(f"eval: reviewing {len(all_cases)} key results with the {options.critic} critic")
        reviews = review_cases(all_cases, config)
        for split in options.splits:
            cases = by_split(kr_cases, split) + by_split(crit_cases, split)
            _merge(splits[split], score_critic(cases, reviews))
        if options.judge and options.critic == "llm":
            from .judge import judge_reviews

            for split in options.splits:
                cases = by_split(kr_cases, split)
                _merge(splits[split], judge_reviews(cases, reviews, config))

    stage("rules", rules)
    stage("sets", sets)
    stage("retrieval", retrieval)
    stage("critic", critic)
    prefixes = {"rules": ("rules.",), "sets": ("sets.",), "retrieval": ("retrieval.",)}
    prefixes["critic"] = ("rewrites.", "critique.")
    result.stage_prefixes = tuple(p for s in options.stages for p in prefixes.get(s, ()))
    return result


# -- reports ---------------------------------------------------------------------------------
def flat_metrics(result: EvalResult) -> dict[str, dict[str, float]]:
    """Metrics per split, rounded for a diff-friendly baseline."""
    return {
        split: {k: round(v, 4) for k, v in sorted(r.metrics.items())}
        for split, r in result.splits.items()
    }


def baseline_path(data_dir: Path, critic: str) -> Path:
    return data_dir / "baselines" / f"{critic}.json"


def load_baseline(path: Path) -> dict[str, dict[str, float]] | None:
    """The committed baseline's metrics per split, or None if there is none (or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    metrics = data.get("metrics") if isinstance(data, dict) else None
    return metrics if isinstance(metrics, dict) else None


def write_baseline(path: Path, result: EvalResult) -> None:
    """Accept this run's numbers as the new baseline (sorted, rounded, no timestamps)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"critic": result.critic, "metrics": flat_metrics(result)}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _fmt(value: float | None, metric: str = "") -> str:
    if value is None:
        return "-"
    if metric.endswith((".support", ".count", "invented_numbers", ".fallbacks")):
        return f"{value:.0f}"
    return f"{value:.3f}"


def _delta(value: float | None, base: float | None) -> str:
    if value is None or base is None:
        return ""
    diff = value - base
    if abs(diff) < 5e-4:
        return "="
    return f"{diff:+.3f}"


def _bar_for(metric: str) -> str:
    for bar in BARS:
        if bar.metric == metric:
            return f"{bar.op} {bar.threshold:g}"
    return ""


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return lines


def rule_rows(
    result: EvalResult, codes: Iterable[str] = REPORTED_CODES
) -> tuple[list[str], list[list[str]]]:
    """Per-rule P / R / F1 (and support) for each split."""
    splits = list(result.splits)
    header = ["rule"] + [f"{s} P / R / F1 (n)" for s in splits] + ["bar"]
    rows = []
    for code in codes:
        cells = [code]
        present = False
        for split in splits:
            m = result.splits[split].metrics
            if f"rules.{code}.precision" not in m:
                cells.append("-")
                continue
            present = True
            cells.append(
                f"{m[f'rules.{code}.precision']:.2f} / {m[f'rules.{code}.recall']:.2f} / "
                f"{m[f'rules.{code}.f1']:.2f} ({m[f'rules.{code}.support']:.0f})"
            )
        cells.append("P,R >= 0.9" if code in BAR_CODES else "")
        if present:
            rows.append(cells)
    return header, rows


def summary_rows(
    result: EvalResult, baseline: dict[str, dict[str, float]] | None
) -> tuple[list[str], list[list[str]]]:
    """The headline metrics per split, with their bar and the change against the baseline."""
    splits = list(result.splits)
    header = ["metric", *splits, "bar"]
    if baseline:
        header += [f"Δ {s}" for s in splits]
    rows = []
    for metric, label in SUMMARY_ROWS:
        values = [result.splits[s].metrics.get(metric) for s in splits]
        if all(v is None for v in values):
            continue
        row = [label, *(_fmt(v, metric) for v in values), _bar_for(metric)]
        if baseline:
            row += [
                _delta(v, (baseline.get(s) or {}).get(metric))
                for v, s in zip(values, splits, strict=True)
            ]
        rows.append(row)
    return header, rows


def _ids(ids: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" (+{len(ids) - limit})" if len(ids) > limit else "")


# Details that name no case: all a blind split shows in the table and the reports.
AGGREGATE_DETAILS: tuple[str, ...] = ("per_code", "confusion")
CASE_LISTS: dict[str, str] = {"rewrites": "examples", "critique": "uncited"}


def report_details(split: str, details: dict[str, Any]) -> dict[str, Any]:
    """The details a report shows for a split: all of them, or aggregates only for a blind one.

    Listing the holdout's failing cases would un-blind it (that is how the test split got
    seen), so its report keeps counts and rates and drops every case id and text.
    """
    if split not in REPORTED_ONLY_SPLITS:
        return details
    shown: dict[str, Any] = {
        k: v for k, v in details.items() if k in AGGREGATE_DETAILS or k.endswith("_status")
    }
    for key, case_list in CASE_LISTS.items():
        if isinstance(details.get(key), dict):
            shown[key] = {k: v for k, v in details[key].items() if k != case_list}
    shown["cases_listed"] = False
    return shown


def _misses(result: EvalResult) -> list[str]:
    """Which cases went wrong, by id, so a regression can be looked up in the dataset."""
    lines = []
    for split, part in result.splits.items():
        if split in REPORTED_ONLY_SPLITS:
            continue  # aggregate only: see report_details
        details = part.details
        wrong = [
            f"{m['id']} ({m['label']}->{m['predicted']})" for m in details.get("misclassified", [])
        ]
        if wrong:
            lines.append(f"[{split}] kind wrong: {_ids(wrong)}")
        for label, key in (("missed", "missed"), ("false alarm", "false_alarms")):
            for code, ids in sorted(details.get(key, {}).items()):
                lines.append(f"[{split}] {code} {label}: {_ids(ids)}")
        for set_id, problems in sorted(details.get("sets", {}).get("failures", {}).items()):
            lines.append(f"[{split}] {set_id}: {'; '.join(problems)}")
    return [*lines, ""] if lines else []


def render_text(result: EvalResult, baseline: dict[str, dict[str, float]] | None) -> str:
    """The table `okr-review eval` prints."""
    counts = ", ".join(
        f"{name} " + "/".join(str(n) for n in per.values()) for name, per in result.counts.items()
    )
    lines = [
        f"okr-review eval: critic={result.critic}, splits={'/'.join(result.splits)}",
        f"cases per split: {counts}",
        *_reported_only_note(result),
        "",
    ]
    header, rows = rule_rows(result)
    if rows:
        lines += [*_table(header, rows), ""]
    header, rows = summary_rows(result, baseline)
    if rows:
        lines += [*_table(header, rows), ""]
    lines += _misses(result)
    for stage, error in result.errors.items():
        lines.append(f"stage {stage} failed: {error}")
    bar_results = result.bar_results()
    failed = missed(bar_results)
    if failed:
        lines.append(f"{len(failed)} of {len(bar_results)} bars missed:")
        lines += [f"  {r.describe()}" for r in failed]
    elif bar_results:
        lines.append(f"all {len(bar_results)} bars met, known gaps aside")
    else:
        lines.append("no bars apply to these splits (the holdout is reported, not gated)")
    gaps = known_gaps(bar_results) + closed_gaps(bar_results)
    if gaps:
        lines.append("known gaps (bar not met yet, regression floor held):")
        lines += [f"  {r.describe()}" for r in gaps]
    if baseline is None:
        lines.append("no committed baseline to compare with (use --update-baseline)")
    return "\n".join(lines) + "\n"


def _reported_only_note(result: EvalResult) -> list[str]:
    blind = result.reported_only()
    if not blind:
        return []
    return [
        f"{'/'.join(blind)}: written blind, reported in aggregate only (no case ids), "
        "not gated: the bars apply to dev and test"
    ]


def render_markdown(result: EvalResult, baseline: dict[str, dict[str, float]] | None) -> str:
    """The same tables as Markdown, for the report file and the README."""

    def md(header: list[str], rows: list[list[str]]) -> list[str]:
        out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
        out += ["| " + " | ".join(c or " " for c in row) + " |" for row in rows]
        return out

    lines = [f"## Eval results (critic: {result.critic})", ""]
    lines += [*(f"_{note}._" for note in _reported_only_note(result))]
    lines += [""] if result.reported_only() else []
    header, rows = rule_rows(result)
    if rows:
        lines += [*md(header, rows), ""]
    header, rows = summary_rows(result, baseline)
    if rows:
        lines += [*md(header, rows), ""]
    failed = missed(result.bar_results())
    gaps = known_gaps(result.bar_results())
    if result.errors:
        lines += [f"- stage {s} failed: `{e}`" for s, e in result.errors.items()] + [""]
    lines.append(
        "All bars met." if not failed else "Bars missed: " + "; ".join(r.describe() for r in failed)
    )
    if gaps:
        lines.append("")
        lines.append("Known gaps: " + "; ".join(r.describe() for r in gaps))
    return "\n".join(lines) + "\n"


def to_json(result: EvalResult, baseline: dict[str, dict[str, float]] | None) -> dict[str, Any]:
    """The full JSON report: metrics, details behind them, bars and baseline deltas."""
    bars = [
        {
            "split": r.split,
            "bar": r.bar.describe(),
            "value": r.value,
            "passed": r.passed,
            "known_gap": r.gap,
        }
        for r in result.bar_results()
    ]
    deltas = {}
    if baseline:
        for split, metrics in flat_metrics(result).items():
            old = baseline.get(split) or {}
            deltas[split] = {k: round(v - old[k], 4) for k, v in metrics.items() if k in old}
    return {
        "critic": result.critic,
        "data_dir": result.data_dir,
        "counts": result.counts,
        "metrics": flat_metrics(result),
        "details": {split: report_details(split, r.details) for split, r in result.splits.items()},
        "gated_splits": [s for s in result.splits if s not in REPORTED_ONLY_SPLITS],
        "reported_only_splits": result.reported_only(),
        "bars": bars,
        "baseline_deltas": deltas,
        "errors": result.errors,
        "timings_s": result.timings_s,
    }


def write_reports(
    result: EvalResult, out_dir: Path, baseline: dict[str, dict[str, float]] | None
) -> list[Path]:
    """Write `eval-<critic>.json` and `eval-<critic>.md` into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"eval-{result.critic}.json"
    md_path = out_dir / f"eval-{result.critic}.md"
    json_path.write_text(
        json.dumps(to_json(result, baseline), indent=2, sort_keys=True, default=str) + "\n",
        encoding="utf-8",
    )
    md_path.write_text(render_markdown(result, baseline), encoding="utf-8")
    return [json_path, md_path]


def splits_for(choice: str, data_dir: Path) -> tuple[str, ...]:
    """The splits `--split` names: "all" is dev and test, plus the holdout when the data has it."""
    if choice != "all":
        return (choice,)
    present = {c.get("split") for c in load_dataset("key_results", data_dir)}
    return (*SPLITS, *(s for s in REPORTED_ONLY_SPLITS if s in present))


def run_eval_command(args: Any) -> int:
    """`okr-review eval`: run, print the table, write reports, compare or update the baseline."""
    split = getattr(args, "split", "all") or "all"
    data_dir = Path(args.data).expanduser() if getattr(args, "data", None) else default_data_dir()
    if not (data_dir / "datasets").is_dir():
        from ..errors import ConfigError

        raise ConfigError(
            f"{data_dir}: no datasets/ folder here (use --data DIR, the evals/ folder)"
        )
    splits = splits_for(split, data_dir)
    critic = getattr(args, "critic", "offline") or "offline"
    options = EvalOptions(
        critic=critic,
        splits=splits,
        data_dir=data_dir,
        judge=bool(getattr(args, "judge", False)),
    )

    def log(message: str) -> None:
        print(message, file=sys.stderr)

    result = evaluate(options, log=log)
    path = baseline_path(data_dir, critic)
    baseline = load_baseline(path)
    sys.stdout.write(render_text(result, baseline))
    out_dir = Path(args.out).expanduser() if getattr(args, "out", None) else data_dir / "out"
    written = write_reports(result, out_dir, baseline)
    print("reports: " + ", ".join(str(p) for p in written), file=sys.stderr)
    if getattr(args, "update_baseline", False):
        if split != "all":
            print("eval: --update-baseline needs every split (--split all)", file=sys.stderr)
            return 2
        write_baseline(path, result)
        print(f"baseline updated: {path}", file=sys.stderr)
    bar_results = result.bar_results()
    if getattr(args, "check", False) and (
        missed(bar_results) or closed_gaps(bar_results) or result.errors
    ):
        return 1
    return 0
