"""Classify a key result as outcome, output, activity or unmeasurable.

Lexical cues alone mislead ("reach 100% completion of the redesign" uses outcome words for
a deliverable; "deploy 3x more frequently" uses a deliverable verb for a delivery metric),
so the decision combines the lead verb and its object with the parsed anatomy: whether a
metric is named, whether there are measured values, and whether a deliverable carries an
outcome clause ("ship X so that conversion rises from 2.1% to 2.6%"). The order of the
questions follows the labeling guide: unmeasurable, activity, output, outcome.
"""

from __future__ import annotations

import re

from .anatomy import analyse
from .anatomy.lexicon import (
    ACTIVITY_NOUNS,
    CERTIFICATION_RE,
    DELIVERED_HINTS,
    DELIVERED_RE,
    EVENT_COMPOUND_HEADS,
    EVENT_MODIFIERS,
    EVENT_NOUNS,
    INTENT_WORDS,
    METRIC_WORDS,
    PEOPLE_NOUNS,
    ROLLOUT_SCOPE_HINTS,
    ROLLOUT_SCOPE_RE,
    VAGUE_QUALITIES,
    VERB_CATEGORY,
    gated,
)
from .anatomy.numbers import NUMBER_WORDS, Token
from .anatomy.parse import DIRECTION_CATEGORIES, Parsed
from .models import Anatomy, KeyResult, Kind

MEASURED_UNITS = frozenset(
    {"percent", "percentage_points", "duration", "money", "rate", "score", "size", "multiplier"}
)
# After a "done" word, a metric noun or how fast it happens ("completed within a day", "done
# in under 2 hours") makes it a measure, not a project's progress.
_NOT_PROGRESS = (
    r"(?![\s-]+(?:rates?|times?|ratio|funnel|within|in\s+(?:under|less|an?\s+(?:hour|day|week)|"
    r"one\s+(?:hour|day|week)|\d+(?:\.\d+)?\s*(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|"
    r"days?|weeks?)))\b)"
)
_PROGRESS_RE = gated(
    # (after a determiner a participle names things, "the migrated services", not progress)
    r"(?<!\bthe\s)(?<!\bour\s)(?<!\bits\s)(?<!\ba\s)(?<!\ban\s)(?<!\btheir\s)"
    r"\b(?:completion|completed|complete|rolled[\s-]out|migrated|implemented|delivered|shipped|"
    r"onboarded|converted|decommissioned|retired|done|containeri[sz]ed|dockeri[sz]ed|"
    r"re-?platformed|upgraded|ported)\b" + _NOT_PROGRESS + "|"
    r"\b(?:number|count|share|percentage|proportion|%|\d+)\s+of\s+(?:\w+[\s-]){0,3}?(?:services|"
    r"repos|repositories|apps|applications|jobs|pipelines|workloads|clusters|systems|"
    r"tables|screens|pages|endpoints|microservices|components|modules|databases|projects|"
    r"hosts|nodes|accounts)\s+(?:on|onto|in|using|running|migrated|moved|converted|"
    r"onboarded|with\s+(?:the\s+)?new|behind|through)\b",
    re.IGNORECASE,
    symbols="%",
)
_ACTIVITY_COUNT_RE = gated(
    r"\b(?:number|count)\s+of\s+(?:\w+\s+){0,2}?(?:blog\s+)?(?:(?:posts|talks|workshops|sessions|"
    r"trainings|meetups|hackathons|game\s*days|interviews|demos|meetings|articles|webinars|"
    r"hires|reviews|audits|experiments|drills)\b(?!\s+(?:that|which|who|per|with|where))|"
    r"(?:engineers|people|developers|analysts|staff|employees)\s+(?:trained|hired|onboarded|"
    r"certified|mentored|interviewed|recruited)\b)|"
    r"\b(?:prs|pull\s+requests|commits)\s+(?:merged|opened|made|pushed|shipped)\b",
    re.IGNORECASE,
)
_CADENCE_RE = gated(
    r"\b(?:(?:every|each|per|a|an)\s+(?:\w+\s+)?(?:day|week|month|quarter|sprint|year)s?|"
    r"(?:every|each)\s+(?:\w+\s+)?(?:release|incident|deploy|sev-?[0-4]|p[0-4]|outage|hire|"
    r"joiner|starter|newcomer))\b|"
    r"\b(?:weekly|monthly|quarterly|daily|biweekly|fortnightly)\b",
    re.IGNORECASE,
)
# A calendar cadence ("every sprint", "monthly"), as opposed to one per event ("for every
# deploy"): an output verb on a calendar cadence is a routine, on every event a deliverable.
# People or teams the team acts on, counted without a verb: "10 teams trained on the new
# deploy tool", "3 SREs hired" (activity, like "train 10 teams").
_PEOPLE_ACTED_RE = gated(
    r"\b(?:engineers|people|developers|analysts|staff|employees|teams|squads|managers|hires|"
    r"interns|members|designers|admins|sres)\s+(?:\w+\s+)?(?:trained|hired|certified|mentored|"
    r"interviewed|coached|upskilled|recruited)\b"
)
# What a machine-learning team trains: a model is a deliverable, unlike people trained.
_MODEL_WORDS = frozenset(
    [
        "model",
        "models",
        "classifier",
        "classifiers",
        "ranker",
        "rankers",
        "network",
        "networks",
        "embeddings",
        "llm",
        "llms",
        "transformer",
        "transformers",
    ]
)
_PERIODIC_RE = gated(
    r"\b(?:(?:every|each|per|a|an)\s+(?:\w+\s+)?(?:day|week|month|quarter|sprint|year)s?\b|"
    r"(?:weekly|monthly|quarterly|daily|biweekly|fortnightly)\b)",
    re.IGNORECASE,
)
_FREQUENCY_RE = gated(
    r"\b(?:more|less)\s+(?:often|frequently)\b|\bfrequency\b|\b\d+(?:\.\d+)?\s?[x×]\b|"
    r"\btimes\s+(?:a|per)\s+(?:day|week)\b|\b(?:per|a)\s+day\b|\bon\s+demand\b|\bdaily\b|"
    r"\bevery\s+(?:\d+(?:\.\d+)?\s+)?(?:hour|day|week|sprint)s?\b",
    re.IGNORECASE,
)
# Participles that say a project got done (output), unlike states ("signed", "encrypted").
_PROJECT_DONE_RE = gated(
    r"\b(?:migrated|moved|converted|rolled[\s-]out|onboarded|completed?|completion|upgraded|"
    r"rewritten|ported|decommissioned|retired|done|shipped|delivered|launched|implemented|"
    r"containeri[sz]ed|dockeri[sz]ed|re-?platformed)\b" + _NOT_PROGRESS
)
_CADENCE_HINTS = frozenset(
    [
        "every",
        "each",
        "per",
        "weekly",
        "monthly",
        "quarterly",
        "daily",
        "biweekly",
        "fortnightly",
        "a",
        "an",
    ]
)
# Words every match of _ACTIVITY_COUNT_RE contains.
_ACTIVITY_COUNT_WORDS = frozenset(["number", "count", "prs", "pull", "commits"])
_STRONG_CADENCE_WORDS = _CADENCE_HINTS - {"a", "an"}
_PERIOD_NAMES = ("day", "week", "month", "quarter", "sprint", "year")


