"""The console's opt-out page: who gets no more surveys and why; record one, or lift one.

A customer who tells an agent "stop texting me" is opted out here (source "console"), and
one who asks to be surveyed again is lifted here (revoked_by "console"). The request is
validated as the API validates it, so a phone typed as "415 555 0123" is stored in E.164 when
a default phone region is set. Each form redirects back (303) with a short notice in the
query, so a reload does not post twice.

Anyone signed in sees the page ("view"); the two forms change what is sent, so they need
the "cases" scope (agents and admins, who act on customers' requests) and, like every
console form, the CSRF token (checked by web/csrf.py before these functions run).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dispatch.models import OptOut
from dispatch.optouts import active_opt_out, opt_in, opt_out
from web.access import requires
from web.announce import announce
from web.audit import record
from web.routes.opt_outs import OptOutRejected, address_key, parse_opt_out
from web.templating import templates

SOURCE = "console"
PATH = "/opt-outs"
#: The page lists the latest opt-outs; the API pages through all of them.
LIST_SIZE = 200
NOTICES = {
    "added": "{address} is opted out: no more surveys go to it.",
    "held": "{address} was opted out already; that opt-out stands.",
    "lifted": "{address} is opted back in: surveys may go to it again.",
    "unchanged": "{address} was not opted out.",
}


async def _page(
    request: Request,
    status: int = 200,
    *,
    notice: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    rows = await OptOut.all().order_by("-created_at", "-id").limit(LIST_SIZE)
    context = {
        "section": "opt-outs",
        "rows": rows,
        "limit": LIST_SIZE,
        "notice": notice,
        "form": form or {},
        "errors": errors or {},
    }
    return templates.TemplateResponse(request, "console/opt_outs.html", context, status_code=status)


def _notice(query: QueryParams) -> str | None:
    """The notice a redirect asked for; only ours, so a crafted link cannot say anything."""
    template = NOTICES.get(query.get("done", ""))
    return template.format(address=query.get("address", "")) if template else None


def _back(done: str, address: str) -> Response:
    query = urlencode({"done": done, "address": address})
    return RedirectResponse(f"{PATH}?{query}", status_code=303)


@requires("view")
async def show_opt_outs(request: Request) -> Response:
    return await _page(request, notice=_notice(request.query_params))


@requires("cases")
async def add_opt_out(request: Request) -> Response:
    """Record an opt-out typed by an agent; a bad field re-renders the form with its error."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in ("phone", "email", "note")}
    region = request.app.state.runtime.settings.journeys.default_phone_region
    try:
        found = parse_opt_out({k: v for k, v in values.items() if v}, default_phone_region=region)
    except OptOutRejected as error:
        return await _page(request, 400, form=values, errors={error.field: error.message})
    address, kind = found.address_and_kind()
    if await active_opt_out(address, kind) is not None:
        return _back("held", address)
    await opt_out(address, kind, SOURCE, note=found.note)
    await announce(request)
    await record(request, "opt_out.created", address, {"source": SOURCE, "note": found.note})
    return _back("added", address)


@requires("cases")
async def lift_opt_out(request: Request) -> Response:
    """Opt an address back in; the row stays, stamped with when and by whom."""
    form = await request.form()
    typed = str(form.get("address", "")).strip()
    key = address_key(request, typed) if typed else ""
    found = await OptOut.get_or_none(address=key) if key else None
    if found is None:
        message = f"{typed} never opted out." if typed else "Name the address to lift."
        return await _page(request, 400, errors={"address": message})
    lifted = await opt_in(found.address, "email" if found.kind == "email" else "phone", SOURCE)
    if lifted:
        await record(request, "opt_out.lifted", found.address, {"source": SOURCE})
    return _back("lifted" if lifted else "unchanged", found.address)


routes = [
    Route(PATH, show_opt_outs, methods=["GET"], name="console_opt_outs"),
    Route(PATH, add_opt_out, methods=["POST"], name="console_add_opt_out"),
    Route(f"{PATH}/lift", lift_opt_out, methods=["POST"], name="console_lift_opt_out"),
]
