"""Which channel carried an invitation, and which the touchpoint asked for, in the API and
the outbox: without credentials the console carries Anna's SMS, and both say so."""

from __future__ import annotations

from dispatch.tasks import send_invitation
from tests.console import signed_in
from tests.stories import ANNA, Shop


async def test_the_api_says_the_console_carried_annas_sms(client, api_key, shop_journey, runtime):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")
    auth = {"Authorization": f"Bearer {api_key}"}
    before = await client.get("/api/v1/invitations?customer=anna", headers=auth)
    await send_invitation(runtime.worker_context(), invitation.id)

    after = await client.get("/api/v1/invitations?customer=anna", headers=auth)

    [waiting] = before.json()["invitations"]
    assert (waiting["channel"], waiting["requested_channel"]) == (None, None)
    [sent] = after.json()["invitations"]
    assert (sent["channel"], sent["requested_channel"]) == ("console", "sms")


async def test_the_openapi_document_describes_both_channels(client):
    schema = (await client.get("/api/v1/openapi.json")).json()

    fields = schema["components"]["schemas"]["Invitation"]["properties"]
    assert "console" in fields["channel"]["description"]
    assert fields["requested_channel"]["type"] == ["string", "null"]


async def test_the_outbox_shows_the_console_standing_in_for_sms(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")
    await send_invitation(runtime.worker_context(), invitation.id)

    await signed_in(client, "viewer")
    page = await client.get("/outbox")

    row = page.text.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert '<td>console<br><span class="muted">for sms</span></td>' in row
    assert '<td class="num">1</td>' in row, "an SMS is counted in segments, whoever carried it"
