"""Rules about what kind of thing a key result is: outcome, output, activity, unmeasurable."""

from __future__ import annotations

from collections.abc import Iterator

from .registry import Hit, KeyResultContext, rule
from .wording import clip, lead_phrase

# What a deliverable of each sort is usually for: the outcome to name instead (KR101's fix).
OUTPUT_PURPOSE: dict[str, str] = {
    "migrate": "what the migration should improve, such as cost per request, deploy lead time, "
    "incidents or latency",
    "move": "what the move should improve, such as cost, lead time, incidents or latency",
    "convert": "what the conversion should improve for the people who use it",
    "port": "what the port should improve, such as cost, latency or the incidents it removes",
    "upgrade": "what the upgrade buys, such as fewer incidents, lower latency or patch time",
    "replace": "what the replacement should improve, such as cost, incidents or latency",
    "launch": "the user or business metric the launch should move, such as adoption, conversion, "
    "retention",
    "ship": "the user or business metric it should move, such as adoption, conversion, retention",
    "release": "the user metric the release should move, such as adoption, crash-free sessions, "
    "rating",
    "build": "the user or team metric it should move once built",
    "implement": "the metric the implementation should move",
    "deliver": "the metric the delivery should move",
    "create": "the metric it should move once it exists",
    "enable": "the exposure or risk it reduces, such as the share of systems exposed, incidents, time to "
    "detect",
    "enforce": "the exposure or risk it reduces, such as the share of systems exposed, incidents",
    "roll out": "the exposure, risk or toil it reduces across the fleet",
    "set up": "what it lets the team see or prevent, such as time to detect, incidents, error budget "
    "burn",
    "configure": "the risk or toil it reduces",
    "write": "what the writing should change, such as time to resolve, escalations, onboarding time",
    "document": "what the documentation should change, such as support questions, onboarding time",
    "automate": "the toil or lead time it should remove",
    "onboard": "what the onboarded teams should gain, such as lead time, deploy failures, cost",
    "deploy": "what should change once it is in production, such as precision, latency, revenue",
    "right-size": "the cost it should cut, such as idle capacity or cost per request, without "
    "raising latency or incidents",
    "rightsize": "the cost it should cut, such as idle capacity or cost per request, without "
    "raising latency or incidents",
    "decommission": "the cost or risk that retiring it removes",
    "retire": "the cost or risk that retiring it removes",
}
# What an activity is usually meant to produce (KR102's fix).
ACTIVITY_PURPOSE: dict[str, str] = {
    "hire": "the capacity problem the hires solve, such as lead time, pages per on-call engineer, "
    "backlog age",
    "recruit": "the capacity problem the hires solve, such as lead time, pages per on-call engineer",
    "train": "what the trained people will do differently, such as defects or incidents in their "
    "area, time to first deploy",
    "teach": "what the taught people will do differently",
    "interview": "the product metric the research should move",
    "survey": "the product metric the research should move",
    "publish": "the result the content should drive, such as applications, adoption of what it "
    "describes",
    "write": "the result the content should drive, such as applications, adoption of what it "
    "describes",
    "give": "the result the talks should drive",
    "hold": "what the sessions should change, such as incidents, time to recover, adoption",
    "host": "what the sessions should change, such as incidents, time to recover, adoption",
    "run": "what the exercises should change, such as time to detect, time to recover, incidents",
    "conduct": "the incident or defect rate the reviews should reduce",
    "review": "the defect or incident rate the reviews should reduce",
    "close": "the problem behind the tickets, such as escaped defects, change failure rate",
    "fix": "the problem behind the bugs, such as escaped defects, crash-free sessions",
    "merge": "lead time for changes",
    "mentor": "what the mentees should be able to do, such as time to first deploy, on-call "
    "readiness",
    "label": "what the labels should improve, such as the model's precision or recall on the "
    "cases they cover",
    "annotate": "what the annotations should improve, such as the model's precision or recall",
    "rotate": "the exposure the rotation limits, such as the share of secrets or keys older "
    "than the policy allows",
    "back up": "what the backups protect, such as the share of restore tests that succeed or "
    "the time to restore",
}
# What an activity is for, by what is being held or produced (wins over the verb).
_LEARNING = (
    "what attendees should then do differently, such as fewer incidents in their area or a "
    "shorter time to first deploy"
)
_RESILIENCE = "what the exercises should change, such as time to detect or time to recover"
_CONTENT = (
    "the result the content should drive, such as applications or adoption of what it describes"
)
EVENT_PURPOSE: dict[str, str] = {
    "workshop": _LEARNING,
    "workshops": _LEARNING,
    "office": _LEARNING,
    "training": _LEARNING,
    "trainings": _LEARNING,
    "course": _LEARNING,
    "courses": _LEARNING,
    "session": _LEARNING,
    "sessions": _LEARNING,
    "game": _RESILIENCE,
    "gameday": _RESILIENCE,
    "gamedays": _RESILIENCE,
    "drill": _RESILIENCE,
    "drills": _RESILIENCE,
    "simulation": _RESILIENCE,
    "simulations": _RESILIENCE,
    "chaos": _RESILIENCE,
    "post": _CONTENT,
    "posts": _CONTENT,
    "blog": _CONTENT,
    "article": _CONTENT,
    "articles": _CONTENT,
    "newsletter": _CONTENT,
    "talk": _CONTENT,
    "talks": _CONTENT,
    "postmortem": "the incident rate the postmortems should reduce, such as repeat incidents",
    "postmortems": "the incident rate the postmortems should reduce, such as repeat incidents",
    "audit": "the exposure the audits should reduce, such as findings open past their SLA",
    "audits": "the exposure the audits should reduce, such as findings open past their SLA",
}
# What to measure for a vague quality (KR103's fix).
QUALITY_METRICS: dict[str, str] = {
    "reliability": "availability, P1 incidents per quarter or MTTR",
    "reliable": "availability, P1 incidents per quarter or MTTR",
    "performance": "p95 latency or page load time",
    "faster": "p95 latency, load time or build time",
    "fast": "p95 latency, load time or build time",
    "slow": "p95 latency or load time",
    "security": "median time to patch critical CVEs, or exposed secrets found",
    "posture": "median time to patch critical CVEs, or systems failing a baseline check",
    "experience": "lead time, CI wait time or a developer survey score",
    "quality": "escaped defects per month or change failure rate",
    "stability": "crash-free sessions or change failure rate",
    "scalability": "p95 latency at peak load or cost per request",
    "observability": "time to detect incidents, or incidents found by customers first",
    "efficiency": "cost per request or lead time",
    "productivity": "lead time for changes or CI wait time",
    "on-call": "pages per on-call shift, or pages outside working hours",
    "customers": "NPS, CSAT or retention",
    "customer": "NPS, CSAT or retention",
    "easier": "task success rate or time to first value",
    "data": "data freshness or pipeline failures per month",
    "ci": "CI duration at p90 or flaky test rate",
    "platform": "adoption by other teams or time to provision a service",
    "llms": "the support metric it should move: resolution time or escalations",
}


