"""The monthly insight report by email, on the first working day of each month.

The worker's cron runs every ten minutes; each run asks which month's report is due
(`due_month`: the previous month, from the first working day of this one at the send time
to the end of this one) and mails it to `TOUCHPOINT_INSIGHTS_RECIPIENTS` unless that month
is already sent. A restart neither skips nor repeats a month:

- the month is claimed before sending, with one row per month (`MonthlyInsightReport`,
  unique month): the insert, or a conditional update of a claim that may be taken again,
  is won by one run only, whatever the number of workers;
- `sent_at` is written after the server took the message; a claim without `sent_at`
  older than `STALE_CLAIM` (a worker that died between claim and send) is taken again;
- a failed send records `error`, and the next run takes it again, that day or the days
  after; a worker that was down on the first working day sends the report when it is back.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any
from zoneinfo import ZoneInfo

import aiosmtplib
from arq import cron
from arq.cron import CronJob
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from dispatch.settings import SmtpSettings
from journeys.models import Journey
from journeys.periods import Month
from journeys.store import journey_definition
from surveys.insights import monthly_insights
from surveys.models import MonthlyInsightReport
from surveys.sql import reading_reports
from web.insights import render_html, render_markdown, subject
from web.settings import Settings

#: A claim this old without `sent_at` belongs to a run that died: it is taken again.
STALE_CLAIM = timedelta(minutes=30)

log = logging.getLogger("touchpoint.insights")


# --- pure: is it time? ---------------------------------------------------------------------


def first_working_day(
    month: Month, tz: ZoneInfo, holidays: Collection[date] = (), at: time = time(9, 0)
) -> datetime:
    """When `month`'s mailing is due: its first Monday-to-Friday that is not a holiday, at
    `at` in `tz` (as an aware datetime in `tz`)."""
    day = date(month.year, month.month, 1)
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=tz)


def due_month(
    now: datetime, tz: ZoneInfo, holidays: Collection[date] = (), at: time = time(9, 0)
) -> Month | None:
    """The month whose report is due at `now`: the previous month, from this month's first
    working day at `at` to the end of this month; None before it. A report is not sent
    once its own following month is over: it would be news to no one."""
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    local = now.astimezone(tz)
    this = Month(local.year, local.month)
    if now >= first_working_day(this, tz, holidays, at):
        return this.previous()
    return None


# --- the claim ----------------------------------------------------------------------------


async def claim_month(
    month: Month, now: datetime, recipients: list[str], stale_after: timedelta = STALE_CLAIM
) -> bool:
    """Claim `month`'s mailing for this run; False when it is sent, or another run holds it."""
    try:
        await MonthlyInsightReport.create(month=str(month), claimed_at=now, recipients=recipients)
        return True
    except IntegrityError:
        pass
    retake = Q(claimed_at__lt=now - stale_after) | Q(error__isnull=False)
    taken = await (
        MonthlyInsightReport.filter(month=str(month), sent_at__isnull=True)
        .filter(retake)
        .update(claimed_at=now, error=None, recipients=recipients)
    )
    return taken == 1


async def mark_sent(month: Month, now: datetime) -> None:
    await MonthlyInsightReport.filter(month=str(month)).update(sent_at=now, error=None)


async def mark_failed(month: Month, error: str) -> None:
    await MonthlyInsightReport.filter(month=str(month)).update(error=error[:500])


# --- the mailing --------------------------------------------------------------------------


async def report_calendar(settings: Settings) -> tuple[ZoneInfo, list[date]]:
    """The time zone the first working day is read in, and the holidays it skips: the
    setting's zone, else the first journey's; that journey's business-hours holidays."""
    journey = await Journey.filter(active=True).order_by("id").first()
    zone = settings.insights_timezone or (journey.timezone if journey else "UTC")
    holidays: list[date] = []
    if journey is not None and settings.insights_skip_holidays:
        holidays = list((await journey_definition(journey)).business_hours.holidays)
    return ZoneInfo(zone), holidays


def build_message(
    smtp: SmtpSettings, recipients: list[str], html: str, text: str, title: str
) -> EmailMessage:
    """The report as one email: the Markdown as plain text, the HTML as its alternative."""
    sender = parseaddr(smtp.from_ or "")[1]
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = smtp.from_ or sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


async def send_report(smtp: SmtpSettings, message: EmailMessage, recipients: list[str]) -> None:
    await aiosmtplib.send(
        message,
        sender=parseaddr(smtp.from_ or "")[1],
        recipients=recipients,
        hostname=smtp.host,
        port=smtp.port,
        username=smtp.user or None,
        password=smtp.password.get_secret_value() if smtp.password else None,
        use_tls=smtp.tls == "tls",
        start_tls=smtp.tls == "starttls",
        timeout=smtp.timeout_seconds,
    )


async def mail_due_report(
    settings: Settings, now: datetime, *, stale_after: timedelta = STALE_CLAIM
) -> Month | None:
    """Mail the report that is due at `now`, once; returns the month mailed, if any."""
    recipients = settings.insights_recipient_list
    if not recipients:
        return None
    if not settings.smtp.complete:
        log.warning("insights: recipients are set but TOUCHPOINT_SMTP_HOST/FROM are not")
        return None
    zone, holidays = await report_calendar(settings)
    month = due_month(now, zone, holidays, settings.insights_send_at)
    if month is None or not await claim_month(month, now, recipients, stale_after):
        return None
    with reading_reports():
        insights = await monthly_insights(month, now=now)
    message = build_message(
        settings.smtp,
        recipients,
        render_html(insights),
        render_markdown(insights),
        subject(insights),
    )
    try:
        await send_report(settings.smtp, message, recipients)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        reason = f"{type(error).__name__}: {error}"
        await mark_failed(month, reason)
        log.warning(
            "insights: the report for %s was not sent (%s); retried next run", month, reason
        )
        return None
    await mark_sent(month, now)
    log.info("insights: the report for %s mailed to %d recipient(s)", month, len(recipients))
    return month


def cron_jobs(settings: Settings) -> list[CronJob]:
    """The mailing's cron for `dispatch.worker.create_worker(extra_cron_jobs=...)`: every ten
    minutes, one run across all workers; none when no recipients are set."""
    if not settings.insights_recipient_list:
        return []

    async def send_monthly_insights(ctx: dict[str, Any]) -> str | None:
        month = await mail_due_report(settings, datetime.now(UTC))
        return None if month is None else str(month)

    return [
        cron(
            send_monthly_insights,
            name="send_monthly_insights",
            minute=set(range(0, 60, 10)),
            second={0},
            keep_result=0,
            unique=True,
        )
    ]