def _may_be_cadence(parsed: Parsed) -> bool:
    """Whether _CADENCE_RE can match: "a" or "an" only count before a period ("a month")."""
    words = parsed.wordset
    if not words.isdisjoint(_STRONG_CADENCE_WORDS):
        return True
    return ("a" in words or "an" in words) and any(p in parsed.lower for p in _PERIOD_NAMES)


def _in_time_frame(parsed: Parsed, token: Token) -> bool:
    """Whether a number is part of the deadline or the measurement window."""
    for span in (parsed.deadline_span, parsed.window_span):
        if span is not None and span[0] <= token.start < span[1]:
            return True
    return False


_CADENCE_BEFORE = re.compile(r"\b(?:every|each)\s+$")


def _cadence_of_an_action(parsed: Parsed, token: Token) -> bool:
    """Whether a duration says how often something is done ("rotate secrets every 90 days"),
    not a value measured: only after an ambiguous verb, which a cadence makes a routine."""
    return (
        parsed.lead_category == "ambiguous"
        and token.unit_kind == "duration"
        and token.comparator is None
        and bool(_CADENCE_BEFORE.search(parsed.lower, max(0, token.start - 8), token.start))
    )


_NOT_PLURAL_ENDINGS = ("ss", "us", "is", "ness", "ous", "ics", "'s")


def _counts_things(parsed: Parsed) -> bool:
    """Whether the object names things to count ("support tickets", "broken links", "late
    deliveries"): moving their number up or down is a metric, unlike moving a quality
    ("complexity", "friction for new users")."""
    thing = object_phrase(parsed)
    start = (parsed.lead_index + 1) if parsed.lead_index is not None else 0
    return any(
        word in METRIC_WORDS
        or (
            len(word) > 3
            and word.endswith("s")
            and not word.endswith(_NOT_PLURAL_ENDINGS)
            and word not in VAGUE_QUALITIES
            and (word.isalpha() or "-" in word)
        )
        for word in parsed.words[start : thing.end]
    )


