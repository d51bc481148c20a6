"""Twilio's webhooks: message status callbacks and inbound SMS replies.

Both take a request only with a valid X-Twilio-Signature, computed over the configured
public URL (`settings.public_url` + path + query) rather than the URL this process sees,
so it holds behind a proxy or load balancer that rewrites host, scheme or port. Without a
configured auth token every request is refused: an unsigned webhook could opt anyone out.

Status callbacks only move forward (`STATUS_RANK`): queued < sending < sent < a final
delivered, undelivered or failed. A repeated or late callback changes nothing, and the
first final status wins. An invitation moves only from sent: to delivered, or to failed
with Twilio's error; one answered, expired or in any other state is left as it is. A
case's resolution survey Twilio could not deliver fails the same way, on the case.

An inbound reply answers the most recently sent SMS invitation to the sending number that
still takes answers (sent, delivered or answered, link not expired), whichever customer
holds the number: it is the survey the person has just read. When two unanswered surveys
went to the number within an hour of each other, a bare score could be for either: the
reply asks the person to use the links instead of guessing. Keywords work with or
without an open survey. A reply with no score, within a day of a score given by SMS, is
that answer's comment (further replies are appended).

When the latest message sent to the number was a case's resolution survey, the reply is
its answer: a number from 1 to 5 is recorded (anything else asks for one), and words
that follow go on the case's timeline. A reply that asks to be contacted ("please call
me", "请联系我") opens a follow-up case for the survey it answers, when the journey's
rule follows up such requests, with the customer's words on the case.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from tortoise.transactions import in_transaction
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from dispatch.metrics import count_message
from dispatch.models import Message
from dispatch.optouts import active_opt_out, normalise_address, opt_in, opt_out
from surveys import replies
from surveys.followups import add_note, open_case
from surveys.models import Answer, CaseStatus, FollowUpCase, Invitation, InvitationStatus
from surveys.resolution import CUSTOMER, ResolutionClosed, record_resolution_answer
from surveys.responses import COMMENT_LIMIT, AnswerError, SurveyClosed, record_response
from web.announce import announce
from web.audit import customer, record
from web.runtime import Runtime

log = logging.getLogger("touchpoint.twilio")

STATUS_RANK = {
    "accepted": 1, "scheduled": 1, "queued": 1, "sending": 2, "sent": 3,
    "delivered": 4, "undelivered": 4, "failed": 4, "canceled": 4, "read": 5,
}  # fmt: skip
#: Twilio's delivery error codes, in the words the CX team reads.
DELIVERY_ERRORS = {
    21610: "recipient unsubscribed (replied STOP)",
    30003: "unreachable handset",
    30004: "message blocked by the recipient",
    30005: "unknown number",
    30006: "landline or unreachable carrier",
    30007: "filtered by the carrier",
    30008: "unknown delivery error",
}
COMMENT_WINDOW = timedelta(hours=24)
#: Surveys sent to one number closer together than this make a bare score ambiguous.
AMBIGUOUS_WITHIN = timedelta(hours=1)
SMS_ANSWERABLE = (InvitationStatus.SENT, InvitationStatus.DELIVERED, InvitationStatus.ANSWERED)

WORDS = {
    "en": {
        "thanks": "Thanks! You gave us {score}. Anything we could do better? Just reply.",
        "thanks_all": "Thanks! You gave us {score}, and we have your comment.",
        "comment": "Thanks, we have added that to your answer.",
        "ask": "Please reply with a number from 0 to 10 (10 = very likely to recommend us).",
        "none": "Thanks for your message. There is no open survey for this number.",
        "stopped": "You will get no more surveys from us. Reply START to undo.",
        "started": "You will get our surveys again. Reply STOP to opt out.",
        "help": "Customer surveys: reply with a number from 0 to 10 to answer. "
        "Reply STOP to opt out.",
        "too_long": "Thanks! That was too long to keep; please shorten it.",
        "which": "Thanks! We sent you more than one survey, so we cannot tell which this "
        "answers. Please use the link in each message.",
        "resolution_thanks": "Thank you! You gave us {score} out of 5.",
        "resolution_ask": "Please reply with a number from 1 to 5 (5 = very satisfied).",
        "contact": "Thanks, we have passed this on: someone from our team will contact you.",
    },
    "zh-CN": {
        "thanks": "谢谢！您的评分是{score}。我们还能做得更好吗？直接回复即可。",
        "thanks_all": "谢谢！您的评分是{score}，我们已收到您的意见。",
        "comment": "谢谢，已添加到您的回答中。",
        "ask": "请回复0到10之间的数字（10 = 非常愿意推荐）。",
        "none": "感谢您的留言。此号码目前没有待回答的调查。",
        "stopped": "您将不再收到我们的调查。回复START可恢复。",
        "started": "您将重新收到我们的调查。回复TD退订。",
        "help": "客户调查：回复0到10之间的数字即可作答。回复TD退订。",
        "too_long": "谢谢！内容过长无法保存，请缩短后再发。",
        "which": "谢谢！我们给您发送了不止一份调查，无法确定您回复的是哪一份。"
        "请通过各条短信中的链接作答。",
        "resolution_thanks": "谢谢！您的评分是{score}分（满分5分）。",
        "resolution_ask": "请回复1到5之间的数字（5 = 非常满意）。",
        "contact": "谢谢，我们已转达：我们的团队会尽快与您联系。",
    },
}


def _valid_signature(request: Request, form: FormData, runtime: Runtime) -> bool:
    token = runtime.settings.twilio.auth_token
    signature = request.headers.get("x-twilio-signature")
    if token is None or not token.get_secret_value() or not signature:
        return False
    url = runtime.settings.public_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    validator = RequestValidator(token.get_secret_value())
    return bool(validator.validate(url, form, signature))


async def _signed_form(request: Request) -> FormData | Response:
    """The posted form when Twilio signed it; else the 400 or 403 to answer."""
    try:
        form = await request.form()
    except Exception as error:  # any unreadable body is the sender's fault, never a 500
        log.warning("unreadable Twilio webhook body: %s", error)
        return PlainTextResponse("unreadable form data", status_code=400)
    if not _valid_signature(request, form, request.app.state.runtime):
        log.warning("refused a Twilio webhook with no valid signature: %s", request.url.path)
        return PlainTextResponse("invalid or missing X-Twilio-Signature", status_code=403)
    return form


async def message_status(request: Request) -> Response:
    form = await _signed_form(request)
    if isinstance(form, Response):
        return form
    sid, status = str(form.get("MessageSid", "")), str(form.get("MessageStatus", "")).lower()
    if not sid or status not in STATUS_RANK:
        return PlainTextResponse("MessageSid and a known MessageStatus are required", 400)
    message = await Message.get_or_none(provider_message_id=sid)
    if message is None:
        log.info("status %s for unknown message %s ignored", status, sid)
        return Response(status_code=200)
    code = str(form.get("ErrorCode", "")) or None
    lower = [name for name, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
    moved = await Message.filter(id=message.id, status__in=lower).update(
        status=status, error=_delivery_error(code) if code else message.error
    )
    if moved:
        count_message(message.channel, status)
        await _update_invitation(request, message, status, code)
    else:
        log.info("status %s for message %s is not newer than %s", status, sid, message.status)
    return Response(status_code=200)


def _delivery_error(code: str | None) -> str:
    number = int(code) if code and code.isdigit() else None
    known = DELIVERY_ERRORS.get(number) if number is not None else None
    return known or f"Twilio delivery error {code}"


async def _update_invitation(
    request: Request, message: Message, status: str, code: str | None
) -> None:
    invitation_id = message.invitation_id  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    if code == "21610" and await active_opt_out(message.recipient, "phone") is None:
        note = f"message {message.id}"
        await opt_out(message.recipient, "phone", "twilio-21610", note=note)
        await record(
            request,
            "opt_out.created",
            message.recipient,
            {"source": "twilio-21610", "note": note},
            actor=customer(message.recipient),
        )
    if message.purpose == "resolution-survey":
        await _update_resolution_survey(message, status, code, now)
        return
    if not await _is_the_invitation(message):
        return  # a reminder's fate does not change the invitation's
    if status == "delivered":
        await Invitation.filter(id=invitation_id, status=InvitationStatus.SENT).update(
            status=InvitationStatus.DELIVERED, updated_at=now
        )
    elif status in ("undelivered", "failed"):
        reason = f"sms: {status}, {_delivery_error(code)}" + (f" (code {code})" if code else "")
        await Invitation.filter(id=invitation_id, status=InvitationStatus.SENT).update(
            status=InvitationStatus.FAILED, reason=reason[:300], updated_at=now
        )


async def _update_resolution_survey(
    message: Message, status: str, code: str | None, now: datetime
) -> None:
    """A resolution survey Twilio could not deliver fails with Twilio's reason (unless the
    customer answered it all the same); the invitation it went under is left as it is."""
    if status not in ("undelivered", "failed"):
        return
    reason = f"sms: {status}, {_delivery_error(code)}" + (f" (code {code})" if code else "")
    await FollowUpCase.filter(
        id=message.case_id, resolution_survey_status="sent"
    ).update(  # type: ignore[attr-defined]
        resolution_survey_status="failed", resolution_survey_reason=reason[:300], updated_at=now
    )


async def _is_the_invitation(message: Message) -> bool:
    """The invitation's own message is the first its provider took; later ones are reminders."""
    first = (
        await Message.filter(
            invitation_id=message.invitation_id,  # type: ignore[attr-defined]
            provider_message_id__isnull=False,
        )
        .order_by("id")
        .first()
    )
    return first is not None and first.id == message.id