@rule(
    "KR101",
    "output-not-outcome",
    severity="error",
    fix="Keep the deliverable as your plan, and write the key result as the change it should "
    'cause: "<metric> from <baseline> to <target> by <deadline>".',
    guidance=("outcomes-vs-outputs", "business-to-engineering-lever", "failure-modes"),
    kinds=("output",),
)
def output_not_outcome(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags a key result that names a deliverable, milestone or migration instead of a result.

    ## What it checks
    The key result's kind is `output`: its lead verb (launch, ship, migrate, roll out,
    enable, set up...) names something the team will finish, with no change in a metric
    attached to it. Progress on a deliverable ("migrate 80% of services") is still output,
    and so is a count of old systems left to retire ("Reduce Oracle DBs from 14 to 0",
    "cut the number of Jenkins jobs from 200 to 20"): the count falls as the migration
    proceeds, whatever happens to the cost or risk it was meant to remove.

    ## Why it matters
    Finishing a deliverable can happen while the problem it was meant to solve stays
    exactly where it was. Ask: could this be marked done without anything getting better?
    If yes, it is a plan, not a result, and it gives the team no room to choose a better
    way to reach the goal.

    ## Example
        Migrate the billing service to the new message queue

    ## Use instead
        Cut failed billing runs from <baseline> per month to <target> per month by <deadline>
    """
    if ctx.kind != "output":
        return
    phrase, span = lead_phrase(ctx)
    verb = ctx.parsed.lead_verb if ctx.parsed is not None else None
    purpose = OUTPUT_PURPOSE.get(verb or "", "the metric the deliverable is meant to move")
    problem = "names a deliverable: it can be done"
    if "kind:assets-retired" in ctx.anatomy.cues:
        problem = "counts what is left of a migration: it can reach its target"
        purpose = "the cost or risk that retiring them removes, such as licence spend or incidents"
    yield Hit(
        message=f'"{phrase}" {problem} without anything measurably improving',
        span=span,
        fix=f"Keep the deliverable as the plan; make the key result {purpose}, written as "
        '"<metric> from <baseline> to <target> by <deadline>".',
    )


@rule(
    "KR102",
    "activity-not-outcome",
    severity="error",
    fix="Replace the count of actions with the result they are meant to produce: "
    '"<metric> from <baseline> to <target> by <deadline>".',
    guidance=("activity-metrics", "outcomes-vs-outputs"),
    kinds=("activity",),
)
def activity_not_outcome(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags a key result that counts or schedules the team's own activity.

    ## What it checks
    The key result's kind is `activity`: it counts things the team does (posts published,
    workshops held, engineers hired, reviews conducted, people trained) or sets a cadence
    for them ("a game day every month").

    ## Why it matters
    Activities are fully under the team's control, so they are met by doing them, whether
    or not they help. A key result should say what the activity is meant to change, and
    leave the team free to drop the activity if something else works better.

    ## Example
        Hold 6 incident-response workshops for the payments team

    ## Use instead
        Reduce median time to mitigate payments incidents from <baseline> to <target> by <deadline>
    """
    if ctx.kind != "activity":
        return
    phrase, span = lead_phrase(ctx)
    verb = ctx.parsed.lead_verb if ctx.parsed is not None else None
    words = ctx.parsed.words if ctx.parsed is not None else []
    purpose = next(
        (EVENT_PURPOSE[w] for w in words if w in EVENT_PURPOSE),
        ACTIVITY_PURPOSE.get(verb or "", "the change the activity is meant to produce"),
    )
    yield Hit(
        message=f'"{phrase}" counts the team\'s own activity, which is met by doing it '
        "whether or not anything improves",
        span=span,
        fix=f"Measure {purpose}, instead of the activity itself, written as "
        '"<metric> from <baseline> to <target> by <deadline>".',
    )


