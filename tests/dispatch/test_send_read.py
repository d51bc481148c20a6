"""What a send reads in one statement is what the ORM reads, and the definition is the
version's own, parsed once."""

from __future__ import annotations

import pytest
from tortoise.exceptions import DoesNotExist

from dispatch.send_read import sending_invitation
from journeys.store import journey_definition
from surveys.models import Invitation
from tests.stories import ANNA, Shop


async def test_the_invitation_and_its_rows_are_read_as_the_orm_reads_them(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA)
    scheduled = await shop.invitation_for("A-1")

    invitation, definition = await sending_invitation(scheduled.id)

    orm = (
        await Invitation.filter(id=scheduled.id)
        .select_related("customer", "touchpoint__journey", "interaction")
        .get()
    )
    for ours, theirs in [
        (invitation, orm),
        (invitation.customer, orm.customer),
        (invitation.touchpoint, orm.touchpoint),
        (invitation.touchpoint.journey, orm.touchpoint.journey),
        (invitation.interaction, orm.interaction),
    ]:
        fields = type(theirs)._meta.db_fields
        assert {f: getattr(ours, f) for f in fields} == {f: getattr(theirs, f) for f in fields}
    expected = await journey_definition(orm.touchpoint.journey, orm.journey_version)
    assert definition == expected
    _, again = await sending_invitation(scheduled.id)
    assert again is definition  # parsed once


async def test_an_unknown_invitation_is_not_found(client, api_key, shop_journey, runtime):
    with pytest.raises(DoesNotExist):
        await sending_invitation(999_999)
