"""`POST /cases/{id}/reply`: an agent answers the customer from the case page, by SMS or email.

The reply is sent while the agent waits (see `dispatch.case_replies` for why), and the
answer says what happened: sent -> back to the case (303, `?done=replied`), where the reply
is on the timeline; refused (an opt-out, a declined channel, no address, an empty text, the
provider said no) -> a page that names why, with the reply form filled in again as typed,
so nothing the agent wrote is lost; the case is left as it was.

Agents and admins only (the "cases" scope), and an agent only on cases of a team they are
in, or of no team: the same rule as every change to a case (`may_act_on`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dispatch.case_replies import send_case_reply
from dispatch.channels.registry import channel_named, channel_names
from surveys.followups import Actor, CaseError, CaseNotFound, get_case
from surveys.models import FollowUpCase
from web.access import requires
from web.audit import record
from web.case_access import may_act_on
from web.routes.console_cases import render_case
from web.templating import problem_page

#: How the form names each kind of address a reply can go to.
CHANNEL_LABELS = {"phone": "SMS", "email": "Email"}


def reply_channels() -> list[tuple[str, str]]:
    """The channels a reply may go by, as the form lists them."""
    found = [(name, channel_named(name)) for name in channel_names()]
    return [(name, CHANNEL_LABELS.get(kind.address_kind, name)) for name, kind in found if kind]


@requires("cases")
async def reply_to_customer(request: Request) -> Response:
    form = await request.form()
    channel = str(form.get("channel", "")).strip()
    body = str(form.get("body", ""))
    try:
        case = await get_case(request.path_params["case_id"])
    except CaseNotFound as error:
        return problem_page(request, 404, "No such case", f"{error.message}; nothing was sent.")
    if not await may_act_on(request.user, case):
        detail = f"Case {case.id} belongs to the {case.team_key} team; nothing was sent."
        return problem_page(request, 403, "Not your team's case", detail)
    user = request.user
    actor = Actor("user", getattr(user, "id", None), getattr(user, "email", ""))
    channels = request.app.state.runtime.channels
    try:
        reply = await send_case_reply(channels, case, body, channel, actor)
    except CaseError as error:
        return await _form_again(request, case, error, channel, body)
    detail = {"channel": channel, "carried_by": reply.carrier, "message_id": reply.message_id}
    await record(request, "case.replied", f"case {case.id}", detail)
    return RedirectResponse(f"/cases/{case.id}?done=replied", status_code=303)


async def _form_again(
    request: Request, case: FollowUpCase, error: CaseError, channel: str, body: str
) -> Response:
    """The case page again, the reason beside the reply form and the text as typed."""
    return await render_case(
        request,
        case,
        status=error.status,
        errors={"reply": f"Not sent: {error.message}"},
        form={"channel": channel, "body": body},
    )


routes = [
    Route("/cases/{case_id:int}/reply", reply_to_customer, methods=["POST"], name="case_reply"),
]
