"""okr-reviewer: reviews engineering OKR key results.

    from reviewer import review, Reviewer
    result = review("Migrate auth to OAuth 2.0", objective="Make login reliable")
    print(result.kind, [f.code for f in result.findings])

The names below are imported lazily so that `import reviewer` (and the CLI's `--help`)
stays fast; heavy libraries load only when a stage that needs them runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Reviewer": "reviewer.pipeline",
    "review": "reviewer.pipeline",
    "Config": "reviewer.config",
    "load_config": "reviewer.config",
    "read_okr_file": "reviewer.parse",
    "read_okr_text": "reviewer.parse",
    "KeyResult": "reviewer.models",
    "Objective": "reviewer.models",
    "OKRSet": "reviewer.models",
    "Finding": "reviewer.models",
    "KeyResultReview": "reviewer.models",
    "Report": "reviewer.models",
    "Rewrite": "reviewer.models",
    "Critique": "reviewer.models",
    "Passage": "reviewer.models",
    "Anatomy": "reviewer.models",
    "ReviewerError": "reviewer.errors",
    "InputError": "reviewer.errors",
    "ConfigError": "reviewer.errors",
}

__all__ = [
    "Anatomy",
    "Config",
    "ConfigError",
    "Critique",
    "Finding",
    "InputError",
    "KeyResult",
    "KeyResultReview",
    "OKRSet",
    "Objective",
    "Passage",
    "Report",
    "Reviewer",
    "ReviewerError",
    "Rewrite",
    "__version__",
    "load_config",
    "read_okr_file",
    "read_okr_text",
    "review",
]

if TYPE_CHECKING:
    from .config import Config, load_config
    from .errors import ConfigError, InputError, ReviewerError
    from .models import (
        Anatomy,
        Critique,
        Finding,
        KeyResult,
        KeyResultReview,
        Objective,
        OKRSet,
        Passage,
        Report,
        Rewrite,
    )
    from .parse import read_okr_file, read_okr_text
    from .pipeline import Reviewer, review


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'reviewer' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
