"""Find every number in a piece of text and normalise its unit so values compare.

One compiled pattern scans the text once. Each match becomes a `Token` (the internal,
mutable form the anatomy parser works with) and, for callers outside this package, a
`Quantity`. Durations are normalised to seconds and sizes to bytes; money keeps its
currency symbol; percent and percentage points stay apart; percentiles (p95), dates
(Q3, 2027, 2026-09-30) and identifiers are recognised so that they are not mistaken for
targets. Identifiers glued to letters (P1, S3, EC2, K8s, 2FA, HTTP/2) are not numbers.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..models import Quantity
from .construct import build

# -- unit tables ------------------------------------------------------------------------
MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
DURATION_FACTORS: dict[str, float] = {
    "ms": 0.001,
    "msec": 0.001,
    "msecs": 0.001,
    "millisecond": 0.001,
    "milliseconds": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": MINUTE,
    "min": MINUTE,
    "mins": MINUTE,
    "minute": MINUTE,
    "minutes": MINUTE,
    "h": HOUR,
    "hr": HOUR,
    "hrs": HOUR,
    "hour": HOUR,
    "hours": HOUR,
    "d": DAY,
    "day": DAY,
    "days": DAY,
    "business day": DAY,
    "business days": DAY,
    "working day": DAY,
    "working days": DAY,
    "wk": 7 * DAY,
    "wks": 7 * DAY,
    "week": 7 * DAY,
    "weeks": 7 * DAY,
    "mo": 30 * DAY,
    "mos": 30 * DAY,
    "month": 30 * DAY,
    "months": 30 * DAY,
    "quarter": 91 * DAY,
    "quarters": 91 * DAY,
    "yr": 365 * DAY,
    "yrs": 365 * DAY,
    "year": 365 * DAY,
    "years": 365 * DAY,
}
SIZE_FACTORS: dict[str, float] = {
    "b": 1.0,
    "byte": 1.0,
    "bytes": 1.0,
    "kb": 1e3,
    "kib": 1024.0,
    "mb": 1e6,
    "mib": 1024.0**2,
    "gb": 1e9,
    "gib": 1024.0**3,
    "tb": 1e12,
    "tib": 1024.0**4,
}
MAGNITUDES: dict[str, float] = {
    "k": 1e3,
    "K": 1e3,
    "thousand": 1e3,
    "M": 1e6,
    "MM": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "B": 1e9,
    "billion": 1e9,
}
CURRENCIES: dict[str, str] = {
    "$": "$",
    "€": "€",
    "£": "£",
    "¥": "¥",
    "usd": "$",
    "eur": "€",
    "gbp": "£",
    "dollar": "$",
    "dollars": "$",
    "euro": "€",
    "euros": "€",
}
NUMBER_WORDS: dict[str, float] = {
    "zero": 0,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "a dozen": 12,
    "dozen": 12,
    "once": 1,
    "twice": 2,
    "a": 1,
    "an": 1,
    "one": 1,
    "a single": 1,
}
# "a minute", "an hour", "one day": an article before a unit of time is the number one.
_ARTICLE_UNIT = (
    r"\b(?i:an?|one|a\s+single)\b(?=\s+(?i:second|minute|hour|day|business\s+day|week|month|"
    r"quarter|year)s?\b)"
)
PERIODS: dict[str, str] = {
    "quarter": "quarter",
    "q": "quarter",
    "qtr": "quarter",
    "month": "month",
    "mo": "month",
    "week": "week",
    "wk": "week",
    "day": "day",
    "d": "day",
    "hour": "hour",
    "hr": "hour",
    "h": "hour",
    "minute": "minute",
    "min": "minute",
    "second": "second",
    "sec": "second",
    "s": "second",
    "sprint": "sprint",
    "release": "release",
    "year": "year",
    "yr": "year",
    "deploy": "deploy",
    "engineer": "engineer",
    "team": "team",
}
WORD_COMPARATORS: dict[str, str] = {
    "at least": ">=",
    "no less than": ">=",
    "not less than": ">=",
    "no lower than": ">=",
    "not lower than": ">=",
    "not below": ">=",
    "no fewer than": ">=",
    "at or above": ">=",
    "a minimum of": ">=",
    "minimum": ">=",
    "more than": ">",
    "greater than": ">",
    "above": ">",
    "over": ">",
    "exceeding": ">",
    "at most": "<=",
    "no more than": "<=",
    "not more than": "<=",
    "at or below": "<=",
    "up to": "<=",
    "a maximum of": "<=",
    "maximum": "<=",
    "max": "<=",
    "within": "<=",
    "no higher than": "<=",
    "not higher than": "<=",
    "no greater than": "<=",
    "not above": "<=",
    "not exceeding": "<=",
    "capped at": "<=",
    "less than": "<",
    "fewer than": "<",
    "under": "<",
    "below": "<",
    "beneath": "<",
    "about": "~",
    "around": "~",
    "approximately": "~",
    "approx": "~",
    "roughly": "~",
    "nearly": "~",
    "almost": "~",
}
SYMBOL_COMPARATORS: dict[str, str] = {
    "<=": "<=",
    "≤": "<=",
    ">=": ">=",
    "≥": ">=",
    "<": "<",
    ">": ">",
    "~": "~",
    "≈": "~",
    "=": "=",
}
TRAILING_COMPARATORS: dict[str, str] = {
    "or less": "<=",
    "or fewer": "<=",
    "or lower": "<=",
    "or below": "<=",
    "or under": "<=",
    "or faster": "<=",
    "and below": "<=",
    "or more": ">=",
    "or higher": ">=",
    "or above": ">=",
    "or greater": ">=",
    "and above": ">=",
    "and up": ">=",
    "+": ">=",
}


def _alt(words: list[str]) -> str:
    """A regex alternation that tries longer words first."""
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_NUMWORD = _alt(
    [w for w in NUMBER_WORDS if w not in ("once", "twice", "a", "an", "one", "a single")]
)
_MONTHS = (
    r"(?:(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)|May|may(?=\s+\d{4}))\.?"
)
_PERIOD_WORDS = _alt(
    [
        "quarter",
        "qtr",
        "month",
        "mo",
        "week",
        "wk",
        "day",
        "hour",
        "hr",
        "minute",
        "min",
        "second",
        "sec",
        "sprint",
        "release",
        "year",
        "yr",
        "deploy",
        "engineer",
        "team",
    ]
)
_DURATION_UNITS = _alt([u for u in DURATION_FACTORS if len(u) > 1 or u in ("s", "h", "d", "m")])
_SIZE_UNITS = _alt([u for u in SIZE_FACTORS if u != "b"])


def _initials(words: list[str]) -> str:
    """A character class of the first letters of `words`, both cases, for a lookahead guard.

    A guard that says "a unit can only start with one of these letters" changes no match,
    but lets the engine skip a case-insensitive alternation of dozens of words at once.
    """
    letters = sorted({w[0].lower() for w in words} | {w[0].upper() for w in words})
    return "[" + "".join(re.escape(c) for c in letters) + "]"


_DURATION_INITIALS = _initials(
    [u for u in DURATION_FACTORS if len(u) > 1 or u in ("s", "h", "d", "m")]
)
_SIZE_INITIALS = _initials([u for u in SIZE_FACTORS if u != "b"])
_PERIOD_INITIALS = _initials(
    [
        "quarter",
        "month",
        "week",
        "day",
        "hour",
        "minute",
        "second",
        "sprint",
        "release",
        "year",
        "deploy",
        "engineer",
        "team",
    ]
)

_TOKEN_PATTERN = rf"""
    # fail fast where no token can start: not a digit, sign, currency, comparator or word start
    (?=[\d.$€£¥+\-−<>≤≥~≈=]|(?<![A-Za-z])[A-Za-z])
    (?:(?P<pct>(?<![\w.])[pP](?P<pctv>\d{{2}}(?:\.\d+)?)(?![\w])
      | (?<![\w.])(?P<pctv2>\d{{2}}(?:\.\d+)?)(?:th|st|nd|rd)[\s-]+(?i:percentile|pct|%ile)s?\b)
    | (?P<date>
        (?<![\w.])(?:(?P<qy1>(?:19|20)\d{{2}})[-\s]?)?(?P<qh>[QqHh])(?P<qn>[1-4])
          (?:(?:\s*['’]\s*|\s+|-)(?:(?i:FY)\s?)?(?P<qy2>(?:19|20)\d{{2}}|(?<=['’])\d{{2}}|(?<=FY)\d{{2}}|(?<=FY\s)\d{{2}}))?(?![\w])
      | (?<![\w.])(?i:FY)\s?(?P<fy>(?:19|20)?\d{{2}})(?![\w])
      | (?<![\w.,/-])(?P<iso>(?:19|20)\d{{2}}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)(?![\w-])
      | (?<![\w.,/])(?P<dmy>\d{{1,2}}/\d{{1,2}}/(?:19|20)?\d{{2}})(?![\w/])
      | (?<![\w])(?P<mdate>
            {_MONTHS}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d{{2}})?|(?:19|20)\d{{2}})
          | \d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:,?\s+(?:19|20)\d{{2}})?
        )(?![\w])
    )
    | (?P<version>(?<![\w.])\d+(?:\.\d+){{2,}}(?![\w]))
    | (?P<allday>(?<![\w.])24/7(?![\w/]))
    | (?P<clock>(?<![\w.:])\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?![\w:]))
    | (?P<qty>
        (?:(?<![\w-])(?P<sub>[Ss]ub)[-\s]?(?=\d))?
        (?:(?<![-=])(?P<cmps>{_alt(list(SYMBOL_COMPARATORS))})\s*)?
        (?P<sign>[+\-−](?=[\d$€£¥.]))?
        (?P<cur>[$€£¥]\s?)?
        (?:(?<=[Ss]ub-)|(?<=[Ss]ub\s)|(?<=[Ss]ub)|(?<![\w.,/])(?<![A-Za-z]-))
        (?P<num>{_NUM}@NUMBER_WORDS@)
        (?:(?P<u1>\s?%)?\s?[-–—]\s?(?P<cur2>[$€£¥])?(?P<num2>{_NUM})(?![\w,.]\d))?
        (?P<mag>\s?(?:k|K|MM|M|mn|bn|B)(?![A-Za-z])|\s(?i:thousand|million|billion)\b)?
        (?P<plus>\+(?=\s?[A-Za-z%]))?
        (?:
          (?P<percent>\s?%|\s(?i:percent|per\s+cent|pct)\b)
          | (?P<pp>\s?(?i:pp|ppt|pts?)\b|\s(?i:percentage[\s-]points?|points?|%\s*points?)\b)
          | (?=[\s-]?{_DURATION_INITIALS})(?P<dur>(?:\s?|-)(?i:{_DURATION_UNITS})\b)
          | (?=\s?{_SIZE_INITIALS})(?P<size>\s?(?i:{_SIZE_UNITS})\b)
          | (?P<mult>\s?[xX×](?![A-Za-z])|-?(?i:fold)\b|\s(?i:times)\b(?!\s+(?:a|an|per|each|every)\s))
          | (?P<score>\s?/\s?(?P<scale>\d+(?:\.\d+)?)(?![\w/])|\s(?i:out\s+of)\s+(?P<scale2>\d+(?:\.\d+)?))
          | (?P<curw>\s(?i:usd|eur|gbp|dollars?|euros?)\b)
        )?
        (?P<per>
          \s?/\s?(?={_PERIOD_INITIALS})(?P<perw>(?i:{_PERIOD_WORDS}|q|d|h|s))\b
          | (?:\s(?i:times))?\s(?:(?P<noun>(?!(?i:of|to|from|by|in|and|or|the|per|a|an|each|every)\b)[A-Za-z][\w-]*)\s)?(?=[pPaAeE])(?i:per|a|an|each|every)\s+(?={_PERIOD_INITIALS})(?P<perw2>(?i:{_PERIOD_WORDS}))\b
        )?
        (?P<trail>\s?\+|\s(?i:{_alt([w for w in TRAILING_COMPARATORS if w != "+"])})\b)?
        (?![\w])
      )
    )
    """
# Comparator words ("under", "at least") and currency codes before a number are read by
# `_prefix_before`, not by the pattern: as alternatives they were tried at every word.
TOKEN_RE = re.compile(_TOKEN_PATTERN.replace("@NUMBER_WORDS@", ""), re.VERBOSE)
TOKEN_RE_WITH_WORDS = re.compile(
    _TOKEN_PATTERN.replace(
        "@NUMBER_WORDS@",
        rf"|\b(?i:{_NUMWORD})\b|\b(?i:once|twice)\b(?=\s+(?:a|an|per|each|every)\s)|{_ARTICLE_UNIT}",
    ),
    re.VERBOSE,
)


@dataclass(slots=True)
class Token:
    """A number found in text, in the form the anatomy parser reasons with."""

    start: int
    end: int
    raw: str
    value: float
    number: float  # the value as written, after k/M magnitudes, before unit factors
    factor: float = 1.0  # what `number` was multiplied by to normalise (60 for minutes)
    unit: str | None = None
    unit_kind: str = "count"
    comparator: str | None = None
    per: str | None = None
    upper: float | None = None
    sign: str | None = None  # "+" or "-" written in front of the number
    bare: bool = False  # no unit and no noun after it: takes its partner's unit
    num_start: int = 0  # where the digits start (after any comparator or currency)
    placeholder: str | None = None  # "baseline"/"target" for a visible "<target>": no value
    # the public model, built once (whoever changes the fields above resets it to None)
    quantity: Quantity | None = field(default=None, repr=False, compare=False)

    def to_quantity(self) -> Quantity:
        """The public model for this number (the same instance until the token changes)."""
        if self.quantity is not None:
            return self.quantity
        self.quantity = build(
            Quantity,
            dict(
                raw=self.raw,
                value=self.value,
                upper=self.upper,
                unit=self.unit,
                unit_kind=self.unit_kind,
                comparator=self.comparator,
                per=self.per,
                span=(self.start, self.end),
            ),
        )
        return self.quantity

    @property
    def is_value(self) -> bool:
        """True for numbers that can be a baseline or target (not dates, ids, percentiles)."""
        return self.unit_kind not in ("date", "percentile", "other")


def _to_float(text: str) -> float:
    word = text.lower()
    if word in NUMBER_WORDS:
        return float(NUMBER_WORDS[word])
    word = " ".join(word.split())
    if word in NUMBER_WORDS:
        return float(NUMBER_WORDS[word])
    return float(text.replace(",", ""))


_BARE_FOLLOW = re.compile(r"\s*(?:$|to\b|→|->|=>|and\b|or\b|[,;)(])", re.IGNORECASE)
_NOUN_FOLLOW = re.compile(r"\s+(?!(?:to|from|by|in|and|or|the|of|at|on|for|per)\b)[A-Za-z]")


_YEAR_RE = re.compile(r"(?:19[89]\d|20\d\d)")
_YEAR_BEFORE = re.compile(
    r"(?=[A-Za-z(\-–,])(?:\b(?:by|in|before|until|till|through|during|of|for|since|after|end|early|late|mid|"
    r"fy|year|calendar|the)|[(\-–,])\s*$",
    re.IGNORECASE,
)
_MONEY_PER = re.compile(r"\s?(?:/|per\s+|a\s+|an\s+|each\s+)(?P<per>[A-Za-z][\w-]*(?:\s+user)?)")


_DIGIT_RE = re.compile(r"\d")
_DIGITS_RE = re.compile(r"\d+")
_ARTICLE_UNIT_HINTS = (
    "a second",
    "a minute",
    "an hour",
    "a day",
    "a business day",
    "a week",
    "a month",
    "a quarter",
    "a year",
    "one ",
    "a single",
)
_NUMBER_WORD_SET = frozenset(
    w for w in NUMBER_WORDS if w not in ("a", "an", "one", "a single", "a dozen")
)
_ARTICLES = frozenset({"a", "an", "one"})
_LETTER_RUNS = re.compile(r"[a-z]+")
_LOOKBACK = 28  # longest text a token can have before its first digit: "no more than $"


def _token_matches(text: str) -> Iterator[re.Match[str]]:
    """TOKEN_RE matches, scanning only the stretches of text that lead up to a digit.

    Same result as `TOKEN_RE.finditer(text)` (lookbehinds still see the whole text), but
    most of a key result is words, and trying every alternative at every word costs more
    than the rest of the parse. Number words ("three") have no digit: then scan it all.
    """
    lower = text.lower()
    letters = _LETTER_RUNS.findall(lower)
    if not _NUMBER_WORD_SET.isdisjoint(letters) or (
        not _ARTICLES.isdisjoint(letters) and any(h in lower for h in _ARTICLE_UNIT_HINTS)
    ):
        yield from TOKEN_RE_WITH_WORDS.finditer(text)
        return
    position = 0
    while True:
        digit = _DIGIT_RE.search(text, position)
        if digit is None:
            return
        match = TOKEN_RE.search(text, max(position, _scan_start(text, digit.start())))
        if match is None:
            return
        yield match
        position = max(match.end(), match.start() + 1)


def _scan_start(text: str, digit: int) -> int:
    """Where a token holding the digit at `digit` can start: the start of the word it is
    in, or of the word before when that word can open a token ("March 2027", "FY 27",
    "< 30 ms", "$ 5"). Scanning from there rather than a fixed distance back spares the
    pattern's many alternatives at every word start in between.
    """
    start = digit
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    if start == 0:
        return 0
    before = start
    while before > 0 and text[before - 1].isspace():
        before -= 1
    word_start = before
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:before]
    if _OPENER_SYMBOLS.issuperset(word):
        return max(word_start, digit - _LOOKBACK)
    opener = _OPENER_RE.search(word)
    if opener is not None:  # "March 2027", "Oct-Dec 2026", "FY 27"
        return max(word_start + opener.start(), digit - _LOOKBACK)
    return start


# A word before a number that can be part of its token: a month, a fiscal year, "sub"
# ("sub 200 ms"), a comparator or currency symbol written apart from the number.
_OPENER_RE = re.compile(rf"(?<![A-Za-z])(?:{_MONTHS}|(?i:fy)|[Ss]ub)$", re.VERBOSE)
_OPENER_SYMBOLS = frozenset("<>≤≥~≈=$€£¥+-−([")


# Names a number after them identifies rather than measures: "SOC 2", "ISO 27001",
# "Postgres 16", "tier 1 services", "Kubernetes 1.30" (a count of nothing).
_IDENTIFIER_NAMES = frozenset(
    [
        "soc",
        "iso",
        "pci",
        "dss",
        "nist",
        "ssae",
        "type",
        "tier",
        "level",
        "sev",
        "severity",
        "phase",
        "stage",
        "version",
        "gen",
        "generation",
        "python",
        "java",
        "jdk",
        "node",
        "nodejs",
        "kafka",
        "postgres",
        "postgresql",
        "mysql",
        "redis",
        "elasticsearch",
        "opensearch",
        "ios",
        "android",
        "kubernetes",
        "k8s",
        "http",
        "tls",
        "ssl",
        "oauth",
        "ipv",
        "wcag",
        "rhel",
        "ubuntu",
        "debian",
        "centos",
        "windows",
        "macos",
        "react",
        "angular",
        "vue",
        "rails",
        "django",
        "spring",
        "scala",
        "php",
        "ruby",
        "golang",
        "dotnet",
        "terraform",
        "spark",
        "airflow",
        "cassandra",
        "mongodb",
        "hl7",
        "es",
        "ecmascript",
        "swift",
        "kotlin",
        "gradle",
        "webpack",
        "nextjs",
        "step",
        "wave",
        "api",
        "v",
    ]
)
_NAME_BEFORE_RE = re.compile(r"(?:^|[^A-Za-z0-9])([A-Za-z][A-Za-z0-9]*)[ ]$")


def _identifies(text: str, token: Token) -> bool:
    """Whether a bare number is part of a name: "SOC 2", "Postgres 16", "tier 1", or the
    cut-off of a ranking metric: "NDCG@10", "recall@5"."""
    if token.unit is not None or token.comparator or token.sign or token.upper is not None:
        return False
    if token.start > 1 and text[token.start - 1] == "@" and text[token.start - 2].isalpha():
        return True
    name = _NAME_BEFORE_RE.search(text, max(0, token.start - 16), token.start)
    return name is not None and name.group(1).lower() in _IDENTIFIER_NAMES


# A number word joined by a hyphen to the word after it makes an adjective ("zero-trust",
# "one-click", "two-factor"), unless that word is a unit the regex took with the number
# ("two-week") or the nines of an availability ("three-nines").
_WORD_COMPOUND = re.compile(r"-(?!nines\b)[A-Za-z]")


def tokenize(text: str) -> list[Token]:
    """Every number in `text`, in order, as internal tokens."""
    tokens: list[Token] = []
    for m in _token_matches(text):
        start, end = m.span()
        raw = m.group(0)
        kind = m.lastgroup  # the alternative that matched: qty, pct, date, version...
        if kind == "qty" and _YEAR_RE.fullmatch(raw):
            before = text[max(0, start - 14) : start]
            if _YEAR_BEFORE.search(before):
                value = float(raw)
                tokens.append(
                    Token(
                        start,
                        end,
                        raw,
                        value,
                        value,
                        unit="year",
                        unit_kind="date",
                        num_start=start,
                    )
                )
                continue
        if kind == "qty":
            if raw[-1:].isalpha() and _WORD_COMPOUND.match(text, end) and raw.isalpha():
                continue  # "zero-downtime deploys", "two-factor auth": a name, not a number
            token = _quantity_token(m, text, start, end, raw)
            if token.unit_kind == "count" and _identifies(text, token):
                token.unit_kind = "other"
            tokens.append(token)
        elif kind == "pct":
            value = float(m.group("pctv") or m.group("pctv2"))
            tokens.append(
                Token(
                    start, end, raw, value, value, unit="p", unit_kind="percentile", num_start=start
                )
            )
        elif kind == "date":
            tokens.append(_date_token(m, start, end, raw))
        else:  # a version, "24/7" or a clock time
            value = float(_DIGITS_RE.search(raw).group(0))  # type: ignore[union-attr]
            tokens.append(Token(start, end, raw, value, value, unit_kind="other", num_start=start))
    return tokens


def _date_token(m: re.Match[str], start: int, end: int, raw: str) -> Token:
    if m.group("qn"):
        unit = "quarter" if m.group("qh") in "Qq" else "half"
        value = float(m.group("qn"))
    elif m.group("fy"):
        unit, value = "fiscal_year", float(m.group("fy"))
    elif m.group("iso"):
        unit, value = "date", float(m.group("iso").replace("-", "").ljust(8, "0"))
    else:
        digits = _DIGITS_RE.findall(raw)
        unit = "date"
        value = float(digits[-1]) if digits else 0.0
    return Token(start, end, raw, value, value, unit=unit, unit_kind="date", num_start=start)


_QTY_GROUPS = (
    "num",
    "num2",
    "mag",
    "cur",
    "cur2",
    "cmps",
    "sign",
    "percent",
    "u1",
    "pp",
    "dur",
    "size",
    "mult",
    "score",
    "scale",
    "scale2",
    "curw",
    "perw",
    "perw2",
    "trail",
    "plus",
    "noun",
    "sub",
)
assert TOKEN_RE.groupindex == TOKEN_RE_WITH_WORDS.groupindex
# One C call picks every group a quantity needs from `match.groups()` (by name it is a
# dictionary lookup per group, which costs more than the rest of building the token).
_qty_groups = operator.itemgetter(*(TOKEN_RE.groupindex[name] - 1 for name in _QTY_GROUPS))
_NUM_GROUP = TOKEN_RE.groupindex["num"]


def _quantity_token(m: re.Match[str], text: str, start: int, end: int, raw: str) -> Token:
    (
        num,
        num2,
        mag,
        cur,
        cur2,
        cmps,
        sign,
        percent,
        u1,
        pp,
        dur,
        size,
        mult,
        score,
        scale,
        scale2,
        curw,
        perw,
        perw2,
        trail,
        plus,
        noun,
        sub,
    ) = _qty_groups(m.groups())
    number = _to_float(num)
    upper = float(num2.replace(",", "")) if num2 else None
    mag = (mag or "").strip()
    cur = (cur or cur2 or "").strip().lower()
    prefix, prefix_start = None, start
    if not cmps and not sign:
        prefix, prefix_start = _prefix_before(text, start)
        if prefix is not None and prefix[0] == "currency":
            if cur:
                prefix, prefix_start = None, start
            else:
                cur = prefix[1]
    if mag:
        factor = MAGNITUDES.get(mag, MAGNITUDES.get(mag.lower(), 1.0))
        number *= factor
        if upper is not None:
            upper *= factor
    unit: str | None = None
    unit_kind = "count"
    factor = 1.0
    per: str | None = None
    if percent or u1:
        unit, unit_kind = "%", "percent"
    elif pp:
        unit, unit_kind = "pp", "percentage_points"
    elif dur:
        word = " ".join(dur.strip(" -").lower().split())
        if cur and word == "m":  # "$1.5m" is money in millions, not minutes
            number *= 1e6
            upper = upper * 1e6 if upper is not None else None
        else:
            unit, unit_kind, factor = "s", "duration", DURATION_FACTORS.get(word, 1.0)
    elif size:
        unit, unit_kind = "B", "size"
        factor = SIZE_FACTORS.get(size.strip().lower(), 1.0)
    elif mult:
        unit, unit_kind = "x", "multiplier"
    elif score:
        scale = scale or scale2
        unit, unit_kind = f"/{scale.rstrip('0').rstrip('.') if '.' in scale else scale}", "score"
    elif curw:
        cur = curw.strip().lower()
    if cur:
        unit, unit_kind = CURRENCIES.get(cur, cur), "money"
    perw = perw or perw2
    if perw:
        per = PERIODS.get(perw.lower(), perw.lower())
        if unit_kind == "count":
            unit_kind = "rate"
            unit = f"/{per}"
    comparator = None
    if sub:
        comparator = "<"  # "sub-200 ms", "sub-5-minute": under the number
    if cmps:
        comparator = SYMBOL_COMPARATORS.get(cmps)
    elif prefix is not None and prefix[0] == "comparator":
        comparator = WORD_COMPARATORS[prefix[1]]
    if prefix is not None:
        raw = text[prefix_start:end]
        start = prefix_start
    trail = (trail or plus or "").strip().lower()
    if trail:
        comparator = TRAILING_COMPARATORS.get(" ".join(trail.split()), comparator)
    if sign == "−":
        sign = "-"
    if unit_kind == "money" and per is None:
        money_per = _MONEY_PER.match(text, end)
        if money_per and money_per.group("per").lower() not in ("the", "and", "to", "from"):
            per = money_per.group("per").lower()
    value = number * factor
    if upper is not None:
        upper *= factor
    bare = unit is None and not noun and bool(_BARE_FOLLOW.match(text, end))
    if unit is None and not bare and not _NOUN_FOLLOW.match(text, end):
        bare = True
    return Token(
        start,
        end,
        raw,
        value,
        number,
        factor=factor,
        unit=unit,
        unit_kind=unit_kind,
        comparator=comparator,
        per=per,
        upper=upper,
        sign=sign,
        bare=bare,
        num_start=m.start(_NUM_GROUP),
    )


_PREFIX_LAST_WORDS = frozenset(
    [phrase.split()[-1] for phrase in WORD_COMPARATORS] + ["usd", "eur", "gbp"]
)


def _prefix_before(text: str, start: int) -> tuple[tuple[str, str] | None, int]:
    """A comparator phrase ("at least") or currency code ("USD") written before a number."""
    window = text[max(0, start - 24) : start]
    if not window or not window[-1].isspace():
        return None, start
    words = window.split()
    if not words or words[-1].lower() not in _PREFIX_LAST_WORDS:
        return None, start  # every phrase below ends with one of these words
    for size in (3, 2, 1):
        if len(words) < size:
            continue
        phrase = " ".join(words[-size:]).lower()
        kind = (
            "comparator"
            if phrase in WORD_COMPARATORS
            else "currency"
            if size == 1 and phrase in ("usd", "eur", "gbp")
            else None
        )
        if kind is None:
            continue
        position = len(window)
        for word in reversed(words[-size:]):
            position = window.rfind(word, 0, position)
        absolute = start - len(window) + position
        if absolute > 0 and (text[absolute - 1].isalnum() or text[absolute - 1] in "_'’"):
            continue  # the window cut a longer word: "rollover" is not "over"
        return (kind, phrase), absolute
    return None, start


def extract_numbers(text: str) -> list[Quantity]:
    """Every number in `text`, in order, with units normalised (durations in seconds).

    Percentiles (p95) come back with unit_kind "percentile" and dates (Q3, 2027-03-31,
    "March 2027") with unit_kind "date", so a caller can tell them from measured values.
    """
    return [token.to_quantity() for token in tokenize(text or "")]