# Nouns made from deliverable verbs: a key result that opens with one ("Rollout of passkeys",
# "Shadow deployment of the new ranking model") names the deliverable itself.
_NOMINAL_DELIVERABLES = frozenset(
    [
        "deployment",
        "migration",
        "rollout",
        "roll-out",
        "launch",
        "release",
        "implementation",
        "integration",
        "upgrade",
        "replacement",
        "decommissioning",
        "rewrite",
        "introduction",
        "completion",
        "delivery",
        "creation",
        "deprecation",
        "retirement",
    ]
)


def _names_deliverable_of(parsed: Parsed) -> bool:
    """Whether a key result with no verb opens with "<deliverable noun> of ..."."""
    if parsed.wordset.isdisjoint(_NOMINAL_DELIVERABLES) or "of" not in parsed.wordset:
        return False
    thing = object_phrase(parsed)
    words = parsed.words
    return (
        thing.head in _NOMINAL_DELIVERABLES
        and thing.end < len(words)
        and words[thing.end] == "of"
        and parsed.wordset.isdisjoint(INTENT_WORDS)
    )


def _names_rollout(parsed: Parsed) -> bool:
    """Whether a key result with no verb names a deliverable and where it goes ("SSO for all
    internal tools"): no wish for a quality, no metric at its head, and a rollout scope."""
    words = parsed.wordset
    if words.isdisjoint(ROLLOUT_SCOPE_HINTS) or not words.isdisjoint(INTENT_WORDS):
        return False
    if not words.isdisjoint(VAGUE_QUALITIES):
        return False
    head = object_phrase(parsed).head
    if head is None or head in METRIC_WORDS:
        return False
    return bool(ROLLOUT_SCOPE_RE.search(parsed.text))


_EVERY_ONE_HAS_RE = re.compile(
    r"^\W*(?:all|every|each)\s+(?:[\w-]+\s+){1,4}?(?:have|has)\s+(?:(?:a|an|their|its|one)\s+)?"
    r"(?!(?:less|fewer|more|under|over|below|above|at)\b)[a-z]",
    re.IGNORECASE,
)


def _everyone_has(parsed: Parsed) -> bool:
    """Whether a key result says every item of a kind has something ("All services have an
    SLO", "Every team has an on-call rotation"): coverage of a deliverable, like "have a
    runbook for every service"."""
    return ("have" in parsed.wordset or "has" in parsed.wordset) and bool(
        _EVERY_ONE_HAS_RE.search(parsed.text)
    )


def _delivered(parsed: Parsed) -> bool:
    """Whether the text says a deliverable is done, live or available ("X is live")."""
    return not parsed.wordset.isdisjoint(DELIVERED_HINTS) and bool(DELIVERED_RE.search(parsed.text))


# Words that say which way a named metric should go: with one, "make cost per request go
# down" names a change in a metric (an outcome without a target), not a vague wish.
_DIRECTION_CUES = frozenset(
    [
        "more",
        "fewer",
        "less",
        "higher",
        "lower",
        "faster",
        "quicker",
        "slower",
        "cheaper",
        "smaller",
        "shorter",
        "down",
        "up",
        "greater",
        "bigger",
        "larger",
    ]
)
_COMPARATIVES = frozenset(
    ["faster", "quicker", "cheaper", "smaller", "lighter", "shorter", "slower", "leaner", "safer"]
)
_WORDS_RE = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_CONTENT_OBJECTS = frozenset(
    [
        "post",
        "posts",
        "blog",
        "blogs",
        "article",
        "articles",
        "talk",
        "talks",
        "newsletter",
        "newsletters",
        "videos",
        "video",
        "podcasts",
        "episodes",
        "case",
        "studies",
    ]
)


# Verbs whose object is an event the team puts on: holding it is the point (activity).
EVENT_VERBS = frozenset(
    ["hold", "host", "run", "organise", "organize", "schedule", "facilitate", "arrange", "convene"]
)
# Verbs that finish something: a single named thing finished is a milestone (output), a
# count or a cadence of them is activity ("complete the SOC 2 audit" vs "complete 4 audits").
COMPLETION_VERBS = frozenset(["complete", "finish", "do", "perform", "finalise", "finalize"])
# Words that end the verb's object: prepositions, links, cadences and participles.
_OBJECT_END = frozenset(
    [
        "per",
        "for",
        "with",
        "at",
        "on",
        "in",
        "to",
        "before",
        "after",
        "every",
        "each",
        "across",
        "during",
        "by",
        "within",
        "under",
        "over",
        "above",
        "below",
        "from",
        "of",
        "so",
        "that",
        "which",
        "and",
        "or",
        "while",
        "once",
        "twice",
        "weekly",
        "monthly",
        "quarterly",
        "daily",
        "yearly",
        "annually",
        "biweekly",
        "fortnightly",
        "this",
        "next",
        "until",
        "through",
        "into",
        "onto",
        "against",
        "among",
        "between",
        "where",
        "who",
        "as",
        "than",
        "about",
        "around",
        "throughout",
        "held",
        "run",
        "hosted",
        "organised",
        "organized",
        "completed",
        "complete",
        "done",
        "conducted",
        "delivered",
        "published",
        "scheduled",
        "facilitated",
        "finished",
        "performed",
        "-",
        "–",
        "—",
        ":",
        "(",
        "is",
        "are",
        "was",
        "were",
        "be",
        "this",
        "a",
        "an",
    ]
)
_OBJECT_DETERMINERS = frozenset(
    ["the", "a", "an", "our", "its", "their", "this", "that", "these", "those", "all", "my"]
)
# "3 rounds of interviews": the head is what comes after "of".
_CONTAINER_NOUNS = frozenset(
    ["rounds", "round", "series", "set", "sets", "couple", "pair", "batch"]
)
_NUMBER_WORD_SET = frozenset(w for w in NUMBER_WORDS if " " not in w) - {"a", "an"}


