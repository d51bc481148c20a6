"""How the resolution survey is worded for the channel of the original survey (pure).

A channel words it from its templates in `dispatch/templates/<channel>/`: a one-text
message from `resolution.<lang>.txt` (the SMS: short, "Reply 1-5 or tap <link>"), or an
email from `resolution_subject.<lang>.txt` and `resolution_body.<lang>.txt`, laid out like
the invitation's email, with a button to the page and an unsubscribe line. Journeys do not
word it: the question is the same everywhere, so the figures compare like with like.

The language is the invitation's (English unless it is Chinese). The email has no one-tap
scores: a mail scanner opening the links ahead of the reader would answer the one question.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import TemplateNotFound
from markupsafe import escape

from dispatch.channels.base import OutgoingMessage
from dispatch.rendering import (
    LABELS,
    _templates,  # the one template environment of dispatch/templates/
    clean_for_gsm7,
    list_unsubscribe_headers,
)
from dispatch.routing import Route
from journeys.schema import JourneyDefinition, normalise_locale
from surveys.resolution import question


@dataclass(frozen=True)
class ResolutionDraft:
    """What the resolution survey says, before the channel words it."""

    definition: JourneyDefinition
    touchpoint: str
    invitation_id: int
    locale: str
    link: str
    first_name: str | None = None
    #: The page that opts the address out, for channels that carry one.
    unsubscribe: str | None = None


class NoWording(LookupError):
    """The channel has no resolution survey templates."""


def resolution_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/r/{token}"


def word_resolution_survey(route: Route, draft: ResolutionDraft) -> OutgoingMessage:
    """The message for `route`'s channel; raises NoWording when it has no templates."""
    channel = route.requested
    language = "zh-CN" if normalise_locale(draft.locale) == "zh-CN" else "en"
    definition = draft.definition
    values = {
        "brand": definition.brand or definition.name,
        "touchpoint": definition.touchpoint(draft.touchpoint).display_name(language),
        "question": question(language),
        "link": draft.link,
        "first_name": " ".join((draft.first_name or "").split()) or None,
    }
    text = _render(f"{channel.name}/resolution.{language}.txt", values)
    if text is not None:
        if channel.counts_segments and language == "en":
            text = clean_for_gsm7(text)
        return OutgoingMessage(draft.invitation_id, route.address, text, locale=language)
    subject = _render(f"{channel.name}/resolution_subject.{language}.txt", values)
    body = _render(f"{channel.name}/resolution_body.{language}.txt", values)
    if subject is None or body is None:
        raise NoWording(f"the {channel.name} channel has no resolution survey wording")
    return _email(route, draft, language, " ".join(subject.split()), body, values)


def _render(name: str, values: dict[str, str | None]) -> str | None:
    try:
        template = _templates.get_template(name)
    except TemplateNotFound:
        return None
    return template.render(**values).strip()


def _email(
    route: Route,
    draft: ResolutionDraft,
    language: str,
    subject: str,
    body: str,
    values: dict[str, str | None],
) -> OutgoingMessage:
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    context = {
        "lang": language,
        "subject": subject,
        "question": None,
        "scores": [],
        "link": draft.link,
        "labels": LABELS[language],
        "brand": values["brand"],
        "unsubscribe": draft.unsubscribe,
    }
    layout = f"{route.requested.name}/invitation"
    text = _templates.get_template(f"{layout}.txt").render(paragraphs=paragraphs, **context)
    html = _templates.get_template(f"{layout}.html").render(
        paragraphs=[escape(p) for p in paragraphs], **context
    )
    headers = list_unsubscribe_headers(draft.unsubscribe) if draft.unsubscribe else {}
    return OutgoingMessage(
        draft.invitation_id, route.address, text, subject, html, language, headers=headers
    )
