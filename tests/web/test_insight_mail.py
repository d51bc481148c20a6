"""The monthly insight report reaches the CX team once a month: on the first working day,
once, whatever the restarts, crashes and mail-server outages in between."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pydantic import ValidationError

from dispatch.settings import SmtpSettings
from journeys.periods import Month
from surveys.models import MonthlyInsightReport
from tests.servers.smtp import SmtpServer, _free_port
from web.insight_mail import cron_jobs, due_month, first_working_day
from web.settings import Settings, problems

LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = time(9, 0)
#: 1 November 2026 is a Sunday: October's report goes out on Monday the 2nd.
SUNDAY_1ST = datetime(2026, 11, 1, 10, tzinfo=UTC)
MONDAY_0905 = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)
TEAM = "cx@shop.example, head.of.cx@shop.example"


def test_the_first_working_day_skips_weekends_and_holidays():
    cases = [
        # month, holidays, first working day
        (Month(2026, 10), (), date(2026, 10, 1)),  # a Thursday
        (Month(2026, 11), (), date(2026, 11, 2)),  # Sunday 1st -> Monday
        (Month(2026, 8), (), date(2026, 8, 3)),  # Saturday 1st -> Monday
        (Month(2027, 1), (date(2027, 1, 1),), date(2027, 1, 4)),  # holiday Friday -> Monday
        (Month(2026, 1), (date(2026, 1, 1),), date(2026, 1, 2)),  # holiday Thursday -> Friday
        (Month(2026, 12), (date(2026, 12, 25),), date(2026, 12, 1)),  # a later holiday: none
    ]
    for month, holidays, expected in cases:
        due = first_working_day(month, LONDON, holidays, NINE)
        assert (due.date(), due.time(), due.tzinfo) == (expected, NINE, LONDON), month


def test_the_month_due_is_last_month_once_the_first_working_day_reaches_nine():
    utc = lambda *parts: datetime(*parts, tzinfo=UTC)  # noqa: E731
    cases = [
        # now, time zone, holidays, the month whose report is due (None: none)
        (utc(2026, 11, 1, 10), LONDON, (), None),  # Sunday: October's not yet
        (utc(2026, 11, 2, 8, 59), LONDON, (), None),
        (utc(2026, 11, 2, 9, 0), LONDON, (), Month(2026, 10)),
        (utc(2026, 11, 30, 23), LONDON, (), Month(2026, 10)),  # a worker down till the end
        (utc(2026, 12, 1, 0), LONDON, (), None),  # ... but not into December
        (utc(2026, 11, 2, 0, 59), SHANGHAI, (), None),  # 08:59 in Shanghai
        (utc(2026, 11, 2, 1, 0), SHANGHAI, (), Month(2026, 10)),  # 09:00 in Shanghai
        (utc(2026, 10, 1, 7, 59), LONDON, (), None),  # 09:00 BST is 08:00 UTC
        (utc(2026, 10, 1, 8, 0), LONDON, (), Month(2026, 9)),
        (utc(2027, 1, 1, 10), LONDON, (date(2027, 1, 1),), None),
        (utc(2027, 1, 1, 10), LONDON, (), Month(2026, 12)),
        (utc(2027, 1, 4, 9), LONDON, (date(2027, 1, 1),), Month(2026, 12)),
    ]
    for now, zone, holidays, expected in cases:
        assert due_month(now, zone, holidays, NINE) == expected, now


@pytest.fixture
def mailing(settings: Settings, smtp: SmtpServer, shop_journey) -> Settings:
    """The shop's settings with the CX team as recipients and the loopback mail server."""
    return settings.model_copy(
        update={
            "insights_recipients": TEAM,
            "smtp": SmtpSettings(
                host=smtp.host, port=smtp.port, from_="reports@shop.example", tls="none"
            ),
        }
    )


async def run_cron(settings: Settings, now: datetime) -> None:
    """One run of the worker's cron at `now`, as arq calls it."""
    (job,) = cron_jobs(settings)
    with time_machine.travel(now, tick=False):
        await job.coroutine({})