class ObjectPhrase:
    """The noun phrase a lead verb acts on (or that a verbless key result starts with)."""

    __slots__ = ("counted", "definite", "end", "head", "modifier", "plural")

    def __init__(self, words: list[str], start: int) -> None:
        phrase: list[str] = []
        position = start
        while position < len(words) and len(phrase) < 8:
            word = words[position]
            if phrase and word in _OBJECT_END:
                if word == "of" and phrase[-1] in _CONTAINER_NOUNS:
                    phrase = []  # "two rounds of user interviews": start again after "of"
                    position += 1
                    continue
                break
            phrase.append(word)
            position += 1
        self.end = position
        self.definite = bool(phrase) and phrase[0] in _OBJECT_DETERMINERS - {"a", "an"}
        while phrase and phrase[0] in _OBJECT_DETERMINERS:
            phrase = phrase[1:]
        self.counted = bool(phrase) and (phrase[0][:1].isdigit() or phrase[0] in _NUMBER_WORD_SET)
        nouns = [w for w in phrase if not w[:1].isdigit() and w.isascii()]
        self.head = nouns[-1] if nouns else None
        self.modifier = nouns[-2] if len(nouns) > 1 else None
        head = self.head or ""
        self.plural = head.endswith("s") and not head.endswith("ss") and len(head) > 3

    @property
    def is_event(self) -> bool:
        """Whether the head names an event: "bug bashes", "an offsite", "6 chaos game days"."""
        if self.head in EVENT_NOUNS:
            return True
        return self.head in EVENT_COMPOUND_HEADS and self.modifier in EVENT_MODIFIERS


def object_phrase(parsed: Parsed) -> ObjectPhrase:
    """The object of the lead verb, or the opening noun phrase when there is no verb."""
    start = parsed.lead_index + 1 if parsed.lead_index is not None else 0
    if parsed.lead_index is None:
        while start < len(parsed.words) and not parsed.words[start][:1].isalnum():
            start += 1
    return ObjectPhrase(parsed.words, start)


def classify(kr: KeyResult, anatomy: Anatomy) -> Kind:
    """The kind of a key result, from its text and its (possibly edited) anatomy."""
    parsed = analyse(kr)
    kind, _cues = decide(parsed, anatomy)
    return kind


def classify_parsed(parsed: Parsed) -> Kind:
    """The kind of an already-analysed key result; records the deciding cue in its anatomy."""
    kind, cues = decide(parsed, parsed.anatomy)
    parsed.anatomy.cues.extend(cues)
    return kind


