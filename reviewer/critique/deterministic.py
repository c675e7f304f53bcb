"""The deterministic critic: a grounded critique and honest rewrites with no LLM at all.

The critique is composed from the rule findings and the passages retrieved for them: each
problem states what a rule found and quotes the sentence of the best passage that explains
it, citing its id. Rewrites come from the parsed anatomy:

- an output, activity or unmeasurable key result becomes the outcome its work should
  move, chosen from a data table (`reviewer/data/deliverable_metrics.yaml`): the kind of
  work the draft names (its topic before its verb or the form of the activity, the
  objective as context), then the metrics of that kind the draft or its objective call for,
  keeping the draft's subject (the service or product it names); when nothing in the table
  fits, an honest `Improve the <metric> of ...` rewrite rather than an unrelated metric;
- an outcome is repaired in place: `from <baseline>` where the baseline is missing,
  `to <target>` where the target is, a percentile instead of a mean latency, a placeholder
  target where the target contradicts the direction or the unit, a deadline from the period;
- a gameable metric gets its ungameable alternative (`gameable_alternatives.yaml`);
- a compound key result is split into one key result per metric.

Unknown values are visible placeholders, never numbers. The critic returns its candidates
in order of preference; verification (reviewer/verify.py) keeps the ones that pass.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..config import Config
from ..models import Critique, Finding, KeyResult, Passage, Problem, Quantity, Rewrite
from .base import CritiqueInput, CritiqueResult

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MAX_CANDIDATES = 6  # more than max_rewrites, so verification has spares

VERB_FOR_DIRECTION = {"decrease": "Reduce", "increase": "Raise"}


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


DETERMINERS = _wordset("the our a an all each every its their this these those your my both any")
STOP_WORDS = _wordset(
    """to from of for in on by with into onto across at via per than and or but so as
    that which who is are be was were will shall should must can could would may might
    we i you it they them he she this these those then when while within without after
    before during until up down out over under about"""
)
QUOTE_CHARS = 230
# Words that continue a system's name after a system noun ("service mesh").
COMPOUND_TAILS = _wordset("mesh layer tier suite bus engine registry experience")
# Time words that describe work, not a system ("weekly platform office hours").
CADENCES = _wordset("weekly monthly daily quarterly yearly annual biweekly fortnightly")

# What the summary says an outcome key result still needs, per rule code.
NEEDS = {
    "KR201": "a baseline (the value today)",
    "KR202": "a target",
    "KR203": "a target that moves the way the verb says",
    "KR204": "a baseline and a target in the same unit",
    "KR205": "a more ambitious target",
    "KR301": "a deadline",
    "KR401": "a metric that is hard to game",
    "KR402": "a named data source",
    "KR403": "a percentile (p95) rather than an average",
    "KR501": "to be split into one key result per metric",
}


# -- data tables ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MetricSpec:
    """One outcome a kind of work usually moves, as a phrase with `{system}` slots.

    `when` holds patterns that must all match, each in the draft or in its objective; a
    metric without any is a general outcome of its category. `default` marks a metric
    offered when nothing more specific in its category matched; `needs` holds patterns the
    draft itself must match (the thing measured: "jobs", not an objective's "pipelines"); a draft or objective
    matching `unless` cannot satisfy `when` ("ship faster" is not about latency).
    """

    phrase: str
    metric: str
    direction: str
    why: str
    when: tuple[re.Pattern[str], ...] = ()
    default: bool = False
    needs: tuple[re.Pattern[str], ...] = ()  # must match the draft itself
    unless: tuple[re.Pattern[str], ...] = ()  # a text matching these cannot satisfy `when`

    def fit(self, draft: str, objective: str | None = None) -> int | None:
        """0: `when` matches the draft; 1: it needs the objective too; 2: a general
        metric (no `when`); None: it does not apply."""
        if not all(p.search(draft) for p in self.needs):
            return None
        if not self.when:
            return 2
        in_draft = not any(p.search(draft) for p in self.unless)
        in_objective = bool(objective) and not any(p.search(objective) for p in self.unless)
        rank = 0
        for pattern in self.when:
            if in_draft and pattern.search(draft):
                continue
            if in_objective and pattern.search(objective):  # type: ignore[arg-type]
                rank = 1
                continue
            return None
        return rank

    def applies(self, *texts: str | None) -> bool:
        """True unless the metric is specific to drafts (or objectives) it does not match."""
        return all(any(t and p.search(t) for t in texts) for p in self.when)


@dataclass(frozen=True)
class Category:
    """A kind of engineering work, recognised by patterns, with the outcomes it serves."""

    id: str
    label: str
    topic: tuple[re.Pattern[str], ...]
    verbs: tuple[re.Pattern[str], ...]
    metrics: tuple[MetricSpec, ...]
    guidance: tuple[str, ...]
    excludes: tuple[str, ...] = ()  # categories that must not accompany this one
    weak: tuple[re.Pattern[str], ...] = ()  # the form of an activity, not its subject

    def signals(self, text: str, topic_text: str) -> tuple[float, bool]:
        """(score, whether a topic pattern is found) for `text`, given `topic_text`, the
        same text without its lead verb.

        The score is 2 per topic pattern found, 1 per verb, 0.5 per weak pattern. The lead
        verb says what kind of work it is, not its topic: "Deploy a WAF" is security work,
        "Release dark mode" a feature launch, so topics are looked for without it.
        """
        topics = sum(1 for p in self.topic if p.search(topic_text))
        score = (
            2.0 * topics
            + sum(1 for p in self.verbs if p.search(text))
            + 0.5 * sum(1 for p in self.weak if p.search(topic_text))
        )
        return score, topics > 0

    def select(
        self, draft: str, objective: str | None = None, draft_only: bool = False
    ) -> list[MetricSpec]:
        """The metrics that fit a draft, best first (see deliverable_metrics.yaml).

        Metrics whose `when` matches the draft come first, then those that need the
        objective, then one general metric if fewer than two specific ones matched; with
        no specific match, the general metrics and the defaults. `draft_only` keeps only
        metrics the draft itself calls for (for a runner-up kind of work). A metric named
        twice keeps its best place.
        """
        ranked: dict[int, list[MetricSpec]] = {0: [], 1: [], 2: []}
        defaults = []
        for spec in self.metrics:
            rank = spec.fit(draft, objective)
            if rank is not None:
                ranked[rank].append(spec)
            elif spec.default:
                defaults.append(spec)
        if draft_only:
            chosen = ranked[0]
        elif ranked[0] or ranked[1]:
            specific = ranked[0] + ranked[1]
            chosen = specific + (ranked[2][:1] if len(specific) < 2 else [])
        else:
            chosen = ranked[2] + defaults
        seen: set[str] = set()
        unique = []
        for spec in chosen:
            if spec.metric not in seen:
                seen.add(spec.metric)
                unique.append(spec)
        return unique


@dataclass(frozen=True)
class Tables:
    """The deterministic critic's data, loaded once."""

    categories: tuple[Category, ...]
    alternatives: tuple[tuple[tuple[re.Pattern[str], ...], MetricSpec], ...]
    system_nouns: frozenset[str]
    tool_nouns: frozenset[str] = frozenset()
    noun_modifiers: frozenset[str] = frozenset()
    drop_modifiers: frozenset[str] = frozenset()
    product_nouns: frozenset[str] = frozenset()
    qualifier_systems: tuple[tuple[re.Pattern[str], str], ...] = ()
    measure_words: frozenset[str] = frozenset()
    not_adopted: frozenset[str] = frozenset()
    tool_verbs: frozenset[str] = frozenset()


_LEAD_VERB = re.compile(
    r"^\s*(?:deploy|release|ship|launch|build|run|roll out|test|document|automate|cache)\b",
    re.IGNORECASE,
)


def _compile(patterns: list[str] | str | None) -> tuple[re.Pattern[str], ...]:
    if isinstance(patterns, str):
        patterns = [patterns]
    return tuple(re.compile(p, re.IGNORECASE) for p in (patterns or []))


def _spec(entry: dict[str, Any]) -> MetricSpec:
    return MetricSpec(
        phrase=entry["phrase"],
        metric=entry["metric"],
        direction=entry["direction"],
        why=entry["why"],
        when=_compile(entry.get("when")),
        default=bool(entry.get("default", False)),
        needs=_compile(entry.get("needs")),
        unless=_compile(entry.get("unless")),
    )


def _lower_set(items: list[Any] | None) -> frozenset[str]:
    return frozenset(str(item).lower() for item in (items or []))


@lru_cache(maxsize=1)
def load_tables(data_dir: Path = DATA_DIR) -> Tables:
    """Parse the YAML tables in reviewer/data (cached for the process)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is 6x faster at start-up
    deliverables = yaml.load((data_dir / "deliverable_metrics.yaml").read_text("utf-8"), loader)
    gameable = yaml.load((data_dir / "gameable_alternatives.yaml").read_text("utf-8"), loader)
    categories = tuple(
        Category(
            id=c["id"],
            label=c["label"],
            topic=_compile(c.get("topic")),
            verbs=_compile(c.get("verbs")),
            metrics=tuple(_spec(m) for m in c["metrics"]),
            guidance=tuple(c.get("guidance", [])),
            excludes=tuple(c.get("excludes", [])),
            weak=_compile(c.get("weak")),
        )
        for c in deliverables["categories"]
    )
    alternatives = tuple((_compile(a["match"]), _spec(a)) for a in gameable["alternatives"])
    qualifiers = tuple(
        (re.compile(rf"\b{re.escape(str(word))}\b", re.IGNORECASE), str(system))
        for word, system in (deliverables.get("qualifier_systems") or {}).items()
    )
    return Tables(
        categories=categories,
        alternatives=alternatives,
        system_nouns=_lower_set(deliverables.get("system_nouns")),
        tool_nouns=_lower_set(deliverables.get("tool_nouns")),
        noun_modifiers=_lower_set(deliverables.get("noun_modifiers")),
        drop_modifiers=_lower_set(deliverables.get("drop_modifiers")),
        product_nouns=_lower_set(deliverables.get("product_nouns")),
        qualifier_systems=qualifiers,
        measure_words=_lower_set(deliverables.get("measure_words")),
        tool_verbs=_lower_set(deliverables.get("tool_verbs")),
        not_adopted=_lower_set(deliverables.get("not_adopted")),
    )


def rank_categories(
    text: str, objective: str | None = None, subject: str | None = None
) -> list[tuple[Category, float]]:
    """Categories whose patterns match the draft, best first.

    The work decides the category more than the system it is done to: in "Add caching to
    the search API" the caching is the work. So matches inside the draft's `subject` phrase
    (when it is not what the work delivers) and in the objective count half, and a tie goes
    to the category the draft itself names.
    """
    return [(category, score) for category, score, _text in _ranked(text, objective, subject)]


@lru_cache(maxsize=256)  # the critique and its rewrites rank the same draft
def _ranked(
    text: str, objective: str | None, subject: str | None
) -> tuple[tuple[Category, float, float], ...]:
    work = text
    if subject and subject in text and not _is_deliverable(text, subject):
        work = text.replace(subject, " ")
        # Only work with a topic of its own outranks its subject: "Add caching to the search
        # API" is performance work, but "Finish the pricing page redesign" is pricing work.
        if not any(named for _score, named in _category_signals(work)):
            work = text
    own_signals = _category_signals(work)
    subject_signals = _category_signals(subject) if work is not text and subject else None
    objective_signals = _category_signals(objective) if objective else None
    text_signals = _category_signals(text)
    ranked = []
    for position, category in enumerate(load_tables().categories):
        own = own_signals[position][0]
        if subject_signals is not None:
            own += 0.5 * subject_signals[position][0]
        score = own + (0.5 * objective_signals[position][0] if objective_signals else 0.0)
        if score > 0:
            # A kind of work whose topic the draft itself names outranks one that only the
            # objective, a verb or the form of the activity suggests.
            named = text_signals[position][1]
            ranked.append((category, score, own, position, named))
    ranked.sort(key=lambda item: (not item[4], -item[1], -item[2], item[3]))
    return tuple((category, score, own) for category, score, own, _, _ in ranked)


@lru_cache(maxsize=1024)
def _category_signals(text: str) -> tuple[tuple[float, bool], ...]:
    """Every category's (score, names its topic) for `text`, in table order.

    The lead verb is stripped once, not once per category, and a text met again is not
    searched again: an objective is shared by its key results, and the critique and its
    rewrites rank the same draft. Scored per category and per call, this made nine in ten
    of an offline review's regex searches (318,000 for 300 key results; 32,000 now).
    """
    topic_text = _LEAD_VERB.sub(" ", text, count=1)
    return tuple(category.signals(text, topic_text) for category in load_tables().categories)


def _is_deliverable(text: str, subject: str) -> bool:
    """True when `subject` is what the draft's lead verb delivers ("Build an internal portal")."""
    deliverable = find_deliverable(text)
    return bool(deliverable) and (deliverable in subject or subject in deliverable)


# -- the draft's subject ---------------------------------------------------------------------
_WORD = re.compile(r"[A-Za-z0-9][\w.\-/+']*")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9\-]*")


