"""Rules about when a key result is due."""

from __future__ import annotations

from collections.abc import Iterator

from .registry import Hit, KeyResultContext, rule


@rule(
    "KR301",
    "missing-deadline",
    severity="warning",
    fix='Say when it will be true: add "by <deadline>" to the key result, or give the OKR file '
    "its period.",
    guidance=("deadlines-and-windows", "five-properties"),
)
def missing_deadline(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags a key result with no deadline and no period around it.

    ## What it checks
    Nothing in the key result says when it is due (no "by end of Q3", "by March 2027",
    "within 6 months", no explicit `deadline:` field), and the objective or file it
    belongs to has no period either. A measurement window ("per quarter", "over 28 days")
    is not a deadline: it says how the metric is computed, not when the target is due.
    A dated milestone counts ("by GA", "by the next planning cycle", "before the
    cutover"); "before release" or "before launch" does not, as it usually qualifies the
    measure ("defects caught before release").

    ## Why it matters
    A target without a date can always be "on track". The deadline is what lets a
    check-in say whether the pace is right, and what makes the end-of-period score mean
    something.

    ## Example
        Reduce p95 search latency from 900 ms to 300 ms

    ## Use instead
        Reduce p95 search latency from 900 ms to 300 ms by <deadline>
    """
    if ctx.anatomy.deadline or (ctx.period and str(ctx.period).strip()):
        return
    window = ctx.anatomy.window
    note = f' ("{window}" is a measurement window, not a deadline)' if window else ""
    yield Hit(
        message="no deadline in the key result and no period on its objective or file, so it "
        f"can never be late{note}",
    )
