"""Opt-outs: recorded once per address, lifted with an audit trail, and checked at send time."""

from __future__ import annotations

from datetime import UTC, datetime

from dispatch.models import Message, OptOut
from dispatch.optouts import active_opt_out, active_opt_outs, is_opted_out, opt_in, opt_out
from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus
from tests.stories import ANNA, BEN, CHEN, Shop

TODAY = f"{datetime.now(UTC):%Y-%m-%d}"


async def test_an_opted_out_phone_gets_no_survey(client, api_key, shop_journey, runtime):
    shop = Shop(client, api_key)
    await opt_out("+1 415 555 0123", "phone", "sms-stop", note="stop")
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")

    outcome = await send_invitation(runtime.worker_context(), invitation.id)

    stopped = await Invitation.get(id=invitation.id)
    assert stopped.status == InvitationStatus.SUPPRESSED
    assert stopped.reason == f"opted out (sms-stop {TODAY})"
    assert outcome == f"suppressed: opted out (sms-stop {TODAY})"
    assert not await Message.exists()


async def test_an_unsubscribed_email_gets_no_survey(client, api_key, shop_journey, runtime):
    shop = Shop(client, api_key)
    await opt_out("Ben@Example.com", "email", "email-unsubscribe")
    await shop.delivered("B-1", to=BEN)
    invitation = await shop.invitation_for("B-1")

    await send_invitation(runtime.worker_context(), invitation.id)

    stopped = await Invitation.get(id=invitation.id)
    assert stopped.status == InvitationStatus.SUPPRESSED
    assert stopped.reason == f"opted out (email-unsubscribe {TODAY})"


async def test_after_opting_back_in_anna_is_surveyed_again(client, api_key, shop_journey, runtime):
    shop = Shop(client, api_key)
    await opt_out(ANNA.phone, "phone", "sms-stop", note="stop")
    assert await opt_in(ANNA.phone, "phone", "sms-start")
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")

    assert await send_invitation(runtime.worker_context(), invitation.id) == "sent by console"


async def test_opting_out_twice_keeps_the_first_opt_out(db):
    first = await opt_out(ANNA.phone, "phone", "sms-stop", note="STOP")
    again = await opt_out(ANNA.phone, "phone", "api", note="CRM sync")

    assert again.id == first.id
    assert (again.source, again.note) == ("sms-stop", "STOP")
    assert await OptOut.all().count() == 1


async def test_opting_in_keeps_the_history_and_a_new_opt_out_reopens_it(db):
    await opt_out(ANNA.phone, "phone", "sms-stop", note="STOP")
    await opt_in(ANNA.phone, "phone", "sms-start")

    lifted = await OptOut.get(address=ANNA.phone)
    assert lifted.revoked_at is not None and lifted.revoked_by == "sms-start"
    assert not await is_opted_out(ANNA.phone, "phone")
    assert not await opt_in(ANNA.phone, "phone", "sms-start")

    again = await opt_out(ANNA.phone, "phone", "console", note="asked the agent")
    assert (again.revoked_at, again.source) == (None, "console")
    assert await is_opted_out(ANNA.phone, "phone")
    assert await OptOut.all().count() == 1


async def test_an_opt_out_is_announced_to_the_webhooks_once(db):
    from surveys.models import OutboxEvent

    await opt_out(ANNA.phone, "phone", "sms-stop", note="STOP")
    await opt_out(ANNA.phone, "phone", "api", note="CRM sync")

    [event] = await OutboxEvent.filter(type="opt_out.created")
    assert event.data["address"] == ANNA.phone
    assert (event.data["kind"], event.data["source"]) == ("phone", "sms-stop")


async def test_opting_out_again_after_opting_in_is_announced_again(db):
    from surveys.models import OutboxEvent

    await opt_out(ANNA.phone, "phone", "sms-stop")
    await opt_in(ANNA.phone, "phone", "sms-start")
    await opt_out(ANNA.phone, "phone", "console")

    sources = [
        e.data["source"] for e in await OutboxEvent.filter(type="opt_out.created").order_by("id")
    ]
    assert sources == ["sms-stop", "console"]


async def test_one_read_finds_the_opt_out_of_each_address_that_has_one(db):
    stop = await opt_out(ANNA.phone, "phone", "sms-stop", note="STOP")
    await opt_out(BEN.email, "email", "email-unsubscribe")
    await opt_in(BEN.email, "email", "console")
    addresses = [(ANNA.phone, "phone"), (CHEN.email, "email"), (BEN.email, "email")]

    holding = await active_opt_outs(addresses)  # type: ignore[arg-type]

    assert list(holding) == [(ANNA.phone, "phone")]
    assert holding[(ANNA.phone, "phone")].id == stop.id
    for address, kind in addresses:
        assert (address, kind) in holding or await active_opt_out(address, kind) is None