def _verbs() -> frozenset[str]:
    try:
        from ..anatomy.lexicon import VERB_CATEGORY

        return frozenset(VERB_CATEGORY)
    except Exception:  # the lexicon is the rules engineer's; degrade to no verb knowledge
        return frozenset()


def _noun_phrase(words: list[str], head: int, verbs: frozenset[str]) -> str:
    tables = load_tables()
    start = head
    modifiers = 0
    while start > 0 and modifiers < 3:
        word = words[start - 1]
        lower = word.lower()
        if lower in DETERMINERS:
            start -= 1
            break
        # "billing service" is a name; so are "build system" and "search service", unless
        # the verb opens the draft ("Build systems ...").
        is_verb = (
            lower in verbs
            and not lower.endswith("ing")
            and not (lower in tables.noun_modifiers and start - 1 > 0)
        )
        if lower in STOP_WORDS or is_verb or lower in CADENCES or not re.match(r"[A-Za-z]", word):
            break
        start -= 1
        modifiers += 1
    return " ".join(words[start : head + 1])


def _with_article(phrase: str) -> str:
    words = phrase.split()
    first = words[0].lower()
    if first in ("a", "an"):
        words = ["the", *words[1:]]
        first = "the"
    # The rewrite measures the system, not its newness: "the new service mesh" -> "the
    # service mesh" (a name of one word keeps it: "the new CI" stays).
    body = words[1:] if first in DETERMINERS else words
    drop = load_tables().drop_modifiers
    while len(body) > 1 and body[0].lower() in drop:
        body = body[1:]
    # A determiner that opened the draft keeps no capital inside a rewrite: "All services
    # have an SLO" -> "the availability of all services".
    words = ([first] if first in DETERMINERS else []) + body
    if first in DETERMINERS:
        return " ".join(words)
    if (
        len(words) == 1
        and words[0][:1].isupper()
        and words[0].lower() not in load_tables().system_nouns
    ):
        return words[0]  # a proper name: "Postgres", "Checkout" (but "the API")
    return "the " + " ".join(words)


