"""Where the files that ship beside the code live: the guidance corpus and the prompts.

In a source checkout or an editable install they are the repository's top-level
`knowledge/` and `prompts/`; a wheel installs the same folders as data files under
`<prefix>/share/okr-reviewer/` (see `[tool.setuptools.data-files]` in pyproject.toml).
"""

from __future__ import annotations

import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[1]
_SHARE = Path(sys.prefix) / "share" / "okr-reviewer"


def resource_dir(name: str) -> Path | None:
    """The first folder called `name` that has files: the checkout's, then the installed one."""
    for candidate in (_REPO_ROOT / name, _SHARE / name):
        if candidate.is_dir() and any(candidate.iterdir()):
            return candidate
    return None
