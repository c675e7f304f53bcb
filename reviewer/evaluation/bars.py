"""The quality bars: the floor the issues set, kept as data in this one place.

Each bar names a metric key of the runner's flat metrics (see `runner.flat_metrics`), a
comparison and a threshold. `okr-review eval --check` and the offline eval test apply every
bar to every split; a missing metric fails its bar (a stage that silently produced nothing
must not pass). Raise a bar when the product gets better; never lower one to today's numbers.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

BAR_CODES: tuple[str, ...] = ("KR101", "KR102", "KR103", "KR201", "KR202", "KR301")


@dataclass(frozen=True)
class Bar:
    """One quality floor: `metric op threshold`, and where it comes from."""

    metric: str
    op: Literal[">=", "<="]
    threshold: float
    source: str  # the issue that set it

    def passes(self, value: float | None) -> bool:
        if value is None:
            return False
        compare = operator.ge if self.op == ">=" else operator.le
        return compare(value, self.threshold)

    def describe(self) -> str:
        return f"{self.metric} {self.op} {self.threshold:g}"


BARS: tuple[Bar, ...] = (
    Bar("rules.kind_accuracy", ">=", 0.90, "issue 3"),
    *(
        Bar(f"rules.{code}.{measure}", ">=", 0.90, "issue 3")
        for code in BAR_CODES
        for measure in ("precision", "recall")
    ),
    # No issue sets a number for the set rules; they get the same floor as the key-result rules.
    Bar("sets.accuracy", ">=", 0.90, "issue 7"),
    Bar("retrieval.default.recall_at_3", ">=", 0.90, "issue 4"),
    Bar("rewrites.verified_rate", ">=", 1.0, "issue 5"),
    Bar("rewrites.invented_numbers", "<=", 0, "issue 5"),
    Bar("rewrites.coverage", ">=", 0.90, "issue 5"),
    Bar("critique.cites_retrieved_rate", ">=", 1.0, "issue 5"),
)


@dataclass(frozen=True)
class BarResult:
    """One bar applied to one split's metrics."""

    bar: Bar
    split: str
    value: float | None

    @property
    def passed(self) -> bool:
        return self.bar.passes(self.value)

    def describe(self) -> str:
        shown = "missing" if self.value is None else f"{self.value:.3f}"
        verdict = "ok" if self.passed else "MISSED"
        return f"[{self.split}] {self.bar.describe()}: {shown} {verdict}"


def check_bars(
    metrics_by_split: Mapping[str, Mapping[str, float]],
    bars: tuple[Bar, ...] = BARS,
    only_prefixes: tuple[str, ...] | None = None,
) -> list[BarResult]:
    """Apply every bar to every split; `only_prefixes` limits to bars on those stages."""
    results = []
    for split, metrics in metrics_by_split.items():
        for bar in bars:
            if only_prefixes is not None and not bar.metric.startswith(only_prefixes):
                continue
            value = metrics.get(bar.metric)
            results.append(BarResult(bar=bar, split=split, value=value))
    return results


def missed(results: list[BarResult]) -> list[BarResult]:
    """The bars that were not met."""
    return [r for r in results if not r.passed]