def system_phrase(text: str | None) -> str | None:
    """The service or product a draft names, as written ("payments service"), if any."""
    if not text:
        return None
    tables = load_tables()
    verbs = _verbs()
    words = [w.strip(".,;:") for w in _WORD.findall(text)]
    lowered = [w.lower() for w in words]
    heads = [
        i
        for i, w in enumerate(lowered)
        if w in tables.system_nouns
        and not (i + 1 < len(lowered) and lowered[i + 1] in tables.system_nouns)
        and i > 0  # the first word is the lead verb or the metric, not a subject
    ]
    # In one noun phrase the last system noun is the head: "search indexing pipeline".
    head_set = set(heads)
    heads = [i for i in heads if not _later_head_in_phrase(lowered, i, head_set)]
    # A tool the work builds ("a dashboard for checkout errors") is not the subject when
    # the draft names the system it serves.
    if any(lowered[i] not in tables.tool_nouns for i in heads):
        heads = [i for i in heads if lowered[i] not in tables.tool_nouns]
    for head in heads:
        if head + 1 < len(lowered) and lowered[head + 1] in COMPOUND_TAILS:
            head += 1  # a compound name: "service mesh", "checkout experience"
        phrase = _noun_phrase(words, head, verbs)
        # A bare noun right after the verb is the metric's object ("Improve API
        # reliability") unless it is an acronym ("API", "SDK").
        if phrase.lower() not in tables.system_nouns or head > 1 or phrase.isupper():
            return phrase
    return None


def _later_head_in_phrase(lowered: list[str], head: int, heads: set[int]) -> bool:
    # A noun phrase is a few words long; the cap keeps a pathological draft linear.
    for index in range(head + 1, min(len(lowered), head + 6)):
        word = lowered[index]
        if word in STOP_WORDS or word in DETERMINERS or word[:1].isdigit():
            return False
        if index in heads:
            return True
    return False


def find_system(text: str | None) -> str | None:
    """The service or product a draft names, ready for a rewrite ("the payments service")."""
    phrase = system_phrase(text)
    return _with_article(phrase) if phrase else None


def qualified_system(text: str | None) -> str | None:
    """The product a qualifier implies when no system is named ("mobile engineers")."""
    if not text:
        return None
    for pattern, system in load_tables().qualifier_systems:
        if pattern.search(text):
            return system
    return None


def subject_of(ctx: CritiqueInput) -> tuple[str | None, str | None]:
    """The rewrite's subject and the draft's deliverable: a named system, else a proper name
    the work is done to ("Postgres"), else a product a qualifier implies ("mobile
    engineers": the mobile app), else the objective's system or product."""
    text = ctx.key_result.text
    tables = load_tables()
    deliverable = find_deliverable(text)
    system = find_system(text)
    lead = (text.split() or [""])[0].lower()
    if (
        system is None
        and deliverable
        and all(word[:1].isupper() for word in deliverable.split())  # "API reliability" is not
        and not deliverable.isupper()  # "SOC" in "Complete the SOC 2 audit" is no system
        and len(deliverable.split()) <= 3
        and lead not in tables.tool_verbs  # "Integrate Stripe": a tool, not the subject
    ):
        system = deliverable
    system = system or qualified_system(text)
    objective = ctx.objective_text
    return system or find_system(objective) or qualified_system(objective), deliverable


def find_deliverable(text: str) -> str | None:
    """What an output key result ships: the noun phrase after its lead verb."""
    verbs = _verbs()
    words = [w.strip(".,;:") for w in _WORD.findall(text)]
    index = 0
    while index < len(words) and words[index].lower() not in verbs:
        index += 1
        if index > 3:
            return None
    phrase: list[str] = []
    for word in words[index + 1 :]:
        lower = word.lower()
        # Verbs inside a name are nouns here: "the LLM support assistant".
        if lower in STOP_WORDS or re.match(r"\d", word):
            break
        phrase.append(word)
        if len(phrase) >= 5:
            break
    while phrase and phrase[0].lower() in DETERMINERS:
        phrase.pop(0)
    return " ".join(phrase) if phrase else None


# Words that end the topic phrase after "for" / "about" ("... about checkout this quarter").
_ABOUT_END = _wordset("every each per next end last quarter half year month week sprint")
_ABOUT_LEADS = _wordset("for about on across")


def find_about(text: str) -> str | None:
    """What an activity or deliverable is about: the noun phrase after its first "for",
    "about", "on" or "across" ("runbooks for the top 10 alerts" -> "the top 10 alerts")."""
    words = [w.strip(".,;:") for w in _WORD.findall(text)]
    for index, word in enumerate(words[1:], start=1):
        if word.lower() not in _ABOUT_LEADS:
            continue
        phrase: list[str] = []
        for following in words[index + 1 :]:
            lower = following.lower()
            if lower in STOP_WORDS or lower in _ABOUT_END or re.fullmatch(r"[qh][1-4]", lower):
                break
            phrase.append(following)
            if len(phrase) >= 5:
                break
        content = [w for w in phrase if w.lower() not in DETERMINERS and not w[:1].isdigit()]
        if content:
            return " ".join(phrase)
        return None
    return None


