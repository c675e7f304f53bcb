"""The review pipeline: parse -> rules -> retrieve -> critique -> verify -> report.

`Reviewer` holds the config, the guidance index and the LLM client so a batch pays set-up
once. Every stage is timed; a failure in retrieval or the LLM costs one key result its
grounded critique (recorded in the review and the report), never the batch.

SKELETON (lead): rules stage is wired; retrieve / critique / verify stages are hooks the
critique work (issue 5) completes, keeping these public signatures.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .config import Config, load_config
from .errors import InputError
from .models import (
    InputProblem,
    KeyResult,
    KeyResultReview,
    Objective,
    OKRSet,
    Report,
    SourceLocation,
)

ProgressCallback = Callable[[int, int, KeyResultReview], None]


class Reviewer:
    """Reviews key results, OKR sets and OKR files with one shared set-up."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or load_config()

    # -- one key result ---------------------------------------------------------------
    def review_key_result(
        self,
        key_result: KeyResult | str,
        objective: Objective | str | None = None,
        period: str | None = None,
    ) -> KeyResultReview:
        """Review one key result (text or model), optionally within its objective and period."""
        from .rules import check_key_result

        kr = KeyResult(text=key_result) if isinstance(key_result, str) else key_result
        obj = Objective(text=objective) if isinstance(objective, str) else objective
        timings: dict[str, float] = {}
        start = time.perf_counter()
        outcome = check_key_result(kr, obj, period, self.config)
        timings["rules"] = (time.perf_counter() - start) * 1000
        return KeyResultReview(
            key_result=kr,
            objective=obj.text if obj else None,
            kind=outcome.kind,
            anatomy=outcome.anatomy,
            findings=outcome.findings,
            suppressed=outcome.suppressed,
            timings_ms=timings,
        )

    # -- sets and files ---------------------------------------------------------------
    def review_set(self, okr_set: OKRSet, progress: ProgressCallback | None = None) -> Report:
        """Review every key result of a set, plus the set-level rules, in file order."""
        return self.review_sets([okr_set], progress=progress)

    def review_sets(
        self,
        okr_sets: Sequence[OKRSet],
        progress: ProgressCallback | None = None,
        input_problems: Iterable[InputProblem] = (),
    ) -> Report:
        """Review several sets into one report."""
        from .rules import check_set

        started = time.perf_counter()
        report = Report(mode="offline", sets=list(okr_sets), input_problems=list(input_problems))
        total = sum(len(s.key_results()) for s in okr_sets)
        done = 0
        for okr_set in okr_sets:
            for objective, kr in okr_set.key_results():
                review = self.review_key_result(kr, objective, okr_set.period)
                report.reviews.append(review)
                done += 1
                if progress:
                    progress(done, total, review)
            findings, _suppressed = check_set(okr_set, self.config)
            report.set_findings.extend(findings)
        report.timings_ms["total"] = (time.perf_counter() - started) * 1000
        report.summarise()
        return report

    def review_file(self, path: str | Path, input_format: str | None = None) -> Report:
        """Read and review one OKR file; a file that cannot be read raises InputError."""
        from .parse import read_okr_file

        return self.review_set(read_okr_file(path, input_format=input_format))

    def review_files(
        self,
        paths: Sequence[str | Path],
        input_format: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> Report:
        """Review several files; a bad file is reported in `input_problems`, the rest reviewed."""
        from .parse import read_okr_file

        sets: list[OKRSet] = []
        problems: list[InputProblem] = []
        for path in paths:
            try:
                sets.append(read_okr_file(path, input_format=input_format))
            except InputError as exc:
                problems.append(
                    InputProblem(file=exc.file or str(path), line=exc.line, message=exc.one_line())
                )
        return self.review_sets(sets, progress=progress, input_problems=problems)


def review(
    text: str, objective: str | None = None, period: str | None = None, config: Config | None = None
) -> KeyResultReview:
    """Review one key result with a default (or given) config: the one-call entry point."""
    kr = KeyResult(text=text, location=SourceLocation(file="<api>", line=1))
    return Reviewer(config).review_key_result(kr, objective, period)
