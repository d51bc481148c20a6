"""The console's customers: find one, read what is held about them, export it, erase it.

`/customers` finds a customer by the business's id, a phone or an email. `/customers/{id}`
shows the profile and a summary of their history. "Download export (JSON)" is the same
document as `GET /api/v1/customers/{id}/export`; "Erase personal data" asks for the
customer's id to be typed on a confirmation page before erasing, because an erasure cannot
be undone. Both are written to the audit log.

Reading needs "view"; an export holds a customer's personal data, so it needs "cases"
(agents and admins, who act on customers' requests); an erasure needs "admin".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from tortoise.expressions import Q

from dispatch.optouts import normalise_address
from journeys.events import to_e164
from journeys.models import Customer, Interaction
from surveys.models import Answer, FollowUpCase, Invitation
from web.access import requires
from web.audit import record
from web.privacy import CustomerNotFound, erase_customer, export_customer, find_customer
from web.templating import problem_page, templates

PATH = "/customers"
FOUND_LIMIT = 50
HISTORY_LIMIT = 50


def customer_url(external_id: str) -> str:
    return f"{PATH}/{quote(external_id, safe='')}"


def _lookups(request: Request, text: str) -> Q:
    """The business's id, else an email, else a phone as stored (E.164 when it reads as one)."""
    found = Q(external_id=text)
    if "@" in text:
        return found | Q(email=normalise_address(text, "email"))
    region = request.app.state.runtime.settings.journeys.default_phone_region
    try:
        phone = to_e164(text, region)
    except ValueError:
        phone = text
    return found | Q(phone=phone)


@requires("view")
async def find_customers(request: Request) -> Response:
    text = request.query_params.get("q", "").strip()[:254]
    rows = (
        await Customer.filter(_lookups(request, text)).order_by("external_id").limit(FOUND_LIMIT)
        if text
        else []
    )
    context = {"section": "customers", "q": text, "rows": rows, "searched": bool(text)}
    return templates.TemplateResponse(request, "console/customers.html", context)


async def _customer_or_404(request: Request) -> Customer | Response:
    try:
        return await find_customer(request.path_params["id"])
    except CustomerNotFound as error:
        return problem_page(request, 404, "No such customer", f"{error}. Nothing was changed.")


async def _history(customer: Customer) -> dict[str, Any]:
    invitations = (
        await Invitation.filter(customer_id=customer.id)
        .order_by("-send_at", "-id")
        .limit(HISTORY_LIMIT)
        .prefetch_related("touchpoint", "interaction")
    )
    answers = {
        a.invitation_id: a  # type: ignore[attr-defined]
        for a in await Answer.filter(invitation_id__in=[i.id for i in invitations])
    }
    return {
        "events": await Interaction.filter(customer_id=customer.id).count(),
        "invitations": invitations,
        "answers": answers,
        "cases": await FollowUpCase.filter(customer_id=customer.id).order_by("-opened_at"),
    }


@requires("view")
async def show_customer(request: Request) -> Response:
    found = await _customer_or_404(request)
    if isinstance(found, Response):
        return found
    context = {
        "section": "customers",
        "customer": found,
        "url": customer_url(found.external_id),
        "erased": request.query_params.get("done") == "erased",
        **await _history(found),
    }
    return templates.TemplateResponse(request, "console/customer.html", context)


@requires("cases")
async def download_export(request: Request) -> Response:
    external_id = request.path_params["id"]
    try:
        data = await export_customer(external_id)
    except CustomerNotFound as error:
        return problem_page(request, 404, "No such customer", f"{error}. Nothing was exported.")
    await record(request, "customer.exported", external_id, {"via": "console"})
    filename = "customer-export.json"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return JSONResponse(data, headers=headers)


async def _confirmation(request: Request, customer: Customer, error: str | None = None) -> Response:
    context = {
        "section": "customers",
        "customer": customer,
        "url": customer_url(customer.external_id),
        "error": error,
    }
    status = 400 if error else 200
    return templates.TemplateResponse(
        request, "console/customer_erase.html", context, status_code=status
    )


@requires("admin")
async def confirm_erasure(request: Request) -> Response:
    found = await _customer_or_404(request)
    if isinstance(found, Response):
        return found
    return await _confirmation(request, found)


@requires("admin")
async def erase(request: Request) -> Response:
    """Erase once the customer's id is typed exactly; otherwise the page says why, unchanged."""
    found = await _customer_or_404(request)
    if isinstance(found, Response):
        return found
    form = await request.form()
    typed = str(form.get("confirm", "")).strip()
    if typed != found.external_id:
        message = "Type the customer's id exactly to confirm; nothing was erased."
        return await _confirmation(request, found, message)
    summary = await erase_customer(found.external_id)
    detail = {k: v for k, v in summary.as_dict().items() if k != "customer"}
    await record(request, "customer.erased", found.external_id, detail | {"via": "console"})
    return RedirectResponse(f"{customer_url(found.external_id)}?done=erased", status_code=303)


routes = [
    Route(PATH, find_customers, methods=["GET"], name="console_customers"),
    Route(PATH + "/{id}", show_customer, methods=["GET"], name="console_customer"),
    Route(PATH + "/{id}/export", download_export, methods=["GET"], name="console_customer_export"),
    Route(PATH + "/{id}/erase", confirm_erasure, methods=["GET"], name="console_customer_erase"),
    Route(PATH + "/{id}/erase", erase, methods=["POST"], name="console_customer_erased"),
]
