"""The console's opt-out page: who gets no more surveys and why; record one, or lift one.

A customer who tells an agent "stop texting me" is opted out here (source "console"), and
one who asks to be surveyed again is lifted here (revoked_by "console"). The request is
validated as the API validates it, so a phone typed as "415 555 0123" is stored in E.164 when
a default phone region is set. Each form redirects back (303) with a short notice in the
query, so a reload does not post twice.

No login and no CSRF token yet, like the rest of the console (see "Auth goes here" in
web/routes/console.py): these two forms change what is sent, so when the console is served
beyond 127.0.0.1 they need the signed-in user and the CSRF token first.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from dispatch.models import OptOut
from dispatch.optouts import active_opt_out, opt_in, opt_out
from web.audit import record
from web.routes.console import HEADERS, environment
from web.routes.opt_outs import OptOutRejected, address_key, parse_opt_out

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
    status: int = 200,
    *,
    notice: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    rows = await OptOut.all().order_by("-created_at", "-id").limit(LIST_SIZE)
    html = environment.get_template("console/opt_outs.html").render(
        section="opt-outs",
        rows=rows,
        limit=LIST_SIZE,
        notice=notice,
        form=form or {},
        errors=errors or {},
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _notice(query: QueryParams) -> str | None:
    """The notice a redirect asked for; only ours, so a crafted link cannot say anything."""
    template = NOTICES.get(query.get("done", ""))
    return template.format(address=query.get("address", "")) if template else None


def _back(done: str, address: str) -> Response:
    query = urlencode({"done": done, "address": address})
    return RedirectResponse(f"{PATH}?{query}", status_code=303)


async def show_opt_outs(request: Request) -> HTMLResponse:
    return await _page(notice=_notice(request.query_params))


async def add_opt_out(request: Request) -> Response:
    """Record an opt-out typed by an agent; a bad field re-renders the form with its error."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in ("phone", "email", "note")}
    region = request.app.state.runtime.settings.journeys.default_phone_region
    try:
        found = parse_opt_out({k: v for k, v in values.items() if v}, default_phone_region=region)
    except OptOutRejected as error:
        return await _page(400, form=values, errors={error.field: error.message})
    address, kind = found.address_and_kind()
    if await active_opt_out(address, kind) is not None:
        return _back("held", address)
    await opt_out(address, kind, SOURCE, note=found.note)
    await record(request, "opt_out.created", address, {"source": SOURCE, "note": found.note})
    return _back("added", address)


async def lift_opt_out(request: Request) -> Response:
    """Opt an address back in; the row stays, stamped with when and by whom."""
    form = await request.form()
    typed = str(form.get("address", "")).strip()
    key = address_key(request, typed) if typed else ""
    found = await OptOut.get_or_none(address=key) if key else None
    if found is None:
        message = f"{typed} never opted out." if typed else "Name the address to lift."
        return await _page(400, errors={"address": message})
    lifted = await opt_in(found.address, "email" if found.kind == "email" else "phone", SOURCE)
    if lifted:
        await record(request, "opt_out.lifted", found.address, {"source": SOURCE})
    return _back("lifted" if lifted else "unchanged", found.address)


routes = [
    Route(PATH, show_opt_outs, methods=["GET"], name="console_opt_outs"),
    Route(PATH, add_opt_out, methods=["POST"], name="console_add_opt_out"),
    Route(f"{PATH}/lift", lift_opt_out, methods=["POST"], name="console_lift_opt_out"),
]