async def _open_invitations(phone: str) -> list[Invitation]:
    """The SMS invitations to this number that still take answers, latest first."""
    now = datetime.now(UTC)
    candidates = (
        Invitation.filter(
            channel="sms",
            status__in=SMS_ANSWERABLE,
            sent_at__not_isnull=True,
            messages__recipient=phone,
        )
        .order_by("-sent_at", "-id")
        .distinct()
        .limit(10)
    )
    return [i for i in await candidates if i.expires_at is None or i.expires_at > now]


def _ambiguous(open_invitations: list[Invitation]) -> bool:
    """Two unanswered surveys sent close together: a bare score could be for either."""
    if len(open_invitations) < 2:
        return False
    latest, before = open_invitations[0], open_invitations[1]
    close = latest.sent_at - before.sent_at < AMBIGUOUS_WITHIN
    return close and before.status != InvitationStatus.ANSWERED


async def inbound_sms(request: Request) -> Response:
    """A customer's text: an answer, a keyword, words for a case. Whatever it did (an
    answer, an opt-out, a case opened or its survey answered), the worker hears at once."""
    answer = await _read_sms(request)
    if answer.status_code == 200:
        await announce(request)
    return answer


async def _read_sms(request: Request) -> Response:
    form = await _signed_form(request)
    if isinstance(form, Response):
        return form
    sender, body = str(form.get("From", "")).strip(), form.get("Body")
    if not sender or not isinstance(body, str):
        return PlainTextResponse("From and Body are required", status_code=400)
    phone = normalise_address(sender, "phone")
    reply = replies.parse_reply(body)
    resolution = await _resolution_survey_answered(phone, reply)
    if resolution is not None:
        return await _answer_resolution(resolution, reply)
    open_invitations = await _open_invitations(phone)
    invitation = open_invitations[0] if open_invitations else None
    locale = invitation.locale if invitation and invitation.locale in WORDS else "en"
    words = WORDS[locale]
    log.info("sms reply from %s: %s", phone, type(reply).__name__)
    if isinstance(reply, replies.OptOut):
        if await active_opt_out(phone, "phone") is None:
            await opt_out(phone, "phone", "sms-stop", note=reply.keyword)
            detail = {"source": "sms-stop", "note": reply.keyword}
            await record(request, "opt_out.created", phone, detail, actor=customer(phone))
        return _twiml(words["stopped"])
    if isinstance(reply, replies.OptIn):
        if await opt_in(phone, "phone", "sms-start"):
            detail = {"source": "sms-start"}
            await record(request, "opt_out.lifted", phone, detail, actor=customer(phone))
        return _twiml(words["started"])
    if isinstance(reply, replies.Help):
        return _twiml(words["help"])
    if invitation is None:
        return _twiml(words["none"])
    if isinstance(reply, replies.Score) and _ambiguous(open_invitations):
        return _twiml(words["which"])
    try:
        if replies.asks_to_be_contacted(body):
            return await _contact_requested(invitation, reply, body, words)
        return await _answer(invitation, reply, words)
    except SurveyClosed:
        return _twiml(words["none"])
    except AnswerError as error:
        return _twiml(words["too_long" if error.field == "comment" else "ask"])