def _same_word(first: str, second: str) -> bool:
    """The same word give or take a plural ending: "payment"/"payments", "search"/"searches"."""
    short, long = sorted((first, second), key=len)
    return long == short or (
        len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 2
    )


def names_system(phrase: str, system: str) -> bool:
    """True when a metric phrase already names the system ("checkout conversion rate" and
    "the checkout service"), so writing the system again would only repeat it."""
    tables = load_tables()
    own = [
        w for w in _TOKEN.findall(system.lower()) if w not in DETERMINERS | tables.drop_modifiers
    ]
    head = own[-1] if own else ""
    if len(own) > 1 and (head in tables.system_nouns or head in COMPOUND_TAILS):
        own = own[:-1]  # "the checkout service": the name is "checkout"
    if not own:
        return False
    words = _TOKEN.findall(phrase.replace("{system}", " ").lower())
    named = [any(_same_word(o, w) for w in words) for o in own]
    # For a backend part one shared name word is enough: "the share of searches" says all
    # "the search indexing pipeline" would; "the AI support assistant" is more than support.
    return all(named) or (any(named) and head in tables.not_adopted)


def fill(
    phrase: str, system: str | None, deliverable: str | None, about: str | None = None
) -> str | None:
    """A metric phrase with its slots filled; None when it needs a deliverable (or what the
    work is about) and the draft names none."""
    for slot, value in (("{deliverable}", deliverable), ("{about}", about)):
        if slot in phrase:
            if not value:
                return None
            phrase = phrase.replace(slot, value)
    if system and not names_system(phrase, system):
        return phrase.replace("{system}", system)
    phrase = re.sub(
        r"\s+(?:of|for|to|in|into|on|across|with|about|through|by|from|affecting)\s+\{system\}(?:'s)?",
        "",
        phrase,
    )
    phrase = phrase.replace("{system} ", "").replace(" {system}", "").replace("{system}", "")
    return " ".join(phrase.split())


# -- the deadline ------------------------------------------------------------------------------
_DEADLINE_LEAD = re.compile(
    r"^(by|before|until|till|in|within|during|at|end of|the end of|this|next|on)\b", re.I
)


def deadline_phrase(ctx: CritiqueInput) -> tuple[str, bool]:
    """The deadline to write in a rewrite, and whether it is a placeholder."""
    for value in (ctx.key_result.deadline, ctx.anatomy.deadline):
        if value and value.strip():
            value = " ".join(value.split())
            return (value if _DEADLINE_LEAD.match(value) else f"by {value}"), False
    if ctx.period and ctx.period.strip():
        return f"by the end of {' '.join(ctx.period.split())}", False
    return "by <deadline>", True


