"""The OpenAPI entry of `GET /api/v1/responses`, which web/openapi.py adds to its document
(kept apart, like web/openapi_cases.py, so the responses API describes itself next to its
own names)."""

from __future__ import annotations

from typing import Any

from surveys.comments import MAX_LIMIT, SCORE_GROUPS, SENTIMENTS
from web.exports import COLUMNS
from web.openapi_parts import JOURNEY, choice, query

_TEXT = {"type": ["string", "null"]}
_SCORE = {"type": ["integer", "null"]}

RESPONSE = {
    "type": "object",
    "description": "One answer: its scores, what the customer wrote, and the labels the"
    " feedback analysis gave it. An erased customer's answer keeps its scores; its comment"
    " is null.",
    "properties": {
        "answer_id": {"type": "integer"},
        "touchpoint": {"type": "string"},
        "answered_at": {"type": "string", "format": "date-time", "description": "UTC"},
        "nps": {**_SCORE, "minimum": 0, "maximum": 10},
        "csat": {**_SCORE, "minimum": 1, "maximum": 5},
        "group": {"type": ["string", "null"], "enum": ["detractor", "passive", "promoter", None]},
        "comment": _TEXT,
        "sentiment": {"type": ["string", "null"], "enum": [*SENTIMENTS, None]},
        "themes": {"type": "array", "items": {"type": "string"}},
        "language": _TEXT,
        "channel": _TEXT,
        "segment": _TEXT,
        "variant": _TEXT,
        "experiment": _TEXT,
        "source": {**_TEXT, "description": "web (the survey page) or sms (a reply)"},
        "interaction_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
RESPONSE_PAGE = {
    "type": "object",
    "properties": {
        "responses": {"type": "array", "items": {"$ref": "#/components/schemas/Response"}},
        "next": {
            **_TEXT,
            "description": "the cursor of the next page (pass it back as `cursor`), null on"
            " the last page",
        },
    },
    "required": ["responses", "next"],
}
SCHEMAS = {"Response": RESPONSE, "ResponsePage": RESPONSE_PAGE}

_PARAMETERS = [
    ("journey", "the journey's key (required)"),
    ("touchpoint", "one touchpoint's key"),
    ("since", "from this day (2026-07-01, in the journey's time zone) or ISO time"),
    ("until", "to the end of this day, or up to this ISO time (exclusive)"),
    ("period", "2026-Q3, 2026-10 or 2026-W42 in place of since and until"),
    ("segment", "a customer segment (A, B, C or any name)"),
    ("channel", "sms or email"),
    ("language", "en or zh-CN"),
    ("variant", "a message wording variant"),
    ("experiment", "a message experiment"),
    ("attribute", "name:value of an event or customer attribute; repeat for several"),
    ("count_by", "answered (default) or interaction: which date since/until read"),
    ("theme", "answers whose comment is about this theme"),
    ("sentiment", " or ".join(SENTIMENTS)),
    ("group", "NPS group: " + ", ".join(SCORE_GROUPS)),
    ("comments", "only: answers with a comment"),
    ("cursor", "the `next` of the previous page"),
    ("limit", f"answers a page, 1 to {MAX_LIMIT} (default 100)"),
    ("format", "json (default) or csv: the whole filtered range as one CSV"),
]


#: The parameters whose values the document can say; the rest are checked against the
#: journey's answers (a 422 naming the parameter).
_SCHEMAS: dict[str, dict[str, Any]] = {
    "journey": JOURNEY | {"pattern": "\\S"},
    "format": choice("json", "csv"),
}


def _error(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def responses_paths() -> dict[str, Any]:
    csv_text = (
        "The whole filtered range, oldest first, streamed: UTF-8 with a byte-order mark (so"
        " Excel reads Chinese), CRLF lines, columns " + ", ".join(COLUMNS) + ". answered_at"
        " is UTC; answered_local the journey's time zone."
    )
    return {
        "/api/v1/responses": {
            "get": {
                "summary": "Answers and what customers wrote, newest first, paged or as CSV",
                "description": 'JSON pages carry a `Link: <...>; rel="next"` header beside'
                " `next`. `format=csv` or `Accept: text/csv` streams every answer of the"
                " filters as CSV, whatever the cursor and limit.",
                "parameters": [
                    query(name, description, _SCHEMAS.get(name), required=name == "journey")
                    for name, description in _PARAMETERS
                ],
                "responses": {
                    "200": {
                        "description": "A page of answers (JSON), or with format=csv: " + csv_text,
                        "headers": {
                            "Link": {
                                "description": 'the next page: <url>; rel="next"',
                                "schema": {"type": "string"},
                            }
                        },
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ResponsePage"}
                            },
                            "text/csv": {
                                "schema": {"type": "string"},
                                "example": ",".join(COLUMNS),
                            },
                        },
                    },
                    "401": _error("missing or wrong API key"),
                    "404": _error("unknown journey"),
                    "422": _error("no journey named, or a bad parameter; named in error.field"),
                },
            }
        }
    }
