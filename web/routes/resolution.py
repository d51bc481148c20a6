"""The resolution survey page a customer opens from the message: `/r/<token>`.

One question ("Are you satisfied with how we handled it?") and five buttons, 1 to 5: one
tap answers, with no JavaScript, on any phone, in the invitation's language (`?lang=en|
zh-CN` overrides), looking like the survey page it follows. For a day after answering, the
page shows the answer and takes a new one (`surveys.resolution.CHANGE_WINDOW`); after that
it only thanks. A token we do not know gets the survey's friendly 404 in both languages; a
case whose survey was never sent (scheduled, withdrawn, failed) is closed.

As for the survey page, the token is the only credential: never cached, never sent on in
a Referer, not indexed, and no CSRF token (a forged post could only answer the survey of a
token the forger already holds).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response as HttpResponse
from starlette.routing import Route

from surveys.models import FollowUpCase, Invitation
from surveys.resolution import (
    SCORE_WORDS,
    SCORES,
    ResolutionClosed,
    case_for_token,
    parse_score,
    question,
    record_resolution_answer,
    takes_answers,
)
from surveys.responses import invitation_survey
from web.i18n import OTHER_LOCALE, pick_locale, requested_locale, translate
from web.routes.survey import HEADERS, MAX_FORM_BYTES, not_found_page
from web.templating import templates

_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
WORDS = {
    "en": {
        "context": "About your feedback on {touchpoint}",
        "hint": "Tap a number: 1 = very dissatisfied, 5 = very satisfied.",
        "chosen": "Your answer: {score}. Tap another number to change it.",
        "thanks.body": "Your answer reaches the team that looked after your case. "
        "Thank you for telling us.",
        "thanks.given": "You told us: {score} ({words}).",
    },
    "zh-CN": {
        "context": "关于您对{touchpoint}的反馈",
        "hint": "请点选：1 = 非常不满意，5 = 非常满意。",
        "chosen": "您的回答：{score}。点选其他数字即可修改。",
        "thanks.body": "您的回答将送达处理您问题的团队。感谢您的反馈。",
        "thanks.given": "您的回答：{score}（{words}）。",
    },
}


def _t(locale: str, key: str, **values: object) -> str:
    """The page's own words first, then the survey pages' (web/i18n.py)."""
    own = WORDS.get(locale, WORDS["en"]).get(key)
    if own is None:
        return translate(locale, key, **values)
    return own.format(**values) if values else own


def _render(
    request: Request, template: str, locale: str, status: int = 200, **context: Any
) -> HttpResponse:
    def t(key: str, **values: object) -> str:
        return _t(locale, key, **values)

    return templates.TemplateResponse(
        request, template, {"locale": locale, "t": t, **context}, status, headers=HEADERS
    )


async def _find(request: Request) -> tuple[FollowUpCase, Invitation] | None:
    token = request.path_params["token"]
    if not _TOKEN.fullmatch(token):
        return None
    case = await case_for_token(token)
    if case is None:
        return None
    return case, await Invitation.get(id=case.invitation_id)  # type: ignore[attr-defined]


def _locale(request: Request, invitation: Invitation) -> tuple[str, str | None]:
    """The page's language, and the `?lang=` links keep (None when none was asked for)."""
    requested = requested_locale(request.query_params.get("lang"))
    locale = pick_locale(requested, invitation.locale)
    return locale, locale if requested else None


def _path(request: Request, name: str, token: str, lang: str | None) -> str:
    path = str(request.app.url_path_for(name, token=token))
    return f"{path}?lang={lang}" if lang else path


def _closed(request: Request, case: FollowUpCase, locale: str) -> HttpResponse:
    not_yet = case.resolution_survey_status in (None, "scheduled", "sending")
    body = "closed.scheduled" if not_yet else "closed.other"
    parts = [{"locale": locale, "title": _t(locale, "closed.title"), "body": _t(locale, body)}]
    return _render(
        request, "survey/message.html", locale, 403 if not_yet else 410,
        title=parts[0]["title"], parts=parts,
    )  # fmt: skip


async def _form(
    request: Request,
    case: FollowUpCase,
    invitation: Invitation,
    *,
    error: bool = False,
) -> HttpResponse:
    locale, lang = _locale(request, invitation)
    plan = await invitation_survey(invitation)
    token = case.resolution_survey_token or ""
    return _render(
        request,
        "resolution/form.html",
        locale,
        400 if error else 200,
        brand=plan.brand,
        touchpoint=plan.touchpoint_name(locale),
        question=question(locale),
        answers=[(score, SCORE_WORDS[locale][score]) for score in SCORES],
        chosen=case.resolution_score if case.resolution_survey_status == "answered" else None,
        error=_t(locale, "error.csat_range") if error else None,
        action=_path(request, "resolution_survey_submit", token, lang),
        other_locale=OTHER_LOCALE[locale],
        other_language_url=_path(request, "resolution_survey", token, OTHER_LOCALE[locale]),
    )


async def _thanks(request: Request, case: FollowUpCase, invitation: Invitation) -> HttpResponse:
    locale, lang = _locale(request, invitation)
    plan = await invitation_survey(invitation)
    score = case.resolution_score or 0
    changeable = takes_answers(case, datetime.now(UTC))
    token = case.resolution_survey_token or ""
    return _render(
        request,
        "resolution/thanks.html",
        locale,
        brand=plan.brand,
        given=_t(locale, "thanks.given", score=score, words=SCORE_WORDS[locale].get(score, "")),
        change_url=_path(request, "resolution_survey", token, lang) if changeable else None,
    )


async def show_resolution_survey(request: Request) -> HttpResponse:
    found = await _find(request)
    if found is None:
        return not_found_page(request)
    case, invitation = found
    if takes_answers(case, datetime.now(UTC)):
        return await _form(request, case, invitation)
    if case.resolution_survey_status == "answered":
        return await _thanks(request, case, invitation)
    return _closed(request, case, _locale(request, invitation)[0])


async def submit_resolution_survey(request: Request) -> HttpResponse:
    found = await _find(request)
    if found is None:
        return not_found_page(request)
    case, invitation = found
    locale, lang = _locale(request, invitation)
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
        return await _form(request, case, invitation, error=True)
    score = parse_score((await request.form()).get("score"))
    if score is None:
        return await _form(request, case, invitation, error=True)
    try:
        await record_resolution_answer(case, score, "web")
    except ResolutionClosed:
        return _closed(request, await FollowUpCase.get(id=case.id), locale)
    thanks = _path(request, "resolution_survey_thanks", case.resolution_survey_token or "", lang)
    return RedirectResponse(thanks, status_code=303, headers=HEADERS)


async def resolution_thanks(request: Request) -> HttpResponse:
    found = await _find(request)
    if found is None:
        return not_found_page(request)
    case, invitation = found
    if case.resolution_survey_status != "answered":
        _, lang = _locale(request, invitation)
        form = _path(request, "resolution_survey", case.resolution_survey_token or "", lang)
        return RedirectResponse(form, status_code=303, headers=HEADERS)
    return await _thanks(request, case, invitation)


routes = [
    Route("/r/{token}", show_resolution_survey, methods=["GET"], name="resolution_survey"),
    Route(
        "/r/{token}", submit_resolution_survey, methods=["POST"], name="resolution_survey_submit"
    ),
    Route("/r/{token}/thanks", resolution_thanks, methods=["GET"], name="resolution_survey_thanks"),
]