def decide(parsed: Parsed, anatomy: Anatomy) -> tuple[Kind, list[str]]:
    """The kind and the cue that decided it."""
    text, words = parsed.text, parsed.words
    category, verb, index = parsed.lead_category, parsed.lead_verb, parsed.lead_index
    value_tokens = [t for t in parsed.tokens if t.is_value]
    measured = any(
        (t.unit_kind in MEASURED_UNITS or t.comparator)
        and not _in_time_frame(parsed, t)
        and not _cadence_of_an_action(parsed, t)
        for t in value_tokens
    )
    has_values = (
        anatomy.target is not None
        or anatomy.baseline is not None
        or anatomy.relative_change is not None
    )
    has_metric = parsed.has_metric
    object_words = words[index + 1 : index + 7] if index is not None else words[:6]
    activity_object = not ACTIVITY_NOUNS.isdisjoint(object_words)
    # "weekly active developers" counts adoption by others, not people the team acts on
    people_object = not PEOPLE_NOUNS.isdisjoint(object_words) and "active" not in object_words

    if parsed.attached_at is not None:
        clause = parsed.lower[parsed.attached_at :]
        clause_words = _WORDS_RE.findall(clause)
        clause_values = any(t.start >= parsed.attached_at for t in value_tokens)
        clause_verb = any(
            VERB_CATEGORY.get(w, ("", ""))[0] in DIRECTION_CATEGORIES for w in clause_words
        )
        if (any(w in METRIC_WORDS for w in clause_words) or (clause_values and clause_verb)) and (
            clause_values or category in ("output", "ambiguous", None)
        ):
            return "outcome", ["kind:attached-outcome"]

    cadence = _may_be_cadence(parsed) and bool(_CADENCE_RE.search(text))
    if verb in EVENT_VERBS or verb in COMPLETION_VERBS or index is None:
        thing = object_phrase(parsed)
        if verb in EVENT_VERBS and thing.is_event:
            return "activity", [f"kind:event:{verb}"]  # "hold 6 game days", "host a bug bash"
        if verb in COMPLETION_VERBS and thing.head is not None:
            repeated = (
                thing.counted
                or cadence
                or people_object
                or (thing.plural and (thing.head in ACTIVITY_NOUNS or thing.is_event))
            )
            if repeated and (thing.head in ACTIVITY_NOUNS or thing.is_event or people_object):
                return "activity", [f"kind:repeated-action:{verb}"]  # "complete 4 audits"
            if not repeated and not measured:
                return "output", [f"kind:milestone:{verb}"]  # "complete the SOC 2 audit"
        if index is None and thing.is_event and not measured:
            after = parsed.words[thing.end] if thing.end < len(parsed.words) else ""
            if thing.counted or cadence or after in _ACTIVITY_PARTICIPLES:
                return "activity", ["kind:scheduled-event"]  # "two bug bashes per quarter"
    counted_people = people_object and any(t.unit_kind == "count" for t in value_tokens)
    # The object itself counted ("ship 12 newsletters") or a rate; a count elsewhere belongs
    # to something else ("pass the ISO 27001 audit with 0 major findings").
    counted = any(t.unit_kind == "rate" for t in value_tokens) or (
        category in ("output", "ambiguous")
        and any(t.unit_kind == "count" for t in value_tokens)
        and object_phrase(parsed).counted
    )
    if category in ("output", "ambiguous") and (
        counted_people
        or (
            _activity_head(words, index)
            and verb not in ("build", "deliver")
            # "launch a newsletter" creates a deliverable; "ship 12 newsletters" is activity
            and (category == "ambiguous" or counted or cadence)
        )
    ):
        return "activity", [f"kind:activity-object:{verb}"]
    if (
        category in ("output", "ambiguous")
        and cadence
        and not measured
        and verb not in ("deploy", "release", "ship")
        and (category == "ambiguous" or _PERIODIC_RE.search(text))
    ):
        return "activity", [f"kind:scheduled:{verb}"]
    if verb in ("hold", "host") and activity_object:
        return "activity", [f"kind:activity-object:{verb}"]
    if category == "activity":
        if verb == "onboard" and not people_object:
            return "output", ["kind:rollout"]
        if (
            verb == "train"
            and not people_object
            and not cadence
            and not _MODEL_WORDS.isdisjoint(object_words)
        ):
            return "output", ["kind:model-trained"]  # "train 3 new ranking models": a deliverable
        return "activity", [f"kind:activity-verb:{verb}"]
    if category == "ambiguous":
        if verb == "deliver" and has_metric and measured:
            return "outcome", ["kind:delivered-metric"]
        if verb == "have" and has_values and parsed.polarity is not None:
            # "have zero Sev-1 incidents this quarter": a level of a measure with a better
            # way to move, not a thing to own ("have a runbook for every service")
            return "outcome", ["kind:level-held"]
        if verb == "run" and any(
            t.comparator and t.unit_kind in MEASURED_UNITS for t in value_tokens
        ):
            return "outcome", ["kind:measured-run"]  # "run the nightly batch in under 2 hours"
        if verb == "give" and _gives_to_everyone(words, index):
            return "output", ["kind:provided:give"]  # "give every team a preview environment"
        if _activity_head(words, index) or verb in ("give", "perform", "do", "send", "record"):
            return "activity", [f"kind:activity-object:{verb}"]
        if verb == "review":
            return "activity", ["kind:reviews"]
        if verb in ("close", "merge", "resolve", "fix", "label", "annotate", "tag") and any(
            t.unit_kind == "count" for t in value_tokens
        ):
            return "activity", [f"kind:counted-action:{verb}"]
        if verb in ("run",) and _CADENCE_RE.search(text) and not has_metric:
            return "activity", [f"kind:scheduled:{verb}"]
        if verb in ("publish", "write") and any(w in _CONTENT_OBJECTS for w in object_words):
            return "activity", [f"kind:content:{verb}"]
        return "output", [f"kind:deliverable-verb:{verb}"]
    if category == "output":
        if verb in ("onboard",) and people_object:
            return "activity", ["kind:people-onboarded"]
        if verb in ("deploy", "release", "ship") and _FREQUENCY_RE.search(text):
            return "outcome", ["kind:delivery-frequency"]
        return "output", [f"kind:deliverable-verb:{verb}"]
    if category in DIRECTION_CATEGORIES or category == "improve":
        if (
            _may_progress(parsed)
            and _PROGRESS_RE.search(text)
            and not _outcome_metric_near_verb(parsed)
        ):
            return "output", ["kind:progress"]
        if category == "decrease" and not measured and _retires_assets(parsed):
            return "output", ["kind:assets-retired"]  # "Reduce Oracle DBs from 14 to 0"
        shares = any(t.unit_kind == "percent" for t in value_tokens)
        if (
            not shares
            and not parsed.wordset.isdisjoint(_ACTIVITY_COUNT_WORDS)
            and _ACTIVITY_COUNT_RE.search(text)
        ):
            return "activity", ["kind:counted-activity"]
        if (
            category in ("increase", "maintain", "reach")
            and not shares
            and not parsed.strong_metric
            and _activity_head(words, index, EVENT_NOUNS)
        ):
            return "activity", [f"kind:activity-object:{verb}"]  # "keep a weekly sync"
        if verb in ("get", "have") and counted_people:
            return "activity", ["kind:people-counted"]  # "get 10 engineers certified"
        # A standard named in a metric moving from one value to another ("Reduce ISO 27001
        # audit findings from 12 to 3") is that metric's scope, not a certificate to get.
        moving = anatomy.baseline is not None and anatomy.target is not None
        if not measured and not moving and _may_certify(parsed) and CERTIFICATION_RE.search(text):
            return "output", ["kind:milestone"]
        if not parsed.strong_metric and not measured and _delivers_things(words, index):
            return "output", ["kind:things-added"]  # "expand to 3 new regions"
        if not has_metric and not has_values and _delivered(parsed):
            return "output", ["kind:delivered"]  # "bring the new warehouse online"
        if has_metric or measured or has_values:
            return "outcome", ["kind:metric-moves"]
        if category in ("increase", "decrease") and _counts_things(parsed):
            return "outcome", ["kind:count-moves"]  # "reduce support tickets about billing"
        return "unmeasurable", ["kind:no-metric"]
    if category == "vague":
        if not measured and _may_certify(parsed) and CERTIFICATION_RE.search(text):
            return "output", ["kind:milestone"]  # "become SOC 2 compliant"
        if has_metric and has_values and measured:
            return "outcome", ["kind:vague-verb-with-metric"]
        if anatomy.relative_change is not None and parsed.wordset & _COMPARATIVES:
            return "outcome", ["kind:relative-comparison"]  # "make checkout 2x faster"
        if not measured and not has_values and _delivered(parsed):
            return "output", ["kind:delivered"]  # "make the new search the default"
        if not parsed.strong_metric and not measured and _delivers_things(words, index):
            return "output", ["kind:things-added"]  # "support 3 new languages"
        if parsed.strong_metric and not parsed.wordset.isdisjoint(_DIRECTION_CUES):
            return "outcome", ["kind:metric-direction"]  # "make cost per request go down"
        return "unmeasurable", [f"kind:vague-verb:{verb}"]
    # no lead verb: a noun phrase ("p99 < 300ms", "100% of images signed")
    if (
        not parsed.strong_metric
        and not measured
        and (cadence or value_tokens)
        and _activity_head(words, -1, EVENT_NOUNS)
    ):
        return "activity", ["kind:scheduled-event"]  # "weekly office hours", "a drill a month"
    if (
        _may_progress(parsed)
        and _PROGRESS_RE.search(text)
        and (not measured or _PROJECT_DONE_RE.search(text))
    ):
        return "output", ["kind:progress"]
    if (
        not any(t.unit_kind in MEASURED_UNITS for t in value_tokens)
        and any(t.unit_kind == "count" for t in value_tokens)
        and _PEOPLE_ACTED_RE.search(text)
    ):
        return "activity", ["kind:people-acted-on"]  # "at least 10 teams trained on X"
    if (
        not measured
        and not (parsed.strong_metric and has_values)
        and parsed.wordset.isdisjoint(_DIRECTION_CUES)
        and (_delivered(parsed) or (_may_certify(parsed) and CERTIFICATION_RE.search(text)))
    ):
        return "output", ["kind:delivered"]  # "Checkout v2 is live", "Search revamp GA"
    if not measured and not has_values and _names_deliverable_of(parsed):
        return "output", ["kind:deliverable-named"]  # "shadow deployment of the new model"
    if not measured and not has_values and _names_rollout(parsed):
        return "output", ["kind:deliverable-named"]  # "SSO for all internal tools"
    if not measured and not has_values and _everyone_has(parsed):
        return "output", ["kind:deliverable-everywhere"]  # "All services have an SLO"
    if has_metric or measured or (has_values and value_tokens):
        return "outcome", ["kind:state"]
    if not parsed.wordset.isdisjoint(_DIRECTION_CUES) and _counts_things(parsed):
        return "outcome", ["kind:count-compared"]  # "fewer security findings in the pentest"
    if anatomy.target is not None or anatomy.baseline is not None:
        return "outcome", ["kind:explicit-values"]
    return "unmeasurable", ["kind:nothing-to-measure"]


