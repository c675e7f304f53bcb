"""Build pydantic models without validation, for the hot path of the rules.

`BaseModel.model_construct` already skips validation but still walks every field looking
for aliases and defaults, which costs more than parsing the key result. The rules build
their own outputs from values they have just computed, so they give every field and set
the instance state directly, the way `model_construct` ends. A unit test checks that the
result equals the validated model.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def build(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of `cls` from `values`, which must name every field (no defaults, no checks)."""
    instance = cls.__new__(cls)
    _set(instance, "__dict__", values)
    _set(instance, "__pydantic_fields_set__", set(values))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance
