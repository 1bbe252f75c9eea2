"""Field types of the API's answers: money in 万元 as a decimal string (never a float), and a described field."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, PlainSerializer, WithJsonSchema

Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: format(value, "f"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}),
]
"""万元, two decimals, as a string ("1234.50"): exact, as the ledger keeps it."""


def described(text: str, default: Any = ..., **kwargs: Any) -> Any:
    """A field with its Chinese description (every field of the schema has one: tests/api/test_openapi.py)."""
    return Field(default, description=text, **kwargs)
