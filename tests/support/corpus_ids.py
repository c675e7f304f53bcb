"""The guidance document ids fixed before the corpus existed, so rules could cite them.

Shared by the corpus meta-tests (every id has a document) and the rule catalogue tests
(every rule's guidance names one of them).
"""

FIXED_DOC_IDS = frozenset(
    {
        "outcomes-vs-outputs",
        "activity-metrics",
        "five-properties",
        "baselines",
        "targets-and-stretch",
        "units-and-comparisons",
        "deadlines-and-windows",
        "gameable-metrics",
        "measurement-sources",
        "latency-percentiles",
        "one-metric-per-key-result",
        "business-to-engineering-lever",
        "metrics-delivery",
        "metrics-reliability",
        "metrics-quality-cost-data",
        "writing-objectives",
        "focus-and-limits",
        "alignment-vs-cascade",
        "checkins-scoring-retros",
        "failure-modes",
        "policy-and-suppressions",
    }
)
