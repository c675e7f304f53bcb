"""Parse the anatomy of a key result: metric, direction, baseline, target, window, deadline.

`analyse` does the work once and keeps what the classifier and the rules need beyond the
public `Anatomy` (the number tokens, the lead verb, the clause boundaries) in a `Parsed`
record, so the rules never re-parse. Explicit fields on the KeyResult (baseline, target,
deadline, measured_by) win over what the text says.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ..models import Anatomy, KeyResult, Quantity, RelativeChange
from .construct import build
from .lexicon import (
    ATTACHED_OUTCOME_RE,
    EVENT_NOUNS,
    FILLER_WORDS,
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    METRIC_PHRASE_RE,
    METRIC_WORDS,
    NOUN_COMPOUND_HEADS,
    NOUN_LIKE_VERBS,
    PHRASAL_VERBS,
    POPULATION_WORDS,
    VAGUE_QUALITIES,
    VERB_CATEGORY,
    VERB_NOUN_COMPOUNDS,
    gated,
)
from .numbers import Token, tokenize

DIRECTION_CATEGORIES = {"increase", "decrease", "maintain", "reach"}

_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'’+\-:]*|[%<>≤≥~]")
_BASELINE_BEFORE = gated(
    r"(?:\b(?:from|against)(?:\s+(?:the|a|an|our))?(?:\s+(?:current|current\s+level\s+of|"
    r"today'?s|present|existing|estimated|baseline(?:\s+of)?|level\s+of|about|around|roughly|"
    r"approximately|average\s+of|median\s+of|typical))*"
    r"|\bcurrently(?:\s+(?:at|is|around|about|running\s+at|sitting\s+at))?"
    r"|\bbaseline(?:\s+(?:of|is|at|was|=))?|\btoday(?:\s+(?:at|is|it'?s))?|\bnow(?:\s+at)?"
    r"|\bwas|\bup\s+from|\bdown\s+from|\bvs\.?|\bversus|\bcompared\s+(?:to|with)"
    r"|\bstarting\s+(?:at|from)|\bcurrent(?:\s+level)?(?:\s+(?:of|is|at))?|\binstead\s+of"
    r"|\brather\s+than|\band\s+not|\bnot|\bcurrently\s+at|\bfrom\s+a\s+baseline\s+of"
    r"|\bpreviously|\bformerly|\bmeasured(?:\s+at)?"
    r"|\b(?:last|previous|prior)\s+(?:quarter|half|year|month|week|sprint))"
    r"\s*[:=]?\s*\(?\s*$",
    re.IGNORECASE,
)
_BASELINE_AFTER = re.compile(
    r"\s*(?:\(?\s*(?:today|now(?!\s+that)|currently|current|baseline|at\s+present|"
    r"at\s+the\s+moment|as\s+of\s+today|last\s+quarter|last\s+(?:half|year|month))\b\s*\)?"
    r"(?!\s*[:=]?\s*(?:at\s+|is\s+)?[<>≤≥~]?\s*[$€£¥]?\d)"
    r"|like\s+(?:now|today)|as\s+(?:now|today)|(?:→|->|=>|-->)|to\b(?=\s*[<>≤≥~]?\s*[$€£¥]?\d))",
    re.IGNORECASE,
)
_TARGET_GAP = re.compile(
    r"^\s*(?:[^0-9.;]{0,60}?\s)?(?:to|until|till|into|→|->|=>|-->|down\s+to|up\s+to|toward|"
    r"towards|and\s+reach|reaching)\s*(?:just\s+|around\s+|about\s+|a\s+)?$",
    re.IGNORECASE,
)
_ARROW_GAP = re.compile(r"^\s*(?:→|->|=>|-->|to)\s*$", re.IGNORECASE)
_BY_BEFORE = gated(r"\bby(?:\s+(?:about|around|roughly|at\s+least|another|a\s+further))?\s*$", re.I)
_RELATIVE_AFTER = re.compile(
    r"\s*(?:reduction|decrease|increase|improvement|fewer|more|less|faster|slower|lower|higher|"
    r"better|cut|drop|growth|uplift|gain|boost|lift|reduced|increased|improved|smaller|cheaper|"
    r"quicker|shorter|longer|larger|bigger|greater|up|down)\b",
    re.IGNORECASE,
)
_WINDOW_BEFORE = gated(
    r"(?:\b(?:over|across|during|for|in|on)\s+(?:the\s+|a\s+|an\s+)?(?:last|past|first|trailing|"
    r"rolling|sliding|moving|any|each|every)?\s*|\b(?:rolling|trailing|sliding)\s+|\bwithin\s+)$",
    re.IGNORECASE,
)
_WINDOW_AFTER = re.compile(
    r"\s*(?:rolling|trailing|sliding|moving|window|period|average|of\s+(?:launch|release|signup|"
    r"sign-up|joining|start|the|their|a|an|first|deploy|onboarding|install|creation|opening)|"
    r"after|post[\s-]|from\s+(?:launch|release|signup|sign-up|start|joining|install|creation|"
    r"invite|invitation)|since)",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_WORDS = (
    rf"(?:(?:the\s+)?(?:end|close|start|middle|beginning)\s+of\s+(?:the\s+)?(?:this\s+|next\s+)?"
    rf"(?:q[1-4]|h[12]|quarter|half|year|month|sprint(?:\s+\d{{1,3}}\b)?|period|cycle|fy\s?\d{{2,4}}|{_MONTH}(?:\s+(?:19|20)\d{{2}})?|(?:19|20)\d{{2}}|"
    rf"(?:19|20)\d{{2}}[-\s]?q[1-4])|q[1-4](?:\s*['’]?\s*\d{{2,4}})?|h[12](?:\s+\d{{4}})?|"
    rf"fy\s?\d{{2,4}}|(?:19|20)\d{{2}}(?:[-\s]?q[1-4]|-\d{{2}}(?:-\d{{2}})?)?|"
    rf"{_MONTH}\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+(?:19|20)\d{{2}})?|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?:19|20)\d{{2}})?|"
    rf"eo[qmy]|eod|year[\s-]end|quarter[\s-]end|month[\s-]end|half[\s-]end|"
    # "by mid-November", "before late Q3"; dates everyone knows: "before Black Friday"
    rf"(?:early|mid|late)[\s-]+(?:{_MONTH}|q[1-4]|h[12]|year)\b|black\s+friday|cyber\s+monday|"
    rf"christmas|the\s+(?:holidays|holiday\s+season)|"
    rf"(?:this|next|the)\s+(?:quarter|half|year|month|sprint|cycle|period)|"
    rf"the\s+(?:quarter|half)(?:'s)?\s+end)"
)
_DEADLINE_RE = gated(
    rf"\b(?:(?:by|before|until|till|through|no\s+later\s+than|in|during|for|at|on|within|"
    rf"throughout|across)\s+(?:the\s+)?{_DATE_WORDS}|"
    rf"(?:within|in|over\s+the\s+next|in\s+the\s+next)\s+(?:the\s+)?(?:next\s+)?(?:\d+|one|two|"
    rf"three|four|five|six|nine|twelve|a)\s+(?:business\s+|working\s+)?(?:days?|weeks?|months?|"
    rf"quarters?|years?|sprints?)\b(?!\s+(?:of|after|from|post|since|following)\b)|"
    rf"(?:end|close)\s+of\s+(?:the\s+)?(?:q[1-4]|h[12]|quarter|half|year|period|cycle|fy\s?\d{{2,4}}|{_MONTH}(?:\s+(?:19|20)\d{{2}})?|"
    rf"(?:19|20)\d{{2}})|\bthis\s+(?:quarter|half|year)\b|"
    # a bare quarter, unless it names when a reference value was taken ("Q2 average: 1.1%")
    rf"\bq[1-4]\b(?:\s*['’]?\s*\d{{2,4}})?(?!\s*(?:average|median|actual|baseline|level)\b)|"
    rf"\bh[12]\s+(?:19|20)\d{{2}}|(?:19|20)\d{{2}}[-\s]?(?:q[1-4]|h[12])\b|\beo[qy]\b|"
    rf"\bfy\s?\d{{2,4}}\b|"
    rf"(?:over|in|during)\s+the\s+(?:next|coming)\s+(?:quarter|half|year|month|sprint|cycle)\b|"
    # a milestone whose date the team knows; not "before release" or "before launch", which
    # usually qualify the measure ("defects caught before release")
    rf"by\s+(?:the\s+)?(?:next\s+)?(?:ga|general\s+availability|launch|go[\s-]live|cutover|"
    rf"code\s+freeze|planning\s+cycle)\b|before\s+(?:the\s+)?(?:ga|general\s+availability|"
    rf"go[\s-]live|cutover|code\s+freeze|next\s+planning\s+cycle)\b)",
    re.IGNORECASE,
)
_WINDOW_RE = gated(
    r"\b(?:(?:per|a|an|each|every)\s+(?:calendar\s+)?(?:quarter|month|week|day|sprint|release|"
    r"year|hour)|(?:month|week|quarter|year|day)[\s-]over[\s-](?:month|week|quarter|year|day)|"
    r"mom|wow|qoq|yoy|(?:over|across|in|during|for)\s+(?:the\s+|a\s+|an\s+|any\s+)?(?:last|past|"
    r"first|trailing|rolling|sliding)\s+(?:\d+|one|two|three|four|six|seven|twelve)?\s*[-\s]?"
    r"(?:days?|weeks?|months?|hours?|quarters?|sprints?|releases?)|(?:rolling|trailing|sliding)"
    r"\s+(?:\d+[-\s]?)?(?:days?|weeks?|months?|hours?|window)|\d+[-\s](?:day|week|month|hour)"
    r"\s+(?:rolling|trailing|sliding|window|average)|within\s+(?:\d+|one|two|seven|a)\s+"
    r"(?:days?|weeks?|hours?|minutes?|months?)(?:\s+(?:of|after|post|since|following)\s+[\w-]+|"
    r"\s+from\s+(?![\d$€£¥])[\w-]+|(?=\s+from\s+[\d$€£¥]))"
    r"|(?:in|during|within)\s+(?:the|their|its|our|your|a)\s+first\s+(?:(?:\d+|one|two|three|four|"
    r"five|six|seven|ten|thirty)[\s-])?(?:days?|weeks?|hours?|months?|sessions?)"
    r"(?:\s+(?:after|post)[\s-]\w+)?|(?:daily|weekly|monthly|quarterly|nightly|hourly)"
    r"(?=\s+(?:active|average|users|builds|jobs|runs|cost|spend|bill))|"
    r"(?:/|per\s+)(?:quarter|month|week|day|sprint|year))",
    re.IGNORECASE,
    symbols="/",
)
_SOURCE_RE = gated(
    r"(?:\b(?:as\s+)?(?:measured|tracked|reported|monitored|observed|captured|sourced|read)"
    r"\s+(?:by|in|via|with|using|from|on|through)\s+|\b(?:source|data\s+source|"
    r"measurement|measured\s+by|via)\s*[:=]\s*|\baccording\s+to\s+|\bper\s+(?=(?:the\s+)?"
    r"(?:datadog|grafana|prometheus|sentry|new\s+relic|honeycomb|pagerduty|looker|"
    r"mixpanel|amplitude|bigquery|snowflake|cloudwatch|splunk|lighthouse|rum|crashlytics|"
    r"firebase|app\s+store|play\s+console|status\s*page|stripe|zendesk|jira|github|dora|"
    r"\w+\s+(?:dashboard|report|tracker|survey|monitoring|logs))))"
    r"(?P<src>[^;.,()]{2,80})",
    re.IGNORECASE,
)
_TOOL_SOURCE_RE = gated(
    r"\b(?:in|on|from|via|using|through)\s+(?P<src>(?:the\s+|our\s+)?(?:datadog|grafana|"
    r"prometheus|sentry|new\s+relic|honeycomb|pagerduty|looker|mixpanel|amplitude|bigquery|"
    r"cloudwatch|splunk|lighthouse|rum|real\s+user\s+monitoring|crashlytics|firebase|"
    r"app\s+store\s+connect|play\s+console|statuspage|status\s+page|stripe|zendesk|"
    r"cost\s+explorer|billing|synthetic\s+(?:checks|monitoring|probes)|external\s+monitoring|"
    r"(?:the\s+)?\w+\s+(?:dashboard|report|tracker|survey|monitoring|logs)|"
    r"(?:the\s+)?(?:slo|sli|dora|cost|billing|quality|reliability|incident)\s+dashboard|"
    r"\w+\s+dashboard|\w+\s+survey|(?:developer|engineering|quarterly|annual)\s+survey|"
    r"(?:access|server|application)\s+logs|incident\s+tracker|postmortem\s+records)"
    r"[^;.,()]{0,40})",
    re.IGNORECASE,
)
_AGGREGATION_RE = gated(
    r"\b(?P<agg>average|avg\.?|mean|median|p\d{2}(?:\.\d+)?|\d{2}(?:th|st|nd|rd)\s+percentile|"
    r"maximum|max|minimum|min|total|sum)\b(?!\s+(?:time\s+(?:to|between|before)|of\s+\d))",
    re.IGNORECASE,
)
_MEAN_TIME_RE = gated(r"\bmean\s+time\s+(?:to|between|before)\b|\bmtt[rdaf]\b|\bmtbf\b")
_RELATIVE_WORDS = gated(
    r"\b(?P<w>halve[sd]?|halving|cut\s+(?:\w+\s+){0,4}?in\s+half|by\s+half|in\s+half|"
    r"(?:to|under|below)\s+(?:less\s+than\s+)?half|"
    r"double[sd]?|doubling|triple[sd]?|tripling|quadruple[sd]?|tenfold|by\s+a\s+third|"
    r"by\s+a\s+quarter|by\s+two\s+thirds|by\s+a\s+factor\s+of\s+(?:two|three|ten|\d+))\b",
    re.IGNORECASE,
)
_RELATIVE_VALUES = {
    "halve": ("factor", 0.5),
    "halves": ("factor", 0.5),
    "halved": ("factor", 0.5),
    "halving": ("factor", 0.5),
    "by half": ("percent", 0.5),
    "to half": ("percent", 0.5),
    "under half": ("percent", 0.5),
    "below half": ("percent", 0.5),
    "to less than half": ("percent", 0.5),
    "in half": ("percent", 0.5),
    "double": ("factor", 2.0),
    "doubles": ("factor", 2.0),
    "doubled": ("factor", 2.0),
    "doubling": ("factor", 2.0),
    "triple": ("factor", 3.0),
    "triples": ("factor", 3.0),
    "tripled": ("factor", 3.0),
    "tripling": ("factor", 3.0),
    "quadruple": ("factor", 4.0),
    "quadrupled": ("factor", 4.0),
    "quadruples": ("factor", 4.0),
    "tenfold": ("factor", 10.0),
    "by a third": ("percent", 1 / 3),
    "by a quarter": ("percent", 0.25),
    "by two thirds": ("percent", 2 / 3),
}
_ELIMINATE_RE = re.compile(r"\W*(?P<verb>eliminat\w*)", re.IGNORECASE)
_SPECIFIC_DETERMINERS = frozenset(["the", "our", "a", "an", "this", "that", "its", "their"])
_NOT_A_NOUN_PHRASE = frozenset(["from", "to", "by", "in", "for", "with", "of", "and", "so"])


def _eliminates_things(words: list[str], index: int | None) -> bool:
    """Whether "eliminate" acts on things to count down to none ("all P1 bugs", "manual
    deploy steps"), not on one thing ("the legacy VPN") or a quality ("toil")."""
    if index is None or index + 1 >= len(words):
        return False
    following = words[index + 1 : index + 5]
    if following[0] in _SPECIFIC_DETERMINERS:
        return False
    if following[0] == "all":
        return True
    for word in following:
        if word in _NOT_A_NOUN_PHRASE:
            return False
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            return word not in VAGUE_QUALITIES
    return False


_ZERO_TARGET_RE = gated(
    r"\b(?:to|at|down\s+to|reach|achieve|hit|keep\s+\w+\s+at)\s+(?:zero|none|nil)\b|"
    r"\bzero\s+(?:\w+[\s-]){0,3}?(?:incidents?|outages?|defects?|bugs?|breaches?|findings?|"
    r"downtime|errors?|pages|alerts|vulnerabilities|cves|leaks?|regressions?|p[0-4]s?)\b",
    re.IGNORECASE,
)
_PLACEHOLDER_RE = re.compile(
    r"^\s*(?:<[^>]*>|tbd|tbc|unknown|n/?a|none|null|-+|\?+|to\s+be\s+(?:measured|defined|"
    r"determined|confirmed)|not\s+(?:yet\s+)?(?:known|measured))\s*$",
    re.IGNORECASE,
)
# A visible placeholder in the text ("<baseline>", "<target>%", "<baseline: unknown>",
# "by <deadline>"): a value that is present but not known yet. Rewrites are written with
# them (the reviewer never invents a number), and a rewrite is judged as if they were filled.
PLACEHOLDER_TEXT_RE = re.compile(
    r"<\s*(?P<name>[a-z][a-z0-9 _\-]{0,30}?)\s*(?::[^<>]{0,60})?>", re.IGNORECASE
)
_PLACEHOLDER_ROLES: dict[str, str] = {
    **dict.fromkeys(
        [
            "baseline",
            "current",
            "current value",
            "today",
            "start",
            "starting value",
            "now",
            "baseline value",
            "current level",
            "from",
        ],
        "baseline",
    ),
    **dict.fromkeys(
        [
            "target",
            "goal",
            "target value",
            "new target",
            "level",
            "value",
            "number",
            "n",
            "x",
            "y",
            "amount",
            "count",
            "to",
        ],
        "target",
    ),
    **dict.fromkeys(
        [
            "deadline",
            "date",
            "due date",
            "end date",
            "period",
            "quarter",
            "when",
            "time frame",
            "timeframe",
            "deadline date",
        ],
        "deadline",
    ),
    **dict.fromkeys(["metric", "measure", "kpi", "metric name"], "metric"),
    **dict.fromkeys(["percentile", "pnn", "pxx"], "percentile"),
}
_PLACEHOLDER_DEADLINE_RE = re.compile(
    r"(?:\b(?:by|before|until|till|no\s+later\s+than|in|within|during|at)\s+(?:the\s+end\s+of\s+)?)?"
    r"<\s*(?:deadline|date|due\s+date|end\s+date|period|quarter|when|time\s?frame|deadline\s+date)"
    r"\s*(?::[^<>]{0,60})?>",
    re.IGNORECASE,
)
_PLACEHOLDER_IN_RAW_RE = re.compile(r"<\s*[A-Za-z]")


def is_placeholder(quantity: Quantity | Token | None) -> bool:
    """Whether a baseline or target is a visible placeholder ("<target>%"): present, but its
    value (0 in `value`) is unknown, so it must not be compared with anything."""
    return quantity is not None and _PLACEHOLDER_IN_RAW_RE.search(quantity.raw) is not None


def _placeholder_tokens(text: str) -> tuple[list[Token], list[str], str]:
    """The tokens of `text` with each value placeholder read as a number in its place.

    A value placeholder is masked with zeros of the same length, so the number reader sees
    its unit, comparator and currency ("under <target> ms", "$<baseline>", "<target>/quarter")
    and every span stays put; the raw words are then restored from the text. Returns the
    tokens, the roles of the placeholders that are not values (deadline, metric...) and the
    masked text, in which notes inside other placeholders ("<deadline: Q3?>") are blanked so
    they are not read as dates.
    """
    masked = text
    other_roles: list[str] = []
    spans: list[tuple[int, int, str]] = []
    for match in PLACEHOLDER_TEXT_RE.finditer(text):
        name = " ".join(match.group("name").lower().replace("_", " ").replace("-", " ").split())
        role = _PLACEHOLDER_ROLES.get(name)
        start, end = match.span()
        if role is None or role in ("deadline", "metric", "percentile"):
            # "<service>" is a name left to fill, not a value; "<deadline>" is found later
            if role is not None:
                other_roles.append(role)
            inner = match.start("name")
            masked = masked[:inner] + "x" * (end - 1 - inner) + masked[end - 1 :]
            continue
        masked = masked[:start] + "0" * (end - start) + masked[end:]
        spans.append((start, end, role))
    tokens = tokenize(masked)
    for token in tokens:
        for start, end, role in spans:
            if token.start <= start < token.end or start <= token.start < end:
                token.raw = text[token.start : token.end]
                token.placeholder = role
                break
    return tokens, other_roles, masked


_CLAUSE_SPLIT_RE = re.compile(
    r"(?=[\s;,])\s*(?:;|,\s*(?:and\s+|while\s+|plus\s+)?(?=[a-z]+\s)|\s(?:and|while|plus|as\s+well\s+as|"
    r"&|along\s+with|with)\s)\s*",
    re.IGNORECASE,
)
# (the first-letter lookahead lets most spaces fail without trying every stop word)
_METRIC_STOP_RE = re.compile(
    r"[,;:(]|$|\s(?:(?=[fbuaowdsmtiFBUAOWDSMTI])(?:from|by|under|below|above|over|within|until|"
    r"before|during|so\s+that|such\s+that|while|measured|as\s+measured|"
    r"to\s+(?=[<>≤≥~$€£¥\d]|zero|under|below|less|at)|at\s+least|at\s+most|across|"
    r"in\s+(?:q[1-4]|h[12]|\d{4}|this|the\s+next))\b|[-–—]\s)",
    re.IGNORECASE,
)
_AGE_QUALIFIER_RE = re.compile(r"\b(?:older|longer|younger|newer)\s+than\s+$", re.IGNORECASE)
_LEADING_DETERMINERS = re.compile(
    r"^(?:(?:the|our|a|an|all|its|their|overall|total)\s+)+", re.IGNORECASE
)


_NUMBERING_RE = re.compile(r"(?:kr|o)?\d+[.):]?|[-*•]")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_ARROW_START_RE = re.compile(r"\s*(?:→|->|=>|-->|to\b)")  # "to", not "today"
_ZERO_WORD_RE = re.compile(r"\b(?:zero|none)\b", re.IGNORECASE)
_BARE_RAW_RE = re.compile(r"[<>≤≥~=]?\s*[\d.,]+\+?")
_VERB_START_RE = re.compile(r"\s*[a-z]+(?:\s+(?:up|down))?\s")
_LEADING_OF_RE = re.compile(r"^(?:of\s+)", re.IGNORECASE)
_TRAILING_PREPOSITIONS = frozenset(["to", "of", "for", "the", "and", "in", "at", "on", "by"])
_CLOSED_WORDS = frozenset(["closure", "closed", "remediated", "remediation", "resolved"])
_TIME_WORDS = frozenset(
    ["time", "times", "duration", "age", "days", "hours", "minutes", "weeks", "mttr"]
)
# Cheap word tests that decide whether a full-text pattern can match at all.
_METRIC_PHRASE_HINTS = frozenset(
    [
        "time",
        "lead",
        "cycle",
        "story",
        "lines",
        "test",
        "code",
        "change",
        "error",
        "tech",
        "technical",
        "deploy",
        "deployment",
        "number",
        "how",
        "per",
        "percent",
    ]
)
_SOURCE_HINTS = frozenset(
    [
        "measured",
        "tracked",
        "reported",
        "monitored",
        "observed",
        "captured",
        "sourced",
        "read",
        "source",
        "source:",
        "data",
        "measurement",
        "according",
        "via",
        "per",
    ]
)
_TOOL_HINTS = frozenset(
    [
        "report",
        "tracker",
        "monitoring",
        "datadog",
        "grafana",
        "prometheus",
        "sentry",
        "new",
        "honeycomb",
        "pagerduty",
        "looker",
        "mixpanel",
        "amplitude",
        "bigquery",
        "cloudwatch",
        "splunk",
        "lighthouse",
        "rum",
        "real",
        "crashlytics",
        "firebase",
        "app",
        "play",
        "statuspage",
        "status",
        "stripe",
        "zendesk",
        "cost",
        "billing",
        "synthetic",
        "external",
        "dashboard",
        "survey",
        "logs",
        "incident",
        "postmortem",
    ]
)
_AGGREGATION_HINTS = frozenset(
    [
        "average",
        "avg",
        "avg.",
        "mean",
        "median",
        "maximum",
        "max",
        "minimum",
        "min",
        "total",
        "sum",
        "percentile",
    ]
)
_MEAN_TIME_HINTS = frozenset(["mean", "mttr", "mttd", "mtta", "mttf", "mtbf"])
_RELATIVE_HINTS = (
    "halv",
    "half",
    "doubl",
    "tripl",
    "quadrupl",
    "tenfold",
    "third",
    "factor",
    "by a quarter",
)
_RELATIVE_HINT_RE = re.compile("|".join(re.escape(h) for h in _RELATIVE_HINTS))
_ZERO_HINTS = frozenset({"zero", "none", "nil"})
_ATTACH_WORDS = frozenset(["so", "such", "resulting", "leading", "thereby", "which", "order"])
_ATTACH_VERBS = frozenset(
    [
        "reduce",
        "cut",
        "lower",
        "raise",
        "increase",
        "improve",
        "lift",
        "bring",
        "shrink",
        "halve",
        "double",
        "grow",
        "boost",
        "speed",
        "drive",
        "decrease",
        "keep",
        "maintain",
        "get",
        "drop",
        "reducing",
        "cutting",
        "lowering",
        "raising",
        "increasing",
        "improving",
        "lifting",
        "bringing",
        "shrinking",
        "halving",
        "doubling",
        "growing",
        "boosting",
        "dropping",
        "taking",
    ]
)


def _may_attach(words: list[str], wordset: frozenset[str], text: str) -> bool:
    """Whether ATTACHED_OUTCOME_RE can match: a linking word, or "to/and/," + a change verb."""
    if wordset & _ATTACH_WORDS:
        return True
    if not wordset & _ATTACH_VERBS:
        return False
    return "," in text or any(
        w in ("to", "and") and nxt in _ATTACH_VERBS for w, nxt in itertools.pairwise(words)
    )


_WINDOW_HINTS = frozenset(
    [
        "quarter",
        "month",
        "week",
        "day",
        "sprint",
        "release",
        "year",
        "hour",
        "quarters",
        "months",
        "weeks",
        "days",
        "sprints",
        "releases",
        "years",
        "hours",
        "window",
        "mom",
        "wow",
        "qoq",
        "yoy",
        "daily",
        "weekly",
        "monthly",
        "quarterly",
        "nightly",
        "hourly",
        "rolling",
        "trailing",
        "sliding",
    ]
)
_DEADLINE_WORDS = frozenset(
    [
        "by",
        "before",
        "until",
        "till",
        "through",
        "within",
        "end",
        "close",
        "this",
        "next",
        "coming",
        "eoq",
        "eoy",
        "eom",
        "eod",
        "year-end",
        "quarter-end",
        "month-end",
        "half-end",
        "during",
        "throughout",
        "q1",
        "q2",
        "q3",
        "q4",
        "h1",
        "h2",
    ]
)
_CLAUSE_HINTS = frozenset(["and", "while", "plus", "with", "as", "along"])


def _may_have_deadline(words: list[str], wordset: frozenset[str], tokens: list[Token]) -> bool:
    """Whether _DEADLINE_RE can match: a date, or a word that introduces one."""
    if wordset & _DEADLINE_WORDS or any(t.unit_kind == "date" for t in tokens):
        return True
    if "in" in wordset and "next" in wordset:
        return True
    return any(w.startswith("fy") for w in words) if "fy" in " ".join(words) else False


# A qualifier word (not inside a longer word) or a slash, then only whitespace.
_QUALIFIER_END_RE = re.compile(r"(?:(?<![^\W_])(?:per|every|first|last|at\s+a\s+fixed)|/)\s*$")


_QUALIFIER_TAILS = ("per", "every", "first", "last", "fixed", "/")


def _ends_with_qualifier(before: str) -> bool:
    """Whether the text before a number makes it a qualifier: "per 1,000", "at a fixed 1%"."""
    tail = before.rstrip()
    if not tail.endswith(_QUALIFIER_TAILS):
        return False
    start = 0 if tail.endswith("fixed") else max(0, len(tail) - 6)
    return _QUALIFIER_END_RE.search(before, start) is not None


# A count in a prepositional phrase after a determiner names the set a metric is measured
# on, not a value: "MTTR for the 4 tier-1 services", "errors of our 12 public endpoints".
# (Without a metric it is what a deliverable counts: "runbooks for the 15 noisiest alerts".)
_SCOPE_SET_BEFORE_RE = re.compile(
    r"\b(?:for|on|of|in|across|at|among|within|with|between)\s+(?:all\s+)?(?:the|our|its|their|"
    r"these|those|both)\s+$"
)
# "the 2 slowest CI jobs", "our 5 most expensive queries": a superlative picks a set.
_SUPERLATIVE_AFTER_RE = re.compile(r"\s+(?:\w+iest|\w+[^aeiou\W]est|most|least|worst|best)\b")
_DETERMINER_BEFORE_RE = re.compile(r"\b(?:the|our|its|their|these|those)\s+$")
# A threshold that says which things are counted: "PRs waiting more than 24 hours",
# "tickets older than 7 days", "services with more than 3 critical CVEs".
_THRESHOLD_BEFORE_RE = re.compile(
    r"(?:\b(?:waiting|taking|lasting|stuck|idle|pending|outstanding|unresolved|unpatched|"
    r"unreviewed|open|opened|aged|breaching|exceeding)(?:\s+for)?|"
    r"\b(?:with|having|(?:that|which|who)\s+[a-z]+))\s+$"
)
_THAN_BEFORE_RE = re.compile(
    r"\b(?:older|slower|longer|larger|bigger|heavier|costlier|newer)\s+than\s+$"
)
# A duration glued to a metric it defines: "30-day retention", "the 7-day active users".
_WINDOWED_METRIC_AFTER_RE = re.compile(
    r"\s+(?:retention|retained|active|activation|churn|conversion|trials?|returns?|returning|"
    r"repeat|cohorts?|availability|uptime|survival|free|rolling|moving|average|mean|median|"
    r"windows?|readmissions?|refund)\b"
)


def _names_population(lower: str, token: Token, before: str, metric: bool) -> bool:
    """Whether a number only says which things are measured, so it is neither a baseline
    nor a target: "for the 4 tier-1 services", "the 2 slowest jobs", "PRs waiting more
    than 24 hours", "tickets older than 7 days", "30-day retention"."""
    if token.comparator in (">", ">="):
        return bool(_THRESHOLD_BEFORE_RE.search(before, max(0, len(before) - 30)))
    if token.comparator is not None or token.sign:
        return False
    kind = token.unit_kind
    if kind == "count" and token.unit is None and token.upper is None and metric:
        if _SCOPE_SET_BEFORE_RE.search(before, max(0, len(before) - 24)):
            return True
        if _DETERMINER_BEFORE_RE.search(before, max(0, len(before) - 8)):
            return _SUPERLATIVE_AFTER_RE.match(lower, token.end) is not None
        return False
    if kind == "duration":
        if _THAN_BEFORE_RE.search(before, max(0, len(before) - 16)):
            return True
        return (
            "-" in token.raw
            and token.value >= 86400
            and _WINDOWED_METRIC_AFTER_RE.match(lower, token.end) is not None
        )
    return False


# Words that date a value to now or the past, so it is where the metric starts: "(it
# currently takes 5 hours)", "last month we averaged 22", "(Q2 average: 1.1%)".
_THEN_NOW_RE = gated(
    r"\b(?:today'?s?|now(?!\s+that)|currently|current|presently|at\s+(?:the\s+moment|present)|"
    r"as\s+of|"
    r"so\s+far|was|were|has\s+been|have\s+been|had|averaged|previously|formerly|baseline|"
    r"(?:last|previous|prior)\s+(?:quarter|half|year|month|week|sprint)|"
    r"(?:over|in|during)\s+the\s+(?:last|past)|we\s+(?:have|had|are\s+at|'re\s+at)|"
    r"it'?s|it\s+is|took|sits|sitting|stands|standing)\b|\bq[1-4]\s*(?::|average\b|median\b|"
    r"actual\b|level\b)"
)
_THEN_NOW_HINTS = frozenset(
    [
        "today",
        "today's",
        "now",
        "currently",
        "current",
        "presently",
        "at",
        "as",
        "so",
        "was",
        "were",
        "been",
        "had",
        "averaged",
        "previously",
        "formerly",
        "baseline",
        "last",
        "previous",
        "prior",
        "past",
        "we",
        "we're",
        "it's",
        "it",
        "took",
        "sits",
        "sitting",
        "stands",
        "standing",
        "q1",
        "q2",
        "q3",
        "q4",
        "q1:",
        "q2:",
        "q3:",
        "q4:",
    ]
)
# What ends a clause: a cue on the far side of one of these is about another number.
_CLAUSE_BREAK_RE = re.compile(r"[();,—–]|\.(?:\s|$)|\s-\s|\b(?:where|while|which|and|but)\b")


_COUNT_THEN_TO_GAP = re.compile(r"^[^;,()]{1,60}?\s(?:down\s+|up\s+)?to\s+$")
_DETERMINER_BEFORE = re.compile(r"(?:^|\s)(?:the|our|its|their|all|those|these)\s+$")


def _count_then_target(lower: str, values: list[Token]) -> tuple[Token, Token] | None:
    """A count the lead verb acts on and the "to N" it should reach: "Cut the 40 open P1
    bugs to 10", "grow our 3 design partners to 12". The first is where it starts."""
    for first, second in itertools.pairwise(values):
        if first.comparator is not None or first.unit_kind != second.unit_kind:
            continue
        if not _DETERMINER_BEFORE.search(lower[max(0, first.start - 8) : first.start]):
            continue
        if _COUNT_THEN_TO_GAP.match(lower[first.end : second.start]):
            return first, second
    return None


def _baseline_in_context(
    lower: str, values: list[Token], target: Token | None, relative: Token | None
) -> Token | None:
    """A value dated to now or the past by a word in its own clause, when another value of
    the same kind is left to be the target: that value is where the metric starts.

    Each then-or-now word belongs to the nearest value in its clause (the later one on a
    tie: "below 1 hour against a current median of 4 hours").
    """
    owners: list[Token] = []
    for cue in _THEN_NOW_RE.finditer(lower):
        owner, nearest = None, -1
        for token in values:
            if token.end <= cue.start():
                gap_start, gap_end = token.end, cue.start()
            elif token.start >= cue.end():
                gap_start, gap_end = cue.end(), token.start
            else:
                continue
            if _CLAUSE_BREAK_RE.search(lower, gap_start, gap_end):
                continue
            if owner is None or gap_end - gap_start <= nearest:
                owner, nearest = token, gap_end - gap_start
        if owner is not None and owner is not target and owner is not relative:
            owners.append(owner)
    for token in owners:
        quantity = token.to_quantity()
        others = [target] if target is not None else values
        if any(
            other is not None
            and other is not token
            and other is not relative
            and units_compatible(quantity, other.to_quantity(), token.bare, other.bare) is None
            for other in others
        ):
            return token
    return None


# Targets written in words: "in single digits", "sub-second".
_WORD_TARGET_RE = gated(
    r"\b(?:single[\s-]digits?|sub[\s-](?:second|millisecond|minute|hour|day))\b", re.IGNORECASE
)
_WORD_TARGETS: dict[str, tuple[float, str | None, str]] = {
    "single": (10.0, None, "count"),
    "second": (1.0, "s", "duration"),
    "millisecond": (0.001, "s", "duration"),
    "minute": (60.0, "s", "duration"),
    "hour": (3600.0, "s", "duration"),
    "day": (86400.0, "s", "duration"),
}


def _may_have_word_target(words: list[str]) -> bool:
    return any(w.startswith(("single", "sub")) for w in words)


def _word_target_quantity(match: re.Match[str]) -> Quantity:
    """A word target as a value under a limit: "single digits" is < 10, "sub-second" < 1 s."""
    raw = match.group(0)
    key = "single" if raw.lower().startswith("single") else raw.lower()[4:]
    value, unit, unit_kind = _WORD_TARGETS[key]
    return build(
        Quantity,
        dict(
            raw=raw,
            value=value,
            upper=None,
            unit=unit,
            unit_kind=unit_kind,
            comparator="<",
            per=None,
            span=match.span(),
        ),
    )


_FREQUENCY_HINTS = frozenset(
    [
        "daily",
        "weekly",
        "monthly",
        "hourly",
        "quarterly",
        "fortnightly",
        "biweekly",
        "on-demand",
        "demand",
    ]
)
_FREQUENCIES = {
    "hourly": (1.0, "hour"),
    "daily": (1.0, "day"),
    "weekly": (1.0, "week"),
    "fortnightly": (0.5, "week"),
    "biweekly": (0.5, "week"),
    "monthly": (1.0, "month"),
    "quarterly": (1.0, "quarter"),
}
_FREQUENCY_WORD_RE = gated(
    r"\b(?P<role>from|to|reach|achieve|at\s+least)\s+(?P<word>hourly|daily|weekly|fortnightly|"
    r"biweekly|monthly|quarterly|on[\s-]demand|(?:multiple|several)\s+times\s+(?:a|per)\s+day)\b"
)


# A cadence after a delivery verb is the target it sets: "deploy to production daily",
# "release on demand" (unless it is the starting point: "from weekly").
_DELIVERY_CADENCE_RE = re.compile(
    r"(?<!\bfrom\s)\b(?:(?P<word>hourly|daily|weekly|fortnightly|biweekly|on[\s-]demand|"
    r"(?:multiple|several)\s+times\s+(?:a|per)\s+day)|"
    r"(?P<every>every\s+(?:(?P<n>\d+(?:\.\d+)?)\s+)?(?P<unit>hour|day|week|sprint)s?))\b"
    # at the end of a clause: "the daily digest" names a thing, it sets no cadence
    r"(?=\s*(?:$|[,.;:()]|(?:by|in|for|to|and|or|instead|across|with|without|from|at|"
    r"before|within|while)\b))",
    re.IGNORECASE,
)
_DELIVERY_VERBS = frozenset(["deploy", "release", "ship"])
_CADENCE_METRICS = {
    "deploy": "deployment frequency",
    "ship": "deployment frequency",
    "release": "release frequency",
}


def _every_quantity(match: re.Match[str]) -> Quantity:
    """A cadence written "every 2 hours" as a rate: 0.5 per hour."""
    per = match.group("unit").lower()
    every = float(match.group("n") or 1)
    return build(
        Quantity,
        dict(
            raw=match.group("every"),
            value=1.0 / every if every else 0.0,
            upper=None,
            unit=f"/{per}",
            unit_kind="rate",
            comparator=None,
            per=per,
            span=match.span("every"),
        ),
    )


def _frequency_quantity(match: re.Match[str]) -> Quantity:
    """A cadence word as a rate: "daily" is 1/day; "on demand" and "several a day" are 2/day."""
    word = " ".join(match.group("word").lower().replace("-", " ").split())
    value, per = _FREQUENCIES.get(word, (2.0, "day"))
    return build(
        Quantity,
        dict(
            raw=match.group("word"),
            value=value,
            upper=None,
            unit=f"/{per}",
            unit_kind="rate",
            comparator=">=" if word not in _FREQUENCIES else None,
            per=per,
            span=match.span("word"),
        ),
    )


_PER_UNITS = frozenset(
    [
        "engineer",
        "engineers",
        "user",
        "users",
        "customer",
        "customers",
        "team",
        "teams",
        "request",
        "requests",
        "service",
        "services",
        "developer",
        "developers",
        "seat",
        "seats",
        "order",
        "orders",
        "transaction",
        "transactions",
        "session",
        "sessions",
        "device",
        "devices",
        "host",
        "hosts",
        "node",
        "nodes",
        "tenant",
        "tenants",
        "account",
        "accounts",
    ]
)
_DETERMINERS = frozenset(
    ["the", "a", "an", "our", "all", "every", "each", "their", "its", "this", "these", "those"]
)
_SENTENCE_STARTERS = frozenset(
    [
        "because",
        "since",
        "as",
        "when",
        "while",
        "if",
        "so",
        "following",
        "given",
        "after",
        "before",
        "with",
        "for",
        "in",
        "on",
        "to",
        "by",
        "from",
        "this",
        "that",
        "these",
        "there",
        "here",
        "per",
        "each",
        "every",
        "all",
        "most",
        "more",
        "less",
        "new",
        "no",
        "only",
        "both",
        "either",
        "once",
        "until",
        "unless",
        "although",
        "though",
        "whether",
    ]
)
_VERB_PREFIXES = frozenset(
    ["re", "de", "un", "pre", "co", "auto", "self", "over", "under", "cross", "multi", "up"]
)
_GERUND_OBJECT_STARTS = frozenset(
    ["the", "a", "an", "our", "all", "every", "each", "its", "their", "to", "more", "less", "fewer"]
)
_EMPTY_ANATOMY = Anatomy()


@dataclass(slots=True)
class Parsed:
    """A key result's anatomy plus the parser's working notes for the classifier and rules."""

    anatomy: Anatomy
    text: str
    lower: str
    tokens: list[Token]
    words: list[str]
    wordset: frozenset[str] = frozenset()
    lead_index: int | None = None  # index in `words` of the lead verb
    lead_category: str | None = None  # output, activity, ambiguous, vague, increase, ...
    lead_verb: str | None = None  # the lemma: "migrate"
    lead_span: tuple[int, int] | None = None  # where the lead verb is in the text
    verb_direction: str | None = None  # increase/decrease/maintain/reach from a verb only
    attached_at: int | None = None  # where an attached outcome clause starts ("so that")
    metric_words: list[str] = field(default_factory=list)
    has_metric: bool = False
    strong_metric: bool = False  # a measure word, not just a population ("users", "hours")
    baseline_token: Token | None = None
    target_token: Token | None = None
    relative_token: Token | None = None
    polarity: str | None = None  # "lower" or "higher" is better, from the metric words
    zero_target: bool = False
    # where the deadline and the measurement window are in the text: numbers there say
    # when or over what period, not how much ("during their first two weeks")
    deadline_span: tuple[int, int] | None = None
    window_span: tuple[int, int] | None = None


def _clean_explicit(value: str | None) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    if not value or _PLACEHOLDER_RE.match(value):
        return None
    return value


def _first_value(text: str) -> Token | None:
    for token in tokenize(text):
        if token.is_value:
            return token
    return None


def _lead_verb(words: list[str]) -> tuple[int | None, str | None, str | None]:
    """The first verb after filler words, its category and lemma (None for noun phrases)."""
    for index, word in enumerate(words[:8]):
        if word in FILLER_WORDS or _NUMBERING_RE.fullmatch(word):
            continue
        word = word.rstrip(":")
        nxt = words[index + 1] if index + 1 < len(words) else ""
        phrasal = PHRASAL_VERBS.get((word, nxt))
        if phrasal is None and word in ("bring", "drive", "push", "cut"):
            # "bring X down", "drive X up": the particle may come after a short object
            tail = words[index + 1 : index + 14]
            for particle in ("down", "up"):
                if particle in tail and (word, particle) in PHRASAL_VERBS:
                    phrasal = PHRASAL_VERBS[(word, particle)]
                    break
        if phrasal is not None:
            return index, phrasal[0], phrasal[1]
        found = VERB_CATEGORY.get(word)
        if found is None and "-" in word:
            # "re-run", "auto-scale", "co-host": a prefixed verb keeps the verb's kind
            prefix, _, base = word.partition("-")
            if prefix in _VERB_PREFIXES:
                found = VERB_CATEGORY.get(base)
        if found is None:
            if (
                index == 0
                and nxt in _DETERMINERS
                and word not in _SENTENCE_STARTERS
                and not any(ch.isdigit() for ch in " ".join(words))
                and word not in METRIC_WORDS
                and word.isalpha()
                and not word.endswith(("ing", "ly", "ness", "ity", "tion"))
            ):
                return index, "ambiguous", word  # an imperative we have no list entry for
            return None, None, None
        if word.endswith("ing") and nxt not in _GERUND_OBJECT_STARTS and not nxt[:1].isdigit():
            return None, None, None  # "Onboarding completion rate ...": a gerund names a metric
        if nxt in NOUN_COMPOUND_HEADS and found[1] in NOUN_LIKE_VERBS:
            return None, None, None  # "Build time ...", "Deploy frequency ...": a metric name
        if nxt in VERB_NOUN_COMPOUNDS.get(word, ()):
            return None, None, None  # "Support tickets ...", "Audit findings ...": a metric name
        if (
            index == 0
            and word in (found[1] + "s", found[1] + "es")
            and (found[1] in NOUN_LIKE_VERBS or word in EVENT_NOUNS or word in METRIC_WORDS)
        ):
            # a key result opens with an imperative or a noun, so "Reviews completed within
            # a day ...", "Deploys per day ..." open with a plural noun, not "he reviews"
            return None, None, None
        return index, found[0], found[1]
    return None, None, None


def _word_span(text_lower: str, words: list[str], index: int) -> tuple[int, int] | None:
    position = 0
    for i, word in enumerate(words):
        found = text_lower.find(word, position)
        if found < 0:
            return None
        if i == index:
            return found, found + len(word)
        position = found + len(word)
    return None


def analyse(kr: KeyResult) -> Parsed:
    """Parse a key result once: anatomy, number roles and the lexical cues behind them."""
    text = kr.text if isinstance(kr.text, str) else str(kr.text or "")
    lower = text.lower()
    placeholder_roles: list[str] = []
    placeholder_values = False
    scan = text  # the text the deadline is looked for in (placeholder notes blanked)
    if "<" in text and PLACEHOLDER_TEXT_RE.search(text):
        tokens, placeholder_roles, scan = _placeholder_tokens(text)
        placeholder_values = any(t.placeholder for t in tokens)
    else:
        tokens = tokenize(text)
    words = _WORD_RE.findall(lower)
    parsed = Parsed(anatomy=_EMPTY_ANATOMY, text=text, lower=lower, tokens=tokens, words=words)
    cues: list[str] = []

    # -- lead verb, attached outcome -----------------------------------------------------
    index, category, lemma = _lead_verb(words)
    parsed.lead_index, parsed.lead_category, parsed.lead_verb = index, category, lemma
    if index is not None:
        parsed.lead_span = _word_span(lower, words, index)
        cues.append(f"lead:{category}:{lemma}")
    wordset = frozenset(words)
    attached = ATTACHED_OUTCOME_RE.search(text) if _may_attach(words, wordset, text) else None
    if attached and attached.start() > 3 and category not in DIRECTION_CATEGORIES | {"improve"}:
        parsed.attached_at = attached.start()
        cues.append("attached-outcome")

    # -- metric words and polarity -------------------------------------------------------
    parsed.wordset = wordset
    metric_words = [w for w in words if w in METRIC_WORDS]
    if "-" in lower:
        for word in words:  # "time-to-interactive", "week-one": look inside hyphenated words
            if "-" in word and word not in METRIC_WORDS:
                metric_words.extend(part for part in word.split("-") if part in METRIC_WORDS)
    unit_kinds = {t.unit_kind for t in tokens}
    has_percentile = "percentile" in unit_kinds
    if has_percentile:
        metric_words.append("percentile")
    if "percent" in unit_kinds and any(
        t.unit_kind == "percent" and lower.startswith(" of ", t.end) for t in tokens
    ):
        metric_words.append("share")  # "100% of laptops encrypted": a share is a measure
    if wordset & _METRIC_PHRASE_HINTS and METRIC_PHRASE_RE.search(text):
        metric_words.append("phrase")
    if "metric" in placeholder_roles:
        metric_words.append("<metric>")  # named later: present, not known yet
    if "percentile" in placeholder_roles:
        metric_words.append("percentile")
    parsed.metric_words = metric_words
    # "users" or "hours" alone name a population or a unit, not a measure: they count as a
    # metric only next to a measured value
    if "per" in wordset:
        for before, after in itertools.pairwise(words):
            if before == "per" and (after in POPULATION_WORDS or after in _PER_UNITS):
                metric_words.append("ratio")  # "hours per engineer", "cost per user"
                break
    strong = [w for w in metric_words if w not in POPULATION_WORDS]
    parsed.strong_metric = bool(strong)
    parsed.has_metric = bool(strong) or (bool(metric_words) and any(t.is_value for t in tokens))
    if metric_words:
        cues.append("metric:" + ",".join(dict.fromkeys(metric_words))[:60])
    vague = [w for w in words if w in VAGUE_QUALITIES] if wordset & VAGUE_QUALITIES else None
    if vague:
        cues.append("quality:" + ",".join(vague))
    lower_better = sum(1 for w in metric_words if w in LOWER_IS_BETTER)
    higher_better = sum(1 for w in metric_words if w in HIGHER_IS_BETTER)
    if "crash-free" in words or "success" in words or "uptime" in words:
        higher_better += 2
    if not wordset.isdisjoint(_CLOSED_WORDS) and wordset.isdisjoint(_TIME_WORDS):
        # The share of findings (bugs, tickets) closed rises as things improve, though the
        # findings themselves are better fewer; "time to closure" still falls.
        higher_better += 2
    if lower_better > higher_better:
        parsed.polarity = "lower"
    elif higher_better > lower_better:
        parsed.polarity = "higher"

    # -- deadline, window, source, aggregation -------------------------------------------
    deadline_match = (
        _DEADLINE_RE.search(scan) if _may_have_deadline(words, wordset, tokens) else None
    )
    deadline_span = _deadline_span(deadline_match, tokens) if deadline_match else None
    if deadline_span is None and "deadline" in placeholder_roles:
        placeholder_deadline = _PLACEHOLDER_DEADLINE_RE.search(text)
        if placeholder_deadline:
            deadline_span = placeholder_deadline.span()
    deadline = _clean_explicit(kr.deadline) or (
        text[deadline_span[0] : deadline_span[1]].strip() if deadline_span else None
    )
    window_match = (
        _WINDOW_RE.search(text)
        if wordset & _WINDOW_HINTS or "/" in text or "-over-" in lower
        else None
    )
    window = window_match.group(0).strip() if window_match else None
    parsed.deadline_span = deadline_span
    parsed.window_span = window_match.span() if window_match else None
    if window and window.startswith("/"):
        window = "per " + window[1:].strip()
    source = _clean_explicit(kr.measured_by)
    if source is None:
        source_match = (_SOURCE_RE.search(text) if wordset & _SOURCE_HINTS else None) or (
            _TOOL_SOURCE_RE.search(text) if wordset & _TOOL_HINTS else None
        )
        if source_match:
            source = source_match.group("src").strip()
    percentile = next((t.raw.lower() for t in tokens if t.unit_kind == "percentile"), None)
    if percentile and not percentile.startswith("p"):
        percentile = "p" + _NUMBER_RE.match(percentile).group(0)  # type: ignore[union-attr]
    aggregation = None
    if (wordset & _AGGREGATION_HINTS or has_percentile) and not (
        wordset & _MEAN_TIME_HINTS and _MEAN_TIME_RE.search(text)
    ):
        agg = _AGGREGATION_RE.search(text)
        if agg:
            aggregation = agg.group("agg").lower().rstrip(".")
            if aggregation == "avg":
                aggregation = "average"
            if "percentile" in aggregation:
                aggregation = "p" + aggregation[:2]
    if percentile and aggregation is None:
        aggregation = percentile
    if percentile is None and "percentile" in placeholder_roles:
        percentile = aggregation = "<percentile>"

    # -- number roles --------------------------------------------------------------------
    scope_start = parsed.attached_at or 0
    values: list[Token] = []
    window_span = window_match.span() if window_match else None
    for token in tokens:
        if not token.is_value or token.start < scope_start:
            continue
        before = lower[max(0, token.start - 40) : token.start]
        after = lower[token.end : token.end + 40]
        if deadline_span and deadline_span[0] <= token.start < deadline_span[1]:
            continue
        if (
            token.unit_kind == "duration"
            and token.value >= 86400
            and (_WINDOW_BEFORE.search(before) or _WINDOW_AFTER.match(after))
        ):
            continue  # "over 28 days", "within 30 days of launch": a window, not a value
        if (
            window_span
            and window_span[0] <= token.start < window_span[1]
            and (token.unit_kind == "duration")
        ):
            continue
        if token.comparator is None and _ends_with_qualifier(before):
            continue  # "per 1,000 requests", "at a fixed 1% false-positive rate", "top 10"
        if _names_population(lower, token, before, parsed.strong_metric):
            continue  # "for the 4 tier-1 services", "tickets older than 7 days"
        values.append(token)

    baseline: Token | None = None
    target: Token | None = None
    relative: Token | None = None
    relative_form: str | None = None
    # "from X to Y", "X -> Y", "up from X": the strongest signals come first
    for i, token in enumerate(values):
        before = lower[max(0, token.start - 45) : token.start]
        if baseline is None and _BASELINE_BEFORE.search(before):
            baseline = token
            nxt = values[i + 1] if i + 1 < len(values) else None
            if nxt is not None and target is None:
                gap = lower[token.end : nxt.start]
                if _TARGET_GAP.match(gap) or (
                    nxt.comparator is not None and len(gap) < 25 and ";" not in gap
                ):
                    target = nxt
            continue
        if baseline is None and i + 1 < len(values):
            nxt = values[i + 1]
            gap = lower[token.end : nxt.start]
            if _ARROW_GAP.match(gap) and "to" not in before[-6:]:
                baseline, target = token, nxt
                continue
        if (
            baseline is None
            and _BASELINE_AFTER.match(lower, token.end)
            and not _ARROW_GAP.match(lower[token.end : token.end + 4])
        ):
            after_match = _BASELINE_AFTER.match(lower, token.end)
            if (
                after_match
                and not _ARROW_START_RE.match(after_match.group(0))
                and not _BY_BEFORE.search(lower[max(0, token.start - 25) : token.start])
            ):
                baseline = token
    if (
        baseline is None
        and target is None
        and category in ("increase", "decrease")
        and len(values) > 1
        and "to" in wordset
    ):
        pair = _count_then_target(lower, values)
        if pair is not None:
            baseline, target = pair
    # relative changes: "by 30%", "2x", "30% fewer", "+5 points", "halve"
    for token in values:
        if token is baseline or token is target:
            continue
        before = lower[max(0, token.start - 25) : token.start]
        after = lower[token.end : token.end + 20]
        if (
            _BY_BEFORE.search(before)
            or token.unit_kind == "multiplier"
            or (token.sign and token.unit_kind in ("percent", "percentage_points"))
            or (
                token.unit_kind in ("percent", "percentage_points", "multiplier")
                and _RELATIVE_AFTER.match(after)
            )
        ):
            if token.unit_kind == "date":
                continue
            relative = token
            relative_form = {
                "percent": "percent",
                "percentage_points": "points",
                "multiplier": "factor",
            }.get(token.unit_kind, "absolute")
            break
    relative_change: RelativeChange | None = None
    if relative is not None:
        if relative_form == "percent":
            change = relative.number / 100.0
        elif relative_form == "absolute":
            change = relative.value
        else:
            change = relative.number
        relative_change = build(
            RelativeChange,
            dict(
                raw=relative.raw,
                value=change,
                form=relative_form,
                span=(relative.start, relative.end),
            ),
        )
    else:
        rel = _RELATIVE_WORDS.search(text) if _RELATIVE_HINT_RE.search(lower) else None
        if rel:
            word = " ".join(rel.group("w").lower().split())
            form, change = _RELATIVE_VALUES.get(word, ("percent", 0.5))
            if word.startswith("cut"):
                form, change = "percent", 0.5
            elif word.startswith("by a factor of"):
                factor_word = word.rsplit(" ", 1)[-1]
                form = "factor"
                change = {"two": 2.0, "three": 3.0, "ten": 10.0}.get(factor_word) or float(
                    factor_word if factor_word.replace(".", "").isdigit() else 2.0
                )
            relative_change = build(
                RelativeChange,
                dict(raw=rel.group("w"), value=change, form=form, span=rel.span("w")),
            )
    if baseline is None and len(values) > 1 and not wordset.isdisjoint(_THEN_NOW_HINTS):
        # "Cut p95 to 300 ms (it currently takes 900 ms)", "...; last month we averaged 22"
        baseline = _baseline_in_context(lower, values, target, relative)
    if target is None:
        remaining = [t for t in values if t is not baseline and t is not relative]
        after_baseline = [t for t in remaining if baseline is None or t.start > baseline.start]
        candidates = after_baseline or remaining
        preferred = [t for t in candidates if t.comparator is not None or t.unit is not None]
        if baseline is not None:
            # a second value of the same kind is the target: "in 3 days and not 12 days"
            same = [t for t in remaining if t.unit_kind == baseline.unit_kind or t.bare]
            preferred = same or preferred
        pool = preferred or candidates
        if pool:
            target = pool[0]
    # a deadline-looking "in 3 days" next to a baseline of days (or a bare number: "within
    # 5 days, down from 12") is the target after all, and then not a deadline
    if (
        target is None
        and baseline is not None
        and (baseline.unit_kind == "duration" or (baseline.bare and baseline.unit_kind == "count"))
    ):
        for token in tokens:
            if (
                token is not baseline
                and token.unit_kind == "duration"
                and token.start < baseline.start
            ):
                target = token
                if (
                    deadline_span is not None
                    and deadline_span[0] <= token.start < deadline_span[1]
                    and not _clean_explicit(kr.deadline)
                ):
                    deadline = None
                    parsed.deadline_span = None
                break
    if placeholder_values:
        # a named placeholder holds its role, whatever its position says
        named_baseline = next((t for t in values if t.placeholder == "baseline"), None)
        named_target = next(
            (t for t in values if t.placeholder == "target" and t is not relative), None
        )
        if named_baseline is not None:
            if target is named_baseline:
                target = None
            baseline = named_baseline
        if named_target is not None:
            if baseline is named_target:
                baseline = None
            target = named_target
        if target is None and baseline is not None:
            target = next(
                (
                    t
                    for t in values
                    if t is not baseline and t is not relative and t.start > baseline.start
                ),
                None,
            )
        cues.extend(f"placeholder:{t.placeholder}" for t in values if t.placeholder)
    zero_match = _ZERO_TARGET_RE.search(text) if wordset & _ZERO_HINTS else None
    if (
        zero_match is None
        and lemma == "eliminate"
        and relative_change is None
        and _eliminates_things(words, index)
    ):
        # "Eliminate all P1 bugs older than 30 days": the verb sets the target, zero
        zero_match = _ELIMINATE_RE.match(text)
    zero = zero_match is not None and target is None
    parsed.zero_target = zero
    word_target = (
        _WORD_TARGET_RE.search(text)
        if target is None and relative_change is None and _may_have_word_target(words)
        else None
    )

    # units travel: "from 25 to 8 minutes" makes the 25 minutes too
    if baseline is not None and target is not None:
        _share_unit(baseline, target)
    baseline_q = baseline.to_quantity() if baseline is not None else None
    target_q = target.to_quantity() if target is not None else None
    if (baseline_q is None or target_q is None) and wordset & _FREQUENCY_HINTS:
        # "from weekly to daily": cadences written as words are values too
        for match in _FREQUENCY_WORD_RE.finditer(text):
            quantity = _frequency_quantity(match)
            if match.group("role") == "from" and baseline_q is None:
                baseline_q = quantity
            elif match.group("role") != "from" and target_q is None:
                target_q = quantity
    cadence_metric = None
    if target_q is None and parsed.lead_verb in _DELIVERY_VERBS:
        cadence = _DELIVERY_CADENCE_RE.search(text)
        if cadence is not None and cadence.group("every"):
            target_q = _every_quantity(cadence)
        elif cadence is not None:
            target_q = _frequency_quantity(cadence)
        if cadence is not None:
            # what the cadence measures, whatever words sit between the verb and it
            cadence_metric = _CADENCE_METRICS[parsed.lead_verb]
    if word_target is not None and target_q is None:
        target_q = _word_target_quantity(word_target)
    if zero and target_q is None:
        span = zero_match.span()  # type: ignore[union-attr]
        target_q = build(
            Quantity,
            dict(
                raw=text[span[0] : span[1]],  # "zero", or the "Eliminate" that means it
                value=0.0,
                unit=None,
                unit_kind="count",
                comparator=None,
                per=None,
                upper=None,
                span=span,
            ),
        )

    # explicit fields win over the text
    explicit_baseline = _clean_explicit(kr.baseline)
    explicit_target = _clean_explicit(kr.target)
    if explicit_baseline:
        token = _first_value(explicit_baseline)
        if token is not None:
            baseline = token
            baseline_q = token.to_quantity().model_copy(update={"span": None})
            cues.append("explicit:baseline")
    if explicit_target:
        token = _first_value(explicit_target)
        if token is not None:
            if baseline is not None:
                _share_unit(baseline, token)
                if explicit_baseline:
                    baseline_q = baseline.to_quantity().model_copy(update={"span": None})
            target = token
            target_q = token.to_quantity().model_copy(update={"span": None})
            cues.append("explicit:target")
        elif _ZERO_WORD_RE.search(explicit_target):
            target_q = build(
                Quantity,
                dict(
                    raw=explicit_target,
                    value=0.0,
                    unit=None,
                    unit_kind="count",
                    comparator=None,
                    per=None,
                    upper=None,
                    span=None,
                ),
            )
    parsed.baseline_token, parsed.target_token, parsed.relative_token = baseline, target, relative

    # -- direction -----------------------------------------------------------------------
    verb_direction = category if category in DIRECTION_CATEGORIES else None
    if verb_direction is None:
        for word in words[(index or 0) :]:
            found = VERB_CATEGORY.get(word)
            if (
                found
                and found[0] in DIRECTION_CATEGORIES
                and not (word.endswith("ing") and found[0] == "maintain")
            ):
                verb_direction = found[0]
                break
    if category == "improve" or (verb_direction in (None, "reach") and category != "reach"):
        verb_direction = verb_direction if category != "improve" else None
    parsed.verb_direction = verb_direction
    direction = verb_direction
    numbers_direction = None
    if (
        baseline_q is not None
        and target_q is not None
        and not is_placeholder(baseline_q)
        and not is_placeholder(target_q)
        and _comparable(baseline_q, target_q)
    ):
        if comparable_value(target_q) > comparable_value(baseline_q):
            numbers_direction = "increase"
        elif comparable_value(target_q) < comparable_value(baseline_q):
            numbers_direction = "decrease"
        else:
            numbers_direction = "maintain"
    if direction is None or (direction == "reach" and numbers_direction):
        if category == "improve" and parsed.polarity:
            direction = "decrease" if parsed.polarity == "lower" else "increase"
        elif numbers_direction:
            direction = numbers_direction
        elif relative_change is not None and relative_change.form == "factor":
            direction = "decrease" if relative_change.value < 1 else "increase"
        elif target_q is not None and target_q.comparator in ("<", "<="):
            direction = "reach" if baseline_q is None else "decrease"
        elif target_q is not None and target_q.comparator in (">", ">="):
            direction = "reach" if baseline_q is None else "increase"
        elif target_q is not None:
            direction = "reach"
    if verb_direction:
        cues.append(f"direction-verb:{verb_direction}")

    # model_construct with every field given: no validation, no default factories to run
    parsed.anatomy = build(
        Anatomy,
        dict(
            metric=cadence_metric or _metric_phrase(text, lower, parsed, tokens),
            direction=direction,
            baseline=baseline_q,
            target=target_q,
            relative_change=relative_change,
            percentile=percentile,
            aggregation=aggregation,
            window=window,
            deadline=deadline,
            source=source,
            numbers=[t.to_quantity() for t in tokens if t.placeholder is None],
            cues=cues,
        ),
    )
    return parsed


def _deadline_span(match: re.Match[str], tokens: list[Token]) -> tuple[int, int]:
    """The span of a deadline phrase, widened to the whole period it names.

    The pattern may stop inside a period the number reader took whole ("by the end of
    2026" in "by the end of 2026-Q3"), or before a second part of it ("by FY2027" in
    "by FY2027 Q1"): the phrase runs to the end of the date tokens it touches.
    """
    start, end = match.span()
    while end > start and match.string[end - 1].isspace():
        end -= 1
    for token in tokens:
        if token.unit_kind != "date" or token.end <= end:
            continue
        if token.start < end or not match.string[end : token.start].strip(" -–/"):
            end = token.end
        elif token.start > end:
            break
    return start, end


def _share_unit(baseline: Token, target: Token) -> None:
    """Give a bare number its partner's unit: "from 25 to 8 minutes", "from 8 to 2/quarter"."""
    for bare, other in ((baseline, target), (target, baseline)):
        if (
            bare.unit is None
            and other.unit is not None
            and (bare.bare or other.unit_kind == "rate")
        ):
            bare.unit = other.unit
            bare.unit_kind = other.unit_kind
            bare.per = other.per
            bare.factor = other.factor
            bare.value = bare.number * other.factor
            if bare.upper is not None:
                bare.upper *= other.factor
            bare.quantity = None  # its public model changed


def _comparable(a: Quantity, b: Quantity) -> bool:
    """Whether two quantities measure the same kind of thing, so their values compare."""
    return units_compatible(a, b) is None


def units_compatible(
    a: Quantity, b: Quantity, a_bare: bool | None = None, b_bare: bool | None = None
) -> str | None:
    """None when `a` and `b` compare; otherwise a short reason they do not.

    `a_bare` / `b_bare` say whether a unitless number stood alone ("from 25 to 8 minutes")
    rather than counting a noun ("from 40 bugs to 5%"); without them the raw text decides.
    """
    ka, kb = a.unit_kind, b.unit_kind
    loose = {"count", "other"}
    if ka in loose and kb in loose:
        return None
    if (a.unit is None and is_placeholder(a)) or (b.unit is None and is_placeholder(b)):
        return None  # "<baseline>" with no unit written takes whatever unit it is filled in
    if (ka in loose and a.unit is None) or (kb in loose and b.unit is None):
        if (ka == "count" and kb in ("rate",)) or (kb == "count" and ka in ("rate",)):
            return None
        bare_one = a if ka in loose else b
        other = b if bare_one is a else a
        if other.unit_kind in ("percent", "duration", "money", "size", "score", "multiplier"):
            # "from 12 incidents to 5%" does not compare; a bare "from 25 to 8 minutes" does
            flag = a_bare if bare_one is a else b_bare
            looks_bare = _looks_bare(bare_one) if flag is None else flag
            return None if looks_bare else f"a count vs {_describe(other)}"
        return None
    percentish = {"percent", "percentage_points"}
    if ka in percentish and kb in percentish:
        return None
    if ka != kb:
        return f"{_describe(a)} vs {_describe(b)}"
    if ka == "money" and a.unit != b.unit:
        return f"{a.unit} vs {b.unit}"
    if ka == "score" and a.unit != b.unit:
        return f"a score {a.unit} vs a score {b.unit}"
    if (
        ka == "rate"
        and a.per
        and b.per
        and a.per != b.per
        and (a.per not in PER_DAYS or b.per not in PER_DAYS)
    ):
        return f"per {a.per} vs per {b.per}"
    return None


# How many days each rate period spans, so "8/quarter" and "2/month" compare.
PER_DAYS = {
    "second": 1 / 86400,
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "sprint": 14.0,
    "month": 30.0,
    "quarter": 91.0,
    "year": 365.0,
}


def comparable_value(quantity: Quantity) -> float:
    """The value to compare across units: rates over time become per-day rates."""
    if quantity.unit_kind == "rate" and quantity.per in PER_DAYS:
        return quantity.value / PER_DAYS[quantity.per]
    return quantity.value


def _looks_bare(quantity: Quantity) -> bool:
    raw = quantity.raw.strip()
    return bool(_BARE_RAW_RE.fullmatch(raw))


def _describe(quantity: Quantity) -> str:
    return {
        "percent": "a percentage",
        "percentage_points": "percentage points",
        "duration": "a duration",
        "money": "money",
        "count": "a count",
        "rate": "a rate",
        "score": "a score",
        "multiplier": "a multiplier",
        "size": "a size",
    }.get(quantity.unit_kind, quantity.unit_kind)


def _metric_phrase(text: str, lower: str, parsed: Parsed, tokens: list[Token]) -> str | None:
    """The words that name what is measured: "checkout page load time", "uptime"."""
    start = 0
    if parsed.attached_at is not None:
        start = parsed.attached_at
        rest = ATTACHED_OUTCOME_RE.match(text, start)
        if rest:
            start = rest.end()
        verb = _VERB_START_RE.match(lower[start:])
        if verb and VERB_CATEGORY.get(verb.group(0).split()[0]):
            start += verb.end()
    elif parsed.lead_span is not None:
        start = parsed.lead_span[1]
        if parsed.lead_verb and " " in parsed.lead_verb:
            particle = parsed.lead_verb.split()[1]
            nxt = lower.find(particle, start)
            if 0 <= nxt - start <= 2:
                start = nxt + len(particle)
    segment = text[start:]
    segment = segment.lstrip(" :-–—")
    offset = len(text) - len(segment)
    # a leading value ("99.9% availability", "80% of requests") is not the metric's name
    for token in tokens:
        if token.start == offset and token.unit_kind not in ("percentile",):
            segment = text[token.end :].lstrip()
            segment = _LEADING_OF_RE.sub("", segment)
            break
    segment = _LEADING_DETERMINERS.sub("", segment)
    stop = _METRIC_STOP_RE.search(" " + segment)
    phrase = (" " + segment)[: stop.start()].strip() if stop else segment.strip()
    for token in tokens:  # cut at the first measured value inside the phrase
        if token.is_value and token.raw in phrase:
            if _AGE_QUALIFIER_RE.search(text, max(0, token.start - 16), token.start):
                continue  # "P1 bugs older than 30 days": the age says which bugs are counted
            # the value as a whole word: the "0" of a later "to 0" is not the 0 of "30 days"
            found = re.search(rf"(?<![\w.]){re.escape(token.raw)}(?![\w.])", phrase)
            if found is None:
                continue
            phrase = phrase[: found.start()].strip()
            break
    last = phrase.rsplit(None, 1)
    if len(last) == 2 and last[1].lower() in _TRAILING_PREPOSITIONS:
        phrase = phrase[: len(phrase) - len(last[1])].rstrip()  # "load time to" -> "load time"
    words = phrase.split()
    if not words:
        return None
    return " ".join(words[:10])


def may_have_clauses(parsed: Parsed) -> bool:
    """Whether the text has a word or mark that can join two clauses (a cheap pre-test)."""
    text = parsed.text
    return bool(parsed.wordset & _CLAUSE_HINTS) or "," in text or ";" in text or "&" in text


def clause_metrics(parsed: Parsed) -> list[tuple[int, int]]:
    """Spans of clauses that each name a metric and a value or a direction (for KR501)."""
    text = parsed.text
    protected = [(t.start, t.end) for t in parsed.tokens]
    spans: list[tuple[int, int]] = []
    position = 0
    splits = _CLAUSE_SPLIT_RE.finditer(text) if may_have_clauses(parsed) else ()
    for match in splits:
        if any(s <= match.start() < e for s, e in protected):
            continue
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    found: list[tuple[int, int]] = []
    for start, end in spans:
        clause = parsed.lower[start:end]
        clause_words = _WORD_RE.findall(clause)
        has_metric_word = any(w in METRIC_WORDS for w in clause_words)
        has_value = any(
            t.is_value and start <= t.start < end and t.unit_kind != "date" for t in parsed.tokens
        )
        has_verb = any(
            VERB_CATEGORY.get(w, ("", ""))[0] in DIRECTION_CATEGORIES | {"improve"}
            for w in clause_words[:3]
        )
        if not has_metric_word:
            # "shrink the app from 212 MB to 120 MB": an imperative verb and its own values
            lead = VERB_CATEGORY.get(clause_words[0], ("", "")) if clause_words else ("", "")
            if has_value and lead[0] in DIRECTION_CATEGORIES and clause_words[0] == lead[1]:
                found.append((start, end))
            continue
        starts_with_metric = bool(clause_words) and (
            clause_words[0] in METRIC_WORDS
            or (clause_words[0][:1] == "p" and clause_words[0][1:3].isdigit())
        )
        if (
            has_value
            and (has_verb or not found or starts_with_metric or _BASELINE_BEFORE.search(clause))
        ) or (has_verb and found):
            found.append((start, end))
    return found
