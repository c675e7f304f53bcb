"""The LLM critic: the only module that talks to a language model (langchain-openai, openai).

It renders the critique prompt for one key result, asks any OpenAI-compatible endpoint
(OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp's server) for an answer constrained to
`LLMCritique`, verifies it, re-asks once with the violations written out, and raises
`LLMError` when the answer still cannot be used so the pipeline falls back to the
deterministic critic for that key result. Answers are cached on disk; the API key is
never logged, cached or echoed in an error message.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import json
import re
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..config import Config, LLMConfig
from ..errors import LLMError
from ..models import Critique, Passage, Problem, Rewrite, Usage
from .base import CritiqueInput, CritiqueResult
from .cache import ResponseCache, cache_key, default_cache_root
from .prompts import Prompt, data_block, load_prompt
from .schema import LLMCritique, output_json_schema

MAX_REASKS = 1  # one more chance with the violations spelled out, then the deterministic critic
RAW_ECHO_CHARS = 4000  # how much of a bad answer is shown back to the model on a re-ask
TRUNCATED = (
    "the answer was cut off at the token limit before the JSON object ended; answer more briefly"
)
_KEY_SHAPES = re.compile(r"(sk-[A-Za-z0-9_\-]{8,}|Bearer\s+[A-Za-z0-9_\-.=]{8,})")


# After an answer frees its request slot, its task waits this long before parsing and
# verifying it, so the request that took the slot is written first (its path to the socket
# has a few loop turns, and this task's own work would otherwise come before them).
HANDOFF_S = 0.001


@dataclass
class _RequestTrace:
    """What one key result's requests met at the HTTP client (carried in a context var)."""

    queued_s: float = 0.0  # time spent waiting for a request slot
    on_request: Any = None  # called once, when the first request reaches the HTTP client


_TRACE: contextvars.ContextVar[_RequestTrace | None] = contextvars.ContextVar(
    "okr_review_request_trace", default=None
)


class EndpointError(Exception):
    """The endpoint did not answer usefully (HTTP error, timeout, refusal): no re-ask."""


@dataclass
class LLMAnswer:
    """One answer from the endpoint (or the cache), parsed as far as it would go."""

    data: dict[str, Any] | None  # the JSON object, when the answer was one
    raw: str  # what the model said, for a re-ask and for `LLMError.last_output`
    problem: str | None  # why the answer is unusable as it stands; a re-ask may fix it
    usage: Usage
    cached: bool = False


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with API keys (the configured one and anything key-shaped) masked."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _KEY_SHAPES.sub("***", text)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chat_model(settings: LLMConfig, **overrides: Any) -> Any:
    """The one place a langchain `ChatOpenAI` is built from the LLM settings.

    The critic and the eval's judge both get their client here, so swapping the provider
    touches this module only. `overrides` are extra ChatOpenAI arguments.
    """
    from pydantic import SecretStr

    arguments: dict[str, Any] = {
        "model": settings.model,
        "base_url": settings.base_url,
        # Local servers need no key, but the SDK insists on one being set.
        "api_key": settings.api_key or SecretStr("no-key"),
        "timeout": settings.timeout_s,
        "max_retries": settings.max_retries,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
    }
    arguments.update(overrides)
    return _chat_openai_class()(**arguments)


@functools.cache
def _chat_openai_class() -> type:
    """langchain-openai's `ChatOpenAI`, handing the SDK its messages ready to send.

    langchain-openai already converts the messages to their wire form (role and content
    dicts). Passed as `messages`, the SDK type-walks them again against the union of
    message parameter types, ~1 ms of CPU per request spent before the request is on the
    wire. Passed in `extra_body` (which the SDK merges into the JSON body last, over its
    own keys) they go out as given: the same request JSON, built for less. Anything but a
    list of plain dicts stays where langchain put it.
    """
    from langchain_openai import ChatOpenAI

    class PreformattedMessagesChatOpenAI(ChatOpenAI):  # type: ignore[misc, valid-type]
        def _get_request_payload(self, input_: Any, *, stop: Any = None, **kwargs: Any) -> dict:
            payload: dict[str, Any] = super()._get_request_payload(input_, stop=stop, **kwargs)
            messages = payload.get("messages")
            extra_body = payload.get("extra_body") or {}
            if (
                isinstance(messages, list)
                and isinstance(extra_body, dict)
                and "messages" not in extra_body
                and all(isinstance(m, dict) for m in messages)
            ):
                payload["extra_body"] = {**extra_body, "messages": messages}
                payload["messages"] = []
            return payload

    return PreformattedMessagesChatOpenAI


