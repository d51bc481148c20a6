"""Links expire a lifetime after sending; only sent, unanswered invitations end as expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys.expiry import expire_invitations
from surveys.models import Invitation, InvitationStatus
from surveys.responses import SurveyClosed, check_open, record_response
from surveys.settings import SurveysSettings
from tests.stories import sent_invitation

NOW = datetime.now(UTC)
LIFETIME = SurveysSettings().link_lifetime
PAST = NOW - timedelta(minutes=1)
LATER = NOW + timedelta(days=1)


async def invitation(client, api_key, name: str, **fields) -> Invitation:
    found = await sent_invitation(
        client, api_key, {"id": name, "phone": "+1415555" + name[:4]}, name
    )
    await Invitation.filter(id=found.id).update(**fields)
    return await Invitation.get(id=found.id)


async def test_it_expires_only_sent_unanswered_invitations_past_their_time(
    client, api_key, shop_journey
):
    cases = {
        "0001": ({"status": InvitationStatus.SENT, "expires_at": PAST}, "expired"),
        "0002": ({"status": InvitationStatus.DELIVERED, "expires_at": PAST}, "expired"),
        "0003": ({"status": InvitationStatus.UNKNOWN, "expires_at": PAST}, "expired"),
        "0004": ({"status": InvitationStatus.SENT, "expires_at": LATER}, "sent"),
        "0005": ({"status": InvitationStatus.SENT, "expires_at": None}, "sent"),
        "0006": ({"status": InvitationStatus.ANSWERED, "expires_at": PAST}, "answered"),
        "0007": ({"status": InvitationStatus.FAILED, "expires_at": PAST}, "failed"),
        "0008": ({"status": InvitationStatus.SCHEDULED, "expires_at": None}, "scheduled"),
        # left unknown by a crash before it was stamped: a lifetime after it was due
        "0009": (
            {"status": InvitationStatus.UNKNOWN, "send_at": NOW - timedelta(days=31)},
            "expired",
        ),
        "0010": ({"status": InvitationStatus.UNKNOWN, "send_at": NOW}, "unknown"),
    }
    rows = {name: await invitation(client, api_key, name, **f) for name, (f, _) in cases.items()}

    assert await expire_invitations(NOW, LIFETIME) == 4

    for name, (_, status) in cases.items():
        stored = await Invitation.get(id=rows[name].id)
        assert (name, stored.status) == (name, status)
        if status == "expired":
            assert stored.reason == "no answer within 30 days"
    assert await expire_invitations(NOW, LIFETIME) == 0


async def test_the_reason_names_the_configured_lifetime(client, api_key, shop_journey):
    row = await invitation(client, api_key, "0001", expires_at=PAST)

    await expire_invitations(NOW, timedelta(days=7))

    assert (await Invitation.get(id=row.id)).reason == "no answer within 7 days"


async def test_an_answer_after_expiry_is_refused_before_the_cron_runs(
    client, api_key, shop_journey
):
    row = await invitation(client, api_key, "0001", expires_at=PAST)

    with pytest.raises(SurveyClosed) as closed:
        check_open(row)
    assert closed.value.status == InvitationStatus.EXPIRED
    with pytest.raises(SurveyClosed):
        await record_response(row, nps=9, csat=None, comment=None)
    check_open(row, now=PAST - timedelta(days=1))  # open the day before