async def test_the_first_working_day_after_a_weekend_first_sends_october_once(mailing, smtp):
    await run_cron(mailing, SUNDAY_1ST)
    assert smtp.messages == []

    await run_cron(mailing, MONDAY_0905)
    await run_cron(mailing, MONDAY_0905 + timedelta(minutes=10))  # the next run of the cron

    (message,) = smtp.messages
    assert message["Subject"] == "Touchpoint insights for October 2026"
    assert smtp.deliveries[0].rcpt_tos == ("cx@shop.example", "head.of.cx@shop.example")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.startswith("# Insights for October 2026")
    assert "<h1" in html and "Insights for October 2026" in html
    row = await MonthlyInsightReport.get(month="2026-10")
    assert (row.sent_at, row.error, row.recipients) == (
        MONDAY_0905,
        None,
        ["cx@shop.example", "head.of.cx@shop.example"],
    )


async def test_a_crash_between_claim_and_send_sends_once_when_the_claim_is_stale(mailing, smtp):
    crashed_at = MONDAY_0905
    await MonthlyInsightReport.create(month="2026-10", claimed_at=crashed_at, recipients=[])

    await run_cron(mailing, crashed_at + timedelta(minutes=10))  # maybe still sending: wait
    assert smtp.messages == []

    await run_cron(mailing, crashed_at + timedelta(minutes=40))
    await run_cron(mailing, crashed_at + timedelta(minutes=80))

    assert len(smtp.messages) == 1
    assert (await MonthlyInsightReport.get(month="2026-10")).sent_at == crashed_at + timedelta(
        minutes=40
    )


async def test_a_mail_server_down_records_the_error_and_a_later_run_sends(mailing, smtp):
    down = mailing.model_copy(
        update={"smtp": mailing.smtp.model_copy(update={"port": _free_port()})}
    )

    await run_cron(down, MONDAY_0905)

    row = await MonthlyInsightReport.get(month="2026-10")
    assert row.sent_at is None and row.error
    assert smtp.messages == []

    smtp.reject_next(1, 451)  # the next day the server is up, but busy
    await run_cron(mailing, MONDAY_0905 + timedelta(days=1))
    row = await MonthlyInsightReport.get(month="2026-10")
    assert row.sent_at is None and "451" in row.error

    await run_cron(mailing, MONDAY_0905 + timedelta(days=1, minutes=10))
    await run_cron(mailing, MONDAY_0905 + timedelta(days=1, minutes=20))

    assert len(smtp.messages) == 1
    row = await MonthlyInsightReport.get(month="2026-10")
    assert (row.sent_at, row.error) == (MONDAY_0905 + timedelta(days=1, minutes=10), None)


async def test_a_worker_down_on_the_first_working_day_sends_when_it_is_back(mailing, smtp):
    await run_cron(mailing, datetime(2026, 11, 9, 14, tzinfo=UTC))
    await run_cron(mailing, datetime(2026, 11, 9, 14, 10, tzinfo=UTC))

    (message,) = smtp.messages
    assert message["Subject"] == "Touchpoint insights for October 2026"


async def test_without_a_mail_server_nothing_is_claimed(mailing, smtp):
    unset = mailing.model_copy(update={"smtp": SmtpSettings()})

    await run_cron(unset, MONDAY_0905)
    assert await MonthlyInsightReport.all().count() == 0

    await run_cron(mailing, MONDAY_0905 + timedelta(minutes=10))  # the mail server is set

    assert len(smtp.messages) == 1


def test_no_recipients_no_mailing_and_a_misspelt_one_is_named(settings: Settings):
    assert cron_jobs(settings) == []

    with pytest.raises(ValidationError) as refused:
        Settings(insights_recipients="cx@shop.example, head of cx")

    assert problems(refused.value) == [
        "TOUCHPOINT_INSIGHTS_RECIPIENTS: not an email address: 'head of cx' "
        "(comma-separated addresses)"
    ]
    assert Settings(
        insights_recipients=" a@shop.example ,b@shop.example,"
    ).insights_recipient_list == [
        "a@shop.example",
        "b@shop.example",
    ]
