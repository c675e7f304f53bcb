"""Rules about the numbers of an outcome: baseline, target, direction, units and ambition."""

from __future__ import annotations

from collections.abc import Iterator

from ..anatomy import comparable_value, is_placeholder, units_compatible
from ..models import Quantity
from .registry import Hit, KeyResultContext, rule
from .wording import clip


def _span(quantity: Quantity | None) -> tuple[int, int] | None:
    return quantity.span if quantity is not None else None


def _pair_span(a: Quantity, b: Quantity) -> tuple[int, int] | None:
    """The text covering both quantities, whichever comes first."""
    if a.span is None or b.span is None:
        return a.span or b.span
    return min(a.span[0], b.span[0]), max(a.span[1], b.span[1])


@rule(
    "KR201",
    "missing-baseline",
    severity="warning",
    fix='State today\'s value: "<metric> from <baseline> to <target>". If nobody measures it '
    "yet, make instrumenting it the first step and record the baseline before committing.",
    guidance=("baselines", "five-properties"),
    kinds=("outcome",),
)
def missing_baseline(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags an outcome with a target but no starting value.

    ## What it checks
    The key result is an outcome with a target ("to 30 minutes", "at least 99.9%", "under
    5%") or a relative change ("by 30%", "2x", "halve"), but says nothing about where the
    metric is today. An explicit `baseline:` field counts as a starting value.

    ## Why it matters
    Without today's value nobody can tell whether the target is a stretch, a rounding
    error or already met, and a relative change has nothing to be relative to. If the
    metric is not measured yet, that is the first piece of work: instrument it, then
    commit to a target.

    ## Example
        Achieve 99.9% availability for the public API

    ## Use instead
        Raise public API availability from <baseline> to 99.9% by <deadline>
    """
    anatomy = ctx.anatomy
    if ctx.kind != "outcome" or anatomy.baseline is not None:
        return
    relative, target = anatomy.relative_change, anatomy.target
    if target is None and relative is None:
        return
    if target is not None:
        yield Hit(
            message=f'the target "{clip(target.raw, 40)}" has no starting value, so nobody can '
            "tell whether it is a stretch or already true",
            span=_span(target),
            fix=f'Say where it is today: "... from <baseline> to {clip(target.raw, 30)}". If it '
            "is not measured yet, make instrumenting it the first step and record the "
            "baseline before committing.",
        )
        return
    assert relative is not None
    yield Hit(
        message=f'"{clip(relative.raw, 40)}" is a change from a starting value the key result '
        "does not state",
        span=relative.span,
        fix=f'Replace "{clip(relative.raw, 30)}" with both ends: "<metric> from <baseline> to '
        '<target>". If the metric is not measured yet, instrument it first.',
    )


@rule(
    "KR202",
    "missing-target",
    severity="error",
    fix='Add the value that would count as success: "<metric> from <baseline> to <target> by '
    '<deadline>".',
    guidance=("five-properties", "targets-and-stretch"),
    kinds=("outcome",),
)
def missing_target(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags an outcome that names a metric but no value to reach.

    ## What it checks
    The key result is an outcome, so it names something measurable ("checkout
    conversion", "build times", "MTTR"), but gives no target value and no relative change.
    A starting value alone ("reduce MTTR from 2 hours") is not a target.

    ## Why it matters
    Any movement in the right direction would count as success, so the key result cannot
    be scored and cannot force a choice between approaches. The target is what turns a
    direction into a commitment.

    ## Example
        Reduce flaky test failures on the main branch

    ## Use instead
        Reduce main-branch builds failing on flaky tests from <baseline> to <target> by <deadline>
    """
    anatomy = ctx.anatomy
    if ctx.kind != "outcome" or anatomy.target is not None or anatomy.relative_change is not None:
        return
    metric = clip(anatomy.metric or "the metric", 50)
    baseline = anatomy.baseline
    if baseline is not None:
        yield Hit(
            message=f'"{metric}" starts from {clip(baseline.raw, 30)} but has no value to reach',
            span=baseline.span,
            fix=f'Add the value that counts as success: "{metric} from {clip(baseline.raw, 30)} '
            'to <target> by <deadline>".',
        )
        return
    yield Hit(
        message=f'"{metric}" is named, but no value to reach is given',
        fix=f'Add the value that counts as success: "{metric} from <baseline> to <target> by '
        '<deadline>".',
    )


_OPPOSITE = {"increase": "decrease", "decrease": "increase"}


@rule(
    "KR203",
    "target-contradicts-direction",
    severity="error",
    fix="Make the verb and the numbers agree: swap the baseline and the target, or change the "
    "verb.",
    guidance=("targets-and-stretch", "units-and-comparisons"),
)
def target_contradicts_direction(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags numbers that move the opposite way to the verb.

    ## What it checks
    The verb says which way the metric should move (reduce, cut, raise, grow; "improve"
    takes the direction that is better for the metric, e.g. down for error rates), and
    the baseline and target, once in the same unit, move the other way: "reduce from 2%
    to 5%", "raise from 40 minutes to 25 minutes", "improve error rate from 1% to 3%".

    ## Why it matters
    One of the two is a typo, and readers will not agree on which. A tracker that scores
    progress from the numbers will report success for a regression, or the reverse.

    ## Example
        Reduce the nightly job failure rate from 3% to 8%

    ## Use instead
        Reduce the nightly job failure rate from 8% to 3% by <deadline>
    """
    parsed, anatomy = ctx.parsed, ctx.anatomy
    baseline, target = anatomy.baseline, anatomy.target
    if parsed is None or baseline is None or target is None:
        return
    if is_placeholder(baseline) or is_placeholder(target):
        return  # "<target>" has no value yet to move either way
    wanted = parsed.verb_direction
    if parsed.lead_category == "improve" and parsed.polarity:
        wanted = "decrease" if parsed.polarity == "lower" else "increase"
    if wanted not in _OPPOSITE or units_compatible(baseline, target) is not None:
        return
    moved = None
    if comparable_value(target) > comparable_value(baseline):
        moved = "increase"
    elif comparable_value(target) < comparable_value(baseline):
        moved = "decrease"
    if moved is None or moved == wanted:
        return
    verb = parsed.lead_verb or wanted
    yield Hit(
        message=f'"{verb}" asks for a {wanted}, but {clip(baseline.raw, 25)} → '
        f"{clip(target.raw, 25)} is an {moved}"
        if moved == "increase"
        else f'"{verb}" asks for an {wanted}, but {clip(baseline.raw, 25)} → '
        f"{clip(target.raw, 25)} is a {moved}",
        span=_pair_span(baseline, target),
        fix=f"Make them agree: either the target should be "
        f"{'below' if wanted == 'decrease' else 'above'} {clip(baseline.raw, 25)}, or the verb "
        f"should ask for an {_OPPOSITE[wanted]}.",
    )


@rule(
    "KR204",
    "unit-mismatch",
    severity="error",
    fix="State the baseline and the target in the same unit, so progress can be computed.",
    guidance=("units-and-comparisons",),
)
def unit_mismatch(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags a baseline and a target in units that cannot be compared.

    ## What it checks
    Both a baseline and a target are given, and their units are of different kinds (a
    duration and a percentage, money in two currencies, a score out of 5 and one out of
    10, a rate per month and one per quarter). Durations in different units (4 hours and
    30 minutes) compare fine and are not flagged; a bare number takes its partner's unit
    ("from 25 to 8 minutes").

    ## Why it matters
    Progress is the distance from baseline to target. When the two ends are in different
    units there is no distance, and "cut provisioning time from 3 hours to 80%" can be
    read as 80% of the time, 80% less time, or 80% of something else.

    ## Example
        Cut backfill duration from 14 hours to 30%

    ## Use instead
        Cut backfill duration from 14 hours to <target> hours by <deadline>
    """
    baseline, target = ctx.anatomy.baseline, ctx.anatomy.target
    if baseline is None or target is None:
        return
    parsed = ctx.parsed
    a_bare = b_bare = None
    if parsed is not None and parsed.baseline_token is not None and parsed.target_token is not None:
        a_bare, b_bare = parsed.baseline_token.bare, parsed.target_token.bare
    reason = units_compatible(baseline, target, a_bare, b_bare)
    if reason is None:
        return
    yield Hit(
        message=f'the baseline "{clip(baseline.raw, 25)}" and the target "{clip(target.raw, 25)}" '
        f"are in different units ({reason}), so progress cannot be computed",
        span=_pair_span(baseline, target),
        fix=f'Write both ends in the unit of the baseline: "from {clip(baseline.raw, 25)} to '
        '<target in the same unit>".',
    )


def improvement(baseline: Quantity, target: Quantity, direction: str | None) -> float | None:
    """How far the target moves from the baseline, as a fraction; None when it cannot tell.

    For a bounded scale (a percentage, a score out of 5) rising toward its ceiling, the
    share of the remaining gap that is closed counts too: 94% -> 98% closes two thirds of
    the gap to 100%, which is not timid even though it is only 4% more.
    """
    b, t = comparable_value(baseline), comparable_value(target)
    if b == t or b == 0:
        return None
    moved_up = t > b
    if (direction == "increase" and not moved_up) or (direction == "decrease" and moved_up):
        return None  # wrong way: KR203's business
    relative = abs(t - b) / abs(b)
    ceiling = None
    if baseline.unit_kind == "percent" and 0 <= b < 100:
        ceiling = 100.0
    elif baseline.unit_kind == "score" and baseline.unit and baseline.unit.startswith("/"):
        try:
            ceiling = float(baseline.unit[1:])
        except ValueError:
            ceiling = None
    if ceiling is not None and moved_up and ceiling > b:
        relative = max(relative, (t - b) / (ceiling - b))
    return relative


@rule(
    "KR205",
    "timid-target",
    severity="warning",
    fix="Set a target you would be pleased to reach about 70% of; if this small move really is "
    "the ambitious one, suppress KR205 with the reason.",
    guidance=("targets-and-stretch", "checkins-scoring-retros"),
    kinds=("outcome",),
)
def timid_target(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags a target that barely moves the metric (sandbagging).

    ## What it checks
    The improvement from baseline to target (or the relative change, "by 5%") is smaller
    than the configured stretch threshold (`stretch_threshold`, 10% by default). On a
    bounded scale rising toward its ceiling (a percentage, a score out of 5), closing a
    large share of the remaining gap also counts as ambitious.

    ## Why it matters
    Key results are meant to stretch: a target that is certain to be hit at 100% tells
    the team nothing and invites no new approach. A habit of tiny targets is also how
    OKRs turn into a safe reporting exercise.

    ## Example
        Raise 7-day retention from 31% to 32%

    ## Use instead
        Raise 7-day retention from 31% to <a target you expect to reach about 70% of> by <deadline>
    """
    anatomy = ctx.anatomy
    if ctx.kind != "outcome" or anatomy.direction == "maintain":
        return
    threshold = ctx.config.stretch_threshold
    baseline, target, relative = anatomy.baseline, anatomy.target, anatomy.relative_change
    if baseline is not None and target is not None:
        if is_placeholder(baseline) or is_placeholder(target):
            return  # how far it moves is decided when the placeholder is filled
        if units_compatible(baseline, target) is not None:
            return
        moved = improvement(baseline, target, ctx.parsed.verb_direction if ctx.parsed else None)
        if moved is None or moved >= threshold:
            return
        yield Hit(
            message=f"{clip(baseline.raw, 25)} → {clip(target.raw, 25)} is a {moved:.1%} "
            f"improvement, below the {threshold:.0%} stretch threshold",
            span=_pair_span(baseline, target),
        )
        return
    if relative is None:
        return
    if relative.form == "percent":
        moved = relative.value
    elif relative.form == "factor":
        moved = abs(relative.value - 1.0)
    else:
        return
    if 0 < moved < threshold:
        yield Hit(
            message=f'"{clip(relative.raw, 25)}" is a {moved:.1%} change, below the '
            f"{threshold:.0%} stretch threshold",
            span=relative.span,
        )
