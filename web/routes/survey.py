"""The survey page a customer opens from an SMS or email: `/s/<token>`.

Server-rendered and plain: one form that works without JavaScript on any phone, in the
customer's language (the invitation's locale; `?lang=en|zh-CN` overrides). `?score=N` is the
one-tap score of an email: it is saved at once and the page opens with it chosen, so the
customer may add the rest. (Mail scanners that open links ahead of the reader can save such a
score too; the customer's own later choice replaces it. HEAD requests never save.)

The token in the URL is the only credential, so the pages are never cached, never leak it in
a Referer, and are not indexed. CSRF protection is not needed: a forged post could only
answer the survey of a token the forger already holds.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response as HttpResponse
from starlette.routing import Route

from surveys.invitation_survey import (
    InvitationSurvey,
    LinkInvitation,
    OpenedLink,
    SavedAnswer,
    open_invitation,
)
from surveys.models import InvitationStatus
from surveys.responses import (
    COMMENT_LIMIT,
    FIELDS,
    AnswerError,
    SurveyClosed,
    check_open,
    parse_answers,
    parse_score,
    record_response,
)
from web.announce import announce
from web.i18n import OTHER_LOCALE, pick_locale, requested_locale, translate
from web.templating import templates

MAX_FORM_BYTES = 64 * 1024
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _render(
    request: Request, template: str, locale: str, status: int = 200, **context: Any
) -> HttpResponse:
    def t(key: str, **values: object) -> str:
        return translate(locale, key, **values)

    return templates.TemplateResponse(
        request, template, {"locale": locale, "t": t, **context}, status, headers=HEADERS
    )


def _message(
    request: Request, locale: str, status: int, *keys: tuple[str, str, str]
) -> HttpResponse:
    parts = [
        {"locale": lc, "title": translate(lc, ti), "body": translate(lc, bo)} for lc, ti, bo in keys
    ]
    return _render(
        request, "survey/message.html", locale, status, title=parts[0]["title"], parts=parts
    )


def not_found_page(request: Request) -> HttpResponse:
    """We do not know the customer's language without an invitation: say it in both."""
    return _message(
        request,
        "en",
        404,
        ("en", "not_found.title", "not_found.body"),
        ("zh-CN", "not_found.title", "not_found.body"),
    )


def _closed(request: Request, closed: SurveyClosed, locale: str) -> HttpResponse:
    if closed.status == InvitationStatus.SCHEDULED:
        return _message(request, locale, 403, (locale, "closed.title", "closed.scheduled"))
    body = "closed.expired" if closed.status == InvitationStatus.EXPIRED else "closed.other"
    return _message(request, locale, 410, (locale, "closed.title", body))


def _token(request: Request) -> str | None:
    token = request.path_params["token"]
    return token if _TOKEN.fullmatch(token) else None


async def _open(request: Request, *, answering: bool = False) -> OpenedLink | None:
    """The invitation, its survey and the answer so far: one statement (the hot path)."""
    token = _token(request)
    return None if token is None else await open_invitation(token, answering=answering)


def _locale(request: Request, invitation: LinkInvitation) -> tuple[str, bool]:
    """The page's language, and whether `?lang=` chose it (then links keep it)."""
    requested = requested_locale(request.query_params.get("lang"))
    return pick_locale(requested, invitation.locale), requested is not None


def _path(request: Request, name: str, token: str, lang: str | None = None) -> str:
    """The page's own routes build their paths (not the app's search through every route)."""
    path = str(_ROUTES[name].url_path_for(name, token=token))
    return f"{path}?lang={lang}" if lang else path


def _form(
    request: Request,
    invitation: LinkInvitation,
    plan: InvitationSurvey,
    *,
    values: dict[str, str],
    errors: AnswerError | None = None,
    saved: bool = False,
) -> HttpResponse:
    locale, chosen = _locale(request, invitation)
    messages = {
        problem.field: translate(locale, f"error.{problem.code}", **problem.values)
        for problem in (errors.problems if errors else [])
    }
    other = OTHER_LOCALE[locale]
    return _render(
        request,
        "survey/form.html",
        locale,
        400 if errors else 200,
        brand=plan.brand,
        touchpoint=plan.touchpoint_name(locale),
        questions=plan.survey.questions,
        fields=FIELDS,
        values=values,
        errors=messages,
        saved=saved,
        comment_limit=COMMENT_LIMIT,
        action=_path(request, "survey", invitation.token, locale if chosen else None),
        other_locale=other,
        other_language_url=_path(request, "survey", invitation.token, other),
    )


def _saved_values(saved: SavedAnswer | None) -> dict[str, str]:
    if saved is None:
        return {}
    found = {"nps": saved.nps, "csat": saved.csat, "comment": saved.comment}
    return {field: str(value) for field, value in found.items() if value is not None}


async def show_survey(request: Request) -> HttpResponse:
    found = await _open(request)
    if found is None:
        return not_found_page(request)
    invitation, plan, saved = found.invitation, found.plan, found.saved
    locale, _ = _locale(request, invitation)
    try:
        check_open(invitation)
    except SurveyClosed as closed:
        return _closed(request, closed, locale)
    values = _saved_values(saved)
    score = request.query_params.get("score")
    if score is None or request.method != "GET":
        return _form(request, invitation, plan, values=values)
    try:
        nps = parse_score(score, "nps")
        if nps is None:
            return _form(request, invitation, plan, values=values)
        await record_response(invitation, nps=nps, csat=None, comment=None, partial=True, plan=plan)
        await announce(request)
    except AnswerError as error:
        return _form(request, invitation, plan, values=values, errors=error)
    except SurveyClosed as closed:
        return _closed(request, closed, locale)
    return _form(request, invitation, plan, values=values | {"nps": str(nps)}, saved=True)


async def submit_survey(request: Request) -> HttpResponse:
    found = await _open(request, answering=True)
    if found is None:
        return not_found_page(request)
    invitation, plan = found.invitation, found.plan
    locale, chosen = _locale(request, invitation)
    try:
        check_open(invitation)
    except SurveyClosed as closed:
        return _closed(request, closed, locale)
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
        return _message(request, locale, 413, (locale, "bad_request.title", "error.invalid"))
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        answers = parse_answers(values, plan.survey)
        await record_response(
            invitation,
            nps=answers.nps,
            csat=answers.csat,
            comment=answers.comment,
            source="web",
            plan=plan,
            dimensions=found.dimensions,
        )
        await announce(request)
    except AnswerError as error:
        return _form(request, invitation, plan, values=values, errors=error)
    except SurveyClosed as closed:
        return _closed(request, closed, locale)
    thanks = _path(request, "survey_thanks", invitation.token, locale if chosen else None)
    return RedirectResponse(thanks, status_code=303, headers=HEADERS)


async def thank_you(request: Request) -> HttpResponse:
    found = await _open(request)
    if found is None:
        return not_found_page(request)
    invitation, plan = found.invitation, found.plan
    locale, chosen = _locale(request, invitation)
    if found.saved is None:
        form = _path(request, "survey", invitation.token, locale if chosen else None)
        return RedirectResponse(form, status_code=303, headers=HEADERS)
    return _render(
        request,
        "survey/thanks.html",
        locale,
        brand=plan.brand,
        change_url=_path(request, "survey", invitation.token, locale if chosen else None),
    )


routes = [
    Route("/s/{token}", show_survey, methods=["GET"], name="survey"),
    Route("/s/{token}", submit_survey, methods=["POST"], name="survey_submit"),
    Route("/s/{token}/thanks", thank_you, methods=["GET"], name="survey_thanks"),
]
_ROUTES = {route.name: route for route in routes}
