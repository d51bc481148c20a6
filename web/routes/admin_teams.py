"""The admin's teams page: the service teams that follow up unhappy customers.

A journey's follow-up rule names a team by its key (`follow_up: {team: care}`); a case opened
under that rule goes to the team, round-robin among the members who take cases. Here an
admin creates a team (key, name, an optional shared email the team is told at), adds and
removes its members (console users who are agents or admins), turns a member's taking of
new cases off and on (on leave, still a member), and keeps the list of root causes the
team tags resolved cases with, one per line.

Every change is written to the audit log (team.created, team.changed). A bad field is a
form error beside it, with a 400, and nothing is written.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise.exceptions import IntegrityError

from surveys.models import Team, TeamMember
from web.access import requires
from web.audit import record
from web.case_access import CASE_ROLES
from web.models import User
from web.templating import problem_page, templates
from web.users import UserError, normalise_email

PATH = "/admin/teams"
KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
NAME_LIMIT = 100
CAUSE_LIMIT = 100
CAUSES_MAX = 50
NOTICES = {
    "created": "The team {team} is created.",
    "member-added": "{email} is a member of {team}.",
    "member-removed": "{email} is no longer a member of {team}.",
    "takes-cases": "{email} takes new cases of {team} again.",
    "paused": "{email} takes no new cases of {team} for now.",
    "causes": "The root causes of {team} are saved.",
}


def team_problems(key: str, name: str, email: str) -> dict[str, str]:
    """Every bad field of the new-team form, by field."""
    errors = {}
    if not KEY.fullmatch(key):
        errors["key"] = (
            "a key is 1 to 63 lower case letters, digits, - or _, starting with a letter "
            "or digit, as the journey file names it (follow_up: {team: care})"
        )
    if not name or len(name) > NAME_LIMIT:
        errors["name"] = f"a name has 1 to {NAME_LIMIT} characters"
    if email:
        try:
            normalise_email(email)
        except UserError as error:
            errors["email"] = str(error)
    return errors


def parse_root_causes(text: str) -> list[str]:
    """One root cause per line, blank lines and repeats dropped, in the order typed."""
    causes: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        cause = " ".join(line.split())
        if not cause:
            continue
        if len(cause) > CAUSE_LIMIT:
            raise ValueError(f"a root cause has at most {CAUSE_LIMIT} characters: {cause[:40]!r}…")
        if cause not in causes:
            causes.append(cause)
    if len(causes) > CAUSES_MAX:
        raise ValueError(f"keep at most {CAUSES_MAX} root causes (this has {len(causes)})")
    return causes


async def _page(
    request: Request,
    status: int = 200,
    *,
    notice: str = "",
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    teams = await Team.all().order_by("key").prefetch_related("members")
    context: dict[str, Any] = {
        "section": "admin-teams",
        "teams": teams,
        "members": {t.key: sorted(t.members, key=lambda m: m.email) for t in teams},
        "people": await User.filter(role__in=list(CASE_ROLES), disabled_at=None).order_by("email"),
        "notice": notice,
        "errors": errors or {},
        "form": form or {},
    }
    return templates.TemplateResponse(
        request, "console/admin_teams.html", context, status_code=status
    )


def _back(done: str, team: Team, email: str = "") -> Response:
    query = urlencode({"done": done, "team": team.key, "email": email})
    return RedirectResponse(f"{PATH}?{query}#team-{team.key}", status_code=303)


@requires("admin")
async def show_teams(request: Request) -> Response:
    params = request.query_params
    template = NOTICES.get(params.get("done", ""))
    notice = (
        template.format(team=params.get("team", ""), email=params.get("email", ""))
        if template
        else ""
    )
    return await _page(request, notice=notice)


@requires("admin")
async def create_team(request: Request) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip()[:300] for name in ("key", "name", "email")}
    errors = team_problems(values["key"], values["name"], values["email"])
    if not errors:
        email = normalise_email(values["email"]) if values["email"] else None
        try:
            team = await Team.create(key=values["key"], name=values["name"], email=email)
        except IntegrityError:
            errors = {"key": f"there is a team {values['key']!r} already"}
    if errors:
        return await _page(request, 400, errors=errors, form=values)
    await record(request, "team.created", team.key, {"name": team.name, "email": team.email})
    return _back("created", team)


async def _team(request: Request) -> Team | None:
    return await Team.get_or_none(key=request.path_params["key"])


def _no_such(request: Request, what: str) -> Response:
    return problem_page(
        request, 404, f"No such {what}", f"The {what} was not found. Nothing changed."
    )


@requires("admin")
async def add_member(request: Request) -> Response:
    team = await _team(request)
    if team is None:
        return _no_such(request, "team")
    chosen = str((await request.form()).get("user", "")).strip()
    known = chosen.isascii() and chosen.isdecimal() and len(chosen) < 10
    person = await User.get_or_none(id=int(chosen)) if known else None
    if person is None or person.role not in CASE_ROLES or person.disabled_at is not None:
        message = "choose a console user who is an agent or an admin"
        return await _page(request, 400, errors={f"{team.key}:member": message})
    _, created = await TeamMember.get_or_create(
        team=team, user_id=person.id, defaults={"email": person.email}
    )
    if created:
        await record(request, "team.changed", team.key, {"member_added": person.email})
    return _back("member-added", team, person.email)


async def _member(request: Request) -> tuple[Team, TeamMember] | Response:
    team = await _team(request)
    if team is None:
        return _no_such(request, "team")
    member = await TeamMember.get_or_none(team=team, user_id=request.path_params["user_id"])
    if member is None:
        return _no_such(request, "member")
    return team, member


@requires("admin")
async def remove_member(request: Request) -> Response:
    found = await _member(request)
    if isinstance(found, Response):
        return found
    team, member = found
    await TeamMember.filter(id=member.id).delete()
    await record(request, "team.changed", team.key, {"member_removed": member.email})
    return _back("member-removed", team, member.email)


@requires("admin")
async def takes_cases(request: Request) -> Response:
    found = await _member(request)
    if isinstance(found, Response):
        return found
    team, member = found
    wanted = str((await request.form()).get("takes_cases", "")) == "on"
    if member.takes_cases != wanted:
        await TeamMember.filter(id=member.id).update(takes_cases=wanted)
        detail = {"member": member.email, "takes_cases": wanted}
        await record(request, "team.changed", team.key, detail)
    return _back("takes-cases" if wanted else "paused", team, member.email)


@requires("admin")
async def save_root_causes(request: Request) -> Response:
    team = await _team(request)
    if team is None:
        return _no_such(request, "team")
    text = str((await request.form()).get("root_causes", ""))[:20_000]
    try:
        causes = parse_root_causes(text)
    except ValueError as error:
        field = f"{team.key}:root_causes"
        return await _page(request, 400, errors={field: str(error)}, form={field: text})
    if causes != list(team.root_causes):
        await Team.filter(id=team.id).update(root_causes=causes)
        await record(request, "team.changed", team.key, {"root_causes": causes})
    return _back("causes", team)


MEMBER = f"{PATH}/{{key}}/members/{{user_id:int}}"
routes = [
    Route(PATH, show_teams, methods=["GET"], name="admin_teams"),
    Route(PATH, create_team, methods=["POST"], name="admin_create_team"),
    Route(f"{PATH}/{{key}}/members", add_member, methods=["POST"], name="admin_team_add"),
    Route(f"{MEMBER}/remove", remove_member, methods=["POST"], name="admin_team_remove"),
    Route(f"{MEMBER}/takes-cases", takes_cases, methods=["POST"], name="admin_team_takes"),
    Route(f"{PATH}/{{key}}/root-causes", save_root_causes, methods=["POST"], name="team_causes"),
]