_PROGRESS_HINTS = frozenset(
    [
        "completion",
        "completed",
        "complete",
        "rolled",
        "rolled-out",
        "migrated",
        "implemented",
        "delivered",
        "shipped",
        "onboarded",
        "converted",
        "decommissioned",
        "retired",
        "done",
        "containerised",
        "containerized",
        "dockerised",
        "dockerized",
        "replatformed",
        "re-platformed",
        "upgraded",
        "ported",
        "services",
        "repos",
        "repositories",
        "teams",
        "apps",
        "applications",
        "jobs",
        "pipelines",
        "workloads",
        "clusters",
        "systems",
        "tables",
        "screens",
        "pages",
        "endpoints",
        "microservices",
        "components",
        "modules",
        "databases",
        "projects",
        "squads",
        "hosts",
        "nodes",
        "accounts",
    ]
)
_CERTIFICATION_HINTS = frozenset(
    [
        "soc",
        "soc2",
        "iso",
        "pci",
        "pci-dss",
        "hipaa",
        "gdpr",
        "fedramp",
        "certification",
        "certified",
        "accreditation",
        "audit",
        "ga",
        "general",
        "beta",
        "mvp",
        "compliant",
        "compliance",
    ]
)


_AFTER_HEAD_NOUN = frozenset(
    [
        "every",
        "each",
        "a",
        "an",
        "per",
        "for",
        "with",
        "at",
        "on",
        "in",
        "to",
        "about",
        "this",
        "next",
        "weekly",
        "monthly",
        "quarterly",
        "and",
        "or",
        "the",
        "by",
        "within",
        "during",
        "across",
        "among",
        "from",
        "against",
        "of",
    ]
)