# -- the critic ------------------------------------------------------------------------------
class DeterministicCritic:
    """Writes a critique and rewrite candidates from findings, passages and the anatomy."""

    def __init__(self, config: Config) -> None:
        self.config = config
        load_tables()  # fail early (and once) on a broken table

    def critique(self, ctx: CritiqueInput) -> CritiqueResult:
        """The critique and its rewrite candidates (unverified, best first)."""
        categories = rank_categories(
            ctx.key_result.text, ctx.objective_text, system_phrase(ctx.key_result.text)
        )
        rewrites = self.rewrites(ctx, categories)
        critique = Critique(
            critic="deterministic",
            summary=self._summary(ctx, categories, rewrites),
            problems=[],
            kind_opinion=ctx.kind,
        )
        self._ground(critique, ctx)
        return CritiqueResult(critique=critique, rewrites=rewrites)

    # -- the critique text -------------------------------------------------------------------
    def _summary(
        self,
        ctx: CritiqueInput,
        categories: list[tuple[Category, float]],
        rewrites: list[Rewrite] = (),  # type: ignore[assignment]
    ) -> str:
        serious = [f for f in ctx.findings if f.severity in ("error", "warning")]
        # The examples are the metrics the rewrites use, so the summary and they agree.
        examples = list(
            dict.fromkeys(r.metric for r in rewrites if r.metric and not r.metric.startswith("<"))
        )[:2] or _metric_examples(categories, ctx)
        codes = {f.code for f in serious}
        if ctx.kind == "output" or "KR101" in codes:
            work = f" ({categories[0][0].label})" if categories else ""
            text = (
                f"This key result names a deliverable{work} rather than the change it should "
                "cause, so it could be marked done while nothing improves for users or the "
                "business."
            )
            return text + _suggest(examples, "Name the result the work is for")
        if ctx.kind == "activity" or "KR102" in codes:
            text = (
                "This key result counts the team's own activity, which can rise without "
                "anything getting better."
            )
            return text + _suggest(examples, "Name what the activity is meant to change")
        if ctx.kind == "unmeasurable" or "KR103" in codes:
            text = (
                "This key result states an intention without a metric, so nobody can tell at "
                "the end of the period whether it was met."
            )
            return text + _suggest(examples, "Pick the one metric that would show it")
        if not serious:
            if ctx.findings:
                return (
                    "This key result names an outcome with a direction and values; only "
                    "minor notes remain."
                )
            return (
                "This key result names an outcome metric with a direction, values and a time "
                "frame; no rule found a problem."
            )
        metric = f" ({ctx.anatomy.metric})" if ctx.anatomy.metric else ""
        needs = [NEEDS[f.code] for f in serious if f.code in NEEDS]
        needs = list(dict.fromkeys(needs)) or [f.name.replace("-", " ") for f in serious]
        return f"This key result measures an outcome{metric}; it still needs {_join(needs)}."

    def _ground(self, critique: Critique, ctx: CritiqueInput) -> None:
        """One problem per finding, each quoting and citing the passage that explains it."""
        used_sentences: set[str] = set()
        order = {"error": 0, "warning": 1, "info": 2}
        for finding in sorted(ctx.findings, key=lambda f: order.get(f.severity, 3)):
            passage = _passage_for(finding, ctx.passages)
            text = finding.message.rstrip()
            citations: list[str] = []
            if passage is not None:
                sentence = best_sentence(passage, _finding_words(finding, ctx), used_sentences)
                if sentence:
                    used_sentences.add(sentence)
                    text = f"{_sentence_end(text)} {passage.title}: “{sentence}”"
                citations.append(passage.id)
            critique.problems.append(Problem(text=text, citations=citations))
        cited_ids = {c for p in critique.problems for c in p.citations}
        if not cited_ids and ctx.passages:
            top = ctx.passages[0]
            words = _words(ctx.key_result.text) | _words(" ".join(f.code for f in ctx.findings))
            sentence = best_sentence(top, words, used_sentences)
            if critique.problems:
                critique.problems[0].citations.append(top.id)
                if sentence:
                    critique.problems[0].text += f" {top.title}: “{sentence}”"
            elif sentence:
                critique.summary = f"{critique.summary} {top.title}: “{sentence}”"
            cited_ids.add(top.id)
        by_id = {p.id: p for p in ctx.passages}
        critique.cited = [
            by_id[i]
            for i in dict.fromkeys(c for p in critique.problems for c in p.citations)
            if i in by_id
        ]
        if not critique.cited and ctx.passages:
            critique.cited = [ctx.passages[0]]

    # -- rewrites ------------------------------------------------------------------------------
    def rewrites(
        self, ctx: CritiqueInput, categories: list[tuple[Category, float]] | None = None
    ) -> list[Rewrite]:
        """Rewrite candidates, best first; empty when no warning or error fired."""
        serious = {f.code for f in ctx.findings if f.severity in ("error", "warning")}
        if not serious:
            return []
        if categories is None:
            categories = rank_categories(
                ctx.key_result.text, ctx.objective_text, system_phrase(ctx.key_result.text)
            )
        candidates: list[Rewrite] = []
        anatomy = ctx.anatomy
        # No direction and no value at all: nothing of an outcome to repair, whatever the
        # classifier said ("Right-size the staging clusters").
        valueless = not (anatomy.baseline or anatomy.target or anatomy.relative_change)
        shapeless = anatomy.direction in (None, "maintain") and valueless
        # A direction on a thing rather than a measure ("Speed up the CI pipeline"): repairing
        # it in place would give "Reduce CI pipeline from <baseline>", so name the outcome.
        unmeasured = valueless and not _names_a_measure(anatomy.metric)
        not_outcome = (
            ctx.kind in ("output", "activity", "unmeasurable")
            or bool(serious & {"KR101", "KR102", "KR103"})
            or ((shapeless or unmeasured) and bool(categories))
        )
        if not_outcome:
            candidates += self._outcome_rewrites(ctx, categories)
        else:
            ungameable = self._ungameable(ctx) if "KR401" in serious else []
            if "KR501" in serious:
                candidates += self._split(ctx, serious) + ungameable
            elif ungameable:
                # A gameable metric is replaced, not repaired: a repair would keep it and
                # still trip KR401, the warning this critique has just explained.
                candidates += ungameable
            else:
                repaired = self._repair(ctx.key_result.text, ctx, serious)
                if repaired is not None:
                    candidates.append(repaired)
        unique: list[Rewrite] = []
        draft = _normal(ctx.key_result.text)
        for candidate in candidates:
            key = _normal(candidate.text)
            if key != draft and all(_normal(u.text) != key for u in unique):
                unique.append(candidate)
        return unique[:MAX_CANDIDATES]

    def _placeholder_rewrite(
        self, ctx: CritiqueInput, spec: MetricSpec, phrase: str, rationale: str
    ) -> Rewrite:
        deadline, deadline_unknown = deadline_phrase(ctx)
        verb = VERB_FOR_DIRECTION.get(spec.direction, "Improve")
        text = f"{verb} {phrase} from <baseline> to <target> {deadline}"
        return _finish_rewrite(
            ctx,
            text=text,
            metric=spec.metric,
            baseline="<baseline>",
            target="<target>",
            deadline="<deadline>" if deadline_unknown else deadline,
            rationale=rationale,
        )

    def _outcome_rewrites(
        self, ctx: CritiqueInput, categories: list[tuple[Category, float]]
    ) -> list[Rewrite]:
        """For work that is not an outcome: the outcomes that work should move."""
        system, deliverable = subject_of(ctx)
        tables = load_tables()
        if deliverable is None and ctx.kind == "output":
            deliverable = system  # "Achieve 100% completion of the pricing page redesign"
        if deliverable and ctx.kind != "output":
            deliverable = None  # "users who use customers": only a shipped thing is adopted
        elif deliverable and deliverable.lower().split()[-1] in (
            tables.system_nouns | tables.product_nouns
        ):
            deliverable = _with_article(deliverable)
        if (
            system is None
            and deliverable
            and deliverable.split()[-1].lower() in tables.system_nouns
        ):
            system = deliverable  # "Build a feature store": the store is what gets measured
        if deliverable and deliverable.split()[-1].lower() in tables.not_adopted:
            deliverable = None  # nobody "uses" a billing engine: its users use the product
        draft, objective = ctx.key_result.text, ctx.objective_text
        about = find_about(draft)
        ranked = _ranked(draft, objective, system_phrase(draft))
        # A runner-up found only through the objective would drift from the draft's subject.
        chosen = list(ranked[:1]) + [
            c
            for c in ranked[1:2]
            if c[1] >= 2.0
            and (c[2] > 0 or ranked[0][2] == 0)
            and c[0].id not in ranked[0][0].excludes
            and ranked[0][0].id not in c[0].excludes
        ]
        per_category: list[list[Rewrite]] = []
        seen: set[str] = set()
        for position, (category, _score, own) in enumerate(chosen):
            # A category found only through the objective may not fit the draft's own
            # subject (a subject taken from the objective fits it, of course).
            subject = system if own > 0 or not system_phrase(draft) else None
            rewrites = []
            # The runner-up adds only what the draft itself calls for, never its generalities.
            for spec in category.select(draft, objective, draft_only=position > 0):
                phrase = fill(spec.phrase, subject, deliverable, about)
                if phrase is None or spec.metric in seen:
                    continue
                seen.add(spec.metric)
                rewrites.append(self._placeholder_rewrite(ctx, spec, phrase, spec.why))
            per_category.append(rewrites)
        if not any(per_category):
            return self._generic(ctx, system, deliverable)
        main = per_category[0]
        runner_up = per_category[1] if len(per_category) > 1 else []
        # Two outcomes of the main kind of work, then the best of the runner-up, then the rest.
        return main[:2] + runner_up[:1] + main[2:] + runner_up[1:]

    def _generic(
        self, ctx: CritiqueInput, system: str | None, deliverable: str | None
    ) -> list[Rewrite]:
        """No table entry fits: an honest rewrite that leaves the metric to the author.

        A specific but unrelated metric would mislead ("time to fill open roles" for a
        customer interview); a visible `<metric>` placeholder with the draft's subject,
        the baseline left open and advice to instrument it first does not.
        """
        if system:
            where = f"of {system}"
        elif deliverable:
            where = f"of {_with_article(deliverable)}"
        elif ctx.objective_text:
            where = "that shows the objective is met"
        else:
            where = "of the outcome this work serves"
        deadline, deadline_unknown = deadline_phrase(ctx)
        goal = f" (the objective: “{ctx.objective_text.strip()}”)" if ctx.objective_text else ""
        rationale = (
            "No outcome in the critic's table fits this work, so the metric is left for you "
            "to name: what should change for users or the business once the work is done"
            f"{goal}, not a count of the work itself."
        )
        return [
            _finish_rewrite(
                ctx,
                text=f"Improve the <metric> {where} from <baseline> to <target> {deadline}",
                metric="<metric>",
                baseline="<baseline>",
                target="<target>",
                deadline="<deadline>" if deadline_unknown else deadline,
                rationale=rationale,
            )
        ]

    def _ungameable(self, ctx: CritiqueInput) -> list[Rewrite]:
        system, _deliverable = subject_of(ctx)
        out = []
        for patterns, spec in load_tables().alternatives:
            if any(p.search(ctx.key_result.text) for p in patterns):
                phrase = fill(spec.phrase, system, None)
                if phrase:
                    out.append(self._placeholder_rewrite(ctx, spec, phrase, spec.why))
        return out[:2]

    def _split(self, ctx: CritiqueInput, serious: set[str]) -> list[Rewrite]:
        """A compound key result as one rewrite per metric."""
        parts = split_compound(ctx.key_result.text)
        out = []
        for part in parts:
            repaired = self._repair(part, ctx, serious - {"KR501"}, force=True)
            if repaired is not None:
                out.append(repaired)
        return out

    def _repair(
        self, text: str, ctx: CritiqueInput, codes: set[str], force: bool = False
    ) -> Rewrite | None:
        """The draft with its outcome-level problems fixed in place."""
        from ..anatomy import parse_anatomy

        kr = ctx.key_result
        explicit = KeyResult(
            text=text,
            baseline=kr.baseline if text == kr.text else None,
            target=kr.target if text == kr.text else None,
            deadline=kr.deadline if text == kr.text else None,
        )
        anatomy = parse_anatomy(explicit)
        edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in `text`
        notes: list[str] = []
        baseline, target = anatomy.baseline, anatomy.target

        def in_text(q: Quantity | None) -> bool:
            return q is not None and q.span is not None and text[q.span[0] : q.span[1]] == q.raw

        if "KR403" in codes:
            mean = re.search(r"\b(mean|average|avg\.?)\s+", text, re.IGNORECASE)
            if mean:
                edits.append((mean.start(), mean.end(), "p95 "))
            else:
                on_avg = re.search(r",?\s+on average\b", text, re.IGNORECASE)
                lat = re.search(r"\b(latency|response times?|load times?)\b", text, re.IGNORECASE)
                if on_avg and lat:
                    edits.append((on_avg.start(), on_avg.end(), ""))
                    edits.append((lat.start(), lat.start(), "p95 "))
            # Mean values do not carry over to a percentile: measure the p95 first.
            for q in (baseline, target):
                if in_text(q):
                    placeholder = "<baseline>" if q is baseline else "<target>"
                    edits.append(_value_edit(text, q, placeholder))  # type: ignore[arg-type]
            notes.append("the mean values do not carry over to p95: measure the p95 baseline")
        elif codes & {"KR203", "KR204", "KR205"} and in_text(target):
            edits.append(_value_edit(text, target, "<target>"))  # type: ignore[arg-type]
            if "KR203" in codes:
                notes.append("the old target moved against the stated direction")
            elif "KR204" in codes:
                notes.append("state the target in the baseline's unit")
            else:
                notes.append("set a target that stretches the team")

        if baseline is None and not kr.baseline:
            reshaped = None if edits else self._reshape(ctx, anatomy, text)
            if reshaped is not None:
                return reshaped
            anchor = self._baseline_anchor(text, anatomy)
            if anchor is None:
                rebuilt = self._reconstruct(ctx, anatomy, text)
                if rebuilt is not None or not in_text(target):
                    return rebuilt
                # "Deploy 5 times a day": no metric to rebuild around, so say where it starts.
                anchor = (target.span[1], target.span[1], " (today: <baseline>)")  # type: ignore[union-attr, index]
            edits.append(anchor)
        if target is None and anatomy.relative_change is None and not kr.target:
            if in_text(baseline):
                edits.append((baseline.span[1], baseline.span[1], " to <target>"))  # type: ignore[union-attr, index]
            elif baseline is None:
                pass  # the baseline anchor already wrote "from <baseline> to <target>"
        new_text = _apply(text, edits)
        deadline: str | None = None
        if not anatomy.deadline and not kr.deadline and (edits or "KR301" in codes):
            deadline, _unknown = deadline_phrase(ctx)
            new_text = _with_deadline(new_text, deadline)
        new_text = " ".join(new_text.split())
        if not force and _normal(new_text) == _normal(text):
            return None
        rationale = (
            "Keeps the draft's metric and values; "
            + ("; ".join(notes) if notes else "adds what a reader needs to score it")
            + "."
        )
        return _finish_rewrite(ctx, text=new_text, rationale=rationale, deadline=deadline)

    def _baseline_anchor(self, text: str, anatomy) -> tuple[int, int, str] | None:  # type: ignore[no-untyped-def]
        """Where to write `from <baseline>` in a draft that has none."""
        target, relative = anatomy.target, anatomy.relative_change
        if anatomy.direction == "maintain" and target is not None and target.span is not None:
            return (target.span[1], target.span[1], " (today: <baseline>)")
        if target is not None and target.span is not None:
            start = target.span[0]
            before = text[:start]
            to = re.search(r"\b(to|at)\s*$", before, re.IGNORECASE)
            if to:
                return (to.start(), to.start(), "from <baseline> ")
            if target.comparator or re.search(
                r"\b(below|under|above|over|less than|more than|at least|at most|within)\s*$",
                before,
                re.I,
            ):
                return (start, start, "from <baseline> to ")
            return None
        if relative is not None and relative.span is not None:
            end = relative.span[1]
            after = text[end:]
            comparative = re.match(
                r"\s+(?:more|less|fewer|faster|slower|higher|lower|cheaper|quicker)\b(?:\s+\w+ly\b)?",
                after,
                re.IGNORECASE,
            )
            if comparative:  # "Deploy 3x more frequently": say where "more" starts from
                at = end + comparative.end()
                return (at, at, " (today: <baseline>)")
            metric = anatomy.metric
            found = text.find(metric) if metric else -1
            if found > end:  # "Double the click-through rate ...": after the metric
                at = found + len(metric)
                return (at, at, " from <baseline>")
            return (end, end, " from <baseline>")
        return None

    def _reshape(self, ctx: CritiqueInput, anatomy, text: str) -> Rewrite | None:  # type: ignore[no-untyped-def]
        """A state written without a verb, rebuilt as a change from a baseline.

        "Reach 95% of dashboards refreshed within 15 minutes" becomes "Raise the share of
        dashboards refreshed within 15 minutes from <baseline> to 95%"; "p99 < 300ms"
        becomes "Reduce p99 latency from <baseline> to under 300ms".
        """
        target = anatomy.target
        if target is None or target.span is None:
            return None
        body = text.strip().rstrip(".")
        deadline_in_text = ""
        if anatomy.deadline:
            tail = re.search(
                r"[\s,]+(?:(?:by|before|until|in|at)\s+)?(?:the\s+)?"
                + re.escape(anatomy.deadline)
                + r"$",
                body,
                re.IGNORECASE,
            )
            if tail:
                deadline_in_text = anatomy.deadline
                body = body[: tail.start()]
        share = _SHARE_STATE.match(body)
        if share and share.group("value") == target.raw.strip():
            verb, metric = "Raise", f"the share of {share.group('rest').strip()}"
            value = share.group("value")
        else:
            first = (body.split() or [""])[0].lower()
            metric = anatomy.metric or ""
            if first in _verbs() or not metric or not body.lower().startswith(metric.lower()):
                return None
            value = _COMPARATOR_LEAD.sub("", target.raw).strip()
            comparator = (target.comparator or "").strip()
            lead = _COMPARATOR_LEAD.match(target.raw)
            written = lead.group(0).strip() if lead else ""
            # The draft's own word ("below") if it used one, else a word for its symbol.
            word = written if written[:1].isalpha() else _COMPARATOR_WORDS.get(comparator, written)
            if metric[:1].isupper() and metric[1:2].islower() and _direction_of(metric.split()[0]):
                metric = metric[0].lower() + metric[1:]  # "Error rate" opened the draft
            if (
                re.fullmatch(r"p\d{2}(?:\.\d+)?", metric, re.IGNORECASE)
                and target.unit_kind == "duration"
            ):
                metric = f"{metric} latency"  # "p99 < 300ms" is a latency
            direction = _direction_of(metric) or (
                "decrease" if comparator in ("<", "<=", "≤") else "increase"
            )
            verb = VERB_FOR_DIRECTION[direction]
            value = f"{word} {value}".strip()
        if deadline_in_text:
            deadline = (
                deadline_in_text
                if _DEADLINE_LEAD.match(deadline_in_text)
                else f"by {deadline_in_text}"
            )
        else:
            deadline, _unknown = deadline_phrase(ctx)
        new_text = f"{verb} {metric} from <baseline> to {value} {deadline}"
        return _finish_rewrite(
            ctx,
            text=new_text,
            rationale="Keeps the draft's metric and target; states where it starts.",
        )

    def _reconstruct(self, ctx: CritiqueInput, anatomy, text: str) -> Rewrite | None:  # type: ignore[no-untyped-def]
        """Rebuild "<verb> <metric> from <baseline> to <target> <deadline>" from the anatomy."""
        if not anatomy.metric:
            return None
        direction = anatomy.direction
        if direction not in VERB_FOR_DIRECTION:
            direction = _direction_of(anatomy.metric)
        verb = VERB_FOR_DIRECTION.get(direction or "", "Improve")
        target = anatomy.target.raw if anatomy.target is not None else "<target>"
        if target.strip().lower().startswith("eliminat"):
            target = "zero"  # "Eliminate all P1 bugs": the verb is the target, none left
        target = re.sub(
            r"^(below|under|above|over|less than|more than|at least|at most|within)\s+",
            "",
            target,
            flags=re.I,
        )
        deadline, _unknown = deadline_phrase(ctx)
        new_text = f"{verb} {anatomy.metric} from <baseline> to {target} {deadline}"
        if _normal(new_text) == _normal(text):
            return None
        return _finish_rewrite(
            ctx,
            text=new_text,
            rationale="Keeps the draft's metric; states where it starts and where it should end.",
        )


