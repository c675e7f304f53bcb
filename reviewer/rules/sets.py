"""Rules about a whole OKR set: focus, qualitative objectives, duplicates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..anatomy import comparable_value, is_placeholder, units_compatible
from ..anatomy.lexicon import FILLER_WORDS, METRIC_WORDS, VERB_CATEGORY
from ..anatomy.numbers import tokenize
from ..models import Anatomy, Objective, Quantity
from .registry import Hit, SetContext, rule
from .wording import clip


def _judged(ctx: SetContext) -> list[Objective]:
    """The objectives the team wrote: not the implicit container a reader makes for key
    results pasted without an objective line (it has no text, so no focus, no numbers and
    no count of key results to judge)."""
    return [o for o in ctx.okr_set.objectives if not o.implicit]


@rule(
    "OKR601",
    "too-many-key-results",
    severity="warning",
    scope="set",
    fix="Keep the few key results that best show the objective is met; move the rest to a "
    "backlog or another objective.",
    guidance=("focus-and-limits", "failure-modes"),
)
def too_many_key_results(ctx: SetContext) -> Iterator[Hit]:
    """Flags an objective carrying more key results than the configured maximum.

    ## What it checks
    An objective has more key results than `max_key_results` (4 by default). Key results
    pasted with no objective line are a batch of drafts, not an objective, and are not
    judged.

    ## Why it matters
    Every key result competes for the same attention. Past three or four, the list stops
    forcing choices and starts recording everything the team happens to be doing, which
    is a task list with extra steps.

    ## Example
        Objective: Make deploys boring
        (seven key results covering CI time, flaky tests, rollbacks, lead time, on-call
        pages, docs and a survey)

    ## Use instead
        Objective: Make deploys boring
        (the three or four key results that would prove it: lead time, change failure
        rate, rollback time)
    """
    limit = ctx.config.max_key_results
    for objective in _judged(ctx):
        count = len(objective.key_results)
        if count > limit:
            yield Hit(
                message=f'objective "{clip(objective.text, 50)}" has {count} key results; more '
                f"than {limit} spreads the team's focus",
                objective=objective.text,
                line=objective.location.line,
                fix=f"Keep the {limit} key results that best show the objective is met; move "
                "the rest to a backlog or another objective.",
            )


@rule(
    "OKR602",
    "too-many-objectives",
    severity="warning",
    scope="set",
    fix="Keep the objectives that matter most this period; fold or drop the rest.",
    guidance=("focus-and-limits",),
)
def too_many_objectives(ctx: SetContext) -> Iterator[Hit]:
    """Flags a set with more objectives than the configured maximum.

    ## What it checks
    The OKR set has more objectives than `max_objectives` (5 by default).

    ## Why it matters
    A team that has ten priorities has none. Nobody can keep more than a handful of
    objectives in mind, so the list stops guiding day-to-day trade-offs.

    ## Example
        A team file with eight objectives for one quarter

    ## Use instead
        Three to five objectives, each with three or four key results
    """
    limit = ctx.config.max_objectives
    count = len(_judged(ctx))
    if count > limit:
        yield Hit(
            message=f"the set has {count} objectives; more than {limit} is more than anyone "
            "can keep in mind",
            fix=f"Keep the {limit} objectives that matter most this period; fold or drop the rest.",
        )


@rule(
    "OKR603",
    "quantitative-objective",
    severity="warning",
    scope="set",
    fix="State the objective as a qualitative aim and move its numbers into a key result.",
    guidance=("writing-objectives",),
)
def quantitative_objective(ctx: SetContext) -> Iterator[Hit]:
    """Flags an objective that carries the numbers itself.

    ## What it checks
    The objective's text contains a measured value (a percentage, a duration, money, a
    multiplier, a comparator or a larger count such as "1M users"). Dates ("in Q3") and
    small counts ("our top 3 services") are fine.

    ## Why it matters
    The objective says what the team wants and why it matters; the key results say how
    success will be measured. An objective that is already a number leaves the key
    results to repeat it or to become tasks, and loses the direction that lets a team
    pick better measures later.

    ## Example
        Objective: Reach 99.95% uptime

    ## Use instead
        Objective: Customers can rely on us during their busiest hours
        KR: Raise uptime from <baseline> to 99.95% by <deadline>
    """
    for objective in _judged(ctx):
        numbers = [
            t
            for t in tokenize(objective.text)
            if t.is_value and (t.unit is not None or t.comparator is not None or t.value >= 10)
        ]
        if not numbers:
            continue
        raws = ", ".join(f'"{clip(t.raw, 20)}"' for t in numbers[:3])
        yield Hit(
            message=f'objective "{clip(objective.text, 50)}" carries numbers ({raws}); '
            "objectives say what and why, key results carry the numbers",
            objective=objective.text,
            line=objective.location.line,
            fix=f"Reword the objective as the aim behind {raws} and move the number into a "
            "key result.",
        )


@rule(
    "OKR604",
    "too-few-key-results",
    severity="info",
    scope="set",
    fix="Add a second key result that measures the objective from another side (for example "
    "a counter-metric that would catch the first one being gamed).",
    guidance=("focus-and-limits",),
)
def too_few_key_results(ctx: SetContext) -> Iterator[Hit]:
    """Flags an objective with fewer key results than the configured minimum.

    ## What it checks
    An objective has fewer key results than `min_key_results` (2 by default), including
    none at all. Key results pasted without any objective line are not an objective the
    team wrote, so they are not counted here (nor by OKR601-OKR603).

    ## Why it matters
    A single metric rarely captures an objective, and it is easy to move on its own in
    ways that do not help (speed at the cost of quality, cost at the cost of
    reliability). A second key result, often a counter-metric, keeps the first honest.

    ## Example
        Objective: Make releases safe
        KR: Reduce change failure rate from 18% to 5%

    ## Use instead
        Objective: Make releases safe
        KR: Reduce change failure rate from 18% to 5%
        KR: Keep merge-to-production lead time under <target> while doing so
    """
    minimum = ctx.config.min_key_results
    for objective in _judged(ctx):
        count = len(objective.key_results)
        if count < minimum:
            counted = "no key results" if count == 0 else f"only {count} key result"
            yield Hit(
                message=f'objective "{clip(objective.text, 50)}" has {counted}; one metric '
                "rarely shows an objective is met",
                objective=objective.text,
                line=objective.location.line,
            )


_TOKEN_RE = re.compile(r"[a-z0-9][a-z0-9']*")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "for",
        "in",
        "on",
        "at",
        "by",
        "from",
        "with",
        "and",
        "or",
        "our",
        "its",
        "their",
        "this",
        "that",
        "per",
        "all",
        "every",
        "each",
        "into",
        "than",
        "then",
        "so",
        "as",
        "is",
        "are",
        "be",
        "being",
        "been",
        "it",
        "we",
        "us",
        "more",
        "less",
        "new",
        "fewer",
        "lower",
        "higher",
        "faster",
        "slower",
        "better",
        "worse",
        "up",
        "down",
        "below",
        "under",
        "above",
        "over",
        "least",
        "most",
        "within",
        "across",
        "during",
        "when",
        "who",
        "which",
        "while",
        "get",
        "got",
        "make",
        "keep",
    ]
)
# Units and value words say nothing about which metric it is: "25 minutes" vs "25 min".
_UNIT_WORDS = frozenset(
    [
        "ms",
        "msec",
        "millisecond",
        "milliseconds",
        "s",
        "sec",
        "secs",
        "second",
        "seconds",
        "m",
        "min",
        "mins",
        "minute",
        "minutes",
        "h",
        "hr",
        "hrs",
        "hour",
        "hours",
        "d",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "quarter",
        "quarters",
        "year",
        "years",
        "percent",
        "pp",
        "pts",
        "points",
        "point",
        "x",
        "k",
        "bn",
        "mb",
        "gb",
        "kb",
    ]
)
# Different words for the same measure (mapped before stemming).
_SYNONYMS = {
    "duration": "time",
    "durations": "time",
    "latencies": "latency",
    "spend": "cost",
    "spending": "cost",
    "bill": "cost",
    "bills": "cost",
    "failed": "failure",
    "failing": "failure",
    "fails": "failure",
    "repository": "repo",
    "repositories": "repo",
    "percentage": "share",
    "proportion": "share",
    "fraction": "share",
    "outage": "incident",
    "outages": "incident",
    "deployment": "deploy",
    "deployments": "deploy",
}
# Phrases that name one measure in several ways: "mean time to recovery" is MTTR.
_PHRASE_SYNONYMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (
            r"\bmean\s+time\s+to\s+(?:recover(?:y)?|restore|restoration|resolve|resolution|"
            r"repair|mitigate|mitigation)\b",
            " mttr ",
        ),
        (r"\bmean\s+time\s+to\s+detect(?:ion)?\b", " mttd "),
        (r"\bmean\s+time\s+to\s+acknowledge(?:ment)?\b", " mtta "),
        (r"\bmean\s+time\s+between\s+failures?\b", " mtbf "),
        (r"\bdaily\s+active\s+users\b", " dau "),
        (r"\bweekly\s+active\s+users\b", " wau "),
        (r"\bmonthly\s+active\s+users\b", " mau "),
        (r"\bresponse\s+times?\b", " latency "),
        (r"\bclick[\s-]*through(?:\s+rates?)?\b|\bctr\b", " ctr "),
        (r"\blead\s+time\s+for\s+changes\b", " lead time "),
        (r"\btime\s+to\s+first\s+byte\b", " ttfb "),
        (r"\bcrash[\s-]*free\b", " crash "),
        (r"\bup[\s-]?time\b", " availability "),
        (r"\bp1s\b", " p1 "),
    )
)
_DIRECTION_CATEGORIES = frozenset(["increase", "decrease", "improve", "reach", "maintain"])
_PLACEHOLDER_RE = re.compile(r"<[^<>]{0,80}>")


def _stem(word: str) -> str:
    """A light stem, enough to match "deploys"/"deployments", "abandon"/"abandonment"."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        word = word[:-1]
    for suffix in ("ment", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def signature(text: str, anatomy: Anatomy | None = None) -> frozenset[str]:
    """The content words that name what a key result measures, normalised.

    The baseline, target and relative change with their units, the deadline, the data
    source, placeholders and direction words ("raise", "cut", "improve", "fewer") are set aside:
    two key results about the same metric differ in those, not in what they measure.
    Words are lightly stemmed and synonyms merged ("uptime" is availability, "mean time
    to recovery" is MTTR, "duration" is time, "spend" is cost).
    """
    lower = text.lower()
    if anatomy is not None:
        # cut out the values and the deadline; numbers that qualify the metric stay
        # ("7-day retention" is not "30-day retention", "p95" is not "p99")
        cuts = [
            q.span
            for q in (anatomy.baseline, anatomy.target, *anatomy.numbers)
            if q is not None
            and q.span is not None
            and (q.unit_kind == "date" or q in (anatomy.baseline, anatomy.target))
        ]
        if anatomy.relative_change is not None and anatomy.relative_change.span is not None:
            cuts.append(anatomy.relative_change.span)
        for phrase in (anatomy.deadline, anatomy.source):
            found = lower.find(phrase.lower()) if phrase else -1
            if found >= 0:
                cuts.append((found, found + len(phrase)))  # type: ignore[arg-type]
        merged: list[list[int]] = []
        for start, end in sorted(cuts):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in reversed(merged):
            lower = lower[:start] + " " + lower[end:]
    if "<" in lower:
        lower = _PLACEHOLDER_RE.sub(" ", lower)
    lower = re.sub(r"(\d+)(?:th|st|nd|rd)[\s-]+percentile", r"p\1", lower)
    for pattern, replacement in _PHRASE_SYNONYMS:
        if pattern.search(lower):
            lower = pattern.sub(replacement, lower)
    words = set()
    for word in _TOKEN_RE.findall(lower.replace("-", " ")):
        if word in _STOPWORDS or word in FILLER_WORDS or word in _UNIT_WORDS:
            continue
        category = VERB_CATEGORY.get(word, ("", ""))[0]
        if category in _DIRECTION_CATEGORIES and word not in METRIC_WORDS:
            continue  # "raise" and "improve" say the same thing about the same metric
        words.add(_stem(_SYNONYMS.get(word, word)))
    return frozenset(words)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two signatures."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _equal(x: Quantity, y: Quantity) -> bool:
    if is_placeholder(x) or is_placeholder(y) or units_compatible(x, y) is not None:
        return False
    a, b = comparable_value(x), comparable_value(y)
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))


