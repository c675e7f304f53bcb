"""Rules about the metric itself: gameable proxies, data sources, averages of latency."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..anatomy.lexicon import GAMEABLE_HINTS, GAMEABLE_RES, GAMEABLE_WORDS, gated
from .registry import Hit, KeyResultContext, rule
from .wording import clip, quote_from

# Proxies that are gameable as counts; as a share of all such items they are a rate.
_COUNTED_PROXIES = frozenset(["tickets closed", "bugs fixed", "PR or commit count"])
_SHARE_BEFORE = re.compile(
    r"\b(?:share|percentage|proportion|fraction|rate|ratio)\s+of\s+(?:\S+\s+){0,4}$|%\s+of\s+"
    r"(?:\S+\s+){0,4}$",
    re.IGNORECASE,
)


@rule(
    "KR401",
    "gameable-metric",
    severity="warning",
    fix="Measure the result the proxy stands for, or pair the proxy with a counter-metric "
    "that catches gaming.",
    guidance=("gameable-metrics", "metrics-quality-cost-data", "metrics-delivery"),
)
def gameable_metric(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags a metric that can be hit without improving anything.

    ## What it checks
    The key result targets a known proxy: test coverage, lines of code, story points or
    velocity, tickets or bugs closed, "tech debt items", deploy counts, PR or commit
    counts, numbers of tests or features. The fix names an alternative that only moves
    when the real problem is solved (see the table in `reviewer/anatomy/lexicon.py`).

    ## Why it matters
    A proxy that the team controls directly drifts away from what it stood for as soon
    as it becomes a target: trivial tests raise coverage, split deploys raise deploy
    counts, reclassified tickets shrink a debt backlog. The quarter ends green and nothing
    users feel has changed.

    ## Example
        Raise unit test coverage of the billing service from 55% to 80%

    ## Use instead
        Reduce billing defects found in production from <baseline> per month to <target> per month by <deadline>
    """
    words = ctx.parsed.wordset if ctx.parsed is not None else None
    if words is not None and "-" in ctx.text:  # "tech-debt-items": the parts count too
        words = words | {part for word in words if "-" in word for part in word.split("-")}
    if words is not None and not words & GAMEABLE_HINTS and "x" not in ctx.text.lower():
        return
    for (pattern, proxy, gamed_by, alternative), needed in zip(
        GAMEABLE_RES, GAMEABLE_WORDS, strict=True
    ):
        if words is not None and words.isdisjoint(needed):
            continue  # no match of this pattern is possible without one of these words
        match = pattern.search(ctx.text)
        if match is None:
            continue
        if proxy in _COUNTED_PROXIES and _SHARE_BEFORE.search(ctx.text, 0, match.start()):
            # "the share of tickets resolved without escalation", "the % of PRs merged within
            # 24h": a rate, not a count
            continue
        yield Hit(
            message=f'"{clip(match.group(0), 40)}" is a {proxy} proxy: it can be hit without '
            f"improving anything ({gamed_by})",
            span=match.span(),
            fix=f"Measure {alternative} instead, or keep {proxy} only as a counter-metric "
            "next to it.",
        )
        return


@rule(
    "KR402",
    "no-measurement-source",
    severity="info",
    enabled_by_default=False,
    fix='Name where the number comes from: "..., measured by <dashboard, query or tool>".',
    guidance=("measurement-sources",),
    kinds=("outcome",),
)
def no_measurement_source(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags an outcome that does not say where its number is read from (off by default).

    ## What it checks
    The key result is an outcome, and neither its text ("measured by RUM p75 LCP",
    "per the SLO dashboard", "in Datadog") nor an explicit `measured_by:` field names the
    data source. Turn it on with `extend_select = ["KR402"]`.

    ## Why it matters
    Two people reading the same metric from two places get two numbers, and the argument
    at the end of the quarter is about the query rather than the result. Naming the
    source also exposes weak ones, such as an internal health check standing in for what
    users see.

    ## Example
        Raise checkout availability from 99.5% to 99.9% by <deadline>

    ## Use instead
        Raise checkout availability from 99.5% to 99.9% by <deadline>, measured by external synthetic checks
    """
    if ctx.kind != "outcome" or ctx.anatomy.source:
        return
    metric = clip(ctx.anatomy.metric or "the metric", 50)
    yield Hit(message=f'nothing says where "{metric}" is read from')


_DURATION_METRIC = gated(
    r"\b(?:latenc(?:y|ies)|response\s+times?|load\s+times?|page\s+loads?|durations?|"
    r"build\s+times?|times?|wait(?:ing)?|startup|start\s+time|cold\s+start|lcp|ttfb|tti|inp|"
    r"round[\s-]trip|rtt|query\s+times?|processing\s+times?|lag)\b",
    re.IGNORECASE,
)
_AVERAGE_WORD = gated(r"\b(?:average|avg\.?|mean)\b")


@rule(
    "KR403",
    "mean-latency",
    severity="warning",
    fix='Target a percentile instead: "p95 <metric> from <baseline> to <target>" (p99 for '
    "paths where the slowest requests matter most).",
    guidance=("latency-percentiles", "metrics-reliability"),
)
def mean_latency(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags latency or another duration targeted as an average rather than a percentile.

    ## What it checks
    The key result aggregates a latency or duration with "average", "avg" or "mean"
    ("average page load time", "mean inference latency"). Named reliability measures such
    as MTTR (mean time to recovery) are left alone: they are defined as means and widely
    understood.

    ## Why it matters
    Latency is skewed: a large share of fast responses hides a slow tail that some users
    hit on every visit. The average can improve while the slowest requests get worse. A
    percentile (p95, p99) says what most users get at worst.

    ## Example
        Cut average API response time from 420 ms to 250 ms

    ## Use instead
        Cut p95 API response time from <baseline> to <target> by <deadline>
    """
    anatomy = ctx.anatomy
    if anatomy.aggregation not in ("average", "mean"):
        return
    about_time = bool(_DURATION_METRIC.search(ctx.text)) or any(
        q is not None and q.unit_kind == "duration" for q in (anatomy.baseline, anatomy.target)
    )
    if not about_time:
        return
    word = _AVERAGE_WORD.search(ctx.text)
    if word is not None:
        quoted, span = quote_from(ctx.text, word.start(), 6, stop_before_values=True)
    else:
        quoted, span = str(anatomy.aggregation), None
    yield Hit(
        message=f'"{quoted}" targets an average: a few fast requests can hide the slow ones '
        "users feel",
        span=span,
        fix='Target a percentile instead, e.g. "p95 '
        f"{clip(anatomy.metric or '<metric>', 40).removeprefix('average ').removeprefix('mean ')}"
        ' from <baseline> to <target>" (p99 for paths where the tail matters most).',
    )
