"""The unsubscribe page of survey emails: `/u/<token>`, the link in every email's footer and
in its List-Unsubscribe header.

GET shows what will happen and a button; only POST opts the address out, because mail
scanners open links ahead of the reader and must not unsubscribe anyone. Mail clients that
offer an unsubscribe button POST `List-Unsubscribe=One-Click` to the same URL (RFC 8058);
any POST counts, so the body is not read. The invitation's token is the credential, as on
the survey page, so the pages share its headers (no cache, no referrer, no indexing) and
need no CSRF token: a forged post could only unsubscribe the address the forger's link was
sent to.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response as HttpResponse
from starlette.routing import Route

from dispatch.optouts import active_opt_out, normalise_address, opt_out
from journeys.models import Customer
from surveys.models import Invitation
from surveys.responses import invitation_survey
from web.announce import announce
from web.audit import customer as customer_actor
from web.audit import record
from web.i18n import pick_locale, translate
from web.routes.survey import HEADERS, not_found_page
from web.templating import templates

SOURCE = "email-unsubscribe"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def masked(address: str) -> str:
    """Enough of the address to recognise it, for a page anyone holding the link may see."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


async def _find(request: Request) -> tuple[Invitation, Customer] | None:
    token = request.path_params["token"]
    if not _TOKEN.fullmatch(token):
        return None
    invitation = await Invitation.get_or_none(token=token).prefetch_related("customer")
    if invitation is None or not invitation.customer.email:
        return None
    return invitation, invitation.customer


async def _page(
    request: Request, template: str, invitation: Invitation, email: str
) -> HttpResponse:
    locale = pick_locale(request.query_params.get("lang"), invitation.locale)

    def t(key: str, **values: object) -> str:
        return translate(locale, key, **values)

    plan = await invitation_survey(invitation)
    context = {
        "locale": locale,
        "t": t,
        "brand": plan.brand,
        "address": masked(email),
        "action": str(request.url_for("unsubscribe", token=invitation.token).path),
    }
    return templates.TemplateResponse(request, template, context, headers=HEADERS)


async def show_unsubscribe(request: Request) -> HttpResponse:
    found = await _find(request)
    if found is None:
        return not_found_page(request)
    invitation, customer = found
    return await _page(request, "unsubscribe/confirm.html", invitation, customer.email)


async def unsubscribe(request: Request) -> HttpResponse:
    found = await _find(request)
    if found is None:
        return not_found_page(request)
    invitation, customer = found
    address = normalise_address(customer.email, "email")
    if await active_opt_out(address, "email") is None:
        note = f"invitation {invitation.id}"
        await opt_out(address, "email", SOURCE, note=note)
        await announce(request)
        detail = {"source": SOURCE, "note": note}
        await record(request, "opt_out.created", address, detail, actor=customer_actor(address))
    return await _page(request, "unsubscribe/done.html", invitation, customer.email)


routes = [
    Route("/u/{token}", show_unsubscribe, methods=["GET"], name="unsubscribe_page"),
    Route("/u/{token}", unsubscribe, methods=["POST"], name="unsubscribe"),
]