def same_values(a: Anatomy | None, b: Anatomy | None) -> bool:
    """Whether two anatomies give the same baseline and target (after unit normalising)."""
    if a is None or b is None:
        return False
    pairs = ((a.baseline, b.baseline), (a.target, b.target))
    return all(x is not None and y is not None and _equal(x, y) for x, y in pairs)


def same_target(a: Anatomy | None, b: Anatomy | None) -> bool:
    """Whether two anatomies aim at the same value (after unit normalising)."""
    if a is None or b is None or a.target is None or b.target is None:
        return False
    return _equal(a.target, b.target)


def _opposite(a: Anatomy | None, b: Anatomy | None) -> bool:
    directions = {a.direction if a else None, b.direction if b else None}
    return directions == {"increase", "decrease"}


DUPLICATE_THRESHOLD = 0.75  # share of content words two key results have in common
SAME_NUMBERS_THRESHOLD = 0.65  # enough when they also share the target (or both values)


def duplicates(
    words: frozenset[str],
    anatomy: Anatomy | None,
    earlier_words: frozenset[str],
    earlier_anatomy: Anatomy | None,
) -> tuple[float, bool] | None:
    """(overlap, same numbers) when two key results say the same thing, else None.

    The same measure in other words (most content words shared), or fewer shared words
    backed by the same target: a paraphrase that names the measure more briefly ("P1
    MTTR" for "mean time to recovery for P1 incidents") is a duplicate when every word of
    the shorter one is in the longer one and they aim at the same value. Key results that
    move one metric in opposite directions are not duplicates.
    """
    if not words or _opposite(anatomy, earlier_anatomy):
        return None
    if words == earlier_words:
        return 1.0, same_values(anatomy, earlier_anatomy)  # "Reduce churn" twice
    if len(words) < 2 or len(earlier_words) < 2:
        return None
    score = similarity(words, earlier_words)
    contained = len(words & earlier_words) == min(len(words), len(earlier_words))
    if score < min(DUPLICATE_THRESHOLD, SAME_NUMBERS_THRESHOLD) and not contained:
        return None  # cannot match below: skip comparing numbers (most pairs of a big set)
    values = same_values(anatomy, earlier_anatomy)
    target = values or same_target(anatomy, earlier_anatomy)
    if score >= DUPLICATE_THRESHOLD or (target and (score >= SAME_NUMBERS_THRESHOLD or contained)):
        return score, values
    return None


