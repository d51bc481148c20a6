"""The OpenAPI entries of the cases API and of customers' privacy requests, which
web/openapi.py adds to its document (kept apart so that each part of the API describes
itself next to its own names)."""

from __future__ import annotations

from typing import Any

from surveys.models import CaseStatus
from web.openapi_parts import BOOLEAN, PAGE, choice, query

_STATUSES = [s.value for s in CaseStatus]
_TIME = {"type": ["string", "null"], "format": "date-time"}
_TEXT = {"type": ["string", "null"]}

CASE_NOTE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["note", "reply", "change"]},
        "author": {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": ["user", "api_key", "system", "customer"]},
                "id": {"type": ["integer", "null"]},
                "label": {"type": "string"},
            },
        },
        "body": {"type": "string"},
        "channel": _TEXT,
        "created_at": {"type": "string", "format": "date-time"},
    },
}
CASE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "journey": {"type": "string"},
        "touchpoint": {"type": "string"},
        "customer": {"type": "string", "description": "the customer's id in your systems"},
        "invitation_id": {"type": "integer"},
        "response_id": {"type": ["integer", "null"]},
        "reason": {"type": "string", "enum": ["detractor", "low-csat", "contact-request"]},
        "status": {"type": "string", "enum": _STATUSES},
        "team": _TEXT,
        "owner_email": _TEXT,
        "opened_at": {"type": "string", "format": "date-time"},
        "first_response_due_at": _TIME,
        "first_responded_at": _TIME,
        "resolution_due_at": _TIME,
        "resolved_at": _TIME,
        "next_due_at": {**_TIME, "description": "the earlier running clock; null when none runs"},
        "overdue": {"type": "boolean"},
        "root_cause": _TEXT,
        "resolution_note": _TEXT,
        "external_ticket_id": _TEXT,
        "resolution_survey_status": _TEXT,
        "resolution_score": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
        "notes": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/CaseNote"},
            "description": "the timeline, oldest first (one case only, not in lists)",
        },
    },
}
CASE_CHANGE = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "owner_email": {
            **_TEXT,
            "description": "a console user who works on cases and is a member of the case's"
            " team; null gives the case back to the team",
        },
        "status": {
            "type": "string",
            "enum": _STATUSES,
            "description": "open <-> waiting, or resolved (once: a resolved case is a 409)",
        },
        "root_cause": {**_TEXT, "description": "with status resolved: one of the team's"},
        "resolution_note": {**_TEXT, "description": "with status resolved"},
        "external_ticket_id": {"type": ["string", "null"], "maxLength": 200},
    },
}
NOTE_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["body"],
    "properties": {
        "body": {"type": "string", "minLength": 1, "maxLength": 5000},
        "contacted": {
            "type": "boolean",
            "default": False,
            "description": "the team reached the customer: stops the first-response clock",
        },
    },
}
ERASURE = {
    "type": "object",
    "properties": {
        "customer": {"type": "string"},
        "erased_at": {"type": "string", "format": "date-time"},
        "already_erased": {"type": "boolean", "description": "true: nothing more was done"},
        "interactions": {"type": "integer"},
        "answers": {"type": "integer"},
        "messages": {"type": "integer"},
        "cases": {"type": "integer"},
        "audit_rows": {"type": "integer"},
    },
}
EXPORT = {
    "type": "object",
    "description": "everything held about the customer",
    "properties": {
        name: {"type": "array", "items": {"type": "object"}}
        for name in (
            "events",
            "invitations",
            "messages",
            "answers",
            "cases",
            "notifications",
            "opt_outs",
        )
    }
    | {
        "customer": {"type": "object", "description": "the profile, consent and erased_at"},
        "exported_at": {"type": "string", "format": "date-time"},
    },
}
SCHEMAS = {
    "Case": CASE,
    "CaseNote": CASE_NOTE,
    "CaseChange": CASE_CHANGE,
    "CaseNoteRequest": NOTE_REQUEST,
    "CustomerExport": EXPORT,
    "CustomerErasure": ERASURE,
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _path(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


_CASE_ID = _path("id", "the case's id", {"type": "integer", "minimum": 0, "maximum": 2**31 - 1})
_CUSTOMER_ID = _path(
    "id",
    "the customer's id in your systems (the customer.id of events)",
    {"type": "string", "minLength": 1, "maxLength": 200},
)
_NO_KEY = _error("missing or wrong API key")


def case_paths() -> dict[str, Any]:
    page = {
        "type": "object",
        "properties": {
            "cases": {"type": "array", "items": _ref("Case")},
            "next_page": {"type": ["integer", "null"]},
        },
    }
    return {
        "/api/v1/cases": {
            "get": {
                "summary": "List follow-up cases by next due time, 100 a page",
                "parameters": [
                    query("journey", "a journey's key", {"type": "string", "maxLength": 63}),
                    query("touchpoint", "a touchpoint's key", {"type": "string", "maxLength": 63}),
                    query("team", "a team's key", {"type": "string", "maxLength": 63}),
                    query(
                        "owner",
                        "the owner's email, or none for unassigned cases",
                        {"type": "string", "maxLength": 254},
                    ),
                    query(
                        "status",
                        "open, waiting or resolved (default: open and waiting)",
                        choice(*_STATUSES),
                    ),
                    query("overdue", "true: only cases with a clock past due", BOOLEAN),
                    query(
                        "external_ticket_id",
                        "your help desk's ticket id",
                        {"type": "string", "maxLength": 200},
                    ),
                    query("page", "1, 2, ...: the next_page of the previous page", PAGE),
                ],
                "responses": {
                    "200": _json(page, "a page"),
                    "401": _NO_KEY,
                    "422": _error("a bad filter; the field is named"),
                },
            }
        },
        "/api/v1/cases/{id}": {
            "get": {
                "summary": "One case with its timeline",
                "parameters": [_CASE_ID],
                "responses": {
                    "200": _json(_ref("Case"), "the case"),
                    "401": _NO_KEY,
                    "404": _error("no such case"),
                },
            },
            "patch": {
                "summary": "Assign, wait, resume or resolve a case; link your ticket id",
                "description": "Checked whole before anything is written: one bad field is a"
                " 422 naming it, and nothing changes.",
                "parameters": [_CASE_ID],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("CaseChange")}},
                },
                "responses": {
                    "200": _json(_ref("Case"), "the case as changed, with its timeline"),
                    "400": _error("malformed body"),
                    "413": _error("a body over 4 MB"),
                    "401": _NO_KEY,
                    "404": _error("no such case"),
                    "409": _error("the case cannot take the change: it is resolved"),
                    "422": _error("a bad field; the field is named"),
                },
            },
        },
        "/api/v1/cases/{id}/notes": {
            "post": {
                "summary": "Add a note to a case's timeline",
                "parameters": [_CASE_ID],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("CaseNoteRequest")}},
                },
                "responses": {
                    "201": _json(_ref("CaseNote"), "the note"),
                    "400": _error("malformed body"),
                    "413": _error("a body over 4 MB"),
                    "401": _NO_KEY,
                    "404": _error("no such case"),
                    "422": _error("a bad field; the field is named"),
                },
            }
        },
    }


def customer_paths() -> dict[str, Any]:
    unknown = _error("no customer with this id; nothing was changed")
    return {
        "/api/v1/customers/{id}/export": {
            "get": {
                "summary": "Everything held about a customer (a privacy request); audited",
                "parameters": [_CUSTOMER_ID],
                "responses": {
                    "200": _json(_ref("CustomerExport"), "the customer's data"),
                    "401": _NO_KEY,
                    "404": unknown,
                },
            }
        },
        "/api/v1/customers/{id}": {
            "delete": {
                "summary": "Erase a customer's personal data; answers stay as anonymous scores",
                "description": "Phone, email, name, attributes, comments, message bodies and"
                " case notes are erased in one transaction; the id stays, so a replayed event"
                " is a duplicate and brings nothing back. Erasing twice changes nothing more."
                " Audited.",
                "parameters": [_CUSTOMER_ID],
                "responses": {
                    "200": _json(_ref("CustomerErasure"), "erased, or erased already"),
                    "401": _NO_KEY,
                    "404": unknown,
                },
            }
        },
    }
