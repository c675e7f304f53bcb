"""The rule registry: the `@rule` decorator and the metadata each rule carries.

A rule is a small pure function. Key-result rules take a `KeyResultContext`, set rules a
`SetContext`; both yield `Hit`s (what is wrong here, where). The engine turns hits into
`Finding`s with the configured severity, the rule's fix and its guidance ids. Rules never
touch the network, a file, the vector store or the LLM.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..models import Severity

if TYPE_CHECKING:
    from ..config import Config
    from ..models import Anatomy, KeyResult, Kind, Objective, OKRSet

Scope = Literal["key_result", "set"]
DOC_SECTIONS = ("What it checks", "Why it matters", "Example", "Use instead")


@dataclass(frozen=True)
class Hit:
    """One occurrence of a rule's pattern: the message, and optionally where and a better fix."""

    message: str
    span: tuple[int, int] | None = None
    fix: str | None = None  # overrides the rule's generic fix when a specific one is known
    objective: str | None = None  # set rules: which objective this concerns
    line: int | None = None  # set rules: where in the file
    # set rules: the key result concerned (OKR605), so its own suppressions apply
    key_result: Any = field(default=None, compare=False, hash=False)


@dataclass
class KeyResultContext:
    """What a key-result rule may look at: the key result, its parse, and its surroundings."""

    key_result: KeyResult
    anatomy: Anatomy
    kind: Kind
    objective: Objective | None
    period: str | None
    config: Config
    parsed: Any = None  # the anatomy parser's working notes (reviewer.anatomy.Parsed)

    @property
    def text(self) -> str:
        return self.key_result.text


@dataclass
class SetContext:
    """What a set rule may look at: the whole OKR set and each key result's parse."""

    okr_set: OKRSet
    config: Config
    parsed: dict[int, tuple[Anatomy, Kind]] = field(default_factory=dict)  # id(kr) -> parse


@dataclass(frozen=True)
class RuleSpec:
    """A registered rule and everything the catalogue, docs and reports say about it."""

    code: str
    name: str
    severity: Severity
    fix: str
    scope: Scope
    func: Callable[..., Iterator[Hit]]
    enabled_by_default: bool = True
    guidance: tuple[str, ...] = ()
    # the kinds of key result it can fire on (empty: any); the engine skips the others
    kinds: tuple[str, ...] = ()

    @property
    def doc(self) -> str:
        """The rule's documentation, from its docstring."""
        return inspect.cleandoc(self.func.__doc__ or "")

    @property
    def summary(self) -> str:
        """The first line of the docs: what the rule flags."""
        return self.doc.splitlines()[0] if self.doc else self.name


REGISTRY: dict[str, RuleSpec] = {}


def rule(
    code: str,
    name: str,
    *,
    severity: Severity,
    fix: str,
    scope: Scope = "key_result",
    enabled_by_default: bool = True,
    guidance: tuple[str, ...] = (),
    kinds: tuple[str, ...] = (),
) -> Callable[[Callable[..., Iterator[Hit]]], Callable[..., Iterator[Hit]]]:
    """Register a rule function under a stable code; codes are never reused."""

    def register(func: Callable[..., Iterator[Hit]]) -> Callable[..., Iterator[Hit]]:
        if code in REGISTRY:
            raise ValueError(f"rule code {code} registered twice")
        REGISTRY[code] = RuleSpec(
            code=code,
            name=name,
            severity=severity,
            fix=fix,
            scope=scope,
            func=func,
            enabled_by_default=enabled_by_default,
            guidance=guidance,
            kinds=kinds,
        )
        return func

    return register
