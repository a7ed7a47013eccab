"""What the API accepts as an id and as text: the one place that says so.

An id is a string of ASCII digits (or, in a JSON body, a whole number) from 0 to
2^63 - 1, the range of the 64-bit columns every id is stored in. ``"¹".isdigit()`` is
true and ``int("¹")`` fails, so ``isdigit()`` alone is not the test; nor is pydantic's
``int``, which takes ``" 1_000 "`` and ``2**63``.

Text may hold any character PostgreSQL text can store: not NUL, not a lone surrogate.
SQLite would store both, so refusing them here keeps the two databases alike.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema

from roost.core.errors import Unprocessable

MAX_ID = (1 << 63) - 1
_ID_DIGITS = 19  # len(str(MAX_ID))
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

ID_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": "^[0-9]{1,19}$"},
        {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    ],
    "description": "An id: ASCII digits, at most 2^63 - 1",
}


def id_or_none(value: object) -> int | None:
    """``value`` as an id, or None if it is not one (a bool is not one)."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= _ID_DIGITS):
            return None
        value = int(value)
    elif not isinstance(value, int) or isinstance(value, bool):
        return None
    return value if 0 <= value <= MAX_ID else None


def _validate_id(value: object) -> int:
    number = id_or_none(value)
    if number is None:
        raise ValueError("must be an id (ASCII digits, at most 2^63 - 1)")
    return number


# A pydantic field type: ``max_id: Id | None = None``. It documents itself as a string
# of digits or a whole number, as clients send both.
Id = Annotated[int, PlainValidator(_validate_id), WithJsonSchema(ID_SCHEMA)]


def _ids(value: object) -> list[int]:
    values = value if isinstance(value, list) else [value]
    found = [id_or_none(item) for item in values]
    if any(number is None for number in found):
        raise ValueError("must be a list of ids (ASCII digits, at most 2^63 - 1)")
    return list(dict.fromkeys(number for number in found if number is not None))


# ``id[]=1&id[]=2`` (or one ``id=1``): every entry must be an id (else 422, as for any
# id); repeats are dropped. Ids that name no record are skipped by the lookups.
IdList = Annotated[
    list[int],
    PlainValidator(_ids),
    WithJsonSchema({"type": "array", "items": ID_SCHEMA}),
]


def storable(text: str) -> bool:
    return _UNSTORABLE.search(text) is None


def check_text(value: Any, where: str = "") -> None:
    """Refuse (422) any string in ``value`` (keys too, through lists and objects) that
    PostgreSQL text cannot hold."""
    if isinstance(value, str):
        if not storable(value):
            raise Unprocessable(f"Validation failed: {where or 'parameter'}: invalid character")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            check_text(name, where or name)
            check_text(item, where or name)
    elif isinstance(value, list):
        for item in value:
            check_text(item, where)
