"""Pydantic at the edge: a payload validated against its model, or InvalidInput naming the field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import ValidationError  # pydantic's own, without importing pydantic itself

from nudges.errors import InvalidInput

if TYPE_CHECKING:
    from pydantic import BaseModel


def parse[Model: BaseModel](model: type[Model], data: Any) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc) from exc


def _invalid(exc: ValidationError) -> InvalidInput:
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    return InvalidInput(f"{field}: {message}" if field else message, field=field)
