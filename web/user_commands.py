"""`touchpoint users ...`: the console's users, made and changed from the terminal.

The password is asked for on the terminal (twice, not echoed), or read from the first line
of standard input with --password-stdin, so a script never puts it on a command line where
`ps` and shell history would keep it.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from web.access import ROLES
from web.audit import cli_actor, record_as
from web.cli import Command
from web.commands import connected
from web.models import User
from web.settings import Settings
from web.users import UserError, create_user, find_user, set_password, set_role


class NoPassword(Exception):
    pass


def read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise NoPassword("--password-stdin: standard input held no password")
        return line.rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise NoPassword("the two passwords differ")
    return first


def _fail(message: str) -> int:
    print(f"touchpoint users: {message}", file=sys.stderr)
    return 2


async def users_create(args: argparse.Namespace, settings: Settings) -> int:
    if args.role not in ROLES:
        return _fail(f"--role: unknown role {args.role!r}; one of: {', '.join(ROLES)}")
    try:
        password = read_password(args)
        async with connected(settings):
            user = await create_user(args.email, args.role, password, display_name=args.name)
            detail = {"role": user.role, "initial": "typed"}
            await record_as(cli_actor(), "user.created", user.email, detail)
    except (UserError, NoPassword) as error:
        return _fail(str(error))
    print(f"user {user.email} created with the role {user.role}")
    return 0


async def users_list(args: argparse.Namespace, settings: Settings) -> int:
    async with connected(settings):
        for user in await User.all().order_by("email"):
            print(f"{user.email}\t{user.role}\tcreated {user.created_at:%Y-%m-%d}")
    return 0


async def users_set_role(args: argparse.Namespace, settings: Settings) -> int:
    async with connected(settings):
        user = await find_user(args.email)
        if user is None:
            return _fail(f"no user with the email {args.email!r}")
        before = user.role
        try:
            await set_role(user, args.role)
        except UserError as error:
            return _fail(str(error))
        if user.role != before:
            detail = {"from": before, "to": user.role}
            await record_as(cli_actor(), "user.role_changed", user.email, detail)
    print(f"{user.email} now has the role {user.role}")
    return 0


async def users_set_password(args: argparse.Namespace, settings: Settings) -> int:
    try:
        password = read_password(args)
        async with connected(settings):
            user = await find_user(args.email)
            if user is None:
                return _fail(f"no user with the email {args.email!r}")
            ended = await set_password(user, password)
            detail = {"sessions_ended": ended}
            await record_as(cli_actor(), "user.password_reset", user.email, detail)
    except (UserError, NoPassword) as error:
        return _fail(str(error))
    print(f"password of {user.email} changed; sessions ended: {ended}")
    return 0


COMMANDS: dict[str, Command] = {
    "users create": users_create,
    "users list": users_list,
    "users set-role": users_set_role,
    "users set-password": users_set_password,
}
