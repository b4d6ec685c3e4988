"""Shared pieces of the spec models: the strict base class and the id type."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]


class Strict(BaseModel):
    """Base of every spec model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
