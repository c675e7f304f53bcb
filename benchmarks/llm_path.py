"""The LLM-path measurement behind both tables that show it (`run_all.py`, which `make bench`
runs, and `bench_review.py`): one function, so the two cannot drift apart.

n key results go through `Reviewer.review_set` against the test suite's scripted
OpenAI-compatible endpoint (tests/support/openai_server.py), which answers every chat
request after a fixed delay. The endpoint runs in a process of its own, as a real one
would: in the measured process its HTTP parsing and answer building would share the GIL
with the client and be billed as client time. Its delay counts from the request's arrival.

Each run times `review_set` alone: the index is opened and the imports and client classes
are warmed before the clock, and every run writes its answers to a fresh cache folder, so
no run is answered from an earlier one's cache. Then one more batch reruns the last one
on its cache, which must send no request at all.

Beside the reviewer's figure, an HTTP floor: the same requests the last batch sent (as the
endpoint received them), replayed at the same limit by the SDK's own HTTP client
(`openai.DefaultAsyncHttpxClient`), all queued at once, with nothing else to do. It shows
what the endpoint and the HTTP stack cost by themselves (connections, request writing,
response parsing: about 2.5 ms per exchange here), so the difference between the two
figures is what the reviewer adds.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BAR_RATIO = 1.3  # issue 8: within 1.3x of the ideal n x delay / limit at every concurrency


@dataclass
class TimedRuns:
    """n requests at a concurrency limit, each taking `delay_s` at the endpoint, timed
    `len(timings_s)` times."""

    limit: int
    n: int
    delay_s: float
    timings_s: list[float]

    @property
    def elapsed_s(self) -> float:
        """The median run."""
        return statistics.median(self.timings_s)

    @property
    def ideal_s(self) -> float:
        """n x delay / limit: every slot busy from the first moment to the last."""
        return self.n * self.delay_s / self.limit

    @property
    def waves_s(self) -> float:
        """The floor of whole waves, ceil(n / limit) x delay: the last wave is partly empty."""
        return math.ceil(self.n / self.limit) * self.delay_s

    @property
    def ratio(self) -> float:
        return self.elapsed_s / self.ideal_s

    def timing(self) -> str:
        """The median, the spread of the runs and the ratio to the ideal, as one phrase."""
        spread = ""
        if len(self.timings_s) > 1:
            low, high = min(self.timings_s), max(self.timings_s)
            spread = f" (median of {len(self.timings_s)}: {low:.3f}-{high:.3f})"
        return f"{self.elapsed_s:.3f} s{spread} = {self.ratio:.3f}x ideal"


@dataclass
class ConcurrencyRun(TimedRuns):
    """The reviewer's runs at one concurrency limit."""

    max_in_flight: int  # the most chat requests the endpoint saw in flight at once
    by_llm: int  # key results the LLM critic wrote, in the run with the fewest

    @property
    def met(self) -> bool:
        """Within the bar, never over the limit, and every key result critiqued by the LLM."""
        return (
            self.ratio <= BAR_RATIO and self.max_in_flight <= self.limit and self.by_llm == self.n
        )

    def describe(self) -> str:
        return (
            f"{self.timing()} {self.ideal_s:.2f} s (whole waves {self.waves_s:.2f} s); "
            f"<= {self.max_in_flight} in flight; {self.by_llm} by LLM"
        )


@dataclass
class HttpFloor(TimedRuns):
    """The endpoint and the SDK's HTTP client alone: the same requests, nothing else."""

    def describe(self) -> str:
        return (
            f"{self.timing()}: the same {self.n} requests, queued at once, sent by the SDK's "
            "HTTP client alone"
        )


def replay(base_url: str, bodies: Sequence[dict], limit: int) -> float:
    """Seconds to send `bodies` as chat requests, at most `limit` in flight, with the SDK's
    HTTP client and nothing else: every request leaves as soon as a slot is free."""
    import asyncio

    import openai

    async def run() -> float:
        slots = asyncio.Semaphore(limit)
        async with openai.DefaultAsyncHttpxClient(timeout=30.0) as client:

            async def one(body: dict) -> None:
                async with slots:
                    response = await client.post(f"{base_url}/chat/completions", json=body)
                    response.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(one(body) for body in bodies))
            return time.perf_counter() - started

    return asyncio.run(run())


@dataclass
class CachedRerun:
    """The last batch again, on its own cache."""

    requests: int
    cache_hits: int
    elapsed_s: float

    @property
    def met(self) -> bool:
        return self.requests == 0

    def describe(self) -> str:
        return f"{self.requests} requests, {self.cache_hits} cache hits, {self.elapsed_s:.2f} s"


def measure(
    texts: Sequence[str],
    *,
    delay_s: float,
    folder: Path,
    index_cache: Path,
    limits: Sequence[int] = (1, 4, 16),
    runs: int = 1,
) -> tuple[list[ConcurrencyRun], CachedRerun, HttpFloor]:
    """Time `review_set` over `texts` at each concurrency limit, `runs` times each.

    `index_cache` holds the guidance index (opened once, built there if missing); `folder`
    receives one answer cache per run. The HTTP floor replays the last run's requests at the
    last limit, `runs` times.
    """
    from support.openai_server import ServerProcess

    from reviewer.config import load_config
    from reviewer.models import KeyResult, Objective, OKRSet
    from reviewer.pipeline import Reviewer

    okr_set = OKRSet(
        team="Bench",
        period="2026-Q3",
        objectives=[
            Objective(
                text="Make checkout fast and dependable",
                key_results=[KeyResult(text=t) for t in texts],
            )
        ],
    )
    measured: list[ConcurrencyRun] = []
    with ServerProcess() as server:

        def reviewer(limit: int, answers: Path, index: object = None) -> Reviewer:
            config = load_config(
                overrides={
                    "llm": {
                        "base_url": server.base_url,
                        "api_key": "sk-bench",
                        "model": "scripted",
                        "concurrency": limit,
                        "max_retries": 0,
                        "timeout_s": 30.0,
                    },
                    "retrieval": {"cache_dir": answers},
                },
                use_env=False,
            )
            return Reviewer(config, index=index)  # type: ignore[arg-type]

        index = reviewer(1, index_cache).guidance_index()
        warmup = reviewer(4, folder / "answers-warmup", index)
        warmup.review_key_result("Launch dark mode")  # imports and client classes, not timed
        server.delay_s = delay_s
        answers = folder / "answers-warmup"
        for limit in limits:
            timings, peaks, by_llm = [], [], []
            for run in range(max(1, runs)):
                answers = folder / f"answers-{limit}-{run}"
                server.reset()
                batch = reviewer(limit, answers, index)
                started = time.perf_counter()
                report = batch.review_set(okr_set)
                timings.append(time.perf_counter() - started)
                peaks.append(server.stats()[1])
                by_llm.append(report.summary.by_critic.get("llm", 0))
            measured.append(
                ConcurrencyRun(limit, len(texts), delay_s, timings, max(peaks), min(by_llm))
            )
        bodies = server.request_bodies()  # the last run's requests, as the endpoint got them
        floor = HttpFloor(
            limits[-1],
            len(bodies),
            delay_s,
            [replay(server.base_url, bodies, limits[-1]) for _ in range(max(1, runs))],
        )
        server.reset()
        rerun = reviewer(limits[-1], answers, index)
        started = time.perf_counter()
        report = rerun.review_set(okr_set)
        elapsed = time.perf_counter() - started
        cached = CachedRerun(server.stats()[0], report.usage.cache_hits, elapsed)
    return measured, cached, floor
