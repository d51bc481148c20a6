"""The `touchpoint` command: run the service, apply journeys, manage keys, print reports.

Every command reads the same TOUCHPOINT_* environment, so web and workers can run as
separate processes against PostgreSQL and an external Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from web.logs import configure_logging
from web.settings import DEFAULT_HOST, DEFAULT_PORT, Settings, problems
from web.worker_liveness import STUCK_AFTER_SECONDS

Command = Callable[[argparse.Namespace, Settings], Awaitable[int]]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="touchpoint",
        description="Customer-journey surveys: events in, SMS and email surveys out, "
        "NPS and CSAT per touchpoint.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="everything in one process, with embedded defaults")
    _add_bind(up)
    web = commands.add_parser("web", help="serve the web app (API, survey pages, console)")
    _add_bind(web)
    web.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="web processes sharing the port (default 1); with more than one, each builds "
        "the app afresh from the environment",
    )
    worker = commands.add_parser("worker", help="run a worker that sends invitations")
    worker.add_argument(
        "--burst", action="store_true", help="send what falls due within the next minute, then stop"
    )
    worker.add_argument(
        "--metrics-port", type=_port, help="serve this worker's Prometheus metrics (default: off)"
    )
    worker.add_argument(
        "--metrics-host", default="0.0.0.0", help="address of --metrics-port (default 0.0.0.0)"
    )
    worker.add_argument(
        "--stuck-after",
        type=_seconds,
        default=STUCK_AFTER_SECONDS,
        metavar="SECONDS",
        help="the --metrics-port's /healthz answers 503 once the worker has not read the "
        f"queue for this long (default {STUCK_AFTER_SECONDS:g})",
    )
    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument(
        "--check",
        action="store_true",
        help="apply nothing; exit 1 while a migration is not applied (for an init container)",
    )
    commands.add_parser("demo", help="apply the demo journey and print a demo API key")

    journeys = commands.add_parser("journeys", help="validate, apply and list journeys")
    journey_commands = journeys.add_subparsers(dest="journeys_command", required=True)
    for name, text in (("validate", "check journey files"), ("apply", "store journey files")):
        sub = journey_commands.add_parser(name, help=text)
        sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
    journey_commands.add_parser("list", help="list journeys and their versions")

    keys = commands.add_parser("apikeys", help="create, list and revoke API keys")
    key_commands = keys.add_subparsers(dest="apikeys_command", required=True)
    create = key_commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True)
    key_commands.add_parser("list", help="list keys (never the keys themselves)")
    revoke = key_commands.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("id", type=int)

    users = commands.add_parser("users", help="create and list the console's users")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    create_user = user_commands.add_parser(
        "create", help="create a user; asks for the password (or reads it with --password-stdin)"
    )
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--role", required=True, help="admin, editor, viewer or agent")
    create_user.add_argument("--name", default="", help="the name shown in the console")
    _add_password_stdin(create_user)
    user_commands.add_parser("list", help="list users and their roles")
    set_role = user_commands.add_parser("set-role", help="change a user's role")
    set_role.add_argument("--email", required=True)
    set_role.add_argument("--role", required=True, help="admin, editor, viewer or agent")
    set_password = user_commands.add_parser(
        "set-password", help="set a user's password; ends their sessions"
    )
    set_password.add_argument("--email", required=True)
    _add_password_stdin(set_password)

    report = commands.add_parser("report", help="print the review's figures per touchpoint")
    report.add_argument("--journey", required=True)
    report.add_argument(
        "--period",
        help="a quarter (2026-Q3), month (2026-10) or ISO week (2026-W42); default: this quarter",
    )
    report.add_argument(
        "--by", help="break down by channel, language, segment, variant, experiment or attribute"
    )
    for name in ("touchpoint", "segment", "channel", "language", "variant", "experiment"):
        report.add_argument(f"--{name}", help=f"only answers of this {name}")
    report.add_argument(
        "--attribute",
        action="append",
        metavar="NAME:VALUE",
        help="only answers with this attribute (store:Pudong); repeat for several",
    )
    report.add_argument(
        "--count-by",
        choices=("answered", "interaction"),
        default="answered",
        help="count an answer in the period it was given (default) or of its interaction",
    )
    report.add_argument("--format", choices=("table", "csv", "json"), default="table")
    report.add_argument(
        "--json", dest="format", action="store_const", const="json", help="same as --format json"
    )

    from web import case_commands, export_commands, insight_commands, sample_history_command

    case_commands.add_parser(commands)
    export_commands.add_parser(commands)
    insight_commands.add_parser(commands)
    sample_history_command.add_parser(commands)
    return parser


def _add_bind(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}); survey links follow it unless "
        "TOUCHPOINT_PUBLIC_URL is set",
    )

    parser.add_argument(
        "--forwarded-allow-ips",
        help="proxies whose X-Forwarded-For/-Proto are trusted "
        "(default: TOUCHPOINT_FORWARDED_ALLOW_IPS, else 127.0.0.1)",
    )


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1-65535): {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds above 0: {text!r}")
    return seconds


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a number of processes (1 or more): {text!r}")
    return int(text)


def _add_password_stdin(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (for scripts)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(_settings_problem(error), file=sys.stderr)
        return 2
    configure_logging(settings.log_format, settings.log_level)
    from web import (
        case_commands,
        commands,
        export_commands,
        insight_commands,
        sample_history_command,
        user_commands,
    )

    every = (
        commands.COMMANDS
        | user_commands.COMMANDS
        | case_commands.COMMANDS
        | export_commands.COMMANDS
        | insight_commands.COMMANDS
        | sample_history_command.COMMANDS
    )
    command: Command = every[_command_name(args)]
    try:
        return asyncio.run(command(args, settings))
    except KeyboardInterrupt:
        return 130


def _command_name(args: argparse.Namespace) -> str:
    sub = getattr(args, f"{args.command}_command", None)
    return f"{args.command} {sub}" if sub else args.command


def _settings_problem(error: ValidationError) -> str:
    found = problems(error)
    heading = "a bad setting" if len(found) == 1 else f"{len(found)} bad settings"
    return "\n".join([f"touchpoint: {heading} (environment or .env):", *map("  {}".format, found)])


def print_json(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    raise SystemExit(main())