# -- helpers ------------------------------------------------------------------------------------
def _finish_rewrite(
    ctx: CritiqueInput,
    *,
    text: str,
    rationale: str,
    metric: str | None = None,
    baseline: str | None = None,
    target: str | None = None,
    deadline: str | None = None,
) -> Rewrite:
    """A Rewrite with its fields read back from its own text where not given."""
    from ..anatomy import parse_anatomy

    text = " ".join(text.split())
    if metric is None or baseline is None or target is None or deadline is None:
        anatomy = parse_anatomy(KeyResult(text=text))
        # A placeholder in the text is the field's value; the parser does not read them.
        read = {
            "baseline": anatomy.baseline.raw if anatomy.baseline else None,
            "target": anatomy.target.raw if anatomy.target else None,
            "deadline": anatomy.deadline,
        }
        for name in read:
            if f"<{name}>" in text:
                read[name] = f"<{name}>"
        metric = metric or anatomy.metric
        baseline = baseline or read["baseline"]
        target = target or read["target"]
        deadline = deadline or read["deadline"]
    placeholders = [
        name
        for name, value in (
            ("metric", metric),
            ("baseline", baseline),
            ("target", target),
            ("deadline", deadline),
        )
        if (value and value.startswith("<")) or (name != "metric" and f"<{name}>" in text)
    ]
    placeholders = list(dict.fromkeys(placeholders))
    instrument_first = "baseline" in placeholders and not (
        ctx.anatomy.source or ctx.key_result.measured_by
    )
    if instrument_first:
        rationale = (
            f"{_sentence_end(rationale)} No baseline is known and no data source is named: "
            "instrument the metric and record a baseline before fixing the target."
        )
    return Rewrite(
        text=text,
        metric=metric,
        baseline=baseline,
        target=target,
        deadline=deadline,
        placeholders=placeholders,
        rationale=rationale,
        instrument_first=instrument_first,
    )


