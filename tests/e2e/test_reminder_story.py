"""Ben does not answer the email survey: three days later he gets one reminder, through the
real SMTP server, then leaves with his mail client's one-click unsubscribe button, and the
next survey email for his address is not sent.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from surveys.models import Invitation, InvitationStatus
from tests.stories import BEN, run_worker_until_idle

UNSUBSCRIBE = re.compile(r"<(http://testserver/u/[A-Za-z0-9_-]+)>")


async def test_ben_is_reminded_once_then_unsubscribes_with_one_click(
    shop, browser, live, smtp, shop_journey
):
    await shop.delivered("B-1", to=BEN, days_ago=8)
    await run_worker_until_idle(live)
    [invitation_email] = smtp.messages
    invitation = await shop.invitation_for("B-1")
    assert invitation.reminder_due_at is not None

    # three days pass without an answer
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Invitation.filter(id=invitation.id).update(reminder_due_at=past)
    await run_worker_until_idle(live)
    await run_worker_until_idle(live)  # the cron runs again: still one reminder

    [_, reminder] = smtp.messages
    assert reminder["To"] == BEN.email
    assert reminder["Subject"].startswith("Reminder: ")
    assert f"/s/{invitation.token}" in reminder.get_body(("plain",)).get_content()
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.SENT

    leave = UNSUBSCRIBE.fullmatch(invitation_email["List-Unsubscribe"]).group(1)
    assert invitation_email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert leave in invitation_email.get_body(("plain",)).get_content()
    done = await browser.post(leave, content="List-Unsubscribe=One-Click")
    assert done.status_code == 200

    await shop.ticket_closed("T-1", to=BEN, days_ago=8)
    await run_worker_until_idle(live)

    assert len(smtp.messages) == 2  # the opt-out check of the send task stopped it
    ticket = await shop.invitation_for("T-1")
    assert ticket.status == InvitationStatus.SUPPRESSED


async def test_a_greylisted_reminder_is_put_back_and_sent_later(shop, live, smtp, shop_journey):
    await shop.delivered("B-1", to=BEN, days_ago=8)
    await run_worker_until_idle(live)
    invitation = await shop.invitation_for("B-1")
    await Invitation.filter(id=invitation.id).update(
        reminder_due_at=datetime.now(UTC) - timedelta(minutes=1)
    )

    smtp.reject_next(1, code=451)  # "try again later"
    await run_worker_until_idle(live)

    waiting = await Invitation.get(id=invitation.id)
    assert waiting.reminded_at is None
    assert waiting.reminder_due_at > datetime.now(UTC), "put back for a later run"
    assert len(smtp.messages) == 1

    await Invitation.filter(id=invitation.id).update(
        reminder_due_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    await run_worker_until_idle(live)

    [_, reminder] = smtp.messages
    assert reminder["Subject"].startswith("Reminder: ")
    assert (await Invitation.get(id=invitation.id)).reminded_at is not None
