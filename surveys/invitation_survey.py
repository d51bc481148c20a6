"""What an invitation asks, read in one statement: the survey page's hot path.

Opening a survey link needs the invitation, its touchpoint and journey, the journey version
it was sent with (its wording and questions) and any answer already given. Read one at a
time that is five statements, and the definition is parsed and validated on every page. So
they are joined into one statement, and the definition comes back as its stored text: a
version's text never changes, so the parsed, validated definition is kept per text (a
bounded cache keyed by the text itself, so two databases, or a version rolled back and
written again, can never be mistaken for each other). A definition from the cache is
shared: read it, never change it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

from tortoise import connections
from tortoise.exceptions import DoesNotExist
from tortoise.models import Model

from journeys.models import Customer, Interaction
from journeys.schema import JourneyDefinition, Survey, TouchpointDefinition
from surveys.answer_dimensions import Dimensions, dimensions_of
from surveys.models import Answer, Invitation, InvitationStatus

#: Parsed definitions kept; a deployment has a few journeys with a few live versions each.
CACHED_DEFINITIONS = 64


@dataclass(frozen=True)
class InvitationSurvey:
    """What an invitation asks: its journey, touchpoint and questions, as they were sent."""

    journey: JourneyDefinition
    touchpoint: TouchpointDefinition
    survey: Survey
    #: The stored keys and id, for the payloads and cases an answer writes.
    journey_key: str = ""
    touchpoint_key: str = ""
    touchpoint_id: int = 0

    @property
    def brand(self) -> str:
        return self.journey.brand or self.journey.name

    def touchpoint_name(self, locale: str) -> str:
        return self.touchpoint.display_name(locale)


@dataclass(frozen=True)
class SavedAnswer:
    """The answer already given to an invitation, as the survey form shows it again."""

    id: int
    nps: int | None
    csat: int | None
    comment: str | None


@lru_cache(maxsize=CACHED_DEFINITIONS)
def parse_definition(text: str) -> JourneyDefinition:
    """The validated definition of a stored version's text (see the module docstring)."""
    return JourneyDefinition.model_validate(json.loads(text))


_PLAN_COLUMNS = (
    "t.id AS plan_touchpoint_id, t.key AS plan_touchpoint_key, j.key AS plan_journey_key,"
    " CAST(v.definition AS TEXT) AS plan_definition"
)
_PLAN_JOINS = (
    " JOIN touchpoint t ON t.id = i.touchpoint_id"
    " JOIN journey j ON j.id = t.journey_id"
    " JOIN journey_version v ON v.journey_id = j.id AND v.version = i.journey_version"
)


def _numbered(sql: str) -> str:
    if connections.get("default").capabilities.dialect != "postgres":
        return sql
    return sql.replace("?", "$1")


def _plan(row: Any) -> InvitationSurvey:
    definition = parse_definition(row["plan_definition"])
    key = row["plan_touchpoint_key"]
    settings = definition.touchpoint(key)
    return InvitationSurvey(
        definition,
        settings,
        definition.surveys[settings.survey],
        journey_key=row["plan_journey_key"],
        touchpoint_key=key,
        touchpoint_id=row["plan_touchpoint_id"],
    )


async def _one_row(sql: str, value: Any) -> dict[str, Any] | None:
    rows = await connections.get("default").execute_query_dict(_numbered(sql), [value])
    return rows[0] if rows else None


async def invitation_survey(invitation: Invitation | LinkInvitation) -> InvitationSurvey:
    """The survey of the journey version the invitation was scheduled with."""
    sql = f"SELECT {_PLAN_COLUMNS} FROM invitation i{_PLAN_JOINS} WHERE i.id = ?"
    row = await _one_row(sql, invitation.id)
    if row is None:
        raise DoesNotExist(f"invitation {invitation.id} has no journey version to answer")
    return _plan(row)


@dataclass(slots=True)
class LinkInvitation:
    """A survey link's invitation as the page and a first answer read it: a plain record of
    one row rather than a tortoise model (building the model cost a third of the link's
    read). The fields are the model's, so the answer's checks and writes take either; an
    answer sets `status`."""

    id: int
    token: str
    status: InvitationStatus
    expires_at: datetime | None
    locale: str
    channel: str | None
    variant: str
    experiment: str | None
    journey_version: int
    touchpoint_id: int
    customer_id: int
    interaction_id: int


@dataclass(frozen=True)
class OpenedLink:
    """A survey link's invitation, what it asks, the answer so far and, when opened to
    answer an unanswered invitation, what a first answer copies."""

    invitation: LinkInvitation
    plan: InvitationSurvey
    saved: SavedAnswer | None
    dimensions: Dimensions | None = None


