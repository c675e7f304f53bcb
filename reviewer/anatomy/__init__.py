"""Key-result anatomy: every number in the text, and what each one is for.

`extract_numbers(text)` finds the numbers (used by rewrite verification: no number may be
invented); `parse_anatomy(kr)` reads the metric, direction, baseline, target, relative
change, window, deadline and data source; `analyse(kr)` keeps the parser's working notes
for the classifier and the rules.
"""

from __future__ import annotations

from ..models import Anatomy, KeyResult
from .numbers import extract_numbers
from .parse import Parsed, analyse, comparable_value, is_placeholder, units_compatible

__all__ = [
    "Parsed",
    "analyse",
    "comparable_value",
    "extract_numbers",
    "is_placeholder",
    "parse_anatomy",
    "units_compatible",
]


def parse_anatomy(kr: KeyResult) -> Anatomy:
    """The anatomy of one key result; explicit fields on `kr` win over its text."""
    return analyse(kr).anatomy