async def _answer(invitation: Invitation, reply: replies.Reply, words: dict[str, str]) -> Response:
    if isinstance(reply, replies.Score):
        await record_response(
            invitation, nps=reply.value, csat=None, comment=reply.rest, source="sms", partial=True
        )
        return _twiml(words["thanks_all" if reply.rest else "thanks"].format(score=reply.value))
    assert isinstance(reply, replies.Text | replies.Unclear)
    earlier = await Answer.get_or_none(invitation_id=invitation.id)
    recent = datetime.now(UTC) - COMMENT_WINDOW
    if earlier is None or earlier.source != "sms" or earlier.updated_at < recent:
        return _twiml(words["ask"])
    comment = f"{earlier.comment}\n{reply.text}" if earlier.comment else reply.text
    if len(comment) > COMMENT_LIMIT:
        return _twiml(words["too_long"])
    await record_response(
        invitation, nps=None, csat=None, comment=comment, source="sms", partial=True
    )
    return _twiml(words["comment"])


async def _resolution_survey_answered(phone: str, reply: replies.Reply) -> FollowUpCase | None:
    """The case whose resolution survey this reply answers: the latest message sent to
    the number was that survey. Keywords (STOP, HELP) keep their meaning."""
    if isinstance(reply, replies.OptOut | replies.OptIn | replies.Help):
        return None
    latest = (
        await Message.filter(recipient=phone, provider_message_id__not_isnull=True)
        .order_by("-id")
        .first()
    )
    if latest is None or latest.purpose != "resolution-survey" or latest.case_id is None:  # type: ignore[attr-defined]
        return None
    return await FollowUpCase.get_or_none(id=latest.case_id)  # type: ignore[attr-defined]


