"""The agents' queue filters, read from the page's query string.

Every filter is a GET parameter, so a view can be bookmarked and shared: `journey`,
`touchpoint`, `team` (`mine`: the teams I am on and cases of no team; `any`; or a team's
key), `owner` (`anyone`, `me`, `unassigned`), `status` (`active`: open and waiting; `open`,
`waiting`, `resolved`), `overdue` (`1`) and `page`. A bad value is an error beside its
field, never a 500. An agent's default is their teams' active cases; an admin's, every team's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from journeys.models import Journey, Touchpoint
from surveys.models import Team

TEAM_MINE, TEAM_ANY = "mine", "any"
OWNERS = ("anyone", "me", "unassigned")
STATUSES = ("active", "open", "waiting", "resolved")
_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_YES = ("1", "on", "yes", "true")


@dataclass(frozen=True)
class QueueFilters:
    journey: str = ""
    touchpoint: str = ""
    team: str = TEAM_MINE
    owner: str = "anyone"
    status: str = "active"
    overdue: bool = False
    page: int = 1

    def query(self, **changes: object) -> str:
        """The query string of this view (with `changes`), for links and paging."""
        shown = replace(self, **changes)  # type: ignore[arg-type]
        pairs = {
            "journey": shown.journey,
            "touchpoint": shown.touchpoint,
            "team": shown.team,
            "owner": shown.owner,
            "status": shown.status,
            "overdue": "1" if shown.overdue else "",
            "page": str(shown.page) if shown.page > 1 else "",
        }
        return urlencode({name: value for name, value in pairs.items() if value})


def parse_filters(
    params: Mapping[str, str], *, default_team: str
) -> tuple[QueueFilters, dict[str, str]]:
    """The filters asked for, and what was wrong with any of them, by field."""
    errors: dict[str, str] = {}

    def key(name: str) -> str:
        value = params.get(name, "").strip()
        if value and not _KEY.fullmatch(value):
            errors[name] = f"{value[:64]!r} is not a {name} key (lower case letters, digits, -)"
            return ""
        return value

    def one_of(name: str, choices: tuple[str, ...], default: str) -> str:
        value = params.get(name, "").strip() or default
        if value not in choices:
            errors[name] = f"{value[:64]!r} is not one of: {', '.join(choices)}"
            return default
        return value

    team = params.get("team", "").strip() or default_team
    if team not in (TEAM_MINE, TEAM_ANY) and not _KEY.fullmatch(team):
        errors["team"] = f"{team[:64]!r} is not a team key, {TEAM_MINE!r} or {TEAM_ANY!r}"
        team = default_team
    overdue = params.get("overdue", "").strip().lower()
    if overdue not in ("", "0", "no", "false", *_YES):
        errors["overdue"] = f"{overdue[:64]!r}: overdue is 1 (only overdue cases) or empty"
    page_text = params.get("page", "1").strip() or "1"
    page_ok = page_text.isascii() and page_text.isdecimal() and len(page_text) <= 6
    page_ok = page_ok and int(page_text) >= 1
    if not page_ok:
        errors["page"] = "page is a whole number from 1"
    filters = QueueFilters(
        journey=key("journey"),
        touchpoint=key("touchpoint"),
        team=team,
        owner=one_of("owner", OWNERS, "anyone"),
        status=one_of("status", STATUSES, "active"),
        overdue=overdue in _YES,
        page=int(page_text) if page_ok else 1,
    )
    return filters, errors


async def unknown_names(filters: QueueFilters) -> dict[str, str]:
    """Journeys, touchpoints and teams named in the filters that do not exist."""
    errors = {}
    if filters.journey and not await Journey.exists(key=filters.journey):
        errors["journey"] = f"there is no journey {filters.journey!r}"
    if filters.touchpoint:
        touchpoints = Touchpoint.filter(key=filters.touchpoint)
        if filters.journey:
            touchpoints = touchpoints.filter(journey__key=filters.journey)
        if not await touchpoints.exists():
            where = f" in the journey {filters.journey!r}" if filters.journey else ""
            errors["touchpoint"] = f"there is no touchpoint {filters.touchpoint!r}{where}"
    if filters.team not in (TEAM_MINE, TEAM_ANY) and not await Team.exists(key=filters.team):
        errors["team"] = f"there is no team {filters.team!r}"
    return errors
