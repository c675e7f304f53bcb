"""Rules about the suppressions written in an OKR file.

The engine (`reviewer.rules.engine`) produces these findings while it applies
suppressions; the functions here carry the catalogue entry and the documentation.
"""

from __future__ import annotations

from collections.abc import Iterator

from .registry import Hit, KeyResultContext, rule


@rule(
    "KR901",
    "suppression-without-reason",
    severity="warning",
    fix='Add a reason: `ignore: [{code: KR101, reason: "..."}]` in YAML, or '
    '`<!-- okr-review: ignore KR101 reason="..." -->` in Markdown.',
    guidance=("policy-and-suppressions",),
)
def suppression_without_reason(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags a suppression in the OKR file that does not say why.

    ## What it checks
    An `ignore:` entry (YAML) or an `okr-review: ignore` comment (Markdown) on a key
    result, an objective or the whole set has no reason, or only whitespace. The
    suppression still applies; this finding says it needs a reason. KR901 itself cannot
    be suppressed in the file (use the config's `ignore` if a team really wants that).

    ## Why it matters
    A suppression is a decision the team made about one key result, often a good one
    ("new product, no baseline exists yet"). Without the reason, the next reader cannot
    tell whether the decision still holds, and suppressions pile up until the review
    says nothing.

    ## Example
        - text: Launch the partner API
          ignore: [{code: KR101}]

    ## Use instead
        - text: Launch the partner API
          ignore: [{code: KR101, reason: "contractual launch date; adoption KR follows in Q4"}]
    """
    return iter(())


@rule(
    "KR902",
    "unused-suppression",
    severity="info",
    fix="Remove the suppression, or correct the code it names.",
    guidance=("policy-and-suppressions",),
)
def unused_suppression(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags a suppression that suppresses nothing.

    ## What it checks
    A suppression names a code that did not fire where the suppression applies, a code
    that does not exist, or a rule that the configuration does not run.

    ## Why it matters
    Stale suppressions hide future problems: the key result was rewritten and fixed, but
    the `ignore` stayed, and the next time it regresses nobody is told. A misspelt code
    is worse, because the author believes something is suppressed when it is not.

    ## Example
        - text: Reduce p95 search latency from 900 ms to 300 ms by <deadline>
          ignore: [{code: KR201, reason: "no baseline yet"}]

    ## Use instead
        - text: Reduce p95 search latency from 900 ms to 300 ms by <deadline>
    """
    return iter(())
