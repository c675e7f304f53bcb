"""The contract an LLM critic must answer in: a pydantic model whose descriptions the model reads.

Field descriptions are written for the model (they travel in the JSON schema), and the
validation messages are sent back verbatim when the answer is re-asked, so both are plain
instructions. Kept free of langchain/openai so tests and the test server can build answers.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PLACEHOLDER_FIELDS = ("metric", "baseline", "target", "deadline")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMProblem(_Strict):
    """One problem with the key result, grounded in the guidance passages given."""

    text: str = Field(
        description="One problem with the key result, in one or two plain sentences.",
    )
    citations: list[str] = Field(
        description=(
            "Ids of the guidance passages this problem relies on, copied exactly from the "
            "id attribute of a <passage> in the input (for example 'baselines#why'). "
            "Never invent an id."
        ),
    )

    @field_validator("text")
    @classmethod
    def _text_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("problem text must not be empty")
        return value.strip()


class LLMRewrite(_Strict):
    """A suggested replacement key result that names an outcome and never invents a number."""

    text: str = Field(
        description=(
            "The rewritten key result, one sentence: a direction, one metric, a baseline and "
            "a target, and a deadline. Use only numbers that appear in the input; write "
            "<baseline>, <target> or <deadline> for any value the input does not give."
        ),
    )
    metric: str = Field(description="The one metric the rewrite measures, e.g. 'p95 latency'.")
    baseline: str = Field(
        description="The starting value exactly as written in the input, or '<baseline>'.",
    )
    target: str = Field(
        description="The target value exactly as written in the input, or '<target>'.",
    )
    deadline: str = Field(
        description="When the target is due, from the input or the period, or '<deadline>'.",
    )
    placeholders: list[Literal["metric", "baseline", "target", "deadline"]] = Field(
        description="Which of metric, baseline, target, deadline are placeholders.",
    )
    rationale: str = Field(description="One sentence: why this measures the intended result.")

    @field_validator("text")
    @classmethod
    def _text_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("rewrite text must not be empty")
        return " ".join(value.split())


class LLMCritique(_Strict):
    """The whole answer for one key result."""

    summary: str = Field(
        description="Two or three sentences: what is wrong with the key result and why.",
    )
    kind: Literal["outcome", "output", "activity", "unmeasurable"] = Field(
        description=(
            "outcome: a measurable change in a state of the world; output: a deliverable; "
            "activity: counting the team's own actions; unmeasurable: no metric at all."
        ),
    )
    problems: list[LLMProblem] = Field(
        description="The problems, most serious first, each citing passage ids.",
    )
    rewrites: list[LLMRewrite] = Field(
        description=(
            "One to three rewrites that each measure an outcome with one metric. Empty only "
            "when the key result has no problem."
        ),
    )

    @field_validator("summary")
    @classmethod
    def _summary_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("summary must not be empty")
        return value.strip()


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline_refs(copy.deepcopy(defs[ref.split("/")[-1]]), defs)
        return {k: _inline_refs(v, defs) for k, v in node.items() if k not in ("title",)}
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    return node


def _close_objects(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
            node["required"] = list(node["properties"])
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for item in node:
            _close_objects(item)


def output_json_schema(model: type[BaseModel] = LLMCritique) -> dict[str, Any]:
    """The answer schema, self-contained: refs inlined, every object closed and fully required.

    Inlining `$defs` keeps the schema usable by grammar-constrained local servers
    (llama.cpp, vLLM, Ollama) as well as OpenAI's strict structured outputs.
    """
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})
    schema = _inline_refs(raw, defs)
    _close_objects(schema)
    return {
        "name": "key_result_critique",
        "description": model.__doc__ or "",
        "schema": schema,
    }
