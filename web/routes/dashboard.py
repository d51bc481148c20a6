"""The dashboard: the console's home, what a CX team looks at first each morning.

Per journey: this quarter's scores so far against target, the answers of the last 7 days
(one bar a day, in the journey's time zone), and the delivery health of the last 7 days. The
database counts: each figure is a grouped query per journey (or per touchpoint, summed
here), never a loop over rows, so the page costs the same with a million answers.

Delivery health, over the last 7 days:

- sent: invitations sent; delivered: messages the provider confirmed as delivered (the
  console channel never confirms, so in the demo this stays 0);
- failed: invitations that ended failed, or unknown after a send that could not be confirmed;
- suppressed: invitations that ended without a send, by reason: opted out, a contact rule
  (the contact policy or a touchpoint of higher priority), or anything else (not sampled,
  stale, no address, journey paused);
- held now: invitations waiting on a contact rule or the send window, whenever scheduled;
- opt-outs: addresses that opted out in the 7 days, across every journey (an opt-out is
  about an address, not a journey).

Follow-ups: this quarter's figures per team (the quarter in UTC, across journeys; see
`surveys/followup_figures.py` for what each one counts), and the cases open and overdue
now, with a link to the overdue queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.expressions import Q
from tortoise.functions import Count

from dispatch.models import Message, OptOut
from journeys.models import Journey, Touchpoint
from journeys.periods import current_period
from journeys.store import journey_definition
from surveys.followup_figures import CaseFigures, FiguresReport, period_figures, spoken_duration
from surveys.models import Answer, Invitation, InvitationStatus
from surveys.reports import touchpoint_report
from web.access import requires
from web.bar_chart import BarChart, daily_bars
from web.journey_map import JourneyScores, journey_scores
from web.templating import templates

DAYS = 7
#: How the contact rules (`journeys.contact`) and the send window word a deferral or a
#: suppression: the reasons that count as "held by a contact rule".
CONTACT_RULE_REASONS = ("contact policy", "lost to ")
WINDOW_REASON = "outside the send window"
OPTED_OUT_REASON = "opted out"


@dataclass(frozen=True)
class DeliveryHealth:
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    suppressed_opted_out: int = 0
    suppressed_contact_rule: int = 0
    suppressed_other: int = 0
    held: int = 0

    @property
    def suppressed(self) -> int:
        return self.suppressed_opted_out + self.suppressed_contact_rule + self.suppressed_other


@dataclass(frozen=True)
class JourneyDashboard:
    journey: Journey
    period: str
    scores: JourneyScores
    chart: BarChart
    health: DeliveryHealth


def last_days(now: datetime, zone: ZoneInfo, days: int = DAYS) -> list[date]:
    """The last `days` calendar days in the zone, today last."""
    today = now.astimezone(zone).date()
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


async def _touchpoint_ids(journey: Journey) -> list[int]:
    return list(await Touchpoint.filter(journey_id=journey.id).values_list("id", flat=True))


async def answers_per_day(journey: Journey, days: list[date]) -> dict[date, int]:
    """Answers per local day of the journey, counted in one grouped query."""
    zone = ZoneInfo(journey.timezone)
    ids = await _touchpoint_ids(journey)
    if not ids or not days:
        return {}
    bounds = [_start_of(day, zone) for day in [*days, days[-1] + timedelta(days=1)]]
    counts = {
        f"day{i}": Count("id", _filter=Q(answered_at__gte=bounds[i], answered_at__lt=bounds[i + 1]))
        for i in range(len(days))
    }
    rows = (
        await Answer.filter(
            touchpoint_id__in=ids, answered_at__gte=bounds[0], answered_at__lt=bounds[-1]
        )
        .annotate(**counts)
        .group_by("touchpoint_id")
        .values(*counts)
    )
    return {day: sum(int(row[f"day{i}"]) for row in rows) for i, day in enumerate(days)}


def _reason_starts(*prefixes: str) -> Q:
    return Q(*(Q(reason__startswith=prefix) for prefix in prefixes), join_type="OR")


async def delivery_health(journey: Journey, since: datetime) -> DeliveryHealth:
    ids = await _touchpoint_ids(journey)
    if not ids:
        return DeliveryHealth()
    suppressed = Q(status=InvitationStatus.SUPPRESSED, updated_at__gte=since)
    opted_out = _reason_starts(OPTED_OUT_REASON)
    contact_rule = _reason_starts(*CONTACT_RULE_REASONS)
    counts = {
        "sent": Count("id", _filter=Q(sent_at__gte=since)),
        "failed": Count(
            "id",
            _filter=Q(
                status__in=[InvitationStatus.FAILED, InvitationStatus.UNKNOWN],
                updated_at__gte=since,
            ),
        ),
        "suppressed_opted_out": Count("id", _filter=suppressed & opted_out),
        "suppressed_contact_rule": Count("id", _filter=suppressed & contact_rule),
        "suppressed_other": Count("id", _filter=suppressed & ~opted_out & ~contact_rule),
        "held": Count(
            "id",
            _filter=Q(status=InvitationStatus.SCHEDULED)
            & _reason_starts(*CONTACT_RULE_REASONS, WINDOW_REASON),
        ),
    }
    rows = (
        await Invitation.filter(touchpoint_id__in=ids)
        .annotate(**counts)
        .group_by("touchpoint_id")
        .values(*counts)
    )
    totals = {name: sum(int(row[name]) for row in rows) for name in counts}
    delivered = await Message.filter(
        invitation__touchpoint_id__in=ids, status="delivered", created_at__gte=since
    ).count()
    return DeliveryHealth(delivered=delivered, **totals)


async def new_opt_outs(since: datetime) -> int:
    """Addresses that opted out since then and have not opted back in."""
    return await OptOut.filter(created_at__gte=since, revoked_at__isnull=True).count()


async def journey_dashboard(journey: Journey, now: datetime, min_sample: int) -> JourneyDashboard:
    zone = ZoneInfo(journey.timezone)
    period = current_period(now, zone)
    report = await touchpoint_report(journey.key, period, min_sample=min_sample)
    definition = await journey_definition(journey)
    days = last_days(now, zone)
    chart = daily_bars(days, await answers_per_day(journey, days))
    health = await delivery_health(journey, now - timedelta(days=DAYS))
    scores = journey_scores(definition, report.rows, min_sample)
    return JourneyDashboard(journey, str(period), scores, chart, health)


@dataclass(frozen=True)
class FollowUpLine:
    label: str
    value: str
    n: int | None


def follow_up_lines(figures: CaseFigures) -> list[FollowUpLine]:
    """One team's figures as the dashboard's rows: what, how much, out of how many."""
    first, resolution = figures.first_response, figures.resolution
    within = figures.first_response_within_sla, figures.resolution_within_sla
    satisfied = figures.satisfaction
    verdict = {True: ", met", False: ", missed", None: ""}[figures.satisfaction_target_met]
    return [
        FollowUpLine("cases opened", str(figures.opened), None),
        FollowUpLine("first response, median", spoken_duration(first.median), first.n),
        FollowUpLine("first response, 90th percentile", spoken_duration(first.p90), first.n),
        FollowUpLine("first response within SLA", _percent(within[0].percent), within[0].n),
        FollowUpLine("resolution, median", spoken_duration(resolution.median), resolution.n),
        FollowUpLine("resolution, 90th percentile", spoken_duration(resolution.p90), resolution.n),
        FollowUpLine("resolved within SLA", _percent(within[1].percent), within[1].n),
        FollowUpLine(
            "satisfied with the resolution (target 90%)",
            _percent(satisfied.percent) + verdict,
            satisfied.n,
        ),
        FollowUpLine("open now", str(figures.open_now), None),
        FollowUpLine("overdue now", str(figures.overdue_now), None),
    ]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


async def follow_ups(now: datetime) -> FiguresReport:
    return await period_figures(None, group_by="team", now=now)


@requires("view")
async def dashboard(request: Request) -> Response:
    now = datetime.now(UTC)
    min_sample = request.app.state.runtime.settings.surveys.min_sample
    journeys = await Journey.all().order_by("-active", "key")
    boards = [await journey_dashboard(journey, now, min_sample) for journey in journeys]
    cases = await follow_ups(now)
    return templates.TemplateResponse(
        request,
        "console/dashboard.html",
        {
            "section": "dashboard",
            "boards": boards,
            "opt_outs": await new_opt_outs(now - timedelta(days=DAYS)),
            "days": DAYS,
            "min_sample": min_sample,
            "follow_ups": cases,
            "follow_up_teams": [(f, follow_up_lines(f)) for f in cases.figures],
            "open_cases": sum(f.open_now for f in cases.figures),
            "overdue_cases": sum(f.overdue_now for f in cases.figures),
        },
    )


routes = [Route("/", dashboard, methods=["GET"], name="dashboard")]
