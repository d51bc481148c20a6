"""Who may act on a follow-up case: the one place that says so.

An admin may act on any case. An agent may act on the cases of the teams they are a member
of, and on cases that went to no team (a journey with no team set: anyone on duty follows
them up). Anyone else (a viewer, an editor) acts on none. Reading a case needs only the
"cases" scope; assigning, noting, replying, waiting and resolving go through
`ensure_may_act`, whose refusal is a 403 that changes nothing.
"""

from __future__ import annotations

from typing import Any

from surveys.followups import CaseError, team_keys_of
from surveys.models import FollowUpCase

CASE_ROLES = frozenset({"agent", "admin"})


class NotYourTeam(CaseError):
    """The agent is not a member of the case's team."""

    status = 403


async def may_act_on(user: Any, case: FollowUpCase) -> bool:
    """Whether this console user may change this case."""
    role = getattr(user, "role", None)
    if role == "admin":
        return True
    if role not in CASE_ROLES or not getattr(user, "is_authenticated", False):
        return False
    if case.team_key is None:
        return True
    return case.team_key in await team_keys_of(int(user.id))


async def ensure_may_act(user: Any, case: FollowUpCase) -> None:
    """Refuse (403, nothing changed) a user who may not act on the case."""
    if not await may_act_on(user, case):
        raise NotYourTeam(
            f"case {case.id} belongs to the team {case.team_key!r}, which you are not a "
            "member of; nothing was changed. An admin can add you to the team."
        )