@rule(
    "OKR605",
    "duplicate-key-result",
    severity="warning",
    scope="set",
    fix="Merge the two into one key result, or make each measure a different metric.",
    guidance=("one-metric-per-key-result",),
)
def duplicate_key_result(ctx: SetContext) -> Iterator[Hit]:
    """Flags two key results in one set that say the same thing.

    ## What it checks
    Two key results anywhere in the set measure the same thing: the words that name what
    they measure match once values, deadlines, sources, filler and direction words are set
    aside and synonyms are merged ("Raise API availability ..." and "Increase uptime of
    the API ..."; "mean time to recovery" and "MTTR"), or most of them match and the two
    aim at the same target. Key results moving one metric in opposite directions, or the
    same metric for a different scope with other numbers, are not duplicates. The later
    one is reported.

    ## Why it matters
    A duplicated key result counts one piece of progress twice and makes the set look
    broader than it is. When the copies carry different targets, the team does not know
    which one it is aiming for.

    ## Example
        KR: Reduce p95 checkout latency from 900 ms to 400 ms
        KR: Cut checkout p95 latency to 400 ms

    ## Use instead
        KR: Reduce p95 checkout latency from 900 ms to 400 ms by <deadline>
        (and a second key result that measures something else)
    """
    entries = [
        (signature(kr.text, anatomy), anatomy, kr, objective)
        for objective, kr in ctx.okr_set.key_results()
        for anatomy in (ctx.parsed.get(id(kr), (None, None))[0],)
    ]
    reported: set[int] = set()
    for index, earlier_index in _candidate_pairs([words for words, *_ in entries]):
        if index in reported:
            continue  # each key result is reported once, against its first earlier copy
        words, anatomy, kr, objective = entries[index]
        earlier_words, earlier_anatomy, earlier, earlier_objective = entries[earlier_index]
        found = duplicates(words, anatomy, earlier_words, earlier_anatomy)
        if found is None:
            continue
        score, same = found
        where = "" if earlier_objective is objective else " (in another objective)"
        yield Hit(
            message=f'"{clip(kr.text, 50)}" repeats "{clip(earlier.text, 50)}"{where} '
            f"({score:.0%} of the words naming what they measure are shared"
            f"{', and the same numbers' if same else ''})",
            # a duplicate across objectives is about the set, not one objective
            objective=objective.text if earlier_objective is objective else None,
            line=kr.location.line,
            key_result=kr,
        )
        reported.add(index)