_COMPARATOR_LEAD = re.compile(
    r"^(?:under|below|above|over|less than|more than|fewer than|at least|at most|within|"
    r"no more than|no less than|<=|>=|≤|≥|<|>|~)\s*",
    re.IGNORECASE,
)


# "Reach 95% of dashboards refreshed ...", "100% of images signed": a share as a state.
_SHARE_STATE = re.compile(
    r"^\s*(?:(?:reach|achieve|hit|get\s+to|have|get)\s+)?(?P<value>\d+(?:\.\d+)?\s?%)\s+of\s+"
    r"(?P<rest>[A-Za-z].+)$",
    re.IGNORECASE,
)
_COMPARATOR_WORDS = {
    "<": "under",
    "<=": "at most",
    "≤": "at most",
    ">": "above",
    ">=": "at least",
    "≥": "at least",
}


# A trailing aside ("..., which has no data yet") that a deadline must not follow.
_TRAILING_ASIDE = re.compile(r",\s+(?:which|as|because|since|so that|given)\b[^,]*$", re.IGNORECASE)


def _with_deadline(text: str, deadline: str) -> str:
    """`text` with `deadline` appended, before a trailing aside if there is one."""
    text = text.rstrip(" .")
    aside = _TRAILING_ASIDE.search(text)
    if aside:
        return f"{text[: aside.start()]} {deadline}{text[aside.start() :]}"
    return f"{text} {deadline}"