_ACTIVITY_PARTICIPLES = frozenset(
    [
        "merged",
        "published",
        "held",
        "given",
        "hired",
        "trained",
        "closed",
        "written",
        "conducted",
        "run",
        "completed",
        "delivered",
        "reviewed",
        "hosted",
        "organised",
        "organized",
        "presented",
        "attended",
        "fixed",
        "resolved",
        "shipped",
    ]
)


def _activity_head(
    words: list[str], index: int | None, nouns: frozenset[str] = ACTIVITY_NOUNS
) -> bool:
    """Whether the verb's object is an activity noun used as the head ("a newsletter every
    week"), not as a modifier ("training jobs")."""
    if index is None:
        return False
    tail = words[index + 1 : index + 8]
    for position, word in enumerate(tail):
        if word not in nouns:
            continue
        if word == "hours" and (position == 0 or tail[position - 1] != "office"):
            continue  # "in under 2 hours" is a duration; only "office hours" is an event
        following = tail[position + 1] if position + 1 < len(tail) else None
        if (
            following is None
            or following in _AFTER_HEAD_NOUN
            or following in _ACTIVITY_PARTICIPLES
            or following in EVENT_NOUNS  # "game days", "office hours", "tech talks"
            or (word == "office" and following == "hours")
            or (word == "game" and following in ("day", "days"))
            or following[:1].isdigit()
        ):
            return True
    return False


_DELIVERABLE_NOUNS = frozenset(
    [
        "regions",
        "region",
        "markets",
        "market",
        "languages",
        "language",
        "locales",
        "locale",
        "integrations",
        "integration",
        "features",
        "feature",
        "endpoints",
        "apis",
        "sdks",
        "sdk",
        "connectors",
        "connector",
        "plugins",
        "plugin",
        "countries",
        "country",
        "platforms",
        "providers",
        "provider",
        "payment",
        "methods",
    ]
)


def _delivers_things(words: list[str], index: int | None) -> bool:
    """Whether the verb's object is a set of deliverables ("3 new regions", "two SDKs")."""
    if index is None:
        return False
    return any(w in _DELIVERABLE_NOUNS for w in words[index + 1 : index + 7])