#: What a survey link's page and a first answer read of the invitation (in `LinkInvitation`'s
#: order), its customer and its interaction; the other columns (stamps, mostly: each one
#: parsed on SQLite) are left unread. Inside the answer's transaction the invitation is read
#: again, locked, with `sent_at` too (`locked_invitation`): what the answer's checks and
#: writes use.
_LINK_COLUMNS = {
    Invitation: (
        "id", "token", "status", "expires_at", "locale", "channel", "variant", "experiment",
        "journey_version", "touchpoint_id", "customer_id", "interaction_id",
    ),
    Customer: ("id", "external_id", "segment", "attributes"),
    Interaction: ("id", "occurred_at", "attributes"),
}  # fmt: skip


#: Which columns of a row: all, the link's (True) or the locked invitation's ("locked").
Partial = bool | str


_LOCKED_COLUMNS = (*_LINK_COLUMNS[Invitation], "sent_at")


def _columns(model: type[Model], partial: Partial) -> tuple[str, ...]:
    if not partial:
        return tuple(model._meta.db_fields)
    return _LOCKED_COLUMNS if partial == "locked" else _LINK_COLUMNS[model]


def _select(model: type[Model], alias: str, prefix: str, *, partial: Partial = False) -> str:
    columns = _columns(model, partial)
    return ", ".join(f"{alias}.{column} AS {prefix}{column}" for column in columns)


M = TypeVar("M", bound=Model)


def _build(model: type[M], row: Any, prefix: str, *, partial: Partial = False) -> M:
    return model._init_from_db(**{c: row[prefix + c] for c in _columns(model, partial)})


def _link_invitation(row: Any) -> LinkInvitation:
    """The record from the row's first columns, converted as tortoise converts them (the
    status to its enum; on SQLite the stamp from its text, aware), the stamp with the C
    parser rather than tortoise's pure Python one."""
    values = list(row[: len(_LINK_COLUMNS[Invitation])])
    values[2] = InvitationStatus(values[2])
    if isinstance(values[3], str):
        values[3] = _aware(datetime.fromisoformat(values[3]))
    return LinkInvitation(*values)


def _aware(moment: datetime) -> datetime:
    """Tortoise writes stamps with their offset; one without is UTC, as tortoise reads it."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@lru_cache(maxsize=2)
def _open_sql(answering: bool) -> str:
    people = people_joins = ""
    if answering:
        people = (
            f", {_select(Customer, 'c', 'c_', partial=True)},"
            f" {_select(Interaction, 'n', 'n_', partial=True)}"
        )
        people_joins = (
            " JOIN customer c ON c.id = i.customer_id JOIN interaction n ON n.id = i.interaction_id"
        )
    return (
        f"SELECT {_select(Invitation, 'i', 'i_', partial=True)}, {_PLAN_COLUMNS}{people},"
        " a.id AS saved_id, a.nps AS saved_nps, a.csat AS saved_csat,"
        " a.comment AS saved_comment"
        f" FROM invitation i{_PLAN_JOINS}{people_joins}"
        " LEFT JOIN answer a ON a.invitation_id = i.id"
        " WHERE i.token = ?"
    )


async def open_invitation(token: str, *, answering: bool = False) -> OpenedLink | None:
    """The invitation of a survey link, what it asks and the answer given so far, in one
    statement (with `answering`, its customer and interaction too); None for a token
    nobody was sent. The rows come as the driver gives them (no dict per row)."""
    client = connections.get("default")
    _, rows = await client.execute_query(_numbered(_open_sql(answering)), [token])
    if not rows:
        return None
    row = rows[0]
    invitation = _link_invitation(row)
    saved = None
    if row["saved_id"] is not None:
        saved = SavedAnswer(
            row["saved_id"], row["saved_nps"], row["saved_csat"], row["saved_comment"]
        )
    dimensions = None
    if answering and saved is None:
        dimensions = dimensions_of(
            invitation,  # type: ignore[arg-type]  # the record has the columns it reads
            _build(Customer, row, "c_", partial=True),
            _build(Interaction, row, "n_", partial=True),
        )
    return OpenedLink(invitation, _plan(row), saved, dimensions)


async def locked_invitation(invitation_id: int) -> tuple[Invitation, Answer | None]:
    """The invitation, locked for the rest of the transaction (PostgreSQL; SQLite's one
    writer needs no lock), and its answer if it has one: one statement. Of the invitation,
    what the answer's checks and writes read (the link's columns and `sent_at`)."""
    client = connections.get("default")
    lock = " FOR UPDATE OF i" if client.capabilities.dialect == "postgres" else ""
    sql = (
        f"SELECT {_select(Invitation, 'i', 'i_', partial='locked')}, {_select(Answer, 'a', 'a_')}"
        f" FROM invitation i LEFT JOIN answer a ON a.invitation_id = i.id WHERE i.id = ?{lock}"
    )
    rows = await client.execute_query_dict(_numbered(sql), [invitation_id])
    if not rows:
        raise DoesNotExist(f"invitation {invitation_id} is gone")
    row = rows[0]
    answer = _build(Answer, row, "a_") if row["a_id"] is not None else None
    return _build(Invitation, row, "i_", partial="locked"), answer
