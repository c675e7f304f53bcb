"""The review pipeline: parse -> rules -> retrieve -> critique -> verify -> report.

`Reviewer` holds the config, the guidance index (opened lazily, once) and the LLM critic,
so a batch pays set-up once. Every stage is timed per key result and in the report. A
failure in retrieval costs a key result its guidance, a failure of the LLM costs it the
LLM critique (the deterministic critic steps in); both are recorded in the review and the
report, and neither fails the batch.

    from reviewer import Reviewer
    reviewer = Reviewer()
    report = reviewer.review_file("okrs.yaml")
    for item in report.reviews:
        print(item.kind, [f.code for f in item.findings], [r.text for r in item.rewrites])
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import hashlib
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .config import Config, load_config
from .errors import InputError, LLMError
from .models import (
    Finding,
    InputProblem,
    KeyResult,
    KeyResultReview,
    Objective,
    OKRSet,
    Passage,
    Report,
    SourceLocation,
    Usage,
)

if TYPE_CHECKING:
    from .critique.base import CritiqueInput
    from .critique.deterministic import DeterministicCritic
    from .critique.llm import LLMCritic
    from .retrieve import GuidanceIndex

ProgressCallback = Callable[[int, int, KeyResultReview], None]
"""Called after each key result: (done, total, review). Batches may finish out of order."""

STAGES = ("rules", "retrieve", "critique", "verify")
_T = TypeVar("_T")

# How many key results of an LLM batch may be prepared and in critique at once, as a
# multiple of `llm.concurrency` (and at least LOOKAHEAD_MIN): enough that the next
# requests are built while the current ones are awaited, few enough to bound memory.
LOOKAHEAD_FACTOR = 4
LOOKAHEAD_MIN = 16


@dataclass
class _Outcome:
    """One reviewed key result plus what the report needs to know about how it went."""

    review: KeyResultReview
    usage: Usage = field(default_factory=Usage)
    fallback: str | None = None  # why the LLM critique was replaced, if it was


class Reviewer:
    """Reviews key results, OKR sets and OKR files with one shared set-up.

    Thread-safe for concurrent use (the Streamlit page shares one instance): the index
    opens once under a lock, and LLM clients are kept per event loop.
    """

    def __init__(self, config: Config | None = None, *, index: GuidanceIndex | None = None) -> None:
        """Use `config` (default: `load_config()`); `index` injects an already open index."""
        self.config = config or load_config()
        self._index = index
        self._index_opened = index is not None
        self._index_note: str | None = None
        self._lock = threading.Lock()
        self._llm: LLMCritic | None = None
        self._deterministic: DeterministicCritic | None = None
        self.usage = Usage()  # LLM usage over this reviewer's lifetime

    # -- set-up, lazily -------------------------------------------------------------------
    @property
    def uses_llm(self) -> bool:
        """Whether key results go to the LLM critic (configured, not offline, not rules-only)."""
        return self.config.use_llm and not self.config.rules_only

    def guidance_index(self) -> GuidanceIndex | None:
        """The guidance index, opened on first use; None when it could not be opened."""
        if self._index_opened:
            return self._index
        with self._lock:
            if not self._index_opened:
                from .retrieve import open_index

                try:
                    self._index = open_index(self.config)
                except Exception as exc:  # a broken corpus or store must not stop a review
                    self._index = None
                    self._index_note = (
                        f"retrieval unavailable ({_one_line(exc)}): critiques cite no guidance"
                    )
                self._index_opened = True
        return self._index

    @property
    def index_status(self) -> dict[str, Any]:
        """The index's status (backend, embedding, degraded reason), or why there is none."""
        index = self.guidance_index()
        if index is None:
            return {"backend": None, "degraded": self._index_note}
        return dict(index.status)

    def _deterministic_critic(self) -> DeterministicCritic:
        if self._deterministic is None:
            from .critique.deterministic import DeterministicCritic

            self._deterministic = DeterministicCritic(self.config)
        return self._deterministic

    def _llm_critic(self) -> LLMCritic:
        if self._llm is None:
            with self._lock:
                if self._llm is None:
                    from .critique.llm import LLMCritic

                    self._llm = LLMCritic(self.config)
        return self._llm

    # -- stages -----------------------------------------------------------------------------
    def _prepare(
        self,
        kr: KeyResult,
        objective: Objective | None,
        period: str | None,
        okr_set: OKRSet | None = None,
    ) -> tuple[KeyResultReview, CritiqueInput | None]:
        """Rules and retrieval for one key result (the CPU-bound, synchronous part)."""
        from .critique.base import CritiqueInput
        from .rules import check_key_result

        timings: dict[str, float] = {}
        started = time.perf_counter()
        outcome = check_key_result(kr, objective, period, self.config, okr_set=okr_set)
        timings["rules"] = _ms(started)
        review = KeyResultReview(
            key_result=kr,
            objective=objective.text if objective else None,
            kind=outcome.kind,
            anatomy=outcome.anatomy,
            findings=list(outcome.findings),
            suppressed=list(outcome.suppressed),
            timings_ms=timings,
        )
        if self.config.rules_only:
            return review, None
        started = time.perf_counter()
        review.retrieved = self._retrieve(kr, objective, review.findings, review.errors)
        review.timings_ms["retrieve"] = _ms(started)
        ctx = CritiqueInput(
            key_result=kr,
            objective=objective,
            period=period,
            kind=outcome.kind,
            anatomy=outcome.anatomy,
            findings=review.findings,
            passages=review.retrieved,
        )
        return review, ctx

    def _retrieve(
        self,
        kr: KeyResult,
        objective: Objective | None,
        findings: list[Finding],
        errors: list[str],
    ) -> list[Passage]:
        """Guidance for one key result: query = its text and its objective; the fired rule
        codes go to the ranker as codes.

        The rule names stay out of the query: the codes already earn their passages full
        credit, and the names' words pulled every result towards the rule documents and
        away from the metric recipes a reviewer also cites (recall@3 on the dev split of
        the retrieval set fell from 0.858 to 0.779 with them). The query is the one the
        retrieval eval measures, so its figures are the product's figures.
        """
        index = self.guidance_index()
        if index is None:
            return []
        codes = list(dict.fromkeys(f.code for f in findings))
        query = "\n".join(part for part in (kr.text, objective.text if objective else "") if part)
        try:
            passages = index.search(query, codes, self.config.retrieval.top_k)
            # Every problem the critique names should have guidance to cite: a fired rule
            # whose explanation did not make the top k gets its best passage added.
            for finding in findings:
                if finding.severity == "info" or _covers(passages, finding):
                    continue
                extra = index.search(
                    f"{kr.text}\n{finding.name.replace('-', ' ')}", [finding.code], 1
                )
                passages += [p for p in extra if all(p.id != q.id for q in passages)]
            return passages
        except Exception as exc:  # one failed search costs this key result its guidance only
            errors.append(
                f"retrieve: search failed ({_one_line(exc)}); no guidance for this key result"
            )
            return []

    def _critique_deterministic(
        self, review: KeyResultReview, ctx: CritiqueInput, fallback_reason: str | None = None
    ) -> None:
        """Deterministic critique, then verification keeping the rewrites that pass."""
        from .verify import verify_result

        started = time.perf_counter()
        try:
            result = self._deterministic_critic().critique(ctx)
            review.timings_ms["critique"] = review.timings_ms.get("critique", 0.0) + _ms(started)
            started = time.perf_counter()
            verification = verify_result(result, ctx, self.config, critic="deterministic")
        except Exception as exc:  # a bug on one odd draft must not cost the batch its report
            review.errors.append(f"critique: internal error ({_one_line(exc)}); findings only")
            return
        kept = [r for r in verification.result.rewrites if r.verified]
        review.timings_ms["verify"] = review.timings_ms.get("verify", 0.0) + _ms(started)
        result.critique.fallback_reason = fallback_reason
        review.critique = result.critique
        review.rewrites = kept[: self.config.max_rewrites]

    def _review_sync(
        self,
        kr: KeyResult,
        objective: Objective | None,
        period: str | None,
        okr_set: OKRSet | None = None,
    ) -> _Outcome:
        review, ctx = self._prepare(kr, objective, period, okr_set)
        if ctx is not None:
            self._critique_deterministic(review, ctx)
        _fill_stage_timings(review)
        return _Outcome(review)

    async def _review_async(
        self,
        kr: KeyResult,
        objective: Objective | None,
        period: str | None,
        limit: asyncio.Semaphore | None,
        okr_set: OKRSet | None = None,
        prepared: tuple[KeyResultReview, CritiqueInput | None] | None = None,
        on_request: Callable[[], object] | None = None,
    ) -> _Outcome:
        review, ctx = prepared or self._prepare(kr, objective, period, okr_set)
        if ctx is None or not self.uses_llm:
            if ctx is not None:
                self._critique_deterministic(review, ctx)
            _fill_stage_timings(review)
            return _Outcome(review)
        outcome = _Outcome(review)
        started = time.perf_counter()
        try:
            critic = self._llm_critic()
            if limit is not None:
                async with limit:
                    started = time.perf_counter()  # time in the queue is not critique time
                    result = await critic.acritique(ctx, on_request=on_request)
            else:
                result = await critic.acritique(ctx, on_request=on_request)
        except Exception as exc:  # LLMError, or anything unexpected: fall back, never fail
            reason = str(exc) if isinstance(exc, LLMError) else f"unexpected: {_one_line(exc)}"
            reason = _scrub(reason, self.config)
            if isinstance(exc, LLMError):
                outcome.usage = _usage_of(exc)
            outcome.usage.fallbacks += 1
            outcome.fallback = reason
            review.errors.append(
                f"critique: LLM critic failed ({reason}); deterministic critic used"
            )
            queued = float(getattr(exc, "queue_ms", 0.0) or 0.0)
            review.timings_ms["critique"] = max(0.0, _ms(started) - queued)
            self._critique_deterministic(review, ctx, fallback_reason=reason)
        else:
            # Time spent waiting for a request slot is queueing, not critique time.
            elapsed = _ms(started) - result.queue_ms
            review.timings_ms["verify"] = result.verify_ms
            review.timings_ms["critique"] = max(0.0, elapsed - result.verify_ms)
            review.critique = result.critique
            review.rewrites = result.rewrites[: self.config.max_rewrites]
            review.errors.extend(result.notes)
            outcome.usage = result.usage
        _fill_stage_timings(review)
        return outcome

    # -- one key result ---------------------------------------------------------------------
    def review_key_result(
        self,
        key_result: KeyResult | str,
        objective: Objective | str | None = None,
        period: str | None = None,
    ) -> KeyResultReview:
        """Review one key result (text or model), optionally within its objective and period."""
        kr, obj = _as_key_result(key_result), _as_objective(objective)
        if not self.uses_llm:
            return self._review_sync(kr, obj, period).review
        return self._run(lambda: self.areview_key_result(kr, obj, period))

    async def areview_key_result(
        self,
        key_result: KeyResult | str,
        objective: Objective | str | None = None,
        period: str | None = None,
    ) -> KeyResultReview:
        """Async twin of `review_key_result`."""
        kr, obj = _as_key_result(key_result), _as_objective(objective)
        outcome = await self._review_async(kr, obj, period, None)
        self._add_usage(outcome.usage)
        return outcome.review

    # -- sets and files ---------------------------------------------------------------------
    def review_set(self, okr_set: OKRSet, progress: ProgressCallback | None = None) -> Report:
        """Review every key result of a set, plus the set-level rules, in file order."""
        return self.review_sets([okr_set], progress=progress)

    async def areview_set(
        self, okr_set: OKRSet, progress: ProgressCallback | None = None
    ) -> Report:
        """Async twin of `review_set`."""
        return await self.areview_sets([okr_set], progress=progress)

    def review_sets(
        self,
        okr_sets: Sequence[OKRSet],
        progress: ProgressCallback | None = None,
        input_problems: Iterable[InputProblem] = (),
    ) -> Report:
        """Review several sets into one report (key results in file order)."""
        if self.uses_llm:
            return self._run(lambda: self.areview_sets(okr_sets, progress, input_problems))
        started = time.perf_counter()
        items = _items(okr_sets)
        outcomes: list[_Outcome] = []
        for done, (okr_set, objective, kr) in enumerate(items, start=1):
            outcome = self._review_sync(kr, objective, okr_set.period, okr_set)
            outcomes.append(outcome)
            if progress:
                progress(done, len(items), outcome.review)
        return self._report(okr_sets, outcomes, input_problems, started)

    async def areview_sets(
        self,
        okr_sets: Sequence[OKRSet],
        progress: ProgressCallback | None = None,
        input_problems: Iterable[InputProblem] = (),
    ) -> Report:
        """Async twin of `review_sets`: LLM critiques run concurrently, at most
        `config.llm.concurrency` requests in flight at a time; the report keeps file order."""
        started = time.perf_counter()
        items = _items(okr_sets)
        width = max(1, self.config.llm.concurrency)
        # The request slots (`llm.concurrency`) are held by the HTTP exchange alone, at the
        # LLM client. Rules, retrieval, prompt and request building, parsing, verification
        # and the cache are CPU work on this loop, done for other key results while answers
        # are awaited: up to `ahead` key results are between preparation and a finished
        # critique, so the next requests are built and queued before a slot frees.
        ahead = asyncio.Semaphore(max(LOOKAHEAD_MIN, LOOKAHEAD_FACTOR * width))
        # Key results prepare one after another, in file order: each waits until the one
        # before it has written its request (or queued it for a slot, or finished), so
        # that request is not held back by the next one's rules and retrieval. Started
        # all at once, every preparation ran before the first request left.
        handed_off = [asyncio.Event() for _ in items]
        reviews: list[KeyResultReview | None] = [None] * len(items)
        done = 0

        async def one(
            position: int, okr_set: OKRSet, objective: Objective, kr: KeyResult
        ) -> _Outcome:
            nonlocal done
            signal = handed_off[position]
            try:
                if position > 0:
                    await handed_off[position - 1].wait()
                async with ahead:
                    ready = self._prepare(kr, objective, okr_set.period, okr_set)
                    reviews[position] = ready[0]
                    if ready[1] is None or not self.uses_llm:
                        signal.set()  # no request for this key result
                    else:
                        # Rules and retrieval, then the request's building, are each a few
                        # milliseconds on this loop: an answer that arrived in between is
                        # read (and its slot passed on) before the building starts.
                        await asyncio.sleep(0)
                    outcome = await self._review_async(
                        kr,
                        objective,
                        okr_set.period,
                        None,
                        okr_set,
                        prepared=ready,
                        on_request=signal.set,
                    )
            finally:
                signal.set()  # answered from the cache, fell back, or failed: next one goes
            done += 1
            if progress:
                progress(done, len(items), outcome.review)
            return outcome

        async def set_rules() -> tuple[list[Finding], float]:
            # The set rules need every key result's rules, not its critique: they run once
            # the last key result is prepared, while answers are still awaited.
            if handed_off:
                await handed_off[-1].wait()
            if any(review is None for review in reviews):
                return [], 0.0  # a preparation failed: gather raises its error anyway
            return self._set_findings(okr_sets, [r for r in reviews if r is not None])

        with _long_lived_objects_frozen(self.uses_llm):
            set_findings, *outcomes = await asyncio.gather(
                set_rules(), *(one(i, *item) for i, item in enumerate(items))
            )
        return self._report(
            okr_sets, list(outcomes), input_problems, started, set_findings=set_findings
        )

    def review_file(self, path: str | Path, input_format: str | None = None) -> Report:
        """Read and review one OKR file; a file that cannot be read raises InputError."""
        from .parse import read_okr_file

        return self.review_set(read_okr_file(path, input_format=input_format))

    async def areview_file(self, path: str | Path, input_format: str | None = None) -> Report:
        """Async twin of `review_file`."""
        from .parse import read_okr_file

        return await self.areview_set(read_okr_file(path, input_format=input_format))

    def review_files(
        self,
        paths: Sequence[str | Path],
        input_format: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> Report:
        """Review several files; a bad file is reported in `input_problems`, the rest reviewed."""
        sets, problems = _read_files(paths, input_format)
        return self.review_sets(sets, progress=progress, input_problems=problems)

    async def areview_files(
        self,
        paths: Sequence[str | Path],
        input_format: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> Report:
        """Async twin of `review_files`."""
        sets, problems = _read_files(paths, input_format)
        return await self.areview_sets(sets, progress=progress, input_problems=problems)

    # -- the report ---------------------------------------------------------------------------
    def _report(
        self,
        okr_sets: Sequence[OKRSet],
        outcomes: list[_Outcome],
        input_problems: Iterable[InputProblem],
        started: float,
        set_findings: tuple[list[Finding], float] | None = None,
    ) -> Report:
        report = Report(
            mode="llm" if self.uses_llm else "offline",
            sets=list(okr_sets),
            reviews=[o.review for o in outcomes],
            input_problems=list(input_problems),
        )
        findings, set_rules_ms = set_findings or self._set_findings(okr_sets, report.reviews)
        report.set_findings.extend(findings)
        for outcome in outcomes:
            report.usage.add(outcome.usage)
        self._add_usage(report.usage)
        for stage in STAGES:
            report.timings_ms[stage] = round(
                sum(o.review.timings_ms.get(stage, 0.0) for o in outcomes), 3
            )
        report.timings_ms["set_rules"] = set_rules_ms
        report.timings_ms["total"] = _ms(started)
        report.notes.extend(self._notes(outcomes))
        report.summarise()
        return report

    def _set_findings(
        self, okr_sets: Sequence[OKRSet], reviews: Sequence[KeyResultReview]
    ) -> tuple[list[Finding], float]:
        """The set rules' findings for `okr_sets`, and the milliseconds they took.

        They need each key result's rule outcome (from preparation), never its critique.
        """
        from .rules import RuleOutcome, check_set

        started = time.perf_counter()
        # the key-result rules already ran on every key result: the set rules reuse them
        known = {
            id(review.key_result): RuleOutcome(
                kind=review.kind,
                anatomy=review.anatomy,
                findings=review.findings,
                suppressed=review.suppressed,
            )
            for review in reviews
        }
        findings: list[Finding] = []
        for okr_set in okr_sets:
            found, _suppressed = check_set(okr_set, self.config, outcomes=known)
            findings.extend(found)
        return findings, _ms(started)

    def _notes(self, outcomes: list[_Outcome]) -> list[str]:
        notes: list[str] = []
        config = self.config
        if config.rules_only:
            notes.append("rules only: no retrieval, critique or rewrites")
            return notes
        if config.critic == "llm" and not config.llm.configured:
            notes.append(
                "the LLM critic was requested but no endpoint is configured "
                "(set --base-url / OPENAI_BASE_URL or OPENAI_API_KEY): deterministic critic used"
            )
        elif config.critic == "llm" and config.offline:
            notes.append("offline: the LLM critic was not used")
        index = self.guidance_index() if outcomes else self._index
        if index is None and self._index_note:
            notes.append(self._index_note)
        elif index is not None and index.status.get("degraded"):
            notes.append(f"retrieval degraded: {index.status['degraded']}")
        fallbacks = [o.fallback for o in outcomes if o.fallback]
        if fallbacks:
            notes.append(
                f"LLM critic fell back to the deterministic critic for {len(fallbacks)} of "
                f"{len(outcomes)} key results (first reason: {fallbacks[0]})"
            )
        failed_searches = sum(
            1 for o in outcomes if any(e.startswith("retrieve:") for e in o.review.errors)
        )
        if failed_searches:
            notes.append(f"retrieval failed for {failed_searches} key result(s): no guidance cited")
        return notes

    def _add_usage(self, usage: Usage) -> None:
        with self._lock:
            self.usage.add(usage)

    # -- running async code from sync callers -------------------------------------------------
    def _run(self, make: Callable[[], Awaitable[_T]]) -> _T:
        """Run a coroutine to completion from synchronous code, closing this loop's client."""

        results: list[_T] = []

        async def runner() -> None:
            # The result goes out through `results`, not as the task's return value: on
            # Python 3.11 asyncio.run's SIGINT bookkeeping formats the finished main task,
            # and with it the repr of a whole Report (milliseconds to seconds per batch).
            try:
                results.append(await make())
            finally:
                if self._llm is not None:
                    await self._llm.aclose()

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(runner())
            return results[0]
        # Called from inside a running loop (a notebook, an async app): use a helper thread.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, runner()).result()
        return results[0]


# -- helpers ----------------------------------------------------------------------------------
_freeze_lock = threading.Lock()
_freeze_depth = 0
_froze = False


@contextlib.contextmanager
def _long_lived_objects_frozen(enabled: bool = True) -> Iterator[None]:
    """Keep the cyclic garbage collector off the objects that exist when a batch starts.

    With the index, chromadb and langchain loaded, one full collection scans the whole
    heap (100-170 ms measured), stalling the event loop while answers wait to be read.
    `gc.freeze()` moves today's objects (modules, the index, the client) out of the
    collector's sight, so collections during the batch scan only what the batch made;
    `gc.unfreeze()` hands them back afterwards. Nested and concurrent batches share one
    freeze; a process that froze objects itself (a pre-fork server) is left as it is.
    """
    global _freeze_depth, _froze
    if not enabled:
        yield
        return
    with _freeze_lock:
        if _freeze_depth == 0:
            _froze = gc.get_freeze_count() == 0
            if _froze:
                gc.freeze()
        _freeze_depth += 1
    try:
        yield
    finally:
        with _freeze_lock:
            _freeze_depth -= 1
            if _freeze_depth == 0 and _froze:
                gc.unfreeze()
                _froze = False


def _covers(passages: list[Passage], finding: Finding) -> bool:
    """True when one of `passages` explains `finding` (names its rule or is its guidance)."""
    return any(
        finding.code in p.rules or p.doc_id in finding.guidance or p.id in finding.guidance
        for p in passages
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _fill_stage_timings(review: KeyResultReview) -> None:
    for stage in STAGES:
        review.timings_ms.setdefault(stage, 0.0)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _scrub(text: str, config: Config) -> str:
    from .critique.llm import scrub

    key = config.llm.api_key.get_secret_value() if config.llm.api_key else ""
    return scrub(text, (key,) if key else ())


def _usage_of(exc: BaseException) -> Usage:
    usage = getattr(exc, "usage", None)
    return usage.model_copy() if isinstance(usage, Usage) else Usage()


def _as_key_result(key_result: KeyResult | str) -> KeyResult:
    """The model for a key result handed to the API, within the parser's length limit."""
    from .parse import check_text_limit

    kr = KeyResult(text=key_result) if isinstance(key_result, str) else key_result
    check_text_limit(kr, kr.location.file or "<api>")
    return kr


def _as_objective(objective: Objective | str | None) -> Objective | None:
    """The model for an objective handed to the API, within the parser's length limit."""
    from .parse import check_text_limit

    obj = Objective(text=objective) if isinstance(objective, str) else objective
    if obj is not None:
        check_text_limit(obj, obj.location.file or "<api>")
    return obj


def _items(okr_sets: Sequence[OKRSet]) -> list[tuple[OKRSet, Objective, KeyResult]]:
    """Every key result of the sets with its set and objective. Sets built in code rather
    than read from a file get the readers' limits checked here."""
    from .parse import check_limits

    for okr_set in okr_sets:
        check_limits(okr_set, okr_set.source_file or "<api>")
    return [(s, obj, kr) for s in okr_sets for obj, kr in s.key_results()]


def _read_files(
    paths: Sequence[str | Path], input_format: str | None
) -> tuple[list[OKRSet], list[InputProblem]]:
    from .parse import MAX_KEY_RESULTS, read_okr_file

    sets: list[OKRSet] = []
    problems: list[InputProblem] = []
    total = 0
    for path in paths:
        try:
            okr_set = read_okr_file(path, input_format=input_format)
            count = len(okr_set.key_results())
            if total + count > MAX_KEY_RESULTS:  # keeps one run's time and memory bounded
                raise InputError(
                    f"not reviewed: {total:,} key results are already in this run and the "
                    f"limit is {MAX_KEY_RESULTS:,} per run",
                    file=str(path),
                    hint="review the files in several runs",
                )
            total += count
            sets.append(okr_set)
        except InputError as exc:
            problems.append(
                InputProblem(file=exc.file or str(path), line=exc.line, message=exc.one_line())
            )
    return sets, problems


_default: tuple[str, Reviewer] | None = None
_default_lock = threading.Lock()


def _default_reviewer(config: Config | None) -> Reviewer:
    """One Reviewer per distinct config, so repeated `review()` calls reuse the index."""
    global _default
    config = config or load_config()
    secret = config.llm.api_key.get_secret_value() if config.llm.api_key else ""
    digest = hashlib.sha256((config.model_dump_json() + "\0" + secret).encode()).hexdigest()
    with _default_lock:
        if _default is None or _default[0] != digest:
            _default = (digest, Reviewer(config))
        return _default[1]


def review(
    text: str, objective: str | None = None, period: str | None = None, config: Config | None = None
) -> KeyResultReview:
    """Review one key result with a default (or given) config: the one-call entry point.

    Repeated calls with the same config reuse one `Reviewer`, so the guidance index opens once.
    """
    kr = KeyResult(text=text, location=SourceLocation(file="<api>", line=1))
    return _default_reviewer(config).review_key_result(kr, objective, period)


async def areview(
    text: str, objective: str | None = None, period: str | None = None, config: Config | None = None
) -> KeyResultReview:
    """Async twin of `review`."""
    kr = KeyResult(text=text, location=SourceLocation(file="<api>", line=1))
    return await _default_reviewer(config).areview_key_result(kr, objective, period)
