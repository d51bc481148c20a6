"""The OpenAPI description of the review's figures: `/api/v1/reports/touchpoints` and
`/api/v1/reports/trend` (web/openapi.py puts them in the document)."""

from __future__ import annotations

from typing import Any

from journeys.schema import SUPPORTED_LOCALES
from web.openapi_parts import JOURNEY, choice, query

_NULLABLE_NUMBER = {"type": ["number", "null"]}


#: What the review's text filters take: blank is no filter, longer than 200 is refused.
_FILTER_TEXT = {"type": "string", "maxLength": 200}
#: A quarter, a month or an ISO week, as journeys/periods.py parse_any_period reads them.
PERIOD = {
    "type": "string",
    "pattern": "^([0-9]{4}-([Qq][1-4]|0?[1-9]|1[0-2]|[Ww](0?[1-9]|[1-4][0-9]|5[0-3])))?$",
}


def _query(
    name: str,
    description: str,
    schema: dict[str, Any] | None = None,
    *,
    required: bool = False,
    many: bool = False,
) -> dict[str, Any]:
    if not many:
        return query(name, description, schema or _FILTER_TEXT, required=required)
    listed = {"type": "array", "items": {"type": "string", "pattern": "^[^:]*[^:\\s][^:]*:.*\\S"}}
    return query(name, description, listed) | {"explode": True}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


FILTERS = [
    _query("touchpoint", "only this touchpoint of the journey"),
    _query("channel", "only answers to invitations sent by this channel (sms, email)"),
    _query("language", "only answers in this language (en, zh-CN)", choice("", *SUPPORTED_LOCALES)),
    _query("segment", "only answers of customers in this segment (A, B, C or any name)"),
    _query("variant", "only answers to this wording variant"),
    _query("experiment", "only answers of this message experiment"),
    _query(
        "attribute",
        "name:value of an interaction or customer attribute (store:Pudong); repeat for"
        " several, all of which must match. No response rate under an attribute filter:"
        " invitations do not carry attributes",
        many=True,
    ),
    _query(
        "count_by",
        "answered (default): an answer counts in the period it was given; interaction: in"
        " the period of the interaction it is about",
        choice("", "answered", "interaction"),
    ),
]

_PERIOD = _query(
    "period",
    "a quarter (2026-Q3), a month (2026-10) or an ISO week (2026-W42), read in the journey's"
    " time zone (default: the current quarter)",
    PERIOD,
)

_SCORE = {
    "type": "object",
    "description": "a score with its 95% interval (NPS: adjusted Wald; CSAT: Wilson), its"
    " target and whether it is met (NPS strictly above, CSAT at or above), the previous"
    " period's score and the change, `significant` when the 95% interval of the difference"
    " excludes zero",
    "properties": {
        "n": {"type": "integer"},
        "score": _NULLABLE_NUMBER,
        "low": _NULLABLE_NUMBER,
        "high": _NULLABLE_NUMBER,
        "margin": _NULLABLE_NUMBER,
        "low_sample": {"type": "boolean"},
        "promoters": {"type": "integer", "description": "NPS only"},
        "passives": {"type": "integer", "description": "NPS only"},
        "detractors": {"type": "integer", "description": "NPS only"},
        "satisfied": {"type": "integer", "description": "CSAT only"},
        "mean": {**_NULLABLE_NUMBER, "description": "CSAT only: the mean answer, 1 to 5"},
        "target": _NULLABLE_NUMBER,
        "target_met": {"type": ["boolean", "null"]},
        "previous": {"type": ["object", "null"]},
        "change": {
            "type": ["object", "null"],
            "properties": {
                "delta": {"type": "number"},
                "significant": {"type": "boolean"},
                "margin": _NULLABLE_NUMBER,
            },
        },
    },
}

