"""Pieces every part of the OpenAPI document uses: a query parameter with the schema of what
the endpoint takes, so a client (or a fuzzer) reads from the document which values pass."""

from __future__ import annotations

from typing import Any

#: A page number as the list endpoints read it (web/routes/query.py page_param).
PAGE = {"type": "string", "pattern": "^[1-9][0-9]{0,5}$"}
#: An ISO-8601 time with its offset (web/routes/query.py moment_param).
MOMENT = {"type": "string", "format": "date-time"}
#: The same, or blank for none.
MOMENT_OR_BLANK = {"type": "string", "anyOf": [{"format": "date-time"}, {"maxLength": 0}]}
#: A journey's key as stored (journeys/models.py): longer finds no journey.
JOURNEY = {"type": "string", "minLength": 1, "maxLength": 63}
#: true or false, spelled so.
BOOLEAN = {"type": "string", "enum": ["true", "false"]}


def query(
    name: str, description: str, schema: dict[str, Any] | None = None, *, required: bool = False
) -> dict[str, Any]:
    """A query parameter; a required one may not be empty, as the endpoints refuse that."""
    found = dict(schema or {"type": "string"})
    if required and "enum" not in found and "pattern" not in found:
        found.setdefault("minLength", 1)
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": found,
    }


def choice(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}
