"""Team notifications: an email to a case's owner (else its team) when the case opens, and
once before each of its SLA clocks runs out.

They are driven by queries on the cases, not by events, so nothing depends on a job
surviving: `notify_cases` (a cron every minute, and a run the web process asks for with
`kick` after an answer) looks at the cases themselves and

- writes the "opened" Notification of every open case that has none yet (unique on case,
  kind and recipient, so two runs at once still write one);
- claims each reminder that has come within the lead time (`follow_up_reminder_minutes`)
  of its clock's due time with one conditional UPDATE of `first_response_reminded_at` or
  `resolution_reminded_at`, writing its Notification in the same transaction, so a reminder
  is claimed once, ever, and never claimed without its row;
- settles rows a worker left `sending` for longer than the stuck-send grace as `unknown`
  (the mail server may have the email: it is never sent twice), and enqueues a
  `send_notification` job for every `pending` row (its job id names the row, so a queued
  one is not queued again, and one whose job was lost is queued again).

`send_notification` claims its row (pending -> sending), writes the email and sends it
through the email channel's carrier (the console stands in until SMTP is set), then stores
`sent` or `failed`; a transient failure puts it back to `pending` and retries with a
backoff until `max_send_attempts`. A reminder whose clock stopped meanwhile (the team
responded, the case was resolved) is `cancelled` instead of sent.

A case whose owner has no email and whose team has none (or no team) has nobody to tell:
its notification is written `failed` with that reason, once, so the gap shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from arq import Retry
from arq.connections import ArqRedis
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from dispatch.channels.base import ChannelError, OutgoingMessage
from dispatch.channels.registry import Channels
from dispatch.models import Notification
from dispatch.queue import QueuedJob, enqueue_jobs
from dispatch.rendering import render_template
from dispatch.retries import backoff_seconds
from dispatch.settings import DispatchSettings
from journeys.models import Touchpoint
from journeys.store import journey_definition
from surveys.models import CaseStatus, FollowUpCase, Invitation, Team

log = logging.getLogger("touchpoint.dispatch.notifications")

#: The kicked run's own name: arq keeps a cron's in-progress key for a while after it
#: ran, so a kick under the cron's name would wait out that while.
NOTIFY_CASES = "notify_cases_now"
SEND_NOTIFICATION = "send_notification"
OPENED, FIRST_RESPONSE_DUE, RESOLUTION_DUE = "opened", "first-response-due", "resolution-due"
ACTIVE = [CaseStatus.OPEN, CaseStatus.WAITING]
NOBODY = "nobody to tell: the case has no owner with an email, and its team has no email"
STUCK = "worker stopped during the send; the mail server may have it, so it is not sent again"
PAGE = 500
#: How far back the cron looks: a case opened longer ago than this is not announced now,
#: and a clock that ran out longer ago is not reminded of (the queue shows it overdue), so
#: switching notifications on does not email every old case at once.
LOOK_BACK = timedelta(days=1)
_DEFAULTS = DispatchSettings.model_construct()


@dataclass(frozen=True)
class Clock:
    """One SLA clock of a case: its due time, the stamp of its reminder, and whether it
    still runs (a first response stops the first clock, the team's reply or not)."""

    kind: str
    due: str
    reminded: str
    stops_at: str | None


CLOCKS = (
    Clock(
        FIRST_RESPONSE_DUE,
        "first_response_due_at",
        "first_response_reminded_at",
        "first_responded_at",
    ),
    Clock(RESOLUTION_DUE, "resolution_due_at", "resolution_reminded_at", None),
)


def notification_job_id(notification_id: int) -> str:
    return f"notification:{notification_id}"


#: The one queued run every kick shares.
KICK_JOB_ID = "notify-cases:kick"
KICK = QueuedJob(KICK_JOB_ID, NOTIFY_CASES)


async def kick(redis: ArqRedis) -> None:
    """Ask for a `notify_cases` run now (after an answer that may have opened a case), so
    the owner hears within seconds, not at the next minute. One queued run serves many
    kicks; a kick that meets a run in progress is left to the next minute's cron."""
    await enqueue_jobs(redis, [KICK])


# -- the cron ---------------------------------------------------------------------------


async def notify_cases(ctx: dict[str, Any]) -> int:
    """Write the due notifications, settle stuck ones and queue the pending; returns how
    many notifications it wrote or settled."""
    now = datetime.now(UTC)
    minutes = ctx.get("follow_up_reminder_minutes", _DEFAULTS.follow_up_reminder_minutes)
    grace = ctx.get("stuck_send_grace", timedelta(seconds=_DEFAULTS.stuck_send_grace_seconds))
    done = await write_opened(now)
    done += await claim_reminders(now, timedelta(minutes=minutes))
    done += await settle_stuck(now - grace, now)
    await enqueue_pending(ctx["redis"])
    return done


async def recipient_of(case: FollowUpCase) -> str | None:
    """The case's owner, else its team's shared inbox, else nobody."""
    if case.owner_email:
        return case.owner_email
    if case.team_key:
        team = await Team.get_or_none(key=case.team_key)
        if team is not None and team.email:
            return team.email
    return None


async def _write(case: FollowUpCase, kind: str, now: datetime) -> Notification:
    recipient = await recipient_of(case)
    if recipient is None:
        log.warning("case %s: no %s notification, %s", case.id, kind, NOBODY)
        return await Notification.create(
            case_id=case.id, kind=kind, recipient="", status="failed", error=NOBODY
        )
    return await Notification.create(case_id=case.id, kind=kind, recipient=recipient)


async def write_opened(now: datetime) -> int:
    """The "opened" notification of every open case that has none yet (opened within
    `LOOK_BACK`)."""
    told = Subquery(Notification.filter(kind=OPENED).values("case_id"))
    written = 0
    cases = await FollowUpCase.filter(
        status__in=ACTIVE, opened_at__gte=now - LOOK_BACK, id__not_in=told
    ).order_by("id")
    for case in cases:
        try:
            async with in_transaction():
                await _write(case, OPENED, now)
        except IntegrityError:
            continue  # another run wrote it a moment ago
        written += 1
    return written


async def claim_reminders(now: datetime, lead: timedelta) -> int:
    """Claim each running clock due within `lead` whose reminder is not claimed yet. A
    clock shorter than the lead is not reminded of: the "opened" email already says when
    it is due. A clock that ran out while the workers were down is still reminded of, up
    to `LOOK_BACK` after its due time."""
    claimed = 0
    for clock in CLOCKS:
        due_soon = {
            "status__in": ACTIVE,
            "next_due_at__isnull": False,  # no clock runs while paused for the customer
            f"{clock.due}__lte": now + lead,
            f"{clock.due}__gte": now - LOOK_BACK,
            f"{clock.reminded}__isnull": True,
        }
        if clock.stops_at:
            due_soon[f"{clock.stops_at}__isnull"] = True
        for case in await FollowUpCase.filter(**due_soon).order_by("id").limit(PAGE):
            claimed += await _claim(case, clock, now, lead)
    return claimed


async def _claim(case: FollowUpCase, clock: Clock, now: datetime, lead: timedelta) -> int:
    async with in_transaction():
        won = await FollowUpCase.filter(id=case.id, **{f"{clock.reminded}__isnull": True}).update(
            **{clock.reminded: now}
        )
        if not won:
            return 0
        if getattr(case, clock.due) - case.opened_at <= lead:
            return 0
        await _write(case, clock.kind, now)
    return 1


async def settle_stuck(cutoff: datetime, now: datetime) -> int:
    """A row left `sending` by a stopped worker becomes `unknown`: sending it again could
    send it twice, and an email cannot be asked about."""
    settled = await Notification.filter(status="sending", updated_at__lt=cutoff).update(
        status="unknown", error=STUCK, updated_at=now
    )
    if settled:
        log.warning("%d notification(s) left sending by a stopped worker: unknown", settled)
    return settled


async def enqueue_pending(redis: ArqRedis) -> int:
    """A job for every pending notification; one already queued keeps its job."""
    queued, last_id = 0, 0
    while True:
        pending = await (
            Notification.filter(status="pending", id__gt=last_id)
            .order_by("id")
            .limit(PAGE)
            .values_list("id", flat=True)
        )
        for notification_id in pending:
            job = await redis.enqueue_job(
                SEND_NOTIFICATION, notification_id, _job_id=notification_job_id(notification_id)
            )
            queued += job is not None
        if len(pending) < PAGE:
            return queued
        last_id = pending[-1]


# -- the send ---------------------------------------------------------------------------


async def send_notification(ctx: dict[str, Any], notification_id: int) -> str:
    now = datetime.now(UTC)
    claimed = await Notification.filter(id=notification_id, status="pending").update(
        status="sending", attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return "skipped: not pending (sent, settled or taken by another worker)"
    notification = await Notification.get(id=notification_id)
    case = await FollowUpCase.get(id=notification.case_id).prefetch_related(  # type: ignore[attr-defined]
        "customer", "answer", "touchpoint__journey", "invitation"
    )
    stale = _no_longer_needed(case, notification.kind)
    if stale:
        await _finish(notification_id, "cancelled", stale)
        return f"cancelled: {stale}"
    email = await notification_email(case, notification.kind, ctx["public_url"])
    channels: Channels = ctx["channels"]
    carrier = channels.carrier("email")
    outgoing = OutgoingMessage(
        invitation_id=case.invitation.id,
        to=notification.recipient,
        text=email.text,
        subject=email.subject,
        html=email.html,
    )
    try:
        await carrier.send(outgoing)
    except ChannelError as error:
        return await _refused(notification, error, ctx.get("max_send_attempts", 5))
    await _finish(notification_id, "sent", None, sent_at=datetime.now(UTC))
    log.info("%s notification of case %s sent to %s", notification.kind, case.id, outgoing.to)
    return f"sent by {carrier.name}"


def _no_longer_needed(case: FollowUpCase, kind: str) -> str | None:
    if kind == OPENED:
        return None
    if case.status == CaseStatus.RESOLVED:
        return "the case was resolved before the reminder went"
    if kind == FIRST_RESPONSE_DUE and case.first_responded_at is not None:
        return "the team responded before the reminder went"
    return None


async def _refused(notification: Notification, error: ChannelError, max_attempts: int) -> str:
    tries = notification.attempts
    if error.permanent or tries >= max_attempts:
        reason = error.reason if error.permanent else f"{error.reason}; gave up after {tries} tries"
        await _finish(notification.id, "failed", reason)
        log.warning("notification %s failed: %s", notification.id, reason)
        return f"failed: {reason}"
    await _finish(notification.id, "pending", error.reason)
    raise Retry(defer=backoff_seconds(tries))


async def _finish(notification_id: int, status: str, error: str | None, **more: Any) -> None:
    await Notification.filter(id=notification_id, status="sending").update(
        status=status, error=error, updated_at=datetime.now(UTC), **more
    )


# -- the wording ------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationEmail:
    subject: str
    text: str
    html: str


REASONS = {
    "detractor": "a detractor",
    "low-csat": "a dissatisfied customer",
    "contact-request": "a customer who asked to be contacted",
}


def when(moment: datetime | None, zone: ZoneInfo) -> str:
    """A due time as the team reads it: in the journey's time zone, named."""
    if moment is None:
        return "not set"
    return f"{moment.astimezone(zone):%a %d %b %Y %H:%M} ({zone.key})"


async def notification_email(case: FollowUpCase, kind: str, public_url: str) -> NotificationEmail:
    """The email about `case` (customer, answer, touchpoint and journey loaded)."""
    touchpoint: Touchpoint = case.touchpoint
    invitation: Invitation = case.invitation
    definition = await journey_definition(touchpoint.journey, invitation.journey_version)
    zone = ZoneInfo(definition.timezone)
    clock = next((c for c in CLOCKS if c.kind == kind), None)
    due = getattr(case, clock.due if clock else "first_response_due_at")
    name = definition.touchpoint(touchpoint.key).display_name("en")
    values = {
        "kind": kind,
        "case": case,
        "reason": REASONS.get(case.reason, case.reason),
        "journey": definition.name,
        "touchpoint": name,
        "customer": case.customer.external_id,
        "first_name": (case.customer.attributes or {}).get("first_name"),
        "answer": case.answer,
        "first_response_due": when(case.first_response_due_at, zone),
        "resolution_due": when(case.resolution_due_at, zone),
        "due": when(due, zone),
        "overdue": due is not None and due <= datetime.now(UTC),
        "link": f"{public_url.rstrip('/')}/cases/{case.id}",
    }
    subject = _subject(case.id, kind, values)
    return NotificationEmail(
        subject,
        render_template("notifications/case.txt", subject=subject, **values).strip() + "\n",
        render_template("notifications/case.html", subject=subject, **values),
    )


def _subject(case_id: int, kind: str, values: dict[str, Any]) -> str:
    if kind == OPENED:
        return (
            f"New case #{case_id}: {values['reason']} at {values['touchpoint']}"
            f" - first response due {values['first_response_due']}"
        )
    what = "first response" if kind == FIRST_RESPONSE_DUE else "resolution"
    verb = "was due" if values["overdue"] else "is due"
    return f"Reminder: case #{case_id} {what} {verb} {values['due']}"
