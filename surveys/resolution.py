"""The resolution survey: one question once a case is resolved, whose answer closes the loop.

"Are you satisfied with how we handled it?", 1 (very dissatisfied) to 5 (very satisfied),
in the customer's language. The worker sends it (`dispatch.resolution_survey`); the
customer answers on the page `/r/<token>` or by replying to the SMS with a number.

The first answer is stored with a conditional UPDATE (sent -> answered), so two answers
racing store one, and a note on the case's timeline says the loop is closed. A tap on the
wrong button can be put right: for a day after the first answer (`CHANGE_WINDOW`) a new
score replaces the old one, with a note of the change; `resolution_answered_at` stays the
time of the first answer. After that the survey is closed.

The figures count `resolution_score` 4 and 5 as satisfied (`surveys.followup_figures`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from surveys.followups import Actor, add_note
from surveys.metrics import count_resolution_answer
from surveys.models import FollowUpCase

QUESTION = {
    "en": "Are you satisfied with how we handled it?",
    "zh-CN": "您对我们的处理结果满意吗？",
}
#: What each score means, for the page's buttons and the case's timeline.
SCORE_WORDS = {
    "en": {
        1: "Very dissatisfied",
        2: "Dissatisfied",
        3: "Neither satisfied nor dissatisfied",
        4: "Satisfied",
        5: "Very satisfied",
    },
    "zh-CN": {1: "非常不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意"},
}
SCORES = range(1, 6)
#: How long after the first answer the customer may still change it.
CHANGE_WINDOW = timedelta(days=1)
#: A survey in these states takes a first answer: sent, or unknown (a worker stopped
#: mid-send; an answer proves the customer has it).
AWAITING = ("sent", "unknown")
SOURCES = frozenset({"web", "sms"})
CUSTOMER = Actor("customer", None, "the customer")


class ResolutionClosed(Exception):
    """The case's resolution survey takes no answer: never sent, or answered too long ago."""


def question(locale: str) -> str:
    """The question in the customer's language (English unless it is Chinese)."""
    return QUESTION.get(locale, QUESTION["en"])


def parse_score(value: object) -> int | None:
    """A 1-5 score from a form or a reply, or None when it is not one."""
    text = str(value).strip() if value is not None else ""
    if text.isascii() and text.isdigit() and int(text) in SCORES:
        return int(text)
    return None


def takes_answers(case: FollowUpCase, now: datetime) -> bool:
    """Whether the survey takes an answer now: sent and unanswered, or answered within
    the change window."""
    status = case.resolution_survey_status
    if status in AWAITING:
        return True
    answered = case.resolution_answered_at
    return status == "answered" and answered is not None and now - answered < CHANGE_WINDOW


async def case_for_token(token: str) -> FollowUpCase | None:
    if not token:
        return None
    return await FollowUpCase.get_or_none(resolution_survey_token=token)


async def record_resolution_answer(
    case_or_token: FollowUpCase | str,
    score: int,
    source: str,
    *,
    now: datetime | None = None,
) -> FollowUpCase:
    """Store the customer's answer and note on the case that the loop is closed; returns
    the case as stored. Raises ValueError for a score outside 1-5 or an unknown source,
    LookupError for an unknown token and ResolutionClosed when the survey takes no answer."""
    if parse_score(score) != score:
        raise ValueError(f"a resolution score is 1 to 5, not {score!r}")
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    now = now or datetime.now(UTC)
    case = await _case(case_or_token)
    async with in_transaction():
        first = await FollowUpCase.filter(id=case.id, resolution_survey_status__in=AWAITING).update(
            resolution_survey_status="answered",
            resolution_score=score,
            resolution_answered_at=now,
            updated_at=now,
        )
        if first:
            words = f"{score} ({SCORE_WORDS['en'][score]})"
            body = f"The customer answered the resolution survey by {source}: {words}. "
            await add_note(case, body + "The loop is closed.", CUSTOMER)
        else:
            await _change(case, score, source, now)
    if first:  # counted once stored: a rolled-back answer is not one
        count_resolution_answer(source, score)
    return await FollowUpCase.get(id=case.id)


async def _case(case_or_token: FollowUpCase | str) -> FollowUpCase:
    if isinstance(case_or_token, FollowUpCase):
        return case_or_token
    found = await case_for_token(case_or_token)
    if found is None:
        raise LookupError("no resolution survey has this token")
    return found


async def _change(case: FollowUpCase, score: int, source: str, now: datetime) -> None:
    """A second answer within the change window replaces the first, once per answer."""
    current = await FollowUpCase.get(id=case.id)
    if not takes_answers(current, now):
        raise ResolutionClosed(f"case {case.id}: the resolution survey takes no answer")
    if current.resolution_score == score:
        return
    changed = await FollowUpCase.filter(
        id=case.id,
        resolution_survey_status="answered",
        resolution_score=current.resolution_score,
    ).update(resolution_score=score, updated_at=now)
    if changed:
        body = (
            f"The customer changed their resolution survey answer by {source}: "
            f"{current.resolution_score} -> {score} ({SCORE_WORDS['en'][score]})."
        )
        await add_note(case, body, CUSTOMER)
