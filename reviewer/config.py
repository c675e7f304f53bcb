"""Configuration: defaults, policy presets, `[tool.okr-review]` / `.okr-review.toml`, env.

Precedence, lowest first: built-in defaults, the policy preset, the config file found
upward from the reviewed file (or the working directory), environment variables for the
LLM endpoint, then explicit CLI flags / API arguments.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from .errors import ConfigError
from .models import Severity

Policy = Literal["strict", "early-stage"]
CONFIG_FILENAMES = (".okr-review.toml", "pyproject.toml")


class LLMConfig(BaseModel):
    """How to reach an OpenAI-compatible endpoint; unset base_url and key means no LLM."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str = "gpt-4o-mini"
    timeout_s: float = 30.0
    max_retries: int = 2
    concurrency: int = 4
    temperature: float = 0.0
    cache: bool = True
    # How the answer is constrained to the critique schema. json_schema (response_format)
    # is honoured by OpenAI, Azure, vLLM, Ollama >= 0.5 and llama.cpp's server;
    # function_calling needs forced tool choice; json_mode only guarantees some JSON.
    structured_output: Literal["json_schema", "function_calling", "json_mode"] = "json_schema"
    strict_schema: bool = True  # OpenAI strict structured outputs; ignored by most local servers
    max_tokens: int | None = 1500  # caps a runaway answer; a truncated one is re-asked

    @property
    def configured(self) -> bool:
        """True when an endpoint is configured (a key for OpenAI, or any base URL)."""
        return bool(self.base_url) or self.api_key is not None


class RetrievalConfig(BaseModel):
    """Where the guidance comes from and how it is indexed and searched."""

    model_config = ConfigDict(extra="forbid")

    knowledge_dirs: list[Path] = Field(default_factory=list)  # extra corpus folders
    bundled_corpus: bool = True  # False: only knowledge_dirs (a company guide on its own)
    cache_dir: Path | None = None  # default: platform user cache dir
    embedding: Literal["wordllama", "chroma-default", "openai", "none"] = "wordllama"
    chroma_host: str | None = None
    chroma_port: int | None = None
    top_k: int = 4
    # Collections up to this many passages are searched exactly, over their vectors read
    # from chroma once; larger ones by chroma's nearest-neighbour query (0: always chroma).
    exact_search_max: int = Field(default=200, ge=0)


class Config(BaseModel):
    """Everything that changes what the reviewer reports or how it runs."""

    model_config = ConfigDict(extra="forbid")

    policy: Policy = "strict"
    select: list[str] | None = None  # None: the default rule set
    ignore: list[str] = Field(default_factory=list)
    extend_select: list[str] = Field(default_factory=list)  # add off-by-default rules
    severity: dict[str, Severity] = Field(default_factory=dict)  # per-code override
    max_key_results: int = 4
    min_key_results: int = 2
    max_objectives: int = 5
    stretch_threshold: float = 0.10  # improvements below 10% of the baseline are timid
    offline: bool = False  # True: never call an LLM even if one is configured
    critic: Literal["auto", "llm", "deterministic"] = "auto"
    max_rewrites: int = 3
    rules_only: bool = False  # skip retrieval, critique and rewrites (the fastest CI gate)
    llm: LLMConfig = Field(default_factory=LLMConfig)
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig)
    config_file: Path | None = None  # where the settings were read from, for messages

    @field_validator("select", "ignore", "extend_select", mode="before")
    @classmethod
    def _split_codes(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [c.strip().upper() for c in value.split(",") if c.strip()]
        if isinstance(value, list):
            return [str(c).strip().upper() for c in value]
        return value

    @property
    def use_llm(self) -> bool:
        """Whether the LLM critic should be tried for each key result."""
        if self.offline or self.critic == "deterministic":
            return False
        return self.llm.configured


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest `.okr-review.toml`, or `pyproject.toml` with `[tool.okr-review]`, upward."""
    here = (start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        for name in CONFIG_FILENAMES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml":
                try:
                    data = tomllib.loads(candidate.read_text(encoding="utf-8"))
                except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                    continue
                if "okr-review" not in data.get("tool", {}):
                    continue
            return candidate
    return None


def _table_from_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("okr-review", {})
    return {key.replace("-", "_"): value for key, value in data.items()}


def _env_llm() -> dict[str, Any]:
    env: dict[str, Any] = {}
    if os.environ.get("OPENAI_BASE_URL"):
        env["base_url"] = os.environ["OPENAI_BASE_URL"]
    if os.environ.get("OPENAI_API_KEY"):
        env["api_key"] = os.environ["OPENAI_API_KEY"]
    model = os.environ.get("OKR_REVIEW_MODEL") or os.environ.get("OPENAI_MODEL")
    if model:
        env["model"] = model
    return env


def _env_retrieval() -> dict[str, Any]:
    env: dict[str, Any] = {}
    if os.environ.get("CHROMA_HOST"):
        env["chroma_host"] = os.environ["CHROMA_HOST"]
    if os.environ.get("CHROMA_PORT"):
        env["chroma_port"] = os.environ["CHROMA_PORT"]
    if os.environ.get("OKR_REVIEW_CACHE_DIR"):
        env["cache_dir"] = os.environ["OKR_REVIEW_CACHE_DIR"]
    return env


def load_config(
    start: Path | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    config_file: Path | None = None,
    use_env: bool = True,
) -> Config:
    """Build the effective config for files under `start`, applying `overrides` last.

    `overrides` uses the Config field names; nested `llm` / `retrieval` dicts are merged
    into the file's values rather than replacing them.
    """
    path = config_file or find_config_file(start)
    data: dict[str, Any] = _table_from_file(path) if path else {}
    llm = dict(data.pop("llm", {}) or {})
    retrieval = dict(data.pop("retrieval", {}) or {})
    if use_env:
        llm.update(_env_llm())
        retrieval.update(_env_retrieval())
    overrides = dict(overrides or {})
    llm.update(overrides.pop("llm", {}) or {})
    retrieval.update(overrides.pop("retrieval", {}) or {})
    data.update({k: v for k, v in overrides.items() if v is not None})
    data["llm"] = {k.replace("-", "_"): v for k, v in llm.items()}
    data["retrieval"] = {k.replace("-", "_"): v for k, v in retrieval.items()}
    if path:
        data["config_file"] = path
    try:
        return Config.model_validate(data)
    except ValueError as exc:
        where = f"{path}: " if path else ""
        first = str(exc).splitlines()
        raise ConfigError(f"{where}invalid okr-review settings: {'; '.join(first[:3])}") from exc