class LLMCritic:
    """Critiques key results through an OpenAI-compatible chat endpoint, with verification."""

    def __init__(self, config: Config, cache: ResponseCache | None = None) -> None:
        self.config = config
        self.settings = config.llm
        self.model = self.settings.model
        self.method = self.settings.structured_output
        self.prompt: Prompt = load_prompt("critique")
        self.reask_prompt: Prompt = load_prompt("reask")
        if cache is None:
            root = default_cache_root(config.retrieval.cache_dir)
            cache = ResponseCache(root, enabled=self.settings.cache)
        self.cache = cache
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else ""
        self._secrets = (key,) if key else ()
        # One client per event loop: httpx async connections belong to the loop that made them.
        self._runnables: weakref.WeakKeyDictionary[Any, tuple[Any, Any]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()  # one Reviewer may serve several threads (the page)

    # -- the endpoint ------------------------------------------------------------------
    def _schema_argument(self) -> dict[str, Any] | None:
        spec = output_json_schema(LLMCritique)
        if self.method == "json_schema":
            return {**spec, "strict": self.settings.strict_schema}
        if self.method == "function_calling":
            return {
                "name": spec["name"],
                "description": spec["description"],
                "parameters": spec["schema"],
            }
        return None  # json_mode: the schema travels in the prompt instead

    def _runnable(self) -> tuple[Any, Any]:
        """This loop's (model, parser): langchain's structured-output binding and its parser.

        `with_structured_output(...)` is `model | parser`; we call the two halves ourselves
        rather than through its `include_raw` wrapper, whose map, fallback and sync lambdas
        cost several thread-pool hops per answer (they serialised a batch's answers).
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._runnables.get(loop)
        if entry is not None:
            return entry[0]
        # One TLS context for every client: building one reads the CA bundle (~25 ms).
        http_client = _slotted_client_class()(
            max_in_flight=max(1, self.settings.concurrency), verify=_tls_context()
        )
        chat = chat_model(self.settings, http_async_client=http_client)
        # Every event loop needs its own model, but the structured-output binding (the
        # converted schema, ~1.5 ms to build) is the same for the same settings.
        binding_key = (self.method, self.settings.strict_schema, self.settings.model)
        structured = _BINDINGS.get(binding_key)
        if structured is not None:
            halves = (chat.bind(**structured[0]), structured[1])
        else:
            kwargs: dict[str, Any] = {"method": self.method}
            if self.method == "function_calling":
                kwargs["strict"] = self.settings.strict_schema
            sequence = chat.with_structured_output(self._schema_argument(), **kwargs)
            halves = (sequence.first, sequence.last)
            reusable = _reusable_binding(sequence.first, chat, sequence.last)
            if reusable is not None:
                reusable = (_format_as_extra_body(reusable[0]), reusable[1])
                _BINDINGS[binding_key] = reusable
                halves = (chat.bind(**reusable[0]), reusable[1])
        with self._lock:
            self._runnables[loop] = (halves, http_client)
        return halves

    async def aclose(self) -> None:
        """Close the HTTP client of the running event loop (before that loop ends)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        with self._lock:
            entry = self._runnables.pop(loop, None)
        if entry is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                await entry[1].aclose()

    # -- prompts ------------------------------------------------------------------------
    def render(self, ctx: CritiqueInput) -> list[tuple[str, str]]:
        """The critique prompt's messages for one key result."""
        kr = ctx.key_result
        fields = [
            f"{name}: {data_block(value)}"
            for name, value in (
                ("baseline", kr.baseline),
                ("target", kr.target),
                ("deadline", kr.deadline),
                ("measured_by", kr.measured_by),
            )
            if value
        ]
        anatomy = {
            "kind (rules)": ctx.kind,
            **{
                key: value
                for key, value in {
                    "metric": ctx.anatomy.metric,
                    "direction": ctx.anatomy.direction,
                    "baseline": ctx.anatomy.baseline.raw if ctx.anatomy.baseline else None,
                    "target": ctx.anatomy.target.raw if ctx.anatomy.target else None,
                    "relative_change": (
                        ctx.anatomy.relative_change.raw if ctx.anatomy.relative_change else None
                    ),
                    "percentile": ctx.anatomy.percentile,
                    "aggregation": ctx.anatomy.aggregation,
                    "window": ctx.anatomy.window,
                    "deadline": ctx.anatomy.deadline,
                    "source": ctx.anatomy.source,
                }.items()
                if value
            },
        }
        findings = "\n".join(
            f"- {f.code} ({f.severity}) {f.name}: {data_block(f.message)}"
            + (f"; fix: {data_block(f.fix)}" if f.fix else "")
            for f in ctx.findings
        )
        passages = "\n".join(_passage_element(p) for p in ctx.passages)
        contract = ""
        if self.method == "json_mode":
            schema = json.dumps(output_json_schema(LLMCritique)["schema"], indent=1)
            contract = f"The JSON object must match this JSON schema:\n{schema}"
        return self.prompt.render(
            key_result=data_block(kr.text),
            fields="\n".join(fields) or "(none)",
            objective=data_block(ctx.objective_text),
            period=data_block(ctx.period),
            anatomy=data_block(json.dumps(anatomy, ensure_ascii=False, indent=1)),
            findings=findings or "(none)",
            passages=passages or "(no guidance was retrieved)",
            output_contract=contract,
        )

    def render_reask(
        self, messages: list[tuple[str, str]], answer: LLMAnswer, violations: list[str]
    ) -> list[tuple[str, str]]:
        """The conversation continued with the bad answer and the violations to fix."""
        listed = "\n".join(f"- {v}" for v in violations)
        follow_up = self.reask_prompt.render(violations=listed)
        previous = answer.raw[:RAW_ECHO_CHARS] or "(empty answer)"
        return [*messages, ("assistant", previous), *follow_up]

    @property
    def prompt_ref(self) -> str:
        """`critique@N`, recorded in every critique this critic writes."""
        return self.prompt.ref

    # -- one call -----------------------------------------------------------------------
    async def ask(self, messages: list[tuple[str, str]]) -> LLMAnswer:
        """One answer for `messages`, from the cache or the endpoint; raises EndpointError."""
        key = cache_key(self.model, self.prompt_ref, self.method, messages)
        hit = self.cache.get(key)
        if hit is not None and isinstance(hit.get("answer"), dict):
            return LLMAnswer(
                data=hit["answer"],
                # The exact text matters: a re-ask echoes it, and that re-ask is cached too.
                raw=str(hit.get("raw") or json.dumps(hit["answer"], ensure_ascii=False)),
                problem=None,
                usage=Usage(cache_hits=1),
                cached=True,
            )
        answer = await self._call_endpoint(messages)
        if answer.data is not None and answer.problem is None:
            self.cache.put(
                key,
                {
                    "model": self.model,
                    "prompt": self.prompt_ref,
                    "answer": answer.data,
                    "raw": answer.raw,
                },
            )
        return answer

    async def _call_endpoint(self, messages: list[tuple[str, str]]) -> LLMAnswer:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
        from langchain_core.outputs import ChatGeneration

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        chat_messages = [kinds[role](content=text) for role, text in messages]
        model, parser = self._runnable()
        try:
            raw_message = await model.ainvoke(chat_messages)
        except Exception as exc:  # every transport failure becomes one scrubbed line
            if type(exc).__name__ == "LengthFinishReasonError":
                return self._truncated(getattr(exc, "completion", None))
            raise EndpointError(self._describe(exc)) from None
        out: dict[str, Any] = {"parsed": None, "parsing_error": None}
        try:
            out["parsed"] = parser.parse_result([ChatGeneration(message=raw_message)])
        except Exception as exc:  # what include_raw=True reports as `parsing_error`
            out["parsing_error"] = exc
        usage = Usage(llm_calls=1)
        meta = getattr(raw_message, "usage_metadata", None) or {}
        usage.prompt_tokens = int(meta.get("input_tokens", 0) or 0)
        usage.completion_tokens = int(meta.get("output_tokens", 0) or 0)
        usage.total_tokens = int(meta.get("total_tokens", 0) or 0)
        raw_text = _raw_text(raw_message)
        refusal = (getattr(raw_message, "additional_kwargs", None) or {}).get("refusal")
        if refusal:
            raise EndpointError(f"the model refused: {_short(scrub(str(refusal), self._secrets))}")
        finish = (getattr(raw_message, "response_metadata", None) or {}).get("finish_reason")
        if finish == "length":
            # A lenient JSON parser may have "repaired" the cut answer: never trust it.
            return LLMAnswer(data=None, raw=raw_text, problem=TRUNCATED, usage=usage)
        parsed = out.get("parsed")
        if out.get("parsing_error") is not None or not isinstance(parsed, dict):
            why = "the answer is not a JSON object"
            if out.get("parsing_error") is not None:
                err = scrub(str(out["parsing_error"]), self._secrets)
                why = f"the answer is not valid JSON ({_short(err, 160)})"
            return LLMAnswer(data=None, raw=raw_text, problem=why, usage=usage)
        try:
            LLMCritique.model_validate(parsed)
        except ValidationError as exc:
            return LLMAnswer(
                data=parsed,
                raw=raw_text or json.dumps(parsed),
                problem="the JSON does not match the schema: " + _validation_summary(exc),
                usage=usage,
            )
        return LLMAnswer(data=parsed, raw=raw_text or json.dumps(parsed), problem=None, usage=usage)

    def _truncated(self, completion: Any) -> LLMAnswer:
        """An answer the SDK refused because it hit the token limit: re-ask for a shorter one."""
        usage = Usage(llm_calls=1)
        raw = ""
        if completion is not None:
            counts = getattr(completion, "usage", None)
            if counts is not None:
                usage.prompt_tokens = int(getattr(counts, "prompt_tokens", 0) or 0)
                usage.completion_tokens = int(getattr(counts, "completion_tokens", 0) or 0)
                usage.total_tokens = int(getattr(counts, "total_tokens", 0) or 0)
            choices = getattr(completion, "choices", None) or []
            if choices:
                raw = str(getattr(choices[0].message, "content", "") or "")
        return LLMAnswer(data=None, raw=raw, problem=TRUNCATED, usage=usage)

    def _describe(self, exc: BaseException) -> str:
        name = type(exc).__name__
        status = getattr(exc, "status_code", None)
        text = scrub(str(exc), self._secrets)
        if name in ("APITimeoutError", "TimeoutError", "ReadTimeout"):
            return f"the endpoint timed out after {self.settings.timeout_s:g}s"
        if name == "LengthFinishReasonError":
            return "the answer was cut off at the token limit"
        if status is not None:
            return f"the endpoint answered HTTP {status} ({name}: {_short(text, 160)})"
        return f"{name}: {_short(text, 200)}"

    # -- one key result -----------------------------------------------------------------
    async def acritique(
        self, ctx: CritiqueInput, on_request: Callable[[], object] | None = None
    ) -> CritiqueResult:
        """A verified LLM critique for one key result; raises LLMError to request a fallback.

        At most `llm.concurrency` requests are in flight per event loop: a request waits for
        a slot at the HTTP client, so rendering, the SDK's request building, parsing and
        verification never hold one. `on_request` is called when this key result's first
        request reaches the HTTP client (a cached answer never does).
        """
        trace = _RequestTrace(on_request=on_request)
        token = _TRACE.set(trace)
        try:
            result = await self._critique(ctx)
        except LLMError as exc:
            exc.queue_ms = round(trace.queued_s * 1000, 3)  # type: ignore[attr-defined]
            raise
        finally:
            _TRACE.reset(token)
        result.queue_ms = round(trace.queued_s * 1000, 3)
        return result

    async def _critique(self, ctx: CritiqueInput) -> CritiqueResult:
        from ..verify import verify_result

        usage = Usage()
        verify_ms = 0.0
        messages = self.render(ctx)
        reasks = 0
        while True:
            try:
                answer = await self.ask(messages)
            except EndpointError as exc:
                raise _failure(str(exc), usage, reasks + 1) from None
            usage.add(answer.usage)
            verification = None
            if answer.problem is None and answer.data is not None:
                result = self._to_result(LLMCritique.model_validate(answer.data), ctx, reasks)
                started = time.perf_counter()
                verification = verify_result(result, ctx, self.config, critic="llm")
                verify_ms += (time.perf_counter() - started) * 1000
                violations = verification.violations
                if not violations:
                    return _finish(verification.result, usage, verify_ms)
            else:
                violations = [answer.problem or "the answer is empty"]
            if reasks >= MAX_REASKS:
                if verification is not None and verification.salvageable:
                    # Some rewrites passed; keep them rather than discard the model's work.
                    return _finish(verification.salvage(), usage, verify_ms)
                raise _failure(
                    "verification failed after a re-ask: " + "; ".join(violations),
                    usage,
                    reasks + 1,
                    answer.raw,
                )
            reasks += 1
            messages = self.render_reask(messages, answer, violations)

    def _to_result(self, answer: LLMCritique, ctx: CritiqueInput, reasks: int) -> CritiqueResult:
        prompt = self.prompt_ref + (f"+{self.reask_prompt.ref}" if reasks else "")
        critique = Critique(
            critic="llm",
            summary=answer.summary,
            problems=[Problem(text=p.text, citations=list(p.citations)) for p in answer.problems],
            kind_opinion=answer.kind,
            prompt=prompt,
            model=self.model,
        )
        rewrites = [
            Rewrite(
                text=r.text,
                metric=r.metric or None,
                baseline=r.baseline or None,
                target=r.target or None,
                deadline=r.deadline or None,
                placeholders=list(dict.fromkeys(r.placeholders)),
                rationale=r.rationale or None,
                instrument_first=(
                    "baseline" in r.placeholders
                    and not (ctx.anatomy.source or ctx.key_result.measured_by)
                ),
            )
            for r in answer.rewrites[: self.config.max_rewrites]
        ]
        return CritiqueResult(critique=critique, rewrites=rewrites)


@functools.cache
def _slotted_client_class() -> type:
    """The SDK's async HTTP client with a per-client limit on requests in flight.

    The limit sits around `send`, the HTTP exchange alone (the answer's body is read before
    the slot is freed), so everything else a critique does runs while others' requests are
    on the wire. Retries go through `send` again and queue for a slot like any request.
    """
    import openai

    class SlottedAsyncHttpClient(openai.DefaultAsyncHttpxClient):  # type: ignore[misc, valid-type]
        def __init__(self, *, max_in_flight: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.max_in_flight = max_in_flight
            self._slots = asyncio.Semaphore(max_in_flight)

        async def send(self, request: Any, **kwargs: Any) -> Any:
            trace = _TRACE.get()
            notify = None
            if trace is not None and trace.on_request is not None:
                notify, trace.on_request = trace.on_request, None
                if self._slots.locked():
                    notify()  # it waits for a slot: nothing to let through first
                    notify = None
                else:
                    _call_when_written(request, notify)
            queued = time.perf_counter()
            await self._slots.acquire()
            if trace is not None:
                trace.queued_s += time.perf_counter() - queued
            try:
                # Not streamed (the SDK's default), the body is read before this returns.
                response = await super().send(request, **kwargs)
            finally:
                self._slots.release()
                if notify is not None:
                    notify()  # in case the request failed before it was written
            if self._slots.locked():
                # A request is waiting for the slot just freed: let it reach the socket
                # before this task spends the loop on parsing and verifying its answer.
                await asyncio.sleep(HANDOFF_S)
            return response

    return SlottedAsyncHttpClient


# (method, strict, model) -> the structured-output binding's arguments and its parser.
_BINDINGS: dict[tuple[str, bool, str], tuple[dict[str, Any], Any]] = {}


def _reusable_binding(bound: Any, chat: Any, parser: Any) -> tuple[dict[str, Any], Any] | None:
    """(arguments, parser) to rebind another model the same way, when `bound` is a plain
    `chat.bind(**arguments)` (what langchain-openai's structured output makes); else None."""
    from langchain_core.runnables import RunnableBinding

    if (
        isinstance(bound, RunnableBinding)
        and bound.bound is chat
        and not bound.config
        and not bound.config_factories
        and bound.custom_input_type is None
        and bound.custom_output_type is None
    ):
        return dict(bound.kwargs), parser
    return None


def _format_as_extra_body(arguments: dict[str, Any]) -> dict[str, Any]:
    """Binding arguments with `response_format` moved into `extra_body`: the same request
    JSON, built for about half the CPU.

    Given a `response_format`, langchain-openai calls the SDK's `parse()` helper, which
    type-walks the request body against the union of the streaming and non-streaming
    parameter types, so every message is walked twice (openai-python PR #3616); `create()`,
    which langchain-openai calls otherwise, walks it once. From `ainvoke` to a built request
    took 3.3-4.5 ms of CPU per key result that way and 1.8 ms this way. The format is a
    plain dict already in its wire form and `extra_body` goes into the JSON as given;
    langchain-openai still reads the answer (content, refusal, finish reason, usage) the
    same way.
    """
    response_format = arguments.get("response_format")
    if not isinstance(response_format, dict):
        return arguments
    moved = {key: value for key, value in arguments.items() if key != "response_format"}
    moved["extra_body"] = {
        **(arguments.get("extra_body") or {}),
        "response_format": response_format,
    }
    return moved


def _call_when_written(request: Any, callback: Callable[[], object]) -> None:
    """Call `callback` once `request` is on the wire, through httpcore's `trace` extension."""
    previous = request.extensions.get("trace")

    async def on_event(name: str, info: dict[str, Any]) -> None:
        if name.endswith("send_request_body.complete"):
            callback()
        if previous is not None:
            await previous(name, info)

    request.extensions = {**request.extensions, "trace": on_event}


@functools.cache
def _tls_context() -> Any:
    """The TLS context the SDK's HTTP client would build itself (CA bundle, SSL_CERT_*)."""
    import openai

    # Built by the SDK's own httpx flavour (httpx or httpx2), so its trust rules apply.
    module = sys.modules.get(openai.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0])
    make = getattr(module, "create_ssl_context", None)
    return make() if callable(make) else True  # True: the client builds its own, as before


def _finish(result: CritiqueResult, usage: Usage, verify_ms: float) -> CritiqueResult:
    result.usage = usage
    result.verify_ms = round(verify_ms, 3)
    return result


def _failure(message: str, usage: Usage, attempts: int, last_output: str = "") -> LLMError:
    """An LLMError carrying the usage spent so far, so the report still counts those calls."""
    error = LLMError(message, attempts=attempts, last_output=last_output[:RAW_ECHO_CHARS] or None)
    error.usage = usage  # type: ignore[attr-defined]
    return error


def _passage_element(passage: Passage) -> str:
    title = passage.title.replace('"', "'")
    if passage.section:
        title = f"{title} / {passage.section}".replace('"', "'")
    return f'<passage id="{passage.id}" title="{title}">\n{passage.text.strip()}\n</passage>'


def _raw_text(message: Any) -> str:
    if message is None:
        return ""
    tool_calls = getattr(message, "tool_calls", None) or []
    if tool_calls:
        return json.dumps(tool_calls[0].get("args", {}), ensure_ascii=False)
    invalid = getattr(message, "invalid_tool_calls", None) or []
    if invalid:
        return str(invalid[0].get("args") or "")
    content = getattr(message, "content", "")
    if isinstance(content, list):
        return "".join(
            part.get("text", "") if isinstance(part, dict) else str(part) for part in content
        )
    return str(content or "")


def _validation_summary(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:6]:
        where = ".".join(str(x) for x in error.get("loc", ())) or "(root)"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)
