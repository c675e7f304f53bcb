"""Prompt files: front matter (id, version, inputs) and a body of `[system]` / `[user]` parts.

A prompt is rendered with `string.Template.substitute`, so a missing input fails at once
instead of sending a prompt with a hole in it. The key result and its objective are user
data: `data_block` strips anything that could pose as one of our delimiting tags, so a
draft cannot close its own `<key_result>` element and speak outside it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

_SECTION = re.compile(r"^\[(system|user|assistant)\]\s*$", re.MULTILINE)
_DELIMITER_TAG = re.compile(
    r"</?\s*(key_result|fields|objective|period|passage|passages|system|user|assistant)\b[^>]*>",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Prompt:
    """One prompt file: identity for the cache and the critique record, and its message parts."""

    id: str
    version: int
    inputs: tuple[str, ...]
    parts: tuple[tuple[str, str], ...]  # (role, template text), in file order
    path: Path

    @property
    def ref(self) -> str:
        """`id@version`, as recorded in every critique and used in cache keys."""
        return f"{self.id}@{self.version}"

    def render(self, **values: str) -> list[tuple[str, str]]:
        """The (role, text) messages with every `$input` substituted; unknown or missing fail."""
        missing = [name for name in self.inputs if name not in values]
        extra = [name for name in values if name not in self.inputs]
        if missing or extra:
            raise KeyError(f"prompt {self.ref}: missing inputs {missing}, unexpected {extra}")
        return [(role, Template(text).substitute(values).strip()) for role, text in self.parts]


def prompts_dir() -> Path:
    """Where prompt files live: `$OKR_REVIEW_PROMPTS_DIR` or the repository's `prompts/`."""
    override = os.environ.get("OKR_REVIEW_PROMPTS_DIR")
    if override:
        return Path(override)
    from ..resources import resource_dir

    return resource_dir("prompts") or Path(__file__).resolve().parents[2] / "prompts"


def parse_prompt(text: str, path: Path) -> Prompt:
    """Parse a prompt file's text; raises ValueError naming the file when it is malformed."""
    import frontmatter

    post = frontmatter.loads(text)
    meta = post.metadata
    for key in ("id", "version", "inputs"):
        if key not in meta:
            raise ValueError(f"{path}: front matter lacks {key!r}")
    pieces = _SECTION.split(post.content)
    if len(pieces) < 3 or pieces[0].strip():
        raise ValueError(f"{path}: body must be [system] / [user] sections")
    parts = tuple((pieces[i], pieces[i + 1]) for i in range(1, len(pieces), 2))
    inputs = tuple(str(name) for name in meta["inputs"])
    used = {
        m.group("named") or m.group("braced")
        for _role, body in parts
        for m in Template.pattern.finditer(body)
        if m.group("named") or m.group("braced")
    }
    if used != set(inputs):
        raise ValueError(
            f"{path}: placeholders {sorted(used)} do not match declared inputs {sorted(inputs)}"
        )
    return Prompt(
        id=str(meta["id"]),
        version=int(meta["version"]),
        inputs=inputs,
        parts=parts,
        path=path,
    )


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int) -> Prompt:
    return parse_prompt(path.read_text(encoding="utf-8"), path)


def load_prompt(prompt_id: str) -> Prompt:
    """Load `prompts/<prompt_id>.md` (cached until the file changes)."""
    path = prompts_dir() / f"{prompt_id}.md"
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise FileNotFoundError(f"prompt file not found: {path}") from exc
    return _load(path, mtime)


def all_prompts() -> list[Prompt]:
    """Every prompt file in the prompts folder, for tests and `knowledge`-style listings."""
    return [load_prompt(p.stem) for p in sorted(prompts_dir().glob("*.md"))]


def data_block(text: str | None, empty: str = "(none)") -> str:
    """User-written text made safe to place between our delimiting tags."""
    if text is None or not text.strip():
        return empty
    return _DELIMITER_TAG.sub(" ", text).strip()
