"""Pure scorers for the eval suite: `(cases, results) -> score`, no I/O, no reviewer imports.

Cases are the mappings read from `evals/datasets/*.yaml` (see `evals/README.md` for what
each label means); results are the small prediction records below, built by the runner
from what the reviewer returned. Keeping the scorers free of the reviewer's own code means
a bug in, say, the verifier cannot also hide itself from the score that checks it.

Conventions every scorer follows:
- Precision with nothing predicted, and recall with nothing expected, are 1.0 (vacuous);
  F1 is 0.0 when both precision and recall are 0.
- Per-code scores use the hand labels only: a code in a case's `must_fire` is a true
  positive when reported and a false negative when not; a code in `must_not_fire` is a
  false positive when reported and a true negative when not. A code in neither list is
  **unlabeled** for that case and not scored there at all.
- Passage ids match by prefix: an expected doc id (`baselines`) matches any passage of that
  document (`baselines#why-a-baseline`); an expected passage id matches only itself.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS: tuple[str, ...] = ("outcome", "output", "activity", "unmeasurable")

Case = Mapping[str, Any]


# -- prediction records ---------------------------------------------------------------------
@dataclass(frozen=True)
class KeyResultPrediction:
    """What the reviewer said about one key-result case, reduced to what the labels cover."""

    case_id: str
    kind: str
    codes: frozenset[str]
    has_baseline: bool = False
    has_target: bool = False  # a target value or a relative change was parsed
    has_deadline: bool = False  # a deadline was parsed from the text or explicit field


@dataclass(frozen=True)
class RewriteSample:
    """The rewrites offered for one key result, with what they must stay faithful to."""

    case_id: str
    draft: str
    sources: tuple[str, ...]  # every text a number may legitimately come from
    rewrites: tuple[tuple[str, bool], ...]  # (rewrite text, verified by the reviewer)
    has_error: bool  # the review carried at least one error-severity finding


@dataclass(frozen=True)
class CitationSample:
    """What one critique cited, what retrieval gave it, and what a good critique cites."""

    case_id: str
    cited: tuple[str, ...]
    retrieved: tuple[str, ...]
    expected: tuple[str, ...] = ()


# -- precision / recall ---------------------------------------------------------------------
@dataclass(frozen=True)
class CodeScore:
    """Confusion counts and precision / recall / F1 for one rule code."""

    code: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def support(self) -> int:
        """How many cases expected the code to fire."""
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return precision_recall_f1(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float:
        return precision_recall_f1(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float:
        return precision_recall_f1(self.tp, self.fp, self.fn)[2]

    def as_dict(self) -> dict[str, float | int | str]:
        """A JSON-friendly view with the derived rates."""
        return {
            "code": self.code,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "support": self.support,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def precision_recall_f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts; vacuous precision / recall are 1.0."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _by_id(cases: Sequence[Case], predictions: Mapping[str, Any]) -> list[tuple[Case, Any]]:
    pairs = []
    for case in cases:
        if case["id"] not in predictions:
            raise ValueError(f"no prediction for case {case['id']!r}")
        pairs.append((case, predictions[case["id"]]))
    return pairs


def code_scores(
    cases: Sequence[Case],
    predictions: Mapping[str, KeyResultPrediction],
    codes: Iterable[str] | None = None,
) -> dict[str, CodeScore]:
    """Per-code confusion counts from the hand labels (unlabeled codes are not scored).

    `codes` limits and orders the result; by default every code labeled on any case.
    """
    counts: dict[str, Counter[str]] = {}
    for case, pred in _by_id(cases, predictions):
        labels = case["labels"]
        for code in labels.get("must_fire") or ():
            counts.setdefault(code, Counter())["tp" if code in pred.codes else "fn"] += 1
        for code in labels.get("must_not_fire") or ():
            counts.setdefault(code, Counter())["fp" if code in pred.codes else "tn"] += 1
    wanted = list(codes) if codes is not None else sorted(counts)
    return {
        code: CodeScore(
            code=code, **{k: counts.get(code, Counter())[k] for k in ("tp", "fp", "fn", "tn")}
        )
        for code in wanted
    }


# -- kind ------------------------------------------------------------------------------------
def kind_accuracy(cases: Sequence[Case], predictions: Mapping[str, KeyResultPrediction]) -> float:
    """Share of cases whose predicted kind equals the labeled kind (1.0 for no cases)."""
    pairs = _by_id(cases, predictions)
    if not pairs:
        return 1.0
    return sum(case["labels"]["kind"] == pred.kind for case, pred in pairs) / len(pairs)


def confusion_matrix(
    cases: Sequence[Case],
    predictions: Mapping[str, KeyResultPrediction],
    labels: Sequence[str] = KINDS,
) -> dict[str, dict[str, int]]:
    """`matrix[labeled][predicted]` counts over the kinds (rows: the hand label)."""
    matrix = {true: dict.fromkeys(labels, 0) for true in labels}
    for case, pred in _by_id(cases, predictions):
        row = matrix.setdefault(case["labels"]["kind"], dict.fromkeys(labels, 0))
        row[pred.kind] = row.get(pred.kind, 0) + 1
    return matrix


# -- anatomy ---------------------------------------------------------------------------------
def anatomy_accuracy(
    cases: Sequence[Case], predictions: Mapping[str, KeyResultPrediction]
) -> dict[str, float]:
    """Accuracy of has_baseline / has_target / timebound against the parsed anatomy.

    `timebound` is predicted true when a deadline was parsed or the case has a period,
    mirroring the label's definition (deadline in the key result or a period around it).
    """
    pairs = _by_id(cases, predictions)
    if not pairs:
        return {"has_baseline": 1.0, "has_target": 1.0, "timebound": 1.0}
    hits = Counter()
    for case, pred in pairs:
        labels = case["labels"]
        hits["has_baseline"] += bool(labels["has_baseline"]) == pred.has_baseline
        hits["has_target"] += bool(labels["has_target"]) == pred.has_target
        timebound = pred.has_deadline or bool(case.get("period"))
        hits["timebound"] += bool(labels["timebound"]) == timebound
    return {key: hits[key] / len(pairs) for key in ("has_baseline", "has_target", "timebound")}


# -- set-level findings ----------------------------------------------------------------------
@dataclass(frozen=True)
class SetScore:
    """Set-level scores: whole-set accuracy and per-code counts."""

    accuracy: float
    per_code: dict[str, CodeScore]
    failures: dict[str, list[str]] = field(default_factory=dict)  # set id -> what went wrong


def _objective_matches(expected: str | None, found: str | None) -> bool:
    if expected is None:
        return True
    return (found or "").strip().casefold() == expected.strip().casefold()


def set_finding_scores(
    cases: Sequence[Case], predictions: Mapping[str, Sequence[tuple[str, str | None]]]
) -> SetScore:
    """Score set findings `(code, objective)` against `expected_set_findings` and `must_not`.

    A set is correct when every expected finding is reported (same code; same objective
    unless the expectation's objective is null) and no `must_not` code is reported.
    Per code: an expected finding reported is a TP, one missed a FN; a reported finding of a
    code labeled on that set (expected or `must_not`) that matches no expectation is a FP.
    Codes not labeled on a set are not scored there.
    """
    counts: dict[str, Counter[str]] = {}
    correct = 0
    failures: dict[str, list[str]] = {}
    for case, found in _by_id(cases, predictions):
        expected = [
            (e["code"], e.get("objective")) for e in case.get("expected_set_findings") or ()
        ]
        must_not = set(case.get("must_not") or ())
        labeled = {code for code, _ in expected} | must_not
        unmatched = list(found)
        problems: list[str] = []
        for code, objective in expected:
            match = next(
                (f for f in unmatched if f[0] == code and _objective_matches(objective, f[1])),
                None,
            )
            if match is None:
                counts.setdefault(code, Counter())["fn"] += 1
                problems.append(f"missed {code}" + (f" on {objective!r}" if objective else ""))
            else:
                unmatched.remove(match)
                counts.setdefault(code, Counter())["tp"] += 1
        for code, objective in unmatched:
            if code in labeled:
                counts.setdefault(code, Counter())["fp"] += 1
                problems.append(f"unexpected {code}" + (f" on {objective!r}" if objective else ""))
        for code in must_not:
            if not any(f[0] == code for f in found):
                counts.setdefault(code, Counter())["tn"] += 1
        if problems:
            failures[case["id"]] = problems
        else:
            correct += 1
    per_code = {
        code: CodeScore(code=code, **{k: c[k] for k in ("tp", "fp", "fn", "tn")})
        for code, c in sorted(counts.items())
    }
    accuracy = correct / len(cases) if cases else 1.0
    return SetScore(accuracy=accuracy, per_code=per_code, failures=failures)


# -- retrieval -------------------------------------------------------------------------------
def id_matches(expected: str, candidate: str) -> bool:
    """True when `candidate` is the expected passage, or a passage of the expected doc id."""
    if expected == candidate:
        return True
    return "#" not in expected and candidate.split("#", 1)[0] == expected


def recall_at_k(expected_ids: Sequence[str], ranked_ids: Sequence[str], k: int) -> float:
    """Share of expected ids found in the top k, capped: hits / min(len(expected), k).

    Capping the denominator at k (the "R-cap" convention) lets a query with more relevant
    passages than k still reach 1.0 when the top k are all relevant. Each expected id counts
    once, however many of its passages appear. No expected ids: 1.0.
    """
    expected = list(dict.fromkeys(expected_ids))
    if not expected:
        return 1.0
    top = list(ranked_ids)[: max(k, 0)]
    hits = sum(any(id_matches(e, r) for r in top) for e in expected)
    return hits / min(len(expected), k) if k > 0 else 0.0


def reciprocal_rank(expected_ids: Sequence[str], ranked_ids: Sequence[str]) -> float:
    """1 / rank of the first ranked id matching any expected id (0.0 when none does)."""
    for rank, candidate in enumerate(ranked_ids, start=1):
        if any(id_matches(e, candidate) for e in expected_ids):
            return 1.0 / rank
    return 0.0


def mean_reciprocal_rank(
    expected: Sequence[Sequence[str]], ranked: Sequence[Sequence[str]]
) -> float:
    """Mean of `reciprocal_rank` over parallel lists of queries (0.0 for no queries)."""
    if len(expected) != len(ranked):
        raise ValueError("expected and ranked must have one entry per query")
    if not expected:
        return 0.0
    return sum(reciprocal_rank(e, r) for e, r in zip(expected, ranked, strict=True)) / len(expected)


def mean_recall_at_k(
    expected: Sequence[Sequence[str]], ranked: Sequence[Sequence[str]], k: int
) -> float:
    """Mean of `recall_at_k` over parallel lists of queries (0.0 for no queries)."""
    if len(expected) != len(ranked):
        raise ValueError("expected and ranked must have one entry per query")
    if not expected:
        return 0.0
    return sum(recall_at_k(e, r, k) for e, r in zip(expected, ranked, strict=True)) / len(expected)


# -- numbers and subjects in rewrites --------------------------------------------------------
# A number glued to a preceding letter (p95, P1, Q3, H2, S3, k8s) names a statistic, a
# priority, a period or a product, not a measured value, so it is not checked as a number.
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)(?:\s?([kKMB])(?![A-Za-z]))?"
)
_SCALE = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}
_PLACEHOLDER = re.compile(r"<[^<>]*>")


def numbers_in(text: str) -> list[tuple[str, float]]:
    """Every number written in `text` as (raw token, value); k/M/B suffixes scale it.

    Placeholders (`<baseline>`) are skipped, and so are numbers glued to a letter before
    them (p95, P1, Q3), which name things rather than measure them.
    """
    text = _PLACEHOLDER.sub(" ", text or "")
    found = []
    for match in _NUMBER.finditer(text):
        raw, suffix = match.group(1), match.group(2)
        value = float(raw.replace(",", ""))
        if suffix:
            value *= _SCALE[suffix]
        found.append((match.group(0).strip(), value))
    return found


# (raw text, normalised value, unit kind) for each quantity in a text: the reviewer's own
# parser, injected by the runner so that "5 minutes" and "300 s" count as the same number.
Normalizer = Callable[[str], Sequence[tuple[str, float, str]]]


def invented_numbers(
    rewrite: str, sources: Iterable[str], normalize: Normalizer | None = None
) -> list[str]:
    """Numbers in `rewrite` that appear in none of `sources` (by value, then by token).

    With `normalize`, a number that only differs from a source quantity by its unit
    ("300 s" for "5 minutes") is not invented; nothing else is forgiven.
    """
    sources = list(sources)
    source_values: set[float] = set()
    source_tokens: set[str] = set()
    for text in sources:
        for raw, value in numbers_in(text or ""):
            source_values.add(value)
            source_tokens.add(raw.replace(",", ""))
    invented = []
    for raw, value in numbers_in(rewrite):
        if raw.replace(",", "") in source_tokens:
            continue
        if any(math.isclose(value, v, rel_tol=1e-9, abs_tol=1e-12) for v in source_values):
            continue
        invented.append(raw)
    if invented and normalize is not None:
        known = [(kind, value) for text in sources for _raw, value, kind in normalize(text or "")]
        quantities = list(normalize(rewrite))
        still = []
        for raw in invented:
            quantity = next((q for q in quantities if raw in q[0]), None)
            if quantity is not None and any(
                kind == quantity[2] and math.isclose(value, quantity[1], rel_tol=1e-9)
                for kind, value in known
            ):
                continue
            still.append(raw)
        invented = still
    return invented


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _word_set(
    """
    a an the and or but of for to from in on at by with within without into onto over under
    than then that this these those our their its his her your my we they it is are be been
    being was were will would should can could may might must per via as so such up down out
    all any each every more most less least much many few new other same own only just very
    not no nor too also both either while when where which who whom whose what why how
    before after better best good well
    reduce reduced reducing increase increased increasing raise raising lift grow improve
    improved improving cut cutting lower lowering decrease decreasing shrink bring keep
    achieve reach hit make get set ship complete finish run hold conduct publish train
    hire enable roll write create migrate move deliver
    end start quarter half year month week day days weeks months hours minutes seconds
    time baseline target deadline metric percentile today current currently now next last
    share rate number count percent points per cent fall falls rises rise drops drop
    """
)
_WORD = re.compile(r"[A-Za-z][A-Za-z-]+")


def content_words(text: str) -> set[str]:
    """Lower-case content words of `text` (stop words and placeholders removed, crude stem).

    Upper-case acronyms of two letters (CI, ML, UI) count; other words need three letters.
    """
    words = set()
    for word in _WORD.findall(_PLACEHOLDER.sub(" ", text or "")):
        for part in word.split("-"):
            if len(part) < 2 or (len(part) == 2 and not part.isupper()):
                continue
            part = part.casefold()
            if part in _STOPWORDS:
                continue
            words.add(part[:-1] if part.endswith("s") and len(part) > 3 else part)
    return words


def _same_stem(first: str, second: str) -> bool:
    # A crude stemmer: "secure"/"security", "deploy"/"deployment", "engineer"/"engineering".
    shorter = min(len(first), len(second))
    if shorter < 4:
        return first == second
    need = min(5, shorter)
    return first[:need] == second[:need]


def keeps_subject(rewrite: str, draft: str) -> bool:
    """True when the rewrite shares at least one content word (or its stem) with the draft.

    A draft with no content word at all ("p99 < 300ms") cannot lose its subject: True.
    """
    draft_words = content_words(draft)
    if not draft_words:
        return True
    rewrite_words = content_words(rewrite)
    return any(_same_stem(d, r) for d in draft_words for r in rewrite_words)


@dataclass(frozen=True)
class RewriteScore:
    """How honest and useful the rewrites were across a dataset."""

    key_results: int  # key results scored
    rewrites: int
    verified_rate: float  # share of rewrites the reviewer re-checked and passed
    invented_numbers: int  # total numbers that appear nowhere in the case
    rewrites_with_invented_numbers: int
    keeps_subject_rate: float  # share of rewrites sharing a content word with the draft
    with_error: int  # key results carrying an error finding
    coverage: float  # share of those that got at least one rewrite
    examples: tuple[str, ...] = ()  # a few offending rewrites, for the report

    def as_dict(self) -> dict[str, Any]:
        return {
            "key_results": self.key_results,
            "rewrites": self.rewrites,
            "verified_rate": self.verified_rate,
            "invented_numbers": self.invented_numbers,
            "rewrites_with_invented_numbers": self.rewrites_with_invented_numbers,
            "keeps_subject_rate": self.keeps_subject_rate,
            "with_error": self.with_error,
            "coverage": self.coverage,
            "examples": list(self.examples),
        }


def rewrite_validity(
    samples: Sequence[RewriteSample], max_examples: int = 5, normalize: Normalizer | None = None
) -> RewriteScore:
    """Verified share, invented numbers, subject kept, and coverage of error key results."""
    total = verified = kept = invented_total = invented_rewrites = 0
    with_error = covered = 0
    examples: list[str] = []
    for sample in samples:
        if sample.has_error:
            with_error += 1
            covered += bool(sample.rewrites)
        sources = (sample.draft, *sample.sources)
        for text, is_verified in sample.rewrites:
            total += 1
            verified += bool(is_verified)
            invented = invented_numbers(text, sources, normalize)
            invented_total += len(invented)
            invented_rewrites += bool(invented)
            subject = keeps_subject(text, sample.draft)
            kept += subject
            if (invented or not subject or not is_verified) and len(examples) < max_examples:
                why = []
                if invented:
                    why.append("invented " + ", ".join(invented))
                if not subject:
                    why.append("lost the subject")
                if not is_verified:
                    why.append("not verified")
                examples.append(f"{sample.case_id}: {text} ({'; '.join(why)})")
    return RewriteScore(
        key_results=len(samples),
        rewrites=total,
        verified_rate=verified / total if total else 1.0,
        invented_numbers=invented_total,
        rewrites_with_invented_numbers=invented_rewrites,
        keeps_subject_rate=kept / total if total else 1.0,
        with_error=with_error,
        coverage=covered / with_error if with_error else 1.0,
        examples=tuple(examples),
    )


# -- citations -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CitationScore:
    """Whether critiques cite what retrieval gave them, and what a good critique cites."""

    critiques: int
    cites_retrieved_rate: float  # share of critiques citing at least one retrieved passage
    valid_citation_rate: float  # share of all citations that are among the retrieved ids
    grounded_rate: float | None  # share citing at least one expected id (labeled cases only)

    def as_dict(self) -> dict[str, Any]:
        return {
            "critiques": self.critiques,
            "cites_retrieved_rate": self.cites_retrieved_rate,
            "valid_citation_rate": self.valid_citation_rate,
            "grounded_rate": self.grounded_rate,
        }


def citation_validity(samples: Sequence[CitationSample]) -> CitationScore:
    """Score citations: among the retrieved ids, and matching the expected ids if labeled."""
    citing = citations = valid = labeled = grounded = 0
    for sample in samples:
        retrieved = set(sample.retrieved)
        cited = list(dict.fromkeys(sample.cited))
        good = [c for c in cited if c in retrieved]
        citations += len(cited)
        valid += len(good)
        citing += bool(good)
        if sample.expected:
            labeled += 1
            grounded += any(id_matches(e, c) for e in sample.expected for c in good)
    n = len(samples)
    return CitationScore(
        critiques=n,
        cites_retrieved_rate=citing / n if n else 1.0,
        valid_citation_rate=valid / citations if citations else (1.0 if not n else 0.0),
        grounded_rate=grounded / labeled if labeled else None,
    )


# -- agreement (LLM-as-judge vs hand labels) -------------------------------------------------
def agreement(first: Sequence[Any], second: Sequence[Any]) -> float:
    """Share of positions where two raters agree (1.0 for empty input)."""
    if len(first) != len(second):
        raise ValueError("both raters must rate the same items")
    if not first:
        return 1.0
    return sum(a == b for a, b in zip(first, second, strict=True)) / len(first)


def cohen_kappa(first: Sequence[Any], second: Sequence[Any]) -> float:
    """Cohen's kappa: agreement corrected for chance (1.0 when both are constant and equal)."""
    if len(first) != len(second):
        raise ValueError("both raters must rate the same items")
    n = len(first)
    if not n:
        return 1.0
    observed = agreement(first, second)
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[label] * count_b[label] for label in count_a) / (n * n)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)
