"""Webhook endpoints: where an integrator hears of events, checked before one is added.

An endpoint is an http(s) URL, the event types it wants, a description, and a secret made
here (`whsec_` and 32 random bytes) that signs every POST to it. The secret is shown to the
admin once, when the endpoint is added; it is stored as it is, since signing needs it.
`check_endpoint` is pure and reports every problem of a form at once, by field.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from dispatch.models import WebhookEndpoint
from surveys.outbox import EVENT_TYPES

URL_LIMIT = 2000
DESCRIPTION_LIMIT = 200


@dataclass(frozen=True)
class EndpointForm:
    url: str
    events: tuple[str, ...]
    description: str


def check_endpoint(
    url: str, events: list[str], description: str
) -> tuple[EndpointForm | None, dict[str, str]]:
    """The endpoint to add, or None and each bad field's error."""
    url, description = url.strip(), " ".join(description.split())
    errors: dict[str, str] = {}
    problem = _url_problem(url)
    if problem:
        errors["url"] = problem
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        errors["events"] = f"Unknown event type: {', '.join(unknown)}."
    elif not events:
        errors["events"] = "Choose at least one event to send."
    if len(description) > DESCRIPTION_LIMIT:
        errors["description"] = f"A description has at most {DESCRIPTION_LIMIT} characters."
    if errors:
        return None, errors
    chosen = tuple(t for t in EVENT_TYPES if t in events)
    return EndpointForm(url, chosen, description), {}


def _url_problem(url: str) -> str | None:
    if not url:
        return "Give the URL that receives the events."
    if len(url) > URL_LIMIT:
        return f"A URL has at most {URL_LIMIT} characters."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        return "This is not a URL."
    if parts.scheme not in ("http", "https"):
        return "The URL must start with https:// (or http://)."
    if not parts.hostname:
        return "The URL has no host name."
    if any(c.isspace() for c in url):
        return "A URL has no spaces."
    return None


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


async def add_endpoint(form: EndpointForm, created_by: str | None) -> WebhookEndpoint:
    """Store the endpoint with a new secret (read it from the row, once)."""
    return await WebhookEndpoint.create(
        url=form.url,
        events=list(form.events),
        description=form.description,
        secret=new_secret(),
        created_by=created_by,
    )