async def _answer_resolution(case: FollowUpCase, reply: replies.Reply) -> Response:
    invitation = await Invitation.get(id=case.invitation_id)  # type: ignore[attr-defined]
    words = WORDS[invitation.locale if invitation.locale in WORDS else "en"]
    said = reply.rest if isinstance(reply, replies.Score) else reply.text  # type: ignore[union-attr]
    score = reply.value if isinstance(reply, replies.Score) and 1 <= reply.value <= 5 else None
    try:
        if score is not None:
            await record_resolution_answer(case, score, "sms")
    except ResolutionClosed:
        return _twiml(words["none"])
    if said and (score is not None or case.resolution_survey_status == "answered"):
        await add_note(case, said[:COMMENT_LIMIT], CUSTOMER, kind="reply", channel="sms")
        if score is None:
            return _twiml(words["comment"])
    if score is None:
        return _twiml(words["resolution_ask"])
    return _twiml(words["resolution_thanks"].format(score=score))


async def _contact_requested(
    invitation: Invitation, reply: replies.Reply, body: str, words: dict[str, str]
) -> Response:
    """The customer asks to be contacted: the answer it carries is recorded as usual, and
    the journey's rule may open a case (or one is open already); their words go on it."""
    if isinstance(reply, replies.Score):
        await record_response(
            invitation, nps=reply.value, csat=None, comment=reply.rest, source="sms",
            partial=True, contact_requested=True,
        )  # fmt: skip
    else:
        earlier = await Answer.get_or_none(invitation_id=invitation.id)
        async with in_transaction():
            await open_case(invitation, answer=earlier, contact_requested=True)
    case = await FollowUpCase.get_or_none(invitation_id=invitation.id)
    if case is None or case.status == CaseStatus.RESOLVED:
        return await _answer(invitation, reply, words)
    await add_note(case, body.strip()[:COMMENT_LIMIT], CUSTOMER, kind="reply", channel="sms")
    return _twiml(words["contact"])


def _twiml(text: str) -> Response:
    twiml = MessagingResponse()
    twiml.message(text)
    return Response(str(twiml), media_type="application/xml")


routes = [
    Route("/twilio/status", message_status, methods=["POST"], name="twilio_status"),
    Route("/twilio/sms", inbound_sms, methods=["POST"], name="twilio_sms"),
]
