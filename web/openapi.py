"""The OpenAPI document of the HTTP API, served at /api/v1/openapi.json.

The event and opt-out request schemas come from the pydantic models that validate them, so
the document cannot drift from what the API accepts; the rest is written out here, next to
nothing else.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from dispatch.optouts import SOURCES
from journeys.events import EventIn
from surveys.followup_figures import GROUPINGS
from surveys.models import InvitationStatus
from web.audit import ACTOR_KINDS
from web.openapi_cases import SCHEMAS as CASE_SCHEMAS
from web.openapi_cases import case_paths, customer_paths
from web.openapi_parts import BOOLEAN, MOMENT, MOMENT_OR_BLANK, PAGE, choice, query
from web.openapi_reports import report_paths
from web.openapi_responses import SCHEMAS as RESPONSE_SCHEMAS
from web.openapi_responses import responses_paths
from web.routes.opt_outs import OptOutIn

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "message": {"type": "string", "minLength": 1},
                "field": {"type": "string"},
            },
            "required": ["message"],
        }
    },
    "required": ["error"],
}
_INVITATION = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "touchpoint": {"type": "string"},
        "status": {"type": "string", "enum": [s.value for s in InvitationStatus]},
        "reason": {"type": ["string", "null"]},
        "send_at": {"type": "string", "format": "date-time"},
        "sent_at": {"type": ["string", "null"], "format": "date-time"},
        "channel": {
            "type": ["string", "null"],
            "description": "The channel that carried the invitation: console when the"
            " console channel stood in for one without credentials; null until sent.",
        },
        "requested_channel": {
            "type": ["string", "null"],
            "description": "The channel the touchpoint asked for (the first the customer"
            " could be reached on); null until sent.",
        },
        "link": {"type": "string", "format": "uri"},
    },
}
_EVENT_RESULT = {
    "type": "object",
    "properties": {
        "index": {"type": "integer"},
        "id": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": ["accepted", "duplicate", "rejected"]},
        "invitations": {"type": "array", "items": {"$ref": "#/components/schemas/Invitation"}},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_OPT_OUT = {
    "type": "object",
    "properties": {
        "address": {"type": "string", "description": "E.164 phone or lower-cased email"},
        "kind": {"type": "string", "enum": ["phone", "email"]},
        "source": {"type": "string", "enum": sorted(SOURCES)},
        "note": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "active": {"type": "boolean", "description": "false once opted back in"},
        "revoked_at": {"type": ["string", "null"], "format": "date-time"},
        "revoked_by": {"type": ["string", "null"]},
    },
}
_OPT_OUT_PAGE = {
    "type": "object",
    "properties": {
        "opt_outs": {"type": "array", "items": {"$ref": "#/components/schemas/OptOut"}},
        "next_page": {"type": ["integer", "null"]},
    },
}
_AUDIT_EVENT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "occurred_at": {"type": "string", "format": "date-time"},
        "actor": {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": list(ACTOR_KINDS)},
                "id": {"type": ["integer", "null"], "description": "the user's or key's id"},
                "label": {"type": "string", "description": "an email, a key's name, a phone"},
            },
        },
        "action": {"type": "string", "examples": ["sign_in.failed", "opt_out.lifted"]},
        "target": {"type": "string"},
        "detail": {"type": ["object", "null"]},
        "client_address": {"type": ["string", "null"]},
        "request_id": {"type": ["string", "null"]},
    },
}


def _errors(*codes: int, worded: dict[int, str] | None = None) -> dict[str, Any]:
    """Error answers by status; `worded` says what one means for this endpoint."""
    described = {
        400: "malformed body",
        401: "missing or wrong API key",
        403: "the API key may not do this",
        404: "unknown journey",
        413: "more events than a batch holds, or a body over 4 MB",
        422: "bad parameter, or every event rejected",
    }
    return {
        str(code): {
            "description": (worded or {}).get(code, described[code]),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document(max_events: int) -> dict[str, Any]:
    event = EventIn.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = event.pop("$defs", {})
    batch = {
        "type": "object",
        "properties": {
            "events": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Event"},
                "minItems": 1,
                "maxItems": max_events,
            }
        },
        "required": ["events"],
    }
    results = {
        "type": "object",
        "required": ["accepted", "duplicate", "rejected", "results"],
        "properties": {
            "accepted": {"type": "integer"},
            "duplicate": {"type": "integer"},
            "rejected": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/EventResult"}},
        },
    }
    return _with_nul_refusal(
        {
            "openapi": "3.1.0",
            "info": {"title": "Touchpoint", "version": "1"},
            "components": {
                "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
                "schemas": {
                    "Event": event,
                    **definitions,
                    "EventResult": _EVENT_RESULT,
                    "Invitation": _INVITATION,
                    "OptOutRequest": OptOutIn.model_json_schema(),
                    "OptOut": _OPT_OUT,
                    "AuditEvent": _AUDIT_EVENT,
                    "Error": _ERROR,
                    **CASE_SCHEMAS,
                    **RESPONSE_SCHEMAS,
                },
            },
            "security": [{"apiKey": []}],
            "paths": {
                "/api/v1/events": {
                    "post": {
                        "summary": "Post a batch of interaction events",
                        "description": "Each event may carry what it says about its customer:"
                        " their addresses, locale and time zone, and `customer.consent`, the"
                        ' channels they said yes or no to (`{"sms": false}`: never by SMS).'
                        " Consent is merged channel by channel, the latest event winning; a"
                        " malformed consent rejects that event, naming the field.",
                        "requestBody": {
                            "required": True,
                            "content": {"application/json": {"schema": batch}},
                        },
                        "responses": {
                            "200": _json(results, "every event accepted or duplicate"),
                            "207": _json(results, "some events rejected, the others taken"),
                            **_errors(400, 401, 413),
                            "422": _json(
                                {"anyOf": [results, {"$ref": "#/components/schemas/Error"}]},
                                "every event rejected (the results say why, event by event), or"
                                " no list of events",
                            ),
                        },
                    }
                },
                "/api/v1/invitations": {
                    "get": {
                        "summary": "List invitations, 100 a page",
                        "parameters": [
                            query(
                                "customer",
                                "the customer's id in your systems",
                                {"type": "string", "maxLength": 200},
                            ),
                            query(
                                "status",
                                "one invitation status",
                                choice("", *(s.value for s in InvitationStatus)),
                            ),
                            query(
                                "after",
                                "the next_after of the previous page",
                                {"type": "string", "pattern": "^[0-9]{1,18}$"},
                            ),
                        ],
                        "responses": {
                            "200": _json({"type": "object"}, "a page"),
                            **_errors(401, 422),
                        },
                    }
                },
                **report_paths(),
                **_opt_out_paths(),
                **_audit_paths(),
                **_case_figures_paths(),
                **case_paths(),
                **customer_paths(),
                **responses_paths(),
            },
        }
    )


def _with_nul_refusal(found: dict[str, Any]) -> dict[str, Any]:
    """Every operation may answer 422 to a parameter holding a NUL character (web/routes/api.py
    api()): said where an operation lists no 422 of its own."""
    for operations in found["paths"].values():
        for operation in operations.values():
            operation["responses"].setdefault(
                "422", _errors(422, worded={422: "a parameter holds a NUL character"})["422"]
            )
    return found


def _opt_out_paths() -> dict[str, Any]:
    opt_out = {"$ref": "#/components/schemas/OptOut"}
    request = {"$ref": "#/components/schemas/OptOutRequest"}
    address = {
        "name": "address",
        "in": "path",
        "required": True,
        "description": "the phone (E.164, URL-encoded: %2B for +) or email",
        "schema": {"type": "string"},
    }
    return {
        "/api/v1/opt-outs": {
            "post": {
                "summary": "Opt a phone or an email out of every survey (source api)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": request}},
                },
                "responses": {
                    "201": _json(opt_out, "recorded"),
                    "200": _json(opt_out, "the address was opted out already: that opt-out"),
                    **_errors(
                        400,
                        401,
                        413,
                        422,
                        worded={
                            413: "a body over 4 MB",
                            422: "a bad phone, email or note; the field is named",
                        },
                    ),
                },
            },
            "get": {
                "summary": "List opt-outs, newest first, 100 a page",
                "parameters": [
                    query("active", "true: those that hold; false: those lifted", BOOLEAN),
                    query(
                        "since", "recorded at or after this ISO-8601 time (with its offset)", MOMENT
                    ),
                    query("page", "1, 2, ...: the next_page of the previous page", PAGE),
                ],
                "responses": {"200": _json(_OPT_OUT_PAGE, "a page"), **_errors(401, 422)},
            },
        },
        "/api/v1/opt-outs/{address}": {
            "delete": {
                "summary": "Opt the address back in (revoked_by api); the record stays",
                "parameters": [address],
                "responses": {
                    "200": _json(opt_out, "lifted, or lifted already"),
                    **_errors(401, 404, worded={404: "the address never opted out"}),
                },
            }
        },
    }


def _audit_paths() -> dict[str, Any]:
    page = {
        "type": "object",
        "properties": {
            "events": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEvent"}},
            "next_page": {"type": ["integer", "null"]},
        },
    }
    return {
        "/api/v1/audit": {
            "get": {
                "summary": "Read the audit log, newest first, 100 a page (keys that may read it)",
                "parameters": [
                    query(
                        "action",
                        "an action (user.created) or a family of them (user)",
                        {
                            "type": "string",
                            "maxLength": 64,
                            "pattern": "^([a-z][a-z_]*(\\.[a-z][a-z_]*)*)?$",
                        },
                    ),
                    query("actor", "any part of the actor's email, key name or phone"),
                    query(
                        "since", "at or after this ISO-8601 time (with its offset)", MOMENT_OR_BLANK
                    ),
                    query("until", "before this ISO-8601 time (with its offset)", MOMENT_OR_BLANK),
                    query("page", "1, 2, ...: the next_page of the previous page", PAGE),
                ],
                "responses": {
                    "200": _json(page, "a page"),
                    **_errors(
                        401,
                        403,
                        422,
                        worded={403: "the key was not created to read the audit log"},
                    ),
                },
            }
        }
    }


def _case_figures_paths() -> dict[str, Any]:
    times = {
        "type": "object",
        "properties": {
            "median_seconds": {"type": ["integer", "null"]},
            "p90_seconds": {"type": ["integer", "null"]},
            "n": {"type": "integer"},
        },
    }
    share = {
        "type": "object",
        "properties": {
            "percent": {"type": ["number", "null"]},
            "met": {"type": "integer"},
            "n": {"type": "integer"},
        },
    }
    group = {
        "type": "object",
        "description": "One team (null: no team), touchpoint (with its journey) or journey",
        "properties": {
            "opened": {"type": "integer", "description": "cases opened in the period"},
            "first_response": times,
            "resolution": times,
            "first_response_within_sla": share,
            "resolution_within_sla": share,
            "resolution_satisfaction": share,
            "open_now": {"type": "integer"},
            "overdue_now": {"type": "integer"},
        },
    }
    report = {
        "type": "object",
        "properties": {
            "period": {"type": "string"},
            "timezone": {"type": "string"},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "group_by": {"type": "string", "enum": ["team", "touchpoint", "journey"]},
            "journey": {"type": ["string", "null"]},
            "as_of": {"type": "string", "format": "date-time"},
            "satisfaction_target": {"type": "number"},
            "figures": {"type": "array", "items": group},
        },
    }
    return {
        "/api/v1/cases/figures": {
            "get": {
                "summary": "Follow-up figures of a quarter by team, touchpoint or journey",
                "parameters": [
                    query(
                        "period",
                        "a quarter such as 2026-Q3 (default: the current one)",
                        {"type": "string", "pattern": "^([0-9]{4}-[Qq][1-4])?$"},
                    ),
                    query(
                        "group_by", "team (default), touchpoint or journey", choice("", *GROUPINGS)
                    ),
                    query("journey", "only this journey's cases (its time zone reads the period)"),
                ],
                "responses": {
                    "200": _json(report, "the figures, each with its n"),
                    **_errors(401, 404, 422, worded={422: "a bad period or group_by, named"}),
                },
            }
        }
    }


async def openapi(request: Request) -> JSONResponse:
    settings = request.app.state.runtime.settings
    return JSONResponse(document(settings.journeys.max_events_per_batch))