# What a migration counts down: the systems, hosts and jobs still on the old platform.
_ASSET_HEADS = frozenset(
    [
        "databases",
        "dbs",
        "servers",
        "vms",
        "hosts",
        "instances",
        "clusters",
        "jobs",
        "pipelines",
        "repos",
        "repositories",
        "services",
        "microservices",
        "apps",
        "applications",
        "mainframes",
        "boxes",
        "appliances",
        "licences",
        "licenses",
    ]
)
_LEGACY_WORDS = frozenset(
    [
        "legacy",
        "old",
        "deprecated",
        "outdated",
        "unsupported",
        "eol",
        "end-of-life",
        "on-prem",
        "on-premise",
        "on-premises",
        "remaining",
    ]
)
# A state the assets are in makes their count a measure of hygiene, not of a migration:
# "Reduce idle EC2 instances", "unpatched hosts", "services failing health checks".
_ASSET_STATE_WORDS = frozenset(
    [
        "idle",
        "unused",
        "orphaned",
        "untagged",
        "unencrypted",
        "unpatched",
        "vulnerable",
        "failing",
        "unhealthy",
        "overprovisioned",
        "over-provisioned",
        "underutilised",
        "underutilized",
        "flaky",
        "broken",
        "misconfigured",
        "exposed",
        "public",
        "unowned",
        "without",
        "with",
    ]
)
_COUNT_NOUNS = frozenset(["number", "count", "amount"])
_QUALIFIER_END = frozenset(["from", "to", "by", "before", "within", "and", "so", "while"])


def _retires_assets(parsed: Parsed) -> bool:
    """Whether a decrease counts down old technology: "Reduce Oracle DBs from 14 to 0", "Cut
    the number of Jenkins jobs from 200 to 20", "Reduce servers on the legacy VM platform
    from 40 to 0". How many are left is the migration's progress; what retiring them
    changes (cost, risk, toil) is the outcome.

    The asset must be the thing counted, named by a product ("Oracle", "Jenkins", written
    with a capital) or called legacy, old or remaining: "Reduce incidents caused by Oracle
    DBs" counts incidents, and "Reduce services without an owner" counts a gap, not a
    migration.
    """
    if parsed.lead_index is None:
        return False
    words = parsed.words
    thing = ObjectPhrase(words, parsed.lead_index + 1)
    if thing.head in _COUNT_NOUNS and thing.end < len(words) and words[thing.end] == "of":
        thing = ObjectPhrase(words, thing.end + 1)  # "the number of Jenkins jobs"
    if thing.head not in _ASSET_HEADS:
        return False
    start = parsed.lead_index + 1
    # The words naming the asset, and what follows it up to its values ("on the legacy VM
    # platform", "still running CentOS 7").
    after: list[str] = []
    for word in words[thing.end : thing.end + 6]:
        if word in _QUALIFIER_END or word[:1].isdigit():
            break
        after.append(word)
    named_with = {*words[start : thing.end], *after}
    if not _ASSET_STATE_WORDS.isdisjoint(named_with):
        return False
    if not _LEGACY_WORDS.isdisjoint(named_with):
        return True
    named = {
        w
        for w in words[start : thing.end]
        if w != thing.head and w[:1].isalpha() and w.isalnum() and w not in _COUNT_NOUNS
    }
    return any(
        match.group(0)[0].isupper()
        for w in named
        for match in re.finditer(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", parsed.text, re.I)
    )


_RECIPIENTS = frozenset(
    [
        "team",
        "teams",
        "squad",
        "squads",
        "engineer",
        "engineers",
        "developer",
        "developers",
        "customer",
        "customers",
        "user",
        "users",
        "service",
        "services",
        "employee",
        "employees",
    ]
)


def _gives_to_everyone(words: list[str], index: int | None) -> bool:
    """Whether "give" provides something to a whole group ("give every team a preview
    environment", "give all engineers SSO"): a deliverable, unlike giving talks."""
    if index is None:
        return False
    following = words[index + 1 : index + 4]
    return (
        len(following) >= 2
        and following[0] in ("every", "all", "each")
        and (following[1] in _RECIPIENTS or (len(following) > 2 and following[2] in _RECIPIENTS))
    )


def _may_progress(parsed: Parsed) -> bool:
    return bool(parsed.wordset & _PROGRESS_HINTS)


def _may_certify(parsed: Parsed) -> bool:
    return bool(parsed.wordset & _CERTIFICATION_HINTS) or any(
        w[:1] == "v" and w[1:2].isdigit() for w in parsed.words
    )


def _outcome_metric_near_verb(parsed: Parsed) -> bool:
    """Whether the words right after the verb name a time or rate ("time from cut to 100%")."""
    if parsed.lead_index is None:
        return False
    head = parsed.words[parsed.lead_index + 1 : parsed.lead_index + 6]
    return any(
        w in ("time", "latency", "duration", "rate", "cost", "wait", "lead", "mttr") for w in head
    )