@rule(
    "KR103",
    "unmeasurable",
    severity="error",
    fix="Pick the metric that would show this is true and write "
    '"<metric> from <baseline> to <target> by <deadline>".',
    guidance=("five-properties", "outcomes-vs-outputs"),
    kinds=("unmeasurable",),
)
def unmeasurable(ctx: KeyResultContext) -> Iterator[Hit]:
    """Flags a key result with no metric, no number and no way to score it.

    ## What it checks
    The key result's kind is `unmeasurable`: it states a good intention ("improve
    reliability", "make CI better", "modernise the data stack") without naming a metric
    or a number, so nobody can say at the end of the period how far it got.

    ## Why it matters
    A key result exists to answer "how will we know?". Without a metric, the check-in
    turns into opinion, and the score at the end of the quarter is whatever the most
    confident person in the room says it is.

    ## Example
        Make on-call less painful

    ## Use instead
        Reduce pages outside working hours from <baseline> per week to <target> per week by <deadline>
    """
    if ctx.kind != "unmeasurable":
        return
    words = ctx.parsed.words if ctx.parsed is not None else ctx.text.lower().split()
    suggestion = next((QUALITY_METRICS[w] for w in words if w in QUALITY_METRICS), None)
    fix = (
        f"Pick the metric that would show it, for example {suggestion}, and write "
        '"<metric> from <baseline> to <target> by <deadline>".'
        if suggestion
        else None
    )
    text = clip(ctx.text) or "(empty)"
    yield Hit(
        message=f'"{text}" names no metric and no number, so nobody can tell how far it got',
        span=(0, len(ctx.text)) if ctx.text else None,
        fix=fix,
    )
