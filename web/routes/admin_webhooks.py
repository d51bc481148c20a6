"""The admin's webhooks pages: add an endpoint, read every delivery and its attempts, send a
failed one again, disable or delete an endpoint.

An endpoint's secret is shown once, on the page that answers its adding, like an API key;
the admins who come later see its URL and events, never the secret. Deleting asks first,
on a page of its own, since the endpoint's delivery history goes with it; disabling keeps
the history and stops the POSTs. Each change is in the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dispatch.models import WebhookDelivery, WebhookEndpoint
from dispatch.webhook_delivery import redeliver
from dispatch.webhook_endpoints import DESCRIPTION_LIMIT, URL_LIMIT, add_endpoint, check_endpoint
from surveys.outbox import EVENT_TYPES
from web.access import requires
from web.audit import record
from web.templating import problem_page, templates

PATH = "/admin/webhooks"
SECTION = "admin-webhooks"
RECENT = 50
NOTICES = {
    "deleted": "The endpoint {url} is deleted, with its deliveries.",
    "disabled": "The endpoint {url} is disabled: it gets no more events until enabled.",
    "enabled": "The endpoint {url} is enabled: it gets the events from now on.",
    "sent-again": "The delivery is queued to be sent again.",
}


def _target(endpoint: WebhookEndpoint) -> str:
    return f"{endpoint.url} (webhook {endpoint.id})"


def _notice(request: Request) -> str:
    template = NOTICES.get(request.query_params.get("done", ""))
    return template.format(url=request.query_params.get("url", "")) if template else ""


async def _list_page(
    request: Request,
    status: int = 200,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    added: WebhookEndpoint | None = None,
) -> Response:
    context = {
        "section": SECTION,
        "endpoints": await WebhookEndpoint.all().order_by("-created_at", "-id"),
        "deliveries": await WebhookDelivery.all()
        .order_by("-created_at", "-id")
        .limit(RECENT)
        .prefetch_related("endpoint"),
        "event_types": EVENT_TYPES,
        "notice": _notice(request) if added is None else f"The endpoint {added.url} is added.",
        "errors": errors or {},
        "form": form or {"events": list(EVENT_TYPES)},
        "added": added,
        "url_limit": URL_LIMIT,
        "description_limit": DESCRIPTION_LIMIT,
    }
    return templates.TemplateResponse(
        request, "console/admin_webhooks.html", context, status_code=status
    )


@requires("admin")
async def show_endpoints(request: Request) -> Response:
    return await _list_page(request)


@requires("admin")
async def add(request: Request) -> Response:
    form = await request.form()
    values = {
        "url": str(form.get("url", "")),
        "events": [str(e) for e in form.getlist("events")],
        "description": str(form.get("description", "")),
    }
    checked, errors = check_endpoint(values["url"], values["events"], values["description"])
    if checked is None:
        return await _list_page(request, 400, errors=errors, form=values)
    endpoint = await add_endpoint(checked, request.user.email)
    await record(request, "webhook.created", _target(endpoint), {"events": list(checked.events)})
    return await _list_page(request, 201, added=endpoint)


async def _endpoint(request: Request) -> WebhookEndpoint | None:
    return await WebhookEndpoint.get_or_none(id=request.path_params["id"])


def _no_such(request: Request, what: str = "endpoint") -> Response:
    detail = f"The webhook {what} was not found. Nothing changed."
    return problem_page(request, 404, f"No such webhook {what}", detail)


@requires("admin")
async def show_endpoint(request: Request) -> Response:
    endpoint = await _endpoint(request)
    if endpoint is None:
        return _no_such(request)
    deliveries = (
        await WebhookDelivery.filter(endpoint_id=endpoint.id)
        .order_by("-id")
        .limit(200)
        .prefetch_related("endpoint")
    )
    context = {
        "section": SECTION,
        "endpoint": endpoint,
        "deliveries": deliveries,
        "notice": _notice(request),
    }
    return templates.TemplateResponse(request, "console/admin_webhook.html", context)


@requires("admin")
async def set_active(request: Request) -> Response:
    endpoint = await _endpoint(request)
    if endpoint is None:
        return _no_such(request)
    active = (await request.form()).get("active") == "yes"
    changed = await WebhookEndpoint.filter(id=endpoint.id, active=not active).update(
        active=active, updated_at=datetime.now(UTC)
    )
    done = "enabled" if active else "disabled"
    if changed:
        await record(request, f"webhook.{done}", _target(endpoint))
    query = urlencode({"done": done, "url": endpoint.url})
    return RedirectResponse(f"{PATH}/{endpoint.id}?{query}", status_code=303)


@requires("admin")
async def confirm_delete(request: Request) -> Response:
    endpoint = await _endpoint(request)
    if endpoint is None:
        return _no_such(request)
    context = {
        "section": SECTION,
        "endpoint": endpoint,
        "deliveries": await WebhookDelivery.filter(endpoint_id=endpoint.id).count(),
    }
    return templates.TemplateResponse(request, "console/admin_webhook_delete.html", context)


@requires("admin")
async def delete(request: Request) -> Response:
    endpoint = await _endpoint(request)
    if endpoint is None:
        return _no_such(request)
    if await WebhookEndpoint.filter(id=endpoint.id).delete():
        await record(request, "webhook.deleted", _target(endpoint))
    query = urlencode({"done": "deleted", "url": endpoint.url})
    return RedirectResponse(f"{PATH}?{query}", status_code=303)


async def _delivery(request: Request) -> WebhookDelivery | None:
    found = await WebhookDelivery.get_or_none(id=request.path_params["id"])
    if found is not None:
        await found.fetch_related("endpoint")
    return found


@requires("admin")
async def show_delivery(request: Request) -> Response:
    delivery = await _delivery(request)
    if delivery is None:
        return _no_such(request, "delivery")
    context = {
        "section": SECTION,
        "delivery": delivery,
        "attempts": await delivery.attempts_made.all().order_by("id"),
        "notice": _notice(request),
    }
    return templates.TemplateResponse(request, "console/admin_webhook_delivery.html", context)


@requires("admin")
async def send_again(request: Request) -> Response:
    delivery = await _delivery(request)
    if delivery is None:
        return _no_such(request, "delivery")
    runtime = request.app.state.runtime
    window = timedelta(seconds=runtime.settings.dispatch.webhook_retry_window_seconds)
    if not await redeliver(runtime.redis, delivery.id, window):
        detail = (
            f"Only a failed delivery can be sent again; this one is {delivery.status}. "
            "Nothing changed."
        )
        return problem_page(request, 409, "Not sent again", detail)
    detail = {"event_id": delivery.event_id, "delivery": delivery.id}
    await record(request, "webhook.redelivered", _target(delivery.endpoint), detail)
    return RedirectResponse(f"{PATH}/deliveries/{delivery.id}?done=sent-again", status_code=303)


routes = [
    Route(PATH, show_endpoints, methods=["GET"], name="admin_webhooks"),
    Route(PATH, add, methods=["POST"], name="admin_add_webhook"),
    Route(f"{PATH}/{{id:int}}", show_endpoint, methods=["GET"], name="admin_webhook"),
    Route(f"{PATH}/{{id:int}}/active", set_active, methods=["POST"], name="admin_webhook_active"),
    Route(f"{PATH}/{{id:int}}/delete", confirm_delete, methods=["GET"]),
    Route(f"{PATH}/{{id:int}}/delete", delete, methods=["POST"], name="admin_delete_webhook"),
    Route(f"{PATH}/deliveries/{{id:int}}", show_delivery, methods=["GET"]),
    Route(f"{PATH}/deliveries/{{id:int}}/send-again", send_again, methods=["POST"]),
]
