"""Rules about the shape of a key result: one metric per key result."""

from __future__ import annotations

from collections.abc import Iterator

from ..anatomy.lexicon import METRIC_WORDS
from ..anatomy.parse import clause_metrics, may_have_clauses
from .registry import Hit, KeyResultContext, rule
from .wording import clip

# Words that do not tell two metrics apart: "p95 latency" and "p99 latency" are one metric.
_GENERIC = frozenset(
    [
        "number",
        "count",
        "share",
        "rate",
        "time",
        "percentage",
        "hours",
        "minutes",
        "seconds",
        "days",
        "p50",
        "p75",
        "p90",
        "p95",
        "p99",
        "percentile",
        "median",
        "mean",
        "average",
    ]
)


@rule(
    "KR501",
    "compound-key-result",
    severity="warning",
    fix="Split it into one key result per metric, so each can be scored on its own; keep only "
    "the ones that best show the objective is met.",
    guidance=("one-metric-per-key-result",),
)
def compound_key_result(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags a key result that bundles several independent metrics.

    ## What it checks
    The key result joins two or more clauses that each name their own metric and a value
    or direction ("cut cold start from 4.1 s to 2 s and shrink the app from 212 MB to
    120 MB"). One metric with qualifiers ("time from merge to production") is fine.

    ## Why it matters
    A bundle cannot be scored honestly: when one half is met and the other is not, the
    score is a negotiation. Bundles also hide which metric the team really cares about,
    and they make the key-result count look smaller than the real workload.

    ## Example
        Reduce p95 checkout latency from 900 ms to 400 ms and raise checkout conversion from 2.1% to 2.6%

    ## Use instead
        Reduce p95 checkout latency from 900 ms to 400 ms by <deadline>
        (and a second key result for checkout conversion)
    """
    parsed = ctx.parsed
    if parsed is None or not may_have_clauses(parsed):
        return  # one clause cannot hold two metrics
    clauses = clause_metrics(parsed)
    if len(clauses) < 2:
        return
    seen: list[set[str]] = []
    distinct: list[tuple[int, int]] = []
    for start, end in clauses:
        words = {w.strip(".,;:()") for w in parsed.lower[start:end].split()} & METRIC_WORDS
        words -= _GENERIC
        if seen and (not words or any(words <= earlier for earlier in seen)):
            continue  # "p95 latency ... and p99 latency ...": the same metric twice
        seen.append(words)
        distinct.append((start, end))
    if len(distinct) < 2:
        return
    quoted = [f'"{clip(ctx.text[s:e].strip(), 45)}"' for s, e in distinct[:3]]
    yield Hit(
        message=f"{len(distinct)} independent metrics in one key result: " + ", ".join(quoted),
        span=(distinct[0][0], distinct[-1][1]),
    )
