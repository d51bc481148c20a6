"""What each `touchpoint` command does; `web.cli` parses the arguments."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext, suppress
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIServer
from zoneinfo import ZoneInfo

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from dispatch.channels.base import Channel, Draft
from dispatch.channels.registry import channel_named, channel_names
from dispatch.segments import count_segments, is_gsm7
from journeys.loader import JourneyFileError, load_journey
from journeys.models import Journey
from journeys.periods import Period, current_period, parse_any_period
from journeys.schema import JourneyDefinition
from journeys.store import apply_journey
from journeys.windows import in_send_window
from surveys.reports import format_review_table
from surveys.review import check_filters, check_period, review_figures
from surveys.review_filters import ReviewError, check_dimension, filters_from_query
from surveys.sql import reading_reports
from web import database, metrics
from web.app import create_app
from web.audit import cli_actor, key_target, record_as
from web.auth import create_api_key, hash_key
from web.cli import Command, print_json
from web.logs import logging_config
from web.models import ApiKey, User
from web.passwords import verify_password
from web.readiness import missing_migrations
from web.runtime import start_runtime, stop_runtime
from web.sample_history import DEMO_QUARTERS, SAMPLE_PREFIX, seed_demo_history
from web.secret_key import MissingSecretKey, resolve_secret_key
from web.settings import Settings, local_url
from web.users import create_user
from web.web_processes import serve_processes
from web.worker_liveness import Heartbeat
from web.workers import build_worker

DEMO_JOURNEY = "online-store.yaml"
DEMO_ADMIN = "admin@example.com"


@asynccontextmanager
async def connected(settings: Settings, *, reports: bool = False) -> AsyncIterator[None]:
    """Connected to the database; with `reports`, reads go to the reports database when
    TOUCHPOINT_REPORTS_DATABASE_URL names one (a command that only reads for a report)."""
    await database.connect(settings.effective_database_url, settings.reports_database_url)
    try:
        with reading_reports() if reports else nullcontext():
            yield
    finally:
        await database.disconnect()


async def migrate(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "check", False):
        return await check_migrations(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await database.migrate(settings.effective_database_url)
    print("migrations applied")
    return 0


async def check_migrations(settings: Settings) -> int:
    """0 when every migration is applied; else 1, saying what is missing (or why the
    database cannot tell), so a container can wait for the release's migration Job."""
    try:
        async with connected(settings):
            missing = await missing_migrations()
    except Exception as error:  # a database not there yet, or a schema not made yet
        print(f"cannot check the migrations yet: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    if missing:
        print(f"not applied: {', '.join(missing)}", file=sys.stderr)
        return 1
    print("every migration is applied")
    return 0


def _refuses_to_start(settings: Settings) -> bool:
    """True (and says why on stderr) when no secret key can be had: see web/secret_key.py."""
    try:
        resolve_secret_key(settings)
    except MissingSecretKey as error:
        print(f"touchpoint: cannot start: {error}", file=sys.stderr)
        return True
    return False


async def up(args: argparse.Namespace, settings: Settings) -> int:
    if _refuses_to_start(settings):
        return 2
    settings = settings.served_at(args.host, args.port)
    metrics.clear_stale_files()
    await migrate(args, settings)
    async with connected(settings):
        key = await _demo_setup(settings)
        password = await _demo_admin(settings)
        await _demo_history()
    _print_welcome(settings, args, key, password)
    return await _serve(create_app(settings, run_worker=True), args, settings)


async def web(args: argparse.Namespace, settings: Settings) -> int:
    if _refuses_to_start(settings):
        return 2
    settings = settings.served_at(args.host, args.port)
    metrics.clear_stale_files()
    if args.workers > 1:
        return serve_processes(args.workers, _uvicorn_options(args, settings), settings)
    return await _serve(create_app(settings), args, settings)


async def _serve(app: object, args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGTERM or SIGINT: uvicorn stops taking connections, lets the requests
    in flight finish, runs the shutdown, and this returns 0 (3, uvicorn's own code, when
    the app never started)."""
    server = uvicorn.Server(uvicorn.Config(app, **_uvicorn_options(args, settings)))
    # uvicorn raises the signal it stopped on again once done, for the handler it found:
    # this one takes it, so a SIGTERM that stopped the server cleanly exits 0.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    await server.serve()
    return 0 if server.started else STARTUP_FAILURE


def _uvicorn_options(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """X-Forwarded-* are believed only from the proxies named (uvicorn's rule); uvicorn
    logs through web/logs.py's handler."""
    return {
        "host": args.host,
        "port": args.port,
        "log_level": settings.log_level.lower(),
        "log_config": logging_config(settings.log_format, settings.log_level),
        "lifespan": "on",
        "proxy_headers": True,
        "forwarded_allow_ips": args.forwarded_allow_ips or settings.forwarded_allow_ips,
    }


async def worker(args: argparse.Namespace, settings: Settings) -> int:
    if _refuses_to_start(settings):
        return 2
    metrics.clear_stale_files()
    heartbeat = Heartbeat(args.stuck_after)
    try:
        served = _worker_metrics(args, settings, heartbeat)
    except OSError as error:
        print(
            f"touchpoint: cannot serve metrics on port {args.metrics_port}: {error}",
            file=sys.stderr,
        )
        return 2
    runtime = await start_runtime(settings)
    try:
        running = build_worker(runtime, await runtime.new_redis_pool(), burst=args.burst)
        heartbeat.follow(running)
        # async_run, not main: arq's SIGTERM handler stops the worker by cancelling the
        # task async_run starts, after letting the sends in flight finish: it waits as long
        # as a job may run (TOUCHPOINT_JOB_TIMEOUT_SECONDS), so give the process a grace
        # period longer than that before it is killed.
        with suppress(asyncio.CancelledError):
            await running.async_run()
        with suppress(asyncio.CancelledError):
            await running.close()
    finally:
        if served is not None:
            served.shutdown()
        await stop_runtime(runtime)
    return 0


def _worker_metrics(
    args: argparse.Namespace, settings: Settings, heartbeat: Heartbeat
) -> WSGIServer | None:
    """The worker's own /metrics and /healthz when --metrics-port is given (web/metrics.py)."""
    if args.metrics_port is None:
        return None
    token = metrics.metrics_token(settings)
    return metrics.serve_worker_metrics(args.metrics_host, args.metrics_port, token, heartbeat)


async def demo(args: argparse.Namespace, settings: Settings) -> int:
    async with connected(settings):
        key = await _demo_setup(settings)
        password = await _demo_admin(settings)
    print(f"demo journey applied; demo API key: {key}")
    print(f"console: sign in as {DEMO_ADMIN}, {_password_hint(password)}")
    return 0


def _demo_definition() -> tuple[JourneyDefinition, str]:
    text = resources.files("journeys.demo").joinpath(DEMO_JOURNEY).read_text("utf-8")
    return load_journey(text, source=DEMO_JOURNEY, channels=channel_names()), text


#: Zones the welcome text may pick for its sample customer, east to west.
_SAMPLE_ZONES = (
    "Pacific/Auckland",
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Europe/Berlin",
    "UTC",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Honolulu",
)


def _zone_open_now(definition: JourneyDefinition) -> str:
    """A time zone where the demo's send window is open now, so the tour sends at once."""
    now = datetime.now(UTC)
    for name in _SAMPLE_ZONES:
        if in_send_window(now, definition.send_window, ZoneInfo(name)):
            return name
    return definition.timezone


async def _demo_setup(settings: Settings) -> str:
    """Apply the demo journey, and keep one demo API key in the data directory."""
    definition, text = _demo_definition()
    if not await Journey.exists(key=definition.journey):
        await apply_journey(definition, text)
    key_file = settings.data_dir / "demo-api-key"
    if key_file.exists():
        key = key_file.read_text().strip()
        if await ApiKey.exists(key_hash=hash_key(key), revoked_at=None):
            return key
    _, key = await create_api_key("demo")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(key + "\n")
    os.chmod(key_file, 0o600)
    return key


async def _demo_history() -> None:
    """Quarters of sample answers the first time, so the review has history to show."""
    seeded = await seed_demo_history(_demo_definition()[0].journey)
    if seeded is not None:
        print(
            f"sample history: {seeded.answers:,} answers over {DEMO_QUARTERS} quarters"
            f" (marked {SAMPLE_PREFIX})",
            flush=True,
        )


async def _demo_admin(settings: Settings) -> str:
    """The demo admin's password, made once and kept in the data directory ("" once the
    admin has chosen another)."""
    password_file = settings.data_dir / "demo-admin-password"
    password = password_file.read_text().strip() if password_file.exists() else ""
    if not password:
        password = secrets.token_urlsafe(12)
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password + "\n")
        os.chmod(password_file, 0o600)
    admin = await User.get_or_none(email=DEMO_ADMIN)
    if admin is None:
        await create_user(DEMO_ADMIN, "admin", password, display_name="Demo admin")
        detail = {"role": "admin", "initial": "generated"}
        await record_as(cli_actor(), "user.created", DEMO_ADMIN, detail)
    elif not verify_password(admin.password_hash, password):
        return ""  # changed in the console since: theirs to keep
    return password


def _print_welcome(settings: Settings, args: argparse.Namespace, key: str, password: str) -> None:
    base = local_url(args.host, args.port)
    zone = _zone_open_now(_demo_definition()[0])
    links = "" if settings.public_url == base else f"\n  survey links   {settings.public_url}/s/..."
    # An event id and a customer of this run's own: the README's command (evt-1, anna) may
    # have run already, and a second survey to one customer waits for the contact policy.
    tour = secrets.token_hex(3)
    print(
        f"""
Touchpoint is starting on {base}

  console        {base}/            sign in as {DEMO_ADMIN}, {_password_hint(password)}
  outbox         {base}/outbox        (messages land here until Twilio/SMTP are configured)
  demo API key   {key}{links}

Try it: post an order that was delivered eight days ago, then open the outbox.

  curl -s {base}/api/v1/events -H "Authorization: Bearer {key}" \\
    -H "Content-Type: application/json" \\
    -d '{{"events": [{{"id": "tour-{tour}", "type": "order.delivered",
          "occurred_at": "{_days_ago(8)}",
          "customer": {{"id": "anna-{tour}", "phone": "+14155550123", "timezone": "{zone}"}}}}]}}'

The demo journey sends between 09:00 and 20:00, Monday to Saturday, in the customer's time
zone; {zone} is one where that is now.
""",
        flush=True,  # before the server's log, also when the output is not a terminal
    )


def _password_hint(password: str) -> str:
    if password:
        return f"password {password}"
    return f"your own password (reset: touchpoint users set-password --email {DEMO_ADMIN})"


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0).isoformat()


def _load_files(files: list[Path]) -> tuple[list[tuple[JourneyDefinition, str]], int]:
    loaded, failures = [], 0
    for path in files:
        try:
            text = path.read_text("utf-8")
            loaded.append((load_journey(text, source=str(path), channels=channel_names()), text))
        except OSError as error:
            print(f"{path}: cannot read: {error.strerror}")
            failures += 1
        except JourneyFileError as error:
            print(error)
            failures += 1
    return loaded, failures


async def journeys_validate(args: argparse.Namespace, settings: Settings) -> int:
    loaded, failures = _load_files(args.files)
    for definition, _ in loaded:
        print(f"{definition.journey}: OK ({len(definition.touchpoints)} touchpoints)")
        for name in channel_names():
            channel = channel_named(name)
            if channel is not None and channel.counts_segments:
                _print_segments(definition, channel)
    return 1 if failures else 0


#: What SMS wording is measured with: a survey link as long as a real one, and a first name.
SAMPLE_LINK = "https://shop.example/s/" + "x" * 17
SAMPLE_FIRST_NAME = {"en": "Alexandra", "zh-CN": "王小明"}


def _print_segments(definition: JourneyDefinition, channel: type[Channel]) -> None:
    """Segments of each wording of a channel billed per segment, at its longest touchpoint
    name; a warning is no error."""
    name = channel.name
    variants = definition.messages.wording(name) or {"default": None}
    for variant, wording in variants.items():
        languages = [lang for lang, _ in wording.items()] if wording else ["en", "zh-CN"]
        for language in languages:
            texts = [
                channel.render(_sample_draft(definition, t.key, language, variant)).text
                for t in definition.touchpoints
            ]
            text = max(texts, key=lambda text: (count_segments(text), len(text)))
            segments = count_segments(text)
            path = (
                f"messages.{name}.{variant}.{language}"
                if wording
                else f"default {name} ({language})"
            )
            detail = (
                f"({'GSM-7' if is_gsm7(text) else 'UCS-2'}, {len(text)} characters with a link)"
            )
            print(f"  {path}: {segments} segment{'s' * (segments != 1)} {detail}")
            if segments > 1:
                warning = f"warning: {path} is {segments} segments {detail}"
                print(f"{warning}: customers are billed per segment")


def _sample_draft(definition: JourneyDefinition, key: str, language: str, variant: str) -> Draft:
    return Draft(
        definition=definition,
        touchpoint=key,
        invitation_id=0,
        to="",
        link=SAMPLE_LINK,
        locale=language,
        variant=variant,
        first_name=SAMPLE_FIRST_NAME[language],
    )


async def journeys_apply(args: argparse.Namespace, settings: Settings) -> int:
    loaded, failures = _load_files(args.files)
    if failures:
        print("nothing applied")
        return 1
    async with connected(settings):
        for definition, text in loaded:
            applied = await apply_journey(definition, text)
            state = "applied as version" if applied.changed else "unchanged at version"
            print(f"{definition.journey}: {state} {applied.version}")
    return 0


async def journeys_list(args: argparse.Namespace, settings: Settings) -> int:
    async with connected(settings):
        for journey in await Journey.all().order_by("key"):
            state = "active" if journey.active else "inactive"
            print(f"{journey.key}\tversion {journey.version}\t{state}\t{journey.name}")
    return 0


async def apikeys_create(args: argparse.Namespace, settings: Settings) -> int:
    actor = cli_actor()
    async with connected(settings):
        row, key = await create_api_key(args.name, created_by=actor.label)
        await record_as(actor, "api_key.created", key_target(row))
    print(f"API key {row.id} ({row.name}); shown once, keep it safe:\n{key}")
    return 0


async def apikeys_list(args: argparse.Namespace, settings: Settings) -> int:
    async with connected(settings):
        for row in await ApiKey.all().order_by("id"):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            used = (
                f"last used {row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
            )
            print(f"{row.id}\t{row.name}\t{state}\t{used}")
    return 0


async def apikeys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    async with connected(settings):
        revoked = await ApiKey.filter(id=args.id, revoked_at=None).update(
            revoked_at=datetime.now(UTC)
        )
        if revoked:
            await record_as(
                cli_actor(), "api_key.revoked", key_target(await ApiKey.get(id=args.id))
            )
    print(f"API key {args.id} revoked" if revoked else f"no active API key {args.id}")
    return 0 if revoked else 1


async def report(args: argparse.Namespace, settings: Settings) -> int:
    async with connected(settings, reports=True):
        journey = await Journey.get_or_none(key=args.journey)
        if journey is None:
            print(f"no journey {args.journey!r}")
            return 1
        try:
            period = parse_any_period(args.period) if args.period else _current(journey)
            check_period(period, journey.timezone)
        except ReviewError as error:
            print(f"--period: {error.message}")
            return 2
        except ValueError as error:
            print(f"--period: {error}")
            return 2
        try:
            filters = filters_from_query(_report_filters(args))
            by = check_dimension(args.by)
            await check_filters(journey.key, filters, by)
        except ReviewError as error:
            print(f"--{error.field.replace('_', '-')}: {error.message}")
            return 2
        result = await review_figures(
            journey.key, period, filters=filters, by=by, min_sample=settings.surveys.min_sample
        )
    if args.format == "json":
        print_json(result.as_dict())
    elif args.format == "csv":
        sys.stdout.write(result.csv_text())
    else:
        print(format_review_table(result), end="")
    return 0


def _report_filters(args: argparse.Namespace) -> dict[str, object]:
    """The command's options as the review's query parameters."""
    names = ("touchpoint", "segment", "channel", "language", "variant", "experiment")
    found: dict[str, object] = {name: getattr(args, name, None) for name in names}
    return found | {"attribute": args.attribute or [], "count_by": args.count_by}


def _current(journey: Journey) -> Period:
    return current_period(datetime.now(UTC), ZoneInfo(journey.timezone))


COMMANDS: dict[str, Command] = {
    "up": up,
    "web": web,
    "worker": worker,
    "migrate": migrate,
    "demo": demo,
    "journeys validate": journeys_validate,
    "journeys apply": journeys_apply,
    "journeys list": journeys_list,
    "apikeys create": apikeys_create,
    "apikeys list": apikeys_list,
    "apikeys revoke": apikeys_revoke,
    "report": report,
}
