"""Recording a customer's answers to one invitation: one response per invitation.

A second submission (the customer changes their mind, or adds a comment after the one-tap
score from an email) updates the first response rather than adding another, so a customer
counts once. `answered_at` stays the time of the first answer, which is what the quarter of
the answer is judged by; `updated_at` shows the last change.

Answers are checked against the survey the invitation was sent with (the journey version
stored on it), not the journey's current one, so a survey edited after sending still takes
the answers to the questions the customer was shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from journeys.schema import Survey
from surveys.answer_dimensions import Dimensions, answer_columns
from surveys.answer_write import (
    FirstAnswer,
    answer_transaction,
    can_write_alone,
    write_first_answer,
    write_first_answer_alone,
)
from surveys.expiry import is_expired
from surveys.followups import follow_up_reason, open_case
from surveys.invitation_survey import (
    InvitationSurvey,
    LinkInvitation,
    invitation_survey,
    locked_invitation,
)
from surveys.metrics import count_answer
from surveys.models import OPEN_STATUSES, Answer, Invitation, InvitationStatus
from surveys.outbox import answer_payload

COMMENT_LIMIT = 2000
#: The form field of each question type.
FIELDS = {"nps": "nps", "csat": "csat", "text": "comment"}
_CLOSED_REASONS = {
    InvitationStatus.SCHEDULED: "the survey has not been sent yet",
    InvitationStatus.SUPPRESSED: "the survey was withdrawn",
    InvitationStatus.FAILED: "the survey could not be delivered",
    InvitationStatus.EXPIRED: "the time to answer has passed",
}
_WHOLE_NUMBER = re.compile(r"[0-9]{1,3}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Answers:
    nps: int | None = None
    csat: int | None = None
    comment: str | None = None


class AnswerError(ValueError):
    """An answer the survey cannot take. `code` and `values` let a page say it in the
    customer's language; `others` holds further problems found in the same form, so a page
    can mark every field at once."""

    def __init__(self, field: str, message: str, *, code: str = "invalid", **values: int) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.code, self.values = field, message, code, values
        self.others: list[AnswerError] = []

    @property
    def problems(self) -> list[AnswerError]:
        return [self, *self.others]


class SurveyClosed(Exception):
    """The invitation cannot take answers; `status` says why, for the page to word it."""

    def __init__(self, status: InvitationStatus, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def parse_score(text: str | None, field: str) -> int | None:
    """Read a 0-10 (nps) or 1-5 (csat) answer typed or posted as text; blank is no answer."""
    low, high = (0, 10) if field == "nps" else (1, 5)
    if text is None or not text.strip():
        return None
    value = text.strip()
    if not _WHOLE_NUMBER.fullmatch(value) or not low <= int(value) <= high:
        raise AnswerError(field, f"choose a number from {low} to {high}", code=f"{field}_range")
    return int(value)


def clean_comment(text: str | None) -> str | None:
    """Browsers post textarea line breaks as CRLF; count them as one character, as the page's
    maxlength does, and drop control characters (PostgreSQL refuses NUL in text)."""
    if text is None:
        return None
    cleaned = _CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return cleaned or None


def parse_answers(form: Mapping[str, str], survey: Survey) -> Answers:
    """Turn a posted survey form into answers; fields of questions not asked are ignored."""
    found: dict[str, int | str | None] = {}
    problems: list[AnswerError] = []
    for question in survey.questions:
        field = FIELDS[question.type]
        try:
            if question.type == "text":
                found[field] = clean_comment(form.get(field))
            else:
                found[field] = parse_score(form.get(field), field)
        except AnswerError as error:
            problems.append(error)
    answers = Answers(**found)  # type: ignore[arg-type]
    try:
        check_answers(answers, survey)
    except AnswerError as error:  # a field already refused is not also "missing"
        failed = {problem.field for problem in problems}
        problems += [
            p for p in error.problems if p.field not in failed and (p.code != "empty" or not failed)
        ]
    _raise_all(problems)
    return answers


def check_answers(answers: Answers, survey: Survey, *, partial: bool = False) -> None:
    """Ranges, length, questions the survey does not ask; with `partial` (a one-tap score,
    an SMS reply) the required questions may still be missing."""
    problems: list[AnswerError] = []
    for kind, value in (("nps", answers.nps), ("csat", answers.csat)):
        if value is None:
            continue
        if survey.question(kind) is None:  # type: ignore[arg-type]
            problems.append(
                AnswerError(kind, "this survey does not ask for this score", code="not_asked")
            )
        else:
            try:
                parse_score(str(value), kind)  # also refuses -1, 2.5 and True
            except AnswerError as error:
                problems.append(error)
    if answers.comment is not None and len(answers.comment) > COMMENT_LIMIT:
        problems.append(
            AnswerError(
                "comment",
                f"write at most {COMMENT_LIMIT} characters (this one has {len(answers.comment)})",
                code="too_long",
                limit=COMMENT_LIMIT,
                length=len(answers.comment),
            )
        )
    if not partial:
        given = {"nps": answers.nps, "csat": answers.csat, "comment": answers.comment}
        for question in survey.questions:
            field = FIELDS[question.type]
            if question.required and given[field] is None:
                problems.append(AnswerError(field, "answer this question", code="required"))
        if all(value is None for value in given.values()):
            problems.append(AnswerError("answers", "answer at least one question", code="empty"))
    _raise_all(problems)


def _raise_all(problems: list[AnswerError]) -> None:
    if problems:
        first, *others = problems
        first.others = others
        raise first


def check_open(invitation: Invitation | LinkInvitation, now: datetime | None = None) -> None:
    """A link past its `expires_at` is closed at once, before the expiry cron marks it, and
    that includes changing an answer given earlier."""
    status = InvitationStatus(invitation.status)
    if status in OPEN_STATUSES and is_expired(invitation, now or datetime.now(UTC)):
        status = InvitationStatus.EXPIRED
    if status not in OPEN_STATUSES:
        raise SurveyClosed(status, _CLOSED_REASONS.get(status, f"the survey is {status.value}"))


async def record_response(
    invitation: Invitation | LinkInvitation,
    *,
    nps: int | None,
    csat: int | None,
    comment: str | None,
    source: str = "web",
    partial: bool = False,
    contact_requested: bool = False,
    plan: InvitationSurvey | None = None,
    dimensions: Dimensions | None = None,
) -> Answer:
    """Store the answers and mark the invitation answered.

    A full submission (the survey form) replaces the earlier answers; a `partial` one (the
    one-tap score of an email, an SMS reply) keeps the earlier answers it does not carry.
    Two concurrent submissions both end in the one response: the invitation row is locked
    for the change, and should two inserts still race, the loser retries as an update.
    The first answer writes `response.created`, and an answer that meets the journey's
    follow-up rule (or a reply that asks to be contacted) opens its case, in the same
    transaction. `plan` (the invitation's survey) and `dimensions` (what a first answer
    copies) are passed by a caller that has read them already.
    """
    answers = Answers(nps, csat, clean_comment(comment))
    check_open(invitation)
    plan = plan or await invitation_survey(invitation)
    check_answers(answers, plan.survey, partial=partial)
    # A first answer copies the customer's and the interaction's dimensions: read before
    # the transaction, so it holds its locks (SQLite's one connection) a statement shorter.
    first = invitation.status != InvitationStatus.ANSWERED
    if first and dimensions is None:
        dimensions = await answer_columns(invitation)
    saving = _Saving(answers, source, partial, contact_requested, plan, dimensions)
    try:
        response = await _store(invitation, saving)
    except IntegrityError:
        response = await _store(invitation, saving)
    invitation.status = InvitationStatus.ANSWERED
    return response


@dataclass(frozen=True)
class _Saving:
    answers: Answers
    source: str
    partial: bool
    contact_requested: bool
    plan: InvitationSurvey
    dimensions: Dimensions | None


async def _store(invitation: Invitation | LinkInvitation, saving: _Saving) -> Answer:
    answers, source, plan = saving.answers, saving.source, saving.plan
    now = datetime.now(UTC)
    if _answers_alone(invitation, saving):
        first = await _first_answer(invitation, saving, answers, now)
        response = await write_first_answer_alone(invitation.id, first)
        if response is not None:
            count_answer(invitation.channel, source)
            return response
    async with answer_transaction():
        current, response = await locked_invitation(invitation.id)
        check_open(current)
        if response is not None and saving.partial:
            answers = replace(
                answers,
                nps=answers.nps if answers.nps is not None else response.nps,
                csat=answers.csat if answers.csat is not None else response.csat,
                comment=answers.comment if answers.comment is not None else response.comment,
            )
        if response is None:
            first = await _first_answer(current, saving, answers, now)
            response = await write_first_answer(current.id, first)
            count_answer(current.channel, source)
        else:
            if answers.comment != response.comment:  # analysed again, as a new comment
                response.analysed = response.sentiment = response.terms = None
            response.nps, response.csat = answers.nps, answers.csat
            response.comment, response.source = answers.comment, source
            await response.save()
            if current.status != InvitationStatus.ANSWERED:
                # Answered while the worker was still storing the send: it was sent, so the
                # response rate must count it (the worker's own update now finds it answered).
                sent = {"sent_at": now} if current.sent_at is None else {}
                await Invitation.filter(id=current.id).update(
                    status=InvitationStatus.ANSWERED, updated_at=now, **sent
                )
        await open_case(
            current,
            answer=response,
            contact_requested=saving.contact_requested,
            now=now,
            plan=plan,
        )
    return response


def _answers_alone(invitation: Invitation | LinkInvitation, saving: _Saving) -> bool:
    """Whether a first answer can be written as one statement, without the transaction
    and the invitation's locked read (surveys/answer_write.py): on PostgreSQL, for an
    invitation not answered when it was read, and an answer that opens no case (a case's
    rows are written in the answer's transaction)."""
    if not can_write_alone() or saving.dimensions is None:
        return False
    if invitation.status == InvitationStatus.ANSWERED:
        return False
    rule = saving.plan.journey.follow_up_for(saving.plan.touchpoint)
    answers = saving.answers
    reason = follow_up_reason(
        rule, nps=answers.nps, csat=answers.csat, contact_requested=saving.contact_requested
    )
    return reason is None


async def _first_answer(
    current: Invitation | LinkInvitation, saving: _Saving, answers: Answers, now: datetime
) -> FirstAnswer:
    """The answer, its attributes, `response.created` and whether the invitation is to be
    marked answered (and sent, if the worker had not yet stored that), to be written in one
    trip (surveys/answer_write.py)."""
    customer, columns, attributes = saving.dimensions or await answer_columns(current)
    response = Answer(
        invitation_id=current.id,
        touchpoint_id=current.touchpoint_id,  # type: ignore[attr-defined]
        nps=answers.nps,
        csat=answers.csat,
        comment=answers.comment,
        source=saving.source,
        answered_at=now,
        **columns,
    )
    plan = saving.plan
    payload = answer_payload(
        response, current, plan.journey_key, plan.touchpoint_key, customer.external_id
    )
    mark_answered = current.status != InvitationStatus.ANSWERED
    return FirstAnswer(response, attributes, payload, now, mark_answered=mark_answered)