_FIGURES = {
    "n": {"type": "integer", "description": "answers scored (NPS or CSAT)"},
    "answers": {"type": "integer"},
    "low_sample": {"type": "boolean"},
    "nps": _SCORE,
    "csat": _SCORE,
    "response_rate": {
        "type": "object",
        "description": "invitations sent in the period and how many were answered; null"
        " under an attribute filter or breakdown",
        "properties": {
            "sent": {"type": ["integer", "null"]},
            "responses": {"type": ["integer", "null"]},
            "rate": _NULLABLE_NUMBER,
        },
    },
}

_TOUCHPOINT = {
    "type": "object",
    "properties": {
        "touchpoint": {"type": "string", "description": '"*" for the whole journey'},
        "name": {"type": "string"},
        "stage": {"type": "string"},
        **_FIGURES,
        "groups": {
            "type": "object",
            "description": 'breakdown value -> figures; "(none)" for answers without one',
            "additionalProperties": {"type": "object", "properties": _FIGURES},
        },
    },
}

_REVIEW = {
    "type": "object",
    "properties": {
        "journey": {"type": "string"},
        "name": {"type": "string"},
        "period": {"type": "string"},
        "kind": {"type": "string", "enum": ["quarter", "month", "week"]},
        "previous_period": {"type": "string"},
        "timezone": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "min_sample": {"type": "integer"},
        "count_by": {"type": "string", "enum": ["answered", "interaction"]},
        "filters": {"type": "object"},
        "by": {"type": ["string", "null"]},
        "touchpoints": {"type": "array", "items": _TOUCHPOINT},
        "whole": _TOUCHPOINT,
    },
}

_TREND = {
    "type": "object",
    "properties": {
        "journey": {"type": "string"},
        "periods": {"type": "array", "items": {"type": "string"}},
        "kind": {"type": "string"},
        "series": {
            "type": "object",
            "description": 'touchpoint key (and "*") -> figures per period, oldest first',
            "additionalProperties": {"type": "array", "items": {"type": "object"}},
        },
    },
}

_ERRORS = {
    "401": _error("missing or wrong API key"),
    "404": _error("unknown journey"),
    "422": _error(
        "no journey named, a malformed period (2026-Q5) or periods, a touchpoint, segment,"
        " channel, variant, experiment or attribute the journey's answers do not have, or a"
        " bad by, count_by or format; named in error.field"
    ),
}


def report_paths() -> dict[str, Any]:
    return {
        "/api/v1/reports/touchpoints": {
            "get": {
                "summary": "The review's figures per touchpoint and for the whole journey",
                "description": "Invitations sent, answers, response rate, NPS and CSAT with"
                " their intervals, promoters / passives / detractors, mean CSAT, target met,"
                " and the change on the previous period with its verdict, for a quarter, a"
                " month or a week; broken down by `by` and narrowed by the filters.",
                "parameters": [
                    _query("journey", "the journey's key", JOURNEY, required=True),
                    _PERIOD,
                    _query(
                        "by",
                        "break down by channel, language, segment, variant, experiment or"
                        " an attribute's name (store, region)",
                    ),
                    *FILTERS,
                    _query(
                        "format",
                        "json (default) or csv (one row per touchpoint x group)",
                        choice("", "json", "csv"),
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "the figures",
                        "content": {
                            "application/json": {"schema": _REVIEW},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    **_ERRORS,
                },
            }
        },
        "/api/v1/reports/trend": {
            "get": {
                "summary": "Figures per touchpoint over the last periods, for a trend",
                "parameters": [
                    _query("journey", "the journey's key", JOURNEY, required=True),
                    _query(
                        "period",
                        "the last period of the trend; its kind (quarter, month, week) is"
                        " the trend's (default: the current quarter)",
                        PERIOD,
                    ),
                    _query(
                        "periods",
                        "how many periods, 1 to 60 (default 8)",
                        {"type": "string", "pattern": "^0*([1-9]|[1-5][0-9]|60)$"},
                    ),
                    *FILTERS,
                ],
                "responses": {
                    "200": {
                        "description": "the series",
                        "content": {"application/json": {"schema": _TREND}},
                    },
                    **_ERRORS,
                },
            }
        },
    }
