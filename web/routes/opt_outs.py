"""Opt-outs through the HTTP API: a CRM or help desk records, lifts and lists them.

An opt-out recorded here holds like an SMS STOP: the worker checks it at send time, whatever
journey asks. Phones are validated and stored in E.164 as events store them, so an opt-out
for "+1 415 555 0123" stops the invitations of a customer posted as "+14155550123".
Recording an address already opted out answers the opt-out that holds (200, not 201), so a
CRM may replay its list. Lifting stamps `revoked_by`; the row stays, for the audit.
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dispatch.models import OptOut
from dispatch.optouts import AddressKind, active_opt_out, normalise_address, opt_in, opt_out
from journeys.events import field_errors, to_e164
from web.announce import announce
from web.audit import record
from web.routes.api import ApiError, api, one_route, read_json
from web.routes.query import moment_param, page_param
from web.runtime import Runtime

SOURCE = "api"
PAGE_SIZE = 100
ADDRESS_LENGTH: int = OptOut._meta.fields_map["address"].max_length  # type: ignore[attr-defined]


#: Exactly one of phone and email, said in the schema as parse_opt_out checks it.
_ONE_ADDRESS = [
    {
        "required": ["phone"],
        "properties": {"phone": {"type": "string", "pattern": "\\S"}, "email": {"type": "null"}},
    },
    {
        "required": ["email"],
        "properties": {"email": {"type": "string"}, "phone": {"type": "null"}},
    },
]


class OptOutIn(BaseModel):
    """What asks for an opt-out: a phone or an email (`parse_opt_out` wants exactly one), a note."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": _ONE_ADDRESS})

    phone: str | None = Field(default=None, max_length=40)
    email: EmailStr | None = None
    note: str | None = Field(default=None, max_length=300)

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        return to_e164(value, (info.context or {}).get("default_phone_region"))

    @field_validator("note")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return value.strip() or None

    def address_and_kind(self) -> tuple[str, AddressKind]:
        """The address as it is stored: E.164 phones, lower-cased emails."""
        if self.phone:
            return self.phone, "phone"
        return normalise_address(str(self.email), "email"), "email"


class OptOutRejected(Exception):
    """The first problem of an opt-out request, with the field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def parse_opt_out(raw: object, *, default_phone_region: str | None) -> OptOutIn:
    """Validate an opt-out request from the API or the console; raises OptOutRejected."""
    context = {"default_phone_region": default_phone_region}
    try:
        found = OptOutIn.model_validate(raw, context=context)
    except ValidationError as error:
        first = field_errors(error, "")[0]
        raise OptOutRejected(first.field.lstrip(".") or "body", first.message) from None
    if found.phone and found.email:
        raise OptOutRejected("email", "send a phone or an email, not both")
    if not (found.phone or found.email):
        raise OptOutRejected("phone", "send the phone or the email that opts out")
    return found


def describe(found: OptOut) -> dict[str, Any]:
    """An opt-out as the API answers it."""
    return {
        "address": found.address,
        "kind": found.kind,
        "source": found.source,
        "note": found.note,
        "created_at": found.created_at.isoformat(),
        "active": found.revoked_at is None,
        "revoked_at": found.revoked_at.isoformat() if found.revoked_at else None,
        "revoked_by": found.revoked_by,
    }


async def record_opt_out(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    raw = await read_json(request)
    if not isinstance(raw, dict):
        raise ApiError(422, 'expected {"phone": ...} or {"email": ...}', "body")
    try:
        found = parse_opt_out(
            raw, default_phone_region=runtime.settings.journeys.default_phone_region
        )
    except OptOutRejected as error:
        raise ApiError(422, error.message, error.field) from None
    address, kind = found.address_and_kind()
    holding = await active_opt_out(address, kind)
    if holding is not None:
        return JSONResponse(describe(holding), status_code=200)
    created = await opt_out(address, kind, SOURCE, note=found.note)
    await announce(request)
    await record(request, "opt_out.created", address, {"source": SOURCE, "note": found.note})
    return JSONResponse(describe(created), status_code=201)


def address_key(request: Request, text: str) -> str:
    """The stored form of an address typed by hand: E.164 when it reads as a phone."""
    if "@" in text:
        return normalise_address(text, "email")
    region = request.app.state.runtime.settings.journeys.default_phone_region
    try:
        return to_e164(text, region)
    except ValueError:
        return normalise_address(text, "phone")


async def lift_opt_out(request: Request) -> JSONResponse:
    key = address_key(request, request.path_params["address"])
    found = await OptOut.get_or_none(address=key) if len(key) <= ADDRESS_LENGTH else None
    if found is None:
        raise ApiError(404, f"{key} never opted out", "address")
    if await opt_in(key, "email" if found.kind == "email" else "phone", SOURCE):
        await record(request, "opt_out.lifted", key, {"source": SOURCE})
    return JSONResponse(describe(await OptOut.get(id=found.id)))


async def list_opt_outs(request: Request) -> JSONResponse:
    """Newest first; `since` keeps the opt-outs recorded at or after a time."""
    query = OptOut.all()
    active = request.query_params.get("active")
    if active is not None:
        if active not in ("true", "false"):
            raise ApiError(422, "active must be true or false", "active")
        query = query.filter(revoked_at__isnull=active == "true")
    if (since := request.query_params.get("since")) is not None:
        query = query.filter(created_at__gte=moment_param(since, "since"))
    page = page_param(request.query_params.get("page", "1"))
    rows = (
        await query.order_by("-created_at", "-id")
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    next_page = page + 1 if len(rows) > PAGE_SIZE else None
    return JSONResponse(
        {"opt_outs": [describe(r) for r in rows[:PAGE_SIZE]], "next_page": next_page}
    )


routes = [
    one_route("/api/v1/opt-outs", {"GET": api(list_opt_outs), "POST": api(record_opt_out)}),
    Route("/api/v1/opt-outs/{address}", api(lift_opt_out), methods=["DELETE"]),
]