def _candidate_pairs(signatures: list[frozenset[str]]) -> Iterator[tuple[int, int]]:
    """(later, earlier) index pairs that can be duplicates, each later one until its first.

    Comparing every pair costs n² (50 million pairs for a 10,000-key-result file), but a
    duplicate shares words, so only key results indexed under shared words are compared.
    Words are ranked rarest first across the set. For an overlap of at least
    SAME_NUMBERS_THRESHOLD, the earlier one's first few rare words (its prefix) must meet
    the later one's words; when one is inside the other, the smaller one's rarest word is in
    both. The candidates of each key result are tried in file order, so the first earlier
    duplicate is the one reported, as a pairwise scan would.
    """
    frequency: dict[str, int] = {}
    for words in signatures:
        for word in words:
            frequency[word] = frequency.get(word, 0) + 1
    prefix_index: dict[str, list[int]] = {}  # word -> earlier key results with it in their prefix
    word_index: dict[str, list[int]] = {}  # word -> earlier key results with the word
    for index, words in enumerate(signatures):
        ranked = sorted(words, key=lambda w: (frequency[w], w))
        candidates: set[int] = set()
        for word in ranked:
            candidates.update(prefix_index.get(word, ()))
        if ranked:
            candidates.update(word_index.get(ranked[0], ()))
        for earlier in sorted(candidates):
            yield index, earlier
        # a share of at least t of the union leaves at most (1 - t) of either set unshared
        unshared = int((1.0 - SAME_NUMBERS_THRESHOLD) * len(ranked) + 1e-9)
        for word in ranked[: unshared + 1]:
            prefix_index.setdefault(word, []).append(index)
        for word in ranked:
            word_index.setdefault(word, []).append(index)
