"""Previewing a touchpoint before it goes live: its survey page and its messages.

For each language and wording variant, the messages are rendered by the code that renders
real invitations (`dispatch.rendering`, called from `render_preview` only), with a sample
survey link as long as a real one, so the SMS segment count shown is what a customer's
message will cost. The survey page is the real survey template in preview mode, under the
survey page's own headers (its inline styles): it has no invitation, so answers posted from
it are checked as the real page checks them and shown back, and never recorded.

A test send goes to the editor's own phone or email through the real channels
(`send_test`, the one call to a channel), marked as a test: no invitation, no message row,
nothing counted in any report, and its link opens the survey preview. An address that
opted out gets no test either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import phonenumbers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dispatch.channels.base import ChannelError, OutgoingMessage, Receipt
from dispatch.optouts import active_opt_out, normalise_address
from dispatch.rendering import render_email, render_sms
from dispatch.routing import Channels
from dispatch.segments import count_segments
from journeys.models import Journey
from journeys.schema import SUPPORTED_LOCALES, JourneyDefinition, TouchpointDefinition
from journeys.store import journey_definition
from surveys.links import new_token, survey_url
from surveys.responses import COMMENT_LIMIT, FIELDS, AnswerError, parse_answers
from web.access import requires
from web.i18n import OTHER_LOCALE, requested_locale, translate
from web.routes.console_journeys import form_fields, may_edit
from web.routes.survey import HEADERS as SURVEY_HEADERS
from web.templating import problem_page, templates

log = logging.getLogger("touchpoint.console")

TEST_MARK = "[TEST] "
#: The kind of address each channel sends to, in one table until channels say it themselves.
ADDRESS_KINDS = {"sms": "phone", "email": "email"}


@dataclass(frozen=True)
class Preview:
    """One message as a customer would get it, in one language and wording variant."""

    kind: str
    locale: str
    variant: str
    text: str
    subject: str | None = None
    html: str | None = None

    @property
    def segments(self) -> int | None:
        return count_segments(self.text) if self.kind == "sms" else None


def render_preview(
    definition: JourneyDefinition, touchpoint: str, kind: str, locale: str, variant: str, link: str
) -> Preview:
    """The one call into the message rendering: what the send task would render."""
    options = {"locale": locale, "variant": variant, "link": link, "first_name": None}
    if kind == "sms":
        return Preview(kind, locale, variant, render_sms(definition, touchpoint, **options))
    email = render_email(definition, touchpoint, **options)
    return Preview(kind, locale, variant, email.text, email.subject, email.html)


async def send_test(channels: Channels, preview: Preview, address: str) -> Receipt:
    """The one call into a channel: the message as previewed, marked as a test."""
    message = OutgoingMessage(
        invitation_id=0,
        to=address,
        text=TEST_MARK + preview.text,
        subject=TEST_MARK + preview.subject if preview.subject is not None else None,
        html=preview.html,
        locale=preview.locale,
    )
    return await channels.for_kind(preview.kind).send(message)  # type: ignore[arg-type]


def variants(definition: JourneyDefinition, kind: str) -> list[str]:
    """The wording variants a channel has; "A" alone means the default wording."""
    wordings = definition.messages.sms if kind == "sms" else definition.messages.email
    return list(wordings) or ["A"]


def sample_link(public_url: str) -> str:
    """A survey link as long as a real one, so the segment count is the real one."""
    return survey_url(public_url, "x" * len(new_token()))


def _preview_path(journey: str, touchpoint: str, locale: str) -> str:
    query = urlencode({"locale": locale})
    return f"/journeys/{journey}/touchpoints/{touchpoint}/preview/survey?{query}"


async def _find(
    request: Request,
) -> tuple[Journey, JourneyDefinition, TouchpointDefinition] | Response:
    key, touchpoint = request.path_params["key"], request.path_params["touchpoint"]
    journey = await Journey.get_or_none(key=key)
    if journey is None:
        return problem_page(request, 404, "No such journey", f"There is no journey {key!r}.")
    definition = await journey_definition(journey)
    found = next((t for t in definition.touchpoints if t.key == touchpoint), None)
    if found is None:
        detail = f"Journey {key!r} has no touchpoint {touchpoint!r} in version {journey.version}."
        return problem_page(request, 404, "No such touchpoint", detail)
    return journey, definition, found


def _previews(
    definition: JourneyDefinition, touchpoint: TouchpointDefinition, link: str
) -> list[Preview]:
    return [
        render_preview(definition, touchpoint.key, kind, locale, variant, link)
        for kind in touchpoint.channels
        for variant in variants(definition, kind)
        for locale in SUPPORTED_LOCALES
    ]


def _preview_page(
    request: Request,
    found: tuple[Journey, JourneyDefinition, TouchpointDefinition],
    *,
    sent: str | None = None,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    journey, definition, touchpoint = found
    public_url = request.app.state.runtime.settings.public_url
    return templates.TemplateResponse(
        request,
        "console/journey_preview.html",
        {
            "section": "journeys",
            "journey": journey,
            "touchpoint": touchpoint,
            "previews": _previews(definition, touchpoint, sample_link(public_url)),
            "surveys": [
                (locale, _preview_path(journey.key, touchpoint.key, locale))
                for locale in SUPPORTED_LOCALES
            ],
            "can_edit": may_edit(request),
            "sent": sent,
            "error": error,
            "values": values or {},
            "locales": SUPPORTED_LOCALES,
            "variants": {kind: variants(definition, kind) for kind in touchpoint.channels},
        },
        status_code=status,
    )


@requires("view")
async def preview_page(request: Request) -> Response:
    found = await _find(request)
    if isinstance(found, Response):
        return found
    return _preview_page(request, found)


def _survey_form(
    request: Request,
    found: tuple[Journey, JourneyDefinition, TouchpointDefinition],
    *,
    values: dict[str, str],
    errors: AnswerError | None = None,
    checked: bool = False,
) -> Response:
    journey, definition, touchpoint = found
    locale = requested_locale(request.query_params.get("locale")) or "en"
    other = OTHER_LOCALE[locale]

    def t(key: str, **values: object) -> str:
        return translate(locale, key, **values)

    messages = {
        problem.field: t(f"error.{problem.code}", **problem.values)
        for problem in (errors.problems if errors else [])
    }
    here = _preview_path(journey.key, touchpoint.key, locale)
    return templates.TemplateResponse(
        request,
        "survey/preview.html",
        {
            "locale": locale,
            "t": t,
            "brand": definition.brand or definition.name,
            "touchpoint": touchpoint.display_name(locale),
            "questions": definition.surveys[touchpoint.survey].questions,
            "fields": FIELDS,
            "values": values,
            "errors": messages,
            "saved": False,
            "comment_limit": COMMENT_LIMIT,
            "action": here,
            "other_locale": other,
            "other_language_url": _preview_path(journey.key, touchpoint.key, other),
            "preview": True,
            "checked": checked,
            "back": f"/journeys/{journey.key}/touchpoints/{touchpoint.key}/preview",
        },
        status_code=400 if errors else 200,
        headers=SURVEY_HEADERS,
    )


@requires("view")
async def preview_survey(request: Request) -> Response:
    """The real survey form, with no invitation behind it."""
    found = await _find(request)
    if isinstance(found, Response):
        return found
    return _survey_form(request, found, values={})


@requires("view")
async def check_survey_answers(request: Request) -> Response:
    """Answers posted from the preview are checked as the survey page checks them, and
    shown back; there is no invitation to record them against, so none is recorded."""
    found = await _find(request)
    if isinstance(found, Response):
        return found
    _, definition, touchpoint = found
    form = await form_fields(request)
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        parse_answers(values, definition.surveys[touchpoint.survey])
    except AnswerError as error:
        return _survey_form(request, found, values=values, errors=error)
    return _survey_form(request, found, values=values, checked=True)


def _address(kind: str, raw: str) -> str:
    """The address as it is sent to, or ValueError saying what is wrong with it."""
    text = raw.strip()
    if ADDRESS_KINDS[kind] == "email":
        local, _, domain = text.partition("@")
        if not local or "." not in domain or len(text) > 254 or any(c.isspace() for c in text):
            raise ValueError(f"{raw!r} is not an email address")
        return normalise_address(text, "email")
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"{raw!r} is not a phone number in international form (+8613800138000)")
    return normalise_address(text, "phone")


@requires("edit")
async def test_send(request: Request) -> Response:
    found = await _find(request)
    if isinstance(found, Response):
        return found
    journey, definition, touchpoint = found
    form = await form_fields(request)
    kind, locale, variant = form.get("channel", ""), form.get("locale", ""), form.get("variant", "")
    try:
        if kind not in touchpoint.channels:
            raise ValueError(
                f"touchpoint {touchpoint.key!r} sends by {', '.join(touchpoint.channels)}"
            )
        if locale not in SUPPORTED_LOCALES:
            raise ValueError(f"language must be one of {', '.join(SUPPORTED_LOCALES)}")
        if variant not in variants(definition, kind):
            raise ValueError(f"{kind} has the variants {', '.join(variants(definition, kind))}")
        address = _address(kind, form.get("address", ""))
    except ValueError as error:
        return _preview_page(request, found, error=str(error), values=form, status=400)
    stopped = await active_opt_out(address, ADDRESS_KINDS[kind])  # type: ignore[arg-type]
    if stopped is not None:
        error = f"{address} opted out ({stopped.source}): it gets no messages, tests included"
        return _preview_page(request, found, error=error, values=form, status=409)
    runtime = request.app.state.runtime
    link = runtime.settings.public_url.rstrip("/") + _preview_path(
        journey.key, touchpoint.key, locale
    )
    preview = render_preview(definition, touchpoint.key, kind, locale, variant, link)
    try:
        receipt = await send_test(runtime.channels, preview, address)
    except ChannelError as refused:
        error = f"the {kind} channel did not send the test: {refused.reason}"
        status = 400 if refused.permanent else 503
        return _preview_page(request, found, error=error, values=form, status=status)
    log.info(
        "test %s of %s/%s sent to %s (%s)",
        kind,
        journey.key,
        touchpoint.key,
        address,
        receipt.provider_message_id,
    )
    sent = f"Test {kind} ({locale}, variant {variant}) sent to {address}."
    return _preview_page(request, found, sent=sent, values=form)


routes = [
    Route(
        "/journeys/{key}/touchpoints/{touchpoint}/preview",
        preview_page,
        methods=["GET"],
        name="touchpoint_preview",
    ),
    Route(
        "/journeys/{key}/touchpoints/{touchpoint}/preview/survey",
        preview_survey,
        methods=["GET"],
        name="touchpoint_preview_survey",
    ),
    Route(
        "/journeys/{key}/touchpoints/{touchpoint}/preview/survey",
        check_survey_answers,
        methods=["POST"],
        name="touchpoint_preview_survey_check",
    ),
    Route(
        "/journeys/{key}/touchpoints/{touchpoint}/preview/test",
        test_send,
        methods=["POST"],
        name="touchpoint_test_send",
    ),
]
