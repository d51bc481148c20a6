"""An operator shortens the wait before a failed send is tried again.

Twilio is down when Anna's survey is due. With TOUCHPOINT_SEND_RETRY_FIRST_WAIT_SECONDS
at 4, the invitation goes back on the schedule for 2 to 4 seconds later, not the default
15 to 30, and the worker's job is deferred by the same wait.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from arq import Retry

from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus
from tests.e2e.faults import deliver_orders
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA
from web.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    dispatch = settings.dispatch.model_copy(update={"send_retry_first_wait_seconds": 4.0})
    return settings.model_copy(update={"dispatch": dispatch})


async def test_a_failed_send_is_retried_after_the_wait_the_operator_set(
    client, api_key, shop_journey, live, twilio: TwilioServer
):
    [invitation_id] = await deliver_orders(client, api_key, [ANNA])
    twilio.outage(500)

    with pytest.raises(Retry) as retry:
        await send_invitation(live.worker_context(), invitation_id)

    invitation = await Invitation.get(id=invitation_id)
    assert invitation.status == InvitationStatus.SCHEDULED
    wait = (invitation.send_at - datetime.now(UTC)).total_seconds()
    assert 1 <= wait <= 4
    assert 2 <= retry.value.defer_score / 1000 <= 4
