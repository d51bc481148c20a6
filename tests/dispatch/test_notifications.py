"""The logistics team hears of Anna's case: Lee (her case's owner) is emailed when it opens
and once before each clock runs out, through the loopback SMTP server; a stopped worker
or a lost job neither loses nor repeats an email.

Anna answers 3 at 10:00 on a Monday in Shanghai: first response due 12:00, resolution
due 10:00 the next day; with the default lead of 30 minutes the reminder goes at 11:30.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from arq.jobs import Job, JobStatus

from dispatch.models import Notification
from dispatch.notifications import (
    NOBODY,
    STUCK,
    claim_reminders,
    kick,
    notify_cases,
    send_notification,
    settle_stuck,
    when,
)
from surveys.followups import SYSTEM, record_first_response, resolve
from surveys.models import FollowUpCase
from tests.dispatch.cases import (
    LEE,
    LOGISTICS_INBOX,
    MONDAY_10,
    SHANGHAI,
    logistics,
    store,
    unhappy,
)
from tests.servers.settings import with_loopback_channels
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA, BEN, run_worker_until_idle
from web.runtime import Runtime
from web.settings import Settings

LEAD = timedelta(minutes=30)


@pytest.fixture
def settings(settings: Settings, twilio: TwilioServer, smtp: SmtpServer) -> Settings:
    return with_loopback_channels(settings, twilio, smtp)


@pytest.fixture
async def after_sales(db: str):
    return (await store())["after-sales"]


async def annas_case(after_sales, answered_at: datetime = MONDAY_10) -> FollowUpCase:
    await logistics(LEE)
    return await unhappy(after_sales, ANNA, answered_at=answered_at)


async def notifications(case: FollowUpCase) -> list[Notification]:
    return await Notification.filter(case_id=case.id).order_by("id")


def shanghai(hour: int, minute: int = 0) -> datetime:
    return MONDAY_10.replace(hour=hour, minute=minute).astimezone(UTC)


async def test_lee_is_emailed_when_annas_case_opens(after_sales, runtime: Runtime, smtp):
    case = await annas_case(after_sales)
    ctx = runtime.worker_context()

    assert await notify_cases(ctx) == 1
    [opened] = await notifications(case)
    assert (opened.kind, opened.recipient, opened.status) == ("opened", LEE, "pending")

    assert await send_notification(ctx, opened.id) == "sent by email"

    [email] = smtp.messages
    assert email["To"] == LEE
    assert email["Subject"] == (
        f"New case #{case.id}: a detractor at after sales"
        " - first response due Mon 02 Dec 2030 12:00 (Asia/Shanghai)"
    )
    text = email.get_body(("plain",)).get_content()
    assert "Likely to recommend: 3 / 10" in text
    assert "Satisfaction: 2 / 5" in text
    assert "Comment: The parcel came three days late." in text
    assert "Customer: anna (Anna)" in text
    assert "Resolution due: Tue 03 Dec 2030 10:00 (Asia/Shanghai)" in text
    assert f"Open the case: http://testserver/cases/{case.id}" in text
    html = email.get_body(("html",)).get_content()
    assert f'href="http://testserver/cases/{case.id}"' in html
    stored = await Notification.get(id=opened.id)
    assert stored.status == "sent" and stored.sent_at is not None and stored.attempts == 1
    assert await send_notification(ctx, opened.id) == (
        "skipped: not pending (sent, settled or taken by another worker)"
    )
    assert len(smtp.messages) == 1


async def test_a_comment_is_shown_as_text_in_the_html_email(after_sales, runtime, smtp):
    await logistics(LEE)
    case = await unhappy(after_sales, BEN, answered_at=MONDAY_10, comment="<b>late</b> & lost")
    await notify_cases(runtime.worker_context())
    [opened] = await notifications(case)

    await send_notification(runtime.worker_context(), opened.id)

    html = smtp.messages[0].get_body(("html",)).get_content()
    assert "&lt;b&gt;late&lt;/b&gt; &amp; lost" in html and "<b>late</b>" not in html


async def test_the_team_inbox_hears_of_a_case_nobody_owns(after_sales, runtime, smtp):
    await logistics()  # no agents: nobody is given the case
    case = await unhappy(after_sales, ANNA, answered_at=MONDAY_10)

    await notify_cases(runtime.worker_context())

    [opened] = await notifications(case)
    assert case.owner_email is None and opened.recipient == LOGISTICS_INBOX


async def test_a_case_nobody_can_be_told_of_is_noted_once(after_sales, runtime, smtp):
    await logistics(inbox=None)
    case = await unhappy(after_sales, ANNA, answered_at=MONDAY_10)
    ctx = runtime.worker_context()

    assert await notify_cases(ctx) == 1
    assert await notify_cases(ctx) == 0

    [opened] = await notifications(case)
    assert (opened.status, opened.error, opened.recipient) == ("failed", NOBODY, "")
    assert smtp.messages == []


async def test_two_runs_write_and_queue_one_notification(after_sales, runtime, smtp):
    case = await annas_case(after_sales)
    ctx = runtime.worker_context()

    await notify_cases(ctx)
    await notify_cases(ctx)
    await run_worker_until_idle(runtime)

    assert len(await notifications(case)) == 1
    assert len(smtp.messages) == 1


async def test_one_reminder_goes_half_an_hour_before_the_first_response_is_due(
    after_sales, runtime, smtp
):
    case = await annas_case(after_sales)

    assert await claim_reminders(shanghai(11, 29), LEAD) == 0
    assert await claim_reminders(shanghai(11, 30), LEAD) == 1
    assert await claim_reminders(shanghai(11, 45), LEAD) == 0

    [reminder] = await notifications(case)
    assert (reminder.kind, reminder.recipient) == ("first-response-due", LEE)
    stored = await FollowUpCase.get(id=case.id)
    assert stored.first_response_reminded_at == shanghai(11, 30)
    await send_notification(runtime.worker_context(), reminder.id)
    [email] = smtp.messages
    assert email["Subject"].strip() == (  # a long subject is folded after "Subject:"
        f"Reminder: case #{case.id} first response is due Mon 02 Dec 2030 12:00 (Asia/Shanghai)"
    )
    assert "still needs a first response" in email.get_body(("plain",)).get_content()


async def test_after_the_first_response_only_the_resolution_is_reminded(after_sales, runtime):
    case = await annas_case(after_sales)
    await record_first_response(case, shanghai(10, 40))

    assert await claim_reminders(shanghai(11, 30), LEAD) == 0
    resolution_due = case.resolution_due_at
    assert await claim_reminders(resolution_due - LEAD, LEAD) == 1

    [reminder] = await notifications(case)
    assert reminder.kind == "resolution-due"


async def test_a_resolved_case_is_not_reminded_of(after_sales, runtime):
    case = await annas_case(after_sales)
    await resolve(case, SYSTEM, now=shanghai(11))

    assert await claim_reminders(shanghai(11, 30), LEAD) == 0
    assert await notify_cases(runtime.worker_context()) == 0
    assert await notifications(case) == []


async def test_a_reminder_whose_clock_stopped_before_it_went_is_cancelled(
    after_sales, runtime, smtp
):
    case = await annas_case(after_sales)
    await claim_reminders(shanghai(11, 30), LEAD)
    await record_first_response(case, shanghai(11, 31))
    [reminder] = await notifications(case)

    outcome = await send_notification(runtime.worker_context(), reminder.id)

    assert outcome == "cancelled: the team responded before the reminder went"
    assert (await Notification.get(id=reminder.id)).status == "cancelled"
    assert smtp.messages == []


async def test_no_reminder_for_a_clock_shorter_than_the_lead(after_sales, runtime):
    case = await annas_case(after_sales)
    await FollowUpCase.filter(id=case.id).update(
        first_response_due_at=shanghai(10, 20), next_due_at=shanghai(10, 20)
    )

    assert await claim_reminders(shanghai(10, 5), LEAD) == 0

    assert await notifications(case) == []  # the "opened" email says when it is due
    assert (await FollowUpCase.get(id=case.id)).first_response_reminded_at is not None


async def test_the_lead_time_comes_from_the_worker_context(after_sales, runtime):
    now = datetime.now(UTC)
    case = await annas_case(after_sales, answered_at=now - timedelta(minutes=100))
    ctx = runtime.worker_context()  # first response due in 20 minutes
    assert ctx["follow_up_reminder_minutes"] == 30

    assert await notify_cases({**ctx, "follow_up_reminder_minutes": 10}) == 1  # opened only
    assert await notify_cases(ctx) == 1  # the reminder

    assert [n.kind for n in await notifications(case)] == ["opened", "first-response-due"]


async def test_a_worker_stopped_mid_send_leaves_it_unknown_never_sent_twice(
    after_sales, runtime, smtp
):
    case = await annas_case(after_sales)
    ctx = runtime.worker_context()
    await notify_cases(ctx)
    [opened] = await notifications(case)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await Notification.filter(id=opened.id).update(status="sending", updated_at=long_ago)

    assert await settle_stuck(datetime.now(UTC) - timedelta(minutes=10), datetime.now(UTC)) == 1
    assert await send_notification(ctx, opened.id) == (
        "skipped: not pending (sent, settled or taken by another worker)"
    )

    stored = await Notification.get(id=opened.id)
    assert (stored.status, stored.error) == ("unknown", STUCK)
    assert smtp.messages == []


async def test_a_lost_job_is_queued_again_and_sends_once(after_sales, runtime, smtp):
    case = await annas_case(after_sales)
    ctx = runtime.worker_context()
    await notify_cases(ctx)
    await runtime.redis.flushdb()  # Redis lost the queued job

    await notify_cases(ctx)
    await run_worker_until_idle(runtime)
    await notify_cases(ctx)
    await run_worker_until_idle(runtime)

    assert [n.status for n in await notifications(case)] == ["sent"]
    assert len(smtp.messages) == 1


async def test_a_refused_recipient_is_failed_with_the_reason(after_sales, runtime, smtp):
    case = await annas_case(after_sales)
    await notify_cases(runtime.worker_context())
    [opened] = await notifications(case)
    smtp.reject_next(1, 550)

    outcome = await send_notification(runtime.worker_context(), opened.id)

    stored = await Notification.get(id=opened.id)
    assert stored.status == "failed" and outcome == f"failed: {stored.error}"
    assert "550" in stored.error


async def test_a_busy_mail_server_is_tried_again(after_sales, runtime, smtp):
    from arq import Retry

    case = await annas_case(after_sales)
    await notify_cases(runtime.worker_context())
    [opened] = await notifications(case)
    smtp.reject_next(1, 451)

    with pytest.raises(Retry):
        await send_notification(runtime.worker_context(), opened.id)
    assert (await Notification.get(id=opened.id)).status == "pending"

    assert await send_notification(runtime.worker_context(), opened.id) == "sent by email"
    assert (await Notification.get(id=opened.id)).attempts == 2


async def test_kick_queues_one_run_for_many_answers(runtime):
    await kick(runtime.redis)
    await kick(runtime.redis)

    job = Job("notify-cases:kick", runtime.redis)
    assert await job.status() == JobStatus.queued
    assert await runtime.redis.zcard("arq:queue") == 1


def test_a_due_time_is_said_in_the_journey_time_zone():
    assert when(shanghai(12), SHANGHAI) == "Mon 02 Dec 2030 12:00 (Asia/Shanghai)"
    assert when(None, SHANGHAI) == "not set"


async def test_a_clock_that_ran_out_while_the_workers_were_down_is_still_reminded_of(
    after_sales, runtime, smtp
):
    case = await annas_case(after_sales)

    assert await claim_reminders(shanghai(14), LEAD) == 1  # two hours late

    [reminder] = await notifications(case)
    await send_notification(runtime.worker_context(), reminder.id)
    subject = smtp.messages[0]["Subject"].strip()
    assert subject.startswith(f"Reminder: case #{case.id} first response is due Mon 02 Dec")


async def test_old_cases_are_not_announced_when_notifications_start(after_sales, runtime):
    old = await annas_case(after_sales, answered_at=datetime.now(UTC) - timedelta(days=3))

    assert await notify_cases(runtime.worker_context()) == 0

    assert await notifications(old) == []


def test_the_lead_time_is_a_setting_of_whole_minutes():
    from pydantic import ValidationError

    from dispatch.settings import DispatchSettings
    from web.settings import variable_name

    assert DispatchSettings().follow_up_reminder_minutes == 30
    with pytest.raises(ValidationError):
        DispatchSettings(follow_up_reminder_minutes=0)
    location = ("dispatch", "follow_up_reminder_minutes")
    assert variable_name(location) == "TOUCHPOINT_FOLLOW_UP_REMINDER_MINUTES"
