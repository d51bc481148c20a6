"""What an answer is broken down by in the review, copied onto it when it is stored.

The review groups answers by channel, language, segment, wording variant and any attribute
of the interaction or the customer (store, region, script). Reading those through the
invitation, the customer and the interaction would join three tables for every answer of a
quarter, and customer attributes are JSON, which SQLite and PostgreSQL query differently.
So they are copied once, when the answer is stored: columns on the answer, and one
`answer_attribute` row per attribute. The copy is what was true when the customer answered
(a customer who moves from tier B to A later still counts in B for that answer).
"""

from __future__ import annotations

from typing import Any

from journeys.models import Customer, Interaction
from surveys.models import Answer, AnswerAttribute, Invitation

#: Attributes that name or reach a person, which nobody breaks a review down by: not copied.
PERSONAL = frozenset(
    {"first_name", "last_name", "name", "full_name", "email", "phone", "address", "postcode"}
)
#: Longest attribute name and value kept; a longer value is cut, not refused.
NAME_LIMIT = 63
VALUE_LIMIT = 200


def attribute_rows(customer: dict[str, Any], interaction: dict[str, Any]) -> dict[str, str]:
    """The attributes an answer is broken down by: the customer's, then the interaction's
    over them (an interaction's `store` says where this purchase was). Only plain values:
    a nested object or a list is not something to group by."""
    found: dict[str, str] = {}
    for source in (customer, interaction):
        for name, value in (source or {}).items():
            if not isinstance(name, str) or not name or len(name) > NAME_LIMIT:
                continue
            if name.lower() in PERSONAL:
                continue
            if isinstance(value, bool):
                found[name] = "true" if value else "false"
            elif isinstance(value, (str, int, float)) and str(value).strip():
                found[name] = str(value).strip()[:VALUE_LIMIT]
    return found


#: The invitation's customer, the answer's dimension columns, and its attributes.
Dimensions = tuple[Customer, dict[str, Any], dict[str, str]]


async def answer_columns(invitation: Invitation) -> Dimensions:
    """The invitation's customer, the answer's dimension columns, and its attributes
    (the interaction and its customer read in one statement)."""
    interaction = await Interaction.get(id=invitation.interaction_id).select_related("customer")  # type: ignore[attr-defined]
    return dimensions_of(invitation, interaction.customer, interaction)


def dimensions_of(
    invitation: Invitation, customer: Customer, interaction: Interaction
) -> Dimensions:
    """The customer, the answer's dimension columns and its attributes, from rows read."""
    columns = {
        "channel": invitation.channel,
        "locale": invitation.locale,
        "segment": customer.segment,
        "variant": invitation.variant,
        "experiment": invitation.experiment,
        "interaction_at": interaction.occurred_at,
    }
    return customer, columns, attribute_rows(customer.attributes, interaction.attributes)


async def store_attributes(answer: Answer, attributes: dict[str, str]) -> None:
    if attributes:
        await AnswerAttribute.bulk_create(
            [AnswerAttribute(answer_id=answer.id, name=k, value=v) for k, v in attributes.items()]
        )
