"""The words the anatomy parser and the classifier recognise, grouped by what they signal.

Kept as data so a reader can see (and a change can extend) what counts as a deliverable
verb, an activity, a metric or a vague intention without reading any parsing code.
"""

from __future__ import annotations

import re


def verb_forms(base: str) -> set[str]:
    """The inflections engineers write for a verb: reduce, reduces, reduced, reducing."""
    forms = {base, base + "s"}
    if base.endswith("e"):
        forms |= {base + "d", base[:-1] + "ing"}
    elif base.endswith("y") and base[-2:-1] not in "aeiou":
        forms |= {base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    else:
        forms |= {base + "ed", base + "ing", base + "es"}
        if re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", base):  # cut -> cutting, ship -> shipped
            forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    return forms


# Verbs that state which way a metric should move (the outcome grammar).
DECREASE_VERBS = ["reduce", "decrease", "cut", "lower", "shrink", "drop", "minimise", "minimize", "halve", "eliminate", "shorten", "trim", "slash", "curb", "decline", "fall", "lessen", "diminish"]
INCREASE_VERBS = ["increase", "raise", "grow", "boost", "lift", "expand", "double", "triple", "quadruple", "maximise", "maximize", "rise", "climb", "widen", "multiply"]
MAINTAIN_VERBS = ["maintain", "keep", "sustain", "hold", "preserve", "stay", "remain", "protect", "retain"]
REACH_VERBS = ["achieve", "reach", "hit", "attain", "get", "bring", "return", "restore"]
IMPROVE_VERBS = ["improve", "optimise", "optimize", "better"]

# Verbs that name the team's own doing: the point is that the action happens.
ACTIVITY_VERBS = ["hire", "recruit", "interview", "hold", "host", "organise", "organize", "conduct", "attend", "present", "speak", "train", "mentor", "coach", "teach", "schedule", "meet", "spend", "dedicate", "allocate", "pair", "shadow", "participate", "facilitate", "survey", "invite", "visit", "blog"]
# Verbs whose kind depends on the object: "run 6 game days" vs "run all services on ARM".
AMBIGUOUS_VERBS = ["run", "publish", "write", "review", "perform", "do", "give", "close", "merge", "fix", "resolve", "complete", "send", "record", "share", "deliver"]
# Verbs that name a deliverable, milestone, migration or rollout being done.
OUTPUT_VERBS = ["launch", "ship", "release", "build", "implement", "migrate", "finish", "finalise", "finalize", "create", "develop", "design", "introduce", "integrate", "upgrade", "replace", "rewrite", "refactor", "automate", "adopt", "enable", "add", "document", "define", "establish", "decommission", "retire", "deprecate", "remove", "move", "switch", "convert", "port", "containerise", "containerize", "instrument", "configure", "provision", "onboard", "consolidate", "standardise", "standardize", "extract", "split", "prototype", "pilot", "deploy", "install", "obtain", "pass", "produce", "draft", "update", "sunset", "archive", "transition", "unify", "centralise", "centralize", "redesign", "rebuild", "rearchitect", "re-architect", "decompose", "expose", "enforce", "require", "mandate", "apply", "encrypt", "patch", "delete", "purge", "certify", "roll", "rollout", "set", "stand", "spin", "wire", "connect", "translate", "localise", "localize", "open-source", "upstream", "sign", "dockerize", "dockerise", "kubernetize", "adopt"]
# Verbs of good intent that do not say what will be measured.
VAGUE_VERBS = ["make", "enhance", "strengthen", "modernise", "modernize", "foster", "promote", "empower", "streamline", "become", "be", "embrace", "champion", "drive", "ensure", "focus", "work", "explore", "investigate", "look", "support", "help", "continue", "prioritise", "prioritize", "evaluate", "delight", "simplify", "revamp", "transform", "rethink", "invest", "advance", "mature", "harden", "level", "tackle", "address", "own", "understand", "learn", "assess", "research", "study", "consider", "accelerate", "speed"]

PHRASAL_VERBS: dict[tuple[str, str], tuple[str, str]] = {
    ("roll", "out"): ("output", "roll out"),
    ("set", "up"): ("output", "set up"),
    ("stand", "up"): ("output", "stand up"),
    ("spin", "up"): ("output", "spin up"),
    ("break", "up"): ("output", "break up"),
    ("clean", "up"): ("output", "clean up"),
    ("open", "source"): ("output", "open source"),
    ("move", "to"): ("output", "move to"),
    ("switch", "to"): ("output", "switch to"),
    ("speed", "up"): ("decrease", "speed up"),
    ("bring", "down"): ("decrease", "bring down"),
    ("drive", "down"): ("decrease", "drive down"),
    ("drive", "up"): ("increase", "drive up"),
    ("push", "down"): ("decrease", "push down"),
    ("level", "up"): ("vague", "level up"),
    ("look", "into"): ("vague", "look into"),
    ("work", "on"): ("vague", "work on"),
    ("focus", "on"): ("vague", "focus on"),
    ("cut", "down"): ("decrease", "cut down"),
    ("scale", "up"): ("vague", "scale up"),
}

VERB_CATEGORY: dict[str, tuple[str, str]] = {}
for _category, _verbs in (
    ("vague", VAGUE_VERBS),
    ("output", OUTPUT_VERBS),
    ("ambiguous", AMBIGUOUS_VERBS),
    ("activity", ACTIVITY_VERBS),
    ("improve", IMPROVE_VERBS),
    ("reach", REACH_VERBS),
    ("maintain", MAINTAIN_VERBS),
    ("increase", INCREASE_VERBS),
    ("decrease", DECREASE_VERBS),
):
    for _verb in _verbs:
        for _form in verb_forms(_verb):
            VERB_CATEGORY[_form] = (_category, _verb)
for _form in (
    "ran",
    "running",
    "wrote",
    "written",
    "held",
    "gave",
    "given",
    "built",
    "did",
    "done",
    "sent",
    "spent",
    "taught",
    "met",
    "grew",
    "grown",
    "rose",
    "risen",
    "kept",
    "brought",
    "got",
    "gotten",
    "fell",
    "fallen",
    "shipped",
    "cutting",
):
    _base = {
        "ran": "run",
        "running": "run",
        "wrote": "write",
        "written": "write",
        "held": "hold",
        "gave": "give",
        "given": "give",
        "built": "build",
        "did": "do",
        "done": "do",
        "sent": "send",
        "spent": "spend",
        "taught": "teach",
        "met": "meet",
        "grew": "grow",
        "grown": "grow",
        "rose": "rise",
        "risen": "rise",
        "kept": "keep",
        "brought": "bring",
        "got": "get",
        "gotten": "get",
        "fell": "fall",
        "fallen": "fall",
        "shipped": "ship",
        "cutting": "cut",
    }[_form]
    VERB_CATEGORY.setdefault(_form, VERB_CATEGORY[_base])
# A lead verb followed by one of these is the first word of a metric name, not a verb:
# "Build time under 8 minutes", "Deploy frequency from weekly to daily".
NOUN_COMPOUND_HEADS = frozenset(
    ["time", "times", "frequency", "rate", "rates", "duration", "durations", "latency", "cost", "costs", "success", "failure", "failures", "cadence", "turnaround", "queue", "volume", "count", "size", "speed", "throughput", "reliability", "coverage", "pass", "error", "errors", "wait"]
)

# Starting words to skip before the lead verb: "We will ...", "KR2: ...", "Team to ...".
FILLER_WORDS = frozenset(
    ["we", "will", "want", "wants", "to", "that", "should", "must", "shall", "need", "needs", "i", "let's", "lets", "let", "us", "aim", "aims", "plan", "plans", "goal", "our", "team", "the", "kr", "also", "fully", "successfully", "then", "can", "could", "would", "going", "able", "try", "strive", "commit", "continue", "and", "finally", "please", "by", "o1", "o2", "o3"]
)

# What people do when the doing is the point: counted actions, events, hires.
ACTIVITY_NOUNS = frozenset(
    ["post", "posts", "blog", "blogs", "article", "articles", "talk", "talks", "workshop", "workshops", "session", "sessions", "training", "trainings", "course", "courses", "meetup", "meetups", "hackathon", "hackathons", "gameday", "gamedays", "game", "drill", "drills", "exercise", "exercises", "simulation", "simulations", "experiment", "experiments", "review", "reviews", "audit", "audits", "interview", "interviews", "demo", "demos", "meeting", "meetings", "retro", "retros", "retrospective", "retrospectives", "1:1", "1:1s", "office", "newsletter", "newsletters", "presentation", "presentations", "webinar", "webinars", "postmortem", "postmortems", "post-mortem", "post-mortems", "survey", "surveys", "onsite", "onsites", "offsite", "offsites", "standup", "standups", "sync", "syncs", "check-in", "check-ins", "ama", "amas", "engineers", "engineer", "people", "hires", "hire", "candidates", "candidate", "analysts", "developers", "prs", "pr", "commits", "tickets", "ticket", "bugs", "hours", "story", "lunch", "brown", "bags", "bag", "spike", "spikes", "conferences", "conference", "pentest", "pentests", "pen-tests", "tests", "recruits", "interns", "mentors", "mentees", "classes", "class", "lessons", "lesson", "videos", "video", "podcasts", "podcast", "episodes", "walkthroughs", "walkthrough", "kata", "katas", "dojo", "dojos", "shadowing", "rotation", "rotations"]
)
# Nouns after "train/hire/onboard" that are people (activity), vs teams/services (output).
PEOPLE_NOUNS = frozenset(
    ["engineers", "engineer", "people", "hires", "developers", "analysts", "staff", "employees", "interns", "members", "designers", "scientists", "managers", "leads", "sres", "sre", "testers", "contractors", "recruits", "students", "newcomers", "joiners", "starters", "colleagues"]
)
# Words that turn a reach/raise verb into progress on a deliverable.
PROGRESS_RE = re.compile(
    r"\b(?:completion|completed|complete|rolled[\s-]out|rollout|roll-out|migrated|migration|"
    r"implemented|delivered|launched|shipped|done|finished|onboarded|converted|moved|"
    r"deployed\s+to|in\s+place|live|adopted|enabled|decommissioned|retired|certified|"
    r"certification|compliance|compliant|accredited|accreditation|"
    r"(?:number|count|share|percentage|proportion|%)\s+of\s+(?:\w+\s+){0,3}?"
    r"(?:services|repos|repositories|teams|apps|applications|jobs|pipelines|workloads|"
    r"clusters|systems|tables|screens|pages|endpoints|microservices|components|modules|"
    r"databases|projects|squads)\s+(?:on|onto|in|using|running|migrated|moved|"
    r"converted|onboarded|with\s+(?:the\s+)?new))\b",
    re.IGNORECASE,
)
CERTIFICATION_RE = re.compile(
    r"\b(?:soc\s*2|soc2|iso\s*27001|pci(?:[\s-]dss)?|hipaa|gdpr|fedramp|certification|"
    r"certified|accreditation|audit\s+readiness|ga\b|general\s+availability|beta|mvp|"
    r"v\d+(?:\.\d+)*\b)",
    re.IGNORECASE,
)
# A deliverable followed by the change it should produce: judged on that change.
ATTACHED_OUTCOME_RE = re.compile(
    r"(?:\bso\s+that\b|\bsuch\s+that\b|\bresulting\s+in\b|\bleading\s+to\b|\bso\b(?=\s+\w+)|"
    r"\bwhich\s+(?:\w+\s+)?(?:reduces|cuts|raises|increases|lowers|improves|lifts|brings|"
    r"halves|doubles|drops|shrinks)\b|\bin\s+order\s+to\b|\bthereby\b|\bto\s+(?=(?:reduce|cut|"
    r"lower|raise|increase|improve|lift|bring|shrink|halve|double|grow|boost|speed\s+up|"
    r"drive|decrease|keep|maintain|get)\b)|,\s*(?=(?:reducing|cutting|lowering|raising|"
    r"increasing|improving|lifting|bringing|shrinking|halving|doubling|growing|boosting|"
    r"dropping|taking)\b)|\band\s+(?=(?:reduce|cut|lower|raise|increase|improve|lift|bring|"
    r"shrink|halve|double|grow|boost|drop)\b))",
    re.IGNORECASE,
)

# Nouns that name something measurable. A key result naming one is not unmeasurable.
METRIC_WORDS = frozenset(
    ["latency", "latencies", "time", "times", "duration", "durations", "rate", "rates", "ratio", "share", "percentage", "proportion", "fraction", "availability", "uptime", "downtime", "error", "errors", "incident", "incidents", "outage", "outages", "page", "pages", "paging", "alert", "alerts", "defect", "defects", "bug", "bugs", "crash", "crashes", "crash-free", "anr", "anrs", "conversion", "conversions", "retention", "churn", "activation", "adoption", "engagement", "usage", "nps", "csat", "ces", "satisfaction", "score", "scores", "rating", "ratings", "cost", "costs", "spend", "spending", "revenue", "margin", "bill", "bills", "throughput", "frequency", "lead", "mttr", "mttd", "mtta", "mtbf", "mttd", "coverage", "freshness", "staleness", "stale", "accuracy", "precision", "recall", "f1", "auc", "slo", "slos", "sla", "slas", "budget", "lcp", "inp", "fid", "cls", "ttfb", "tti", "fcp", "tickets", "requests", "queries", "signups", "sign-ups", "users", "customers", "sessions", "success", "failures", "failure", "failed", "rollbacks", "rollback", "toil", "wait", "waits", "backlog", "count", "number", "volume", "findings", "vulnerabilities", "vulnerability", "cves", "cve", "clicks", "click-through", "ctr", "opt-in", "drain", "velocity", "points", "loc", "deploys", "deployments", "speed", "load", "cold", "start", "startup", "size", "storage", "memory", "cpu", "utilization", "utilisation", "capacity", "drift", "hit", "abandonment", "dau", "wau", "mau", "records", "duplicates", "escalations", "escalation", "complaints", "renewals", "nrr", "arr", "mrr", "cac", "ltv", "gmv", "applies", "pages", "resolution", "mean", "median", "average", "p50", "p75", "p90", "p95", "p99", "percentile", "kpi", "kpis", "turnaround", "wait-time", "cycle", "apdex", "sla-breach", "breaches", "breach", "exposure", "exploits", "leaks", "misses", "tps", "rps", "qps", "bandwidth", "egress", "ingress", "jank", "janky", "frames", "fps", "battery", "installs", "tokens", "flakiness", "flaky", "flake", "flakes", "retries", "retry", "timeouts", "timeout", "dropped", "drops", "delays", "delay", "backlog", "queue", "lag", "lags", "latency-sensitive", "spam", "fraud", "chargebacks", "declines", "refunds", "orders", "transactions", "bounce", "bounces", "retention-rate", "opt-ins", "opens", "nps-score", "findings", "alerts-per", "onboarding-time", "mttr-p1", "hours", "minutes", "days", "weeks", "seconds"]
)
# Multi-word metric phrases that a word test would miss.
METRIC_PHRASE_RE = re.compile(
    r"\b(?:time\s+to\s+\w+|lead\s+time|cycle\s+time|story\s+points|lines\s+of\s+code|"
    r"test\s+coverage|code\s+coverage|change\s+failure|error\s+budget|tech(?:nical)?\s+debt\s+items|"
    r"deploy(?:ment)?\s+frequency|number\s+of|how\s+many|per\s+cent|percent)\b",
    re.IGNORECASE,
)
# Qualities people want more of that are not yet a metric: "improve reliability".
VAGUE_QUALITIES = frozenset(
    ["reliability", "quality", "performance", "experience", "security", "posture", "stability", "scalability", "observability", "maintainability", "resilience", "robustness", "culture", "collaboration", "ownership", "morale", "happiness", "productivity", "efficiency", "agility", "visibility", "trust", "excellence", "craftsmanship", "hygiene", "health"]
)

# Lower is better for these metrics; "improve" means "decrease" for them.
LOWER_IS_BETTER = frozenset(
    ["latency", "latencies", "time", "times", "duration", "durations", "error", "errors", "incident", "incidents", "outage", "outages", "downtime", "defect", "defects", "bug", "bugs", "crash", "crashes", "anr", "anrs", "churn", "cost", "costs", "spend", "spending", "bill", "mttr", "mttd", "mtta", "failures", "failure", "failed", "rollbacks", "toil", "wait", "waits", "backlog", "vulnerabilities", "vulnerability", "cves", "lcp", "inp", "fid", "cls", "ttfb", "tti", "fcp", "drain", "staleness", "stale", "abandonment", "duplicates", "escalations", "complaints", "findings", "drift", "jank", "janky", "pages", "alerts", "flakiness", "flaky", "timeouts", "delays", "delay", "lag", "spam", "fraud", "chargebacks", "declines", "refunds", "bounce", "exposure", "leaks", "misses", "breaches"]
)
HIGHER_IS_BETTER = frozenset(
    ["availability", "uptime", "conversion", "conversions", "retention", "activation", "adoption", "engagement", "usage", "nps", "csat", "satisfaction", "score", "rating", "ratings", "revenue", "margin", "throughput", "frequency", "coverage", "freshness", "accuracy", "precision", "recall", "f1", "auc", "success", "signups", "sign-ups", "opt-in", "crash-free", "apdex", "installs", "renewals", "nrr", "arr", "mrr", "ltv", "gmv"]
)

# Gameable proxies: (pattern, the proxy, how it gets gamed, the ungameable measure to name
# instead). KR401's fix comes from this table, so extending it is a data change.
GAMEABLE_PROXIES: tuple[tuple[str, str, str, str], ...] = (
    (
        r"\b(?:test|code|unit[\s-]test|branch|line|statement|e2e|integration[\s-]test)\s+coverage\b"
        r"|\bcoverage\b(?=[^.;]*\btests?\b)|\btests?\s+coverage\b",
        "test coverage",
        "tests that execute code without checking anything raise it",
        "escaped defects (bugs found in production) per month",
    ),
    (
        r"\blines\s+of\s+code\b|\bLOC\b|\bSLOC\b",
        "lines of code",
        "more code is easy to write and is not more value",
        "lead time for changes (first commit to production) at the median",
    ),
    (
        r"\bstory\s+points?\b|\bvelocity\b",
        "story points / velocity",
        "estimates inflate until the number rises",
        "lead time for changes (first commit to production) or the share of planned outcomes met",
    ),
    (
        r"\b(?:tickets?|issues?|jiras?|cards?)\s+(?:closed|resolved|completed|done)\b|"
        r"\bclos(?:e|ed|ing)\s+(?:\S+\s+){0,2}(?:tickets|issues|jiras)\b",
        "tickets closed",
        "tickets get split, reclassified or closed without a fix",
        "change failure rate or build time, which only move when the underlying problem is fixed",
    ),
    (
        r"\btech(?:nical)?[\s-]debt\b(?:\s+(?:items|tickets|backlog|stories|issues))?",
        "tech debt items",
        "items get reclassified, merged or deleted",
        "build time or change failure rate: the cost the debt imposes, not the count of items "
        "filed against it",
    ),
    (
        r"\b(?:number|count)\s+of\s+(?:\w+\s+)?(?:deploy(?:ment)?s|releases)\b|"
        r"\bdeploy(?:ment)?s?\s+(?:per|a|each|every)\s+(?:day|week|month|sprint)\b|"
        r"\bdeploy(?:ment)?\s+(?:count|frequency)\b|"
        r"\bdeploy(?:ing)?\s+(?:\S+\s+)?(?:\d+(?:\.\d+)?\s?[x×]\s+)?(?:more\s+)?(?:often|frequently)\b|"
        r"\b\d+(?:\.\d+)?\s?[x×]\s+(?:more\s+)?deploy(?:ment)?s\b",
        "deploy count",
        "deploys get split into smaller, meaningless releases",
        "merge-to-production lead time, paired with change failure rate",
    ),
    (
        r"\b(?:number|count)\s+of\s+(?:\w+\s+)?(?:prs|pull\s+requests|commits|merges)\b|"
        r"\b(?:prs|pull\s+requests|commits)\s+(?:merged|opened|per|a|each|shipped)\b",
        "PR or commit count",
        "changes get split into more, smaller PRs",
        "lead time for changes, or the median time from PR opened to merged",
    ),
    (
        r"\b(?:number|count)\s+of\s+(?:\w+\s+)?tests\b|\btests\s+(?:written|added)\b",
        "number of tests",
        "trivial tests are cheap to add",
        "escaped defects or change failure rate",
    ),
    (
        r"\b(?:lint(?:ing)?|linter|static[\s-]analysis)\s+(?:errors|warnings|issues|findings)\b",
        "linting errors",
        "rules get disabled or suppressed",
        "escaped defects or change failure rate",
    ),
    (
        r"\b(?:bugs?|defects?)\s+(?:fixed|closed|resolved)\b|\bfix(?:ed)?\s+\d+\s+bugs\b",
        "bugs fixed",
        "easy bugs get fixed first and duplicates count",
        "escaped defects (bugs customers find in production) per month",
    ),
    (
        r"\b(?:number|count)\s+of\s+features\b|\bfeatures\s+(?:shipped|delivered|released)\b",
        "features shipped",
        "features ship whether or not anyone uses them",
        "adoption of the shipped features (share of active users using them weekly)",
    ),
)
GAMEABLE_RES: tuple[tuple[re.Pattern[str], str, str, str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), proxy, gamed_by, alternative)
    for pattern, proxy, gamed_by, alternative in GAMEABLE_PROXIES
)