def _value_edit(text: str, quantity: Quantity, placeholder: str) -> tuple[int, int, str]:
    """Replace a value by a placeholder, keeping its comparator ("under <target>")."""
    start, end = quantity.span  # type: ignore[misc]
    lead = _COMPARATOR_LEAD.match(text[start:end])
    if lead:
        start += lead.end()
    return (start, end, placeholder)


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _normal(text: str) -> str:
    return " ".join(text.lower().strip(" .").split())


def _sentence_end(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "”")) else text + "."


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _metric_examples(categories: list[tuple[Category, float]], ctx: CritiqueInput) -> list[str]:
    if not categories:
        return []
    specs = categories[0][0].select(ctx.key_result.text, ctx.objective_text)
    return list(dict.fromkeys(m.metric for m in specs))[:2]


def _suggest(examples: list[str], lead: str) -> str:
    if examples:
        quoted = " or ".join(examples)
        return f" {lead}, such as {quoted}, and measure it from a baseline."
    return f" {lead}, and measure it from a baseline."


def _names_a_measure(metric: str | None) -> bool:
    """True when a metric phrase names something countable or timed ("build times", "p95
    latency", "pipeline failures"), not just a thing ("the CI pipeline")."""
    if not metric:
        return False
    words = set(re.findall(r"[a-z0-9][a-z0-9\-]*", metric.lower()))
    words |= {w[:-3] + "y" for w in words if w.endswith("ies")}
    words |= {w[:-2] for w in words if w.endswith("es")}
    words |= {w[:-1] for w in words if w.endswith("s")}
    return bool(words & load_tables().measure_words) or bool(re.search(r"\bp\d{2}\b", metric, re.I))


def _direction_of(metric: str) -> str | None:
    try:
        from ..anatomy.lexicon import HIGHER_IS_BETTER, LOWER_IS_BETTER
    except Exception:
        return None
    words = set(re.findall(r"[a-z][a-z\-]*", metric.lower()))
    if words & LOWER_IS_BETTER:
        return "decrease"
    if words & HIGHER_IS_BETTER:
        return "increase"
    return None


_COMPOUND_SPLIT = re.compile(r"\s*;\s*|,?\s+(?:and|while|plus|as well as)\s+|,\s+", re.IGNORECASE)


def split_compound(text: str) -> list[str]:
    """The single-metric parts of a compound key result, each a full sentence."""
    from ..anatomy import parse_anatomy

    pieces: list[str] = []
    for piece in (p.strip(" ,.") for p in _COMPOUND_SPLIT.split(text)):
        if not piece:
            continue
        anatomy = parse_anatomy(KeyResult(text=piece))
        has_value = anatomy.target is not None or anatomy.relative_change is not None
        if pieces and not (has_value or anatomy.direction):
            pieces[-1] = f"{pieces[-1]}, {piece}"  # a trailing clause ("by Q3"), not a metric
        else:
            pieces.append(piece)
    if len(pieces) < 2:
        return []
    first = parse_anatomy(KeyResult(text=pieces[0]))
    lead = re.match(r"\s*(\w+)", pieces[0])
    verb = lead.group(1) if lead and first.direction else None
    deadline = None
    last = parse_anatomy(KeyResult(text=pieces[-1]))
    if last.deadline and last.deadline in pieces[-1]:
        deadline = last.deadline
    parts = []
    for piece in pieces:
        anatomy = parse_anatomy(KeyResult(text=piece))
        if not anatomy.direction and verb:
            piece = f"{verb} {piece[0].lower()}{piece[1:]}"
        if deadline and deadline not in piece:
            piece = f"{piece} {deadline}"
        parts.append(piece[:1].upper() + piece[1:])
    return parts[:3]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9\-]+", text.lower()) if len(w) > 2} - STOP_WORDS


def _finding_words(finding: Finding, ctx: CritiqueInput) -> set[str]:
    return _words(" ".join((finding.message, finding.fix, finding.name.replace("-", " "))))


def _passage_for(finding: Finding, passages: list[Passage]) -> Passage | None:
    """The best retrieved passage that explains `finding` (by rule code, then guidance doc)."""
    for passage in passages:
        if finding.code in passage.rules:
            return passage
    for passage in passages:
        if passage.doc_id in finding.guidance or passage.id in finding.guidance:
            return passage
    return None


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])|\n{2,}|\n(?=\s*(?:[-*+]|\d+[.)])\s)")
# Worked examples inside a passage read badly out of context.
_EXAMPLE_MARKERS = re.compile(r"\b(?:Draft|Better|Instead of|Before|After)\s*:|<[a-z]|\s-\s", re.I)


def _clean(sentence: str) -> str:
    sentence = re.sub(r"[*_`#>]+", "", sentence)
    sentence = re.sub(r"^\s*(?:[-+]|\d+[.)])\s+", "", sentence)
    return " ".join(sentence.split())


def best_sentence(passage: Passage, words: set[str], used: set[str] = frozenset()) -> str | None:  # type: ignore[assignment]
    """The passage sentence that best matches `words`, trimmed to a quotable length."""
    best: tuple[float, str] | None = None
    for position, raw in enumerate(_SENTENCE.split(passage.text)):
        sentence = _clean(raw)
        if len(sentence) < 40 or sentence in used or sentence.endswith(":"):
            continue
        tokens = _words(sentence)
        overlap = len(tokens & words)
        # Prefer matching, mid-length sentences early in the passage.
        score = overlap / math.sqrt(len(tokens) + 1) - 0.02 * position
        if len(sentence) > 2 * QUOTE_CHARS:
            score -= 0.5
        if _EXAMPLE_MARKERS.search(sentence):
            score -= 1.0
        if best is None or score > best[0]:
            best = (score, sentence)
    if best is None:
        return None
    sentence = best[1]
    if len(sentence) > QUOTE_CHARS:
        cut = sentence[:QUOTE_CHARS].rsplit(" ", 1)[0].rstrip(",;:")
        sentence = cut + "…"
    return sentence
