"""The touchpoint report of one journey for one quarter: NPS, CSAT, response rate, change.

The database counts (grouped queries, the same SQL on SQLite and PostgreSQL); this module
turns the counts into scores with `surveys.scoring`. What is counted where:

- NPS and CSAT of a quarter come from responses whose `answered_at` falls in the quarter,
  read in the journey's time zone, whenever the invitation was sent.
- The response rate of a quarter follows the invitations sent in it (`sent_at`), and counts
  their responses whenever they came, so a late answer still lifts its own quarter's rate.
- Targets come from the journey's current definition: a touchpoint's own over the journey's.
  NPS meets its target when above it ("NPS above 40"), CSAT when at or above it ("85% and
  above"). Low-sample scores are still compared; the flag beside them says how far to trust it.
- Rows are the journey's active touchpoints in definition order; an active touchpoint missing
  from the definition comes last, with the journey's targets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Count

from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.periods import Period
from journeys.schema import JourneyDefinition, Targets
from surveys import scoring
from surveys.models import Answer, Invitation
from surveys.scoring import DEFAULT_MIN_SAMPLE, Change, CsatScore, NpsScore


@dataclass(frozen=True)
class TouchpointRow:
    touchpoint: str
    stage: str
    nps: NpsScore
    csat: CsatScore
    sent: int
    responses: int
    response_rate: float | None
    previous_nps: NpsScore
    previous_csat: CsatScore
    nps_change: Change | None
    csat_change: Change | None
    targets: Targets
    nps_target_met: bool | None
    csat_target_met: bool | None

    @property
    def n(self) -> int:
        """Answers in the period: CSAT-only touchpoints have no NPS answers but do have an n."""
        return max(self.nps.n, self.csat.n)


@dataclass(frozen=True)
class JourneyReport:
    journey: str
    name: str
    period: Period
    timezone: str
    rows: list[TouchpointRow]
    min_sample: int = DEFAULT_MIN_SAMPLE

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `GET /api/v1/reports/touchpoints`; every score carries its n."""
        start, end = self.period.bounds(ZoneInfo(self.timezone))
        return {
            "journey": self.journey,
            "name": self.name,
            "period": str(self.period),
            "previous_period": str(self.period.previous()),
            "timezone": self.timezone,
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "min_sample": self.min_sample,
            "touchpoints": [_row_dict(row) for row in self.rows],
        }


async def touchpoint_report(
    journey_key: str, period: Period, *, min_sample: int = DEFAULT_MIN_SAMPLE
) -> JourneyReport:
    journey = await Journey.get_or_none(key=journey_key)
    if journey is None:
        raise LookupError(f"no journey with key {journey_key!r}")
    version = await JourneyVersion.get_or_none(journey_id=journey.id, version=journey.version)
    definition = JourneyDefinition.model_validate(version.definition) if version else None
    touchpoints = await Touchpoint.filter(journey_id=journey.id, active=True).order_by("key")
    order = {tp.key: i for i, tp in enumerate(definition.touchpoints if definition else [])}
    touchpoints.sort(key=lambda tp: order.get(tp.key, len(order)))

    tz = ZoneInfo(journey.timezone)
    ids = [tp.id for tp in touchpoints]
    current = await _answer_counts(ids, *period.bounds(tz))
    previous = await _answer_counts(ids, *period.previous().bounds(tz))
    invitations = await _invitation_counts(ids, *period.bounds(tz))

    rows = []
    for tp in touchpoints:
        nps_now, csat_now = _scored(current.get(tp.id, {}), min_sample)
        nps_before, csat_before = _scored(previous.get(tp.id, {}), min_sample)
        sent, responses = invitations.get(tp.id, (0, 0))
        targets = _targets(definition, tp.key)
        rows.append(
            TouchpointRow(
                touchpoint=tp.key,
                stage=tp.stage,
                nps=nps_now,
                csat=csat_now,
                sent=sent,
                responses=responses,
                response_rate=scoring.response_rate(responses, sent),
                previous_nps=nps_before,
                previous_csat=csat_before,
                nps_change=scoring.change(nps_now, nps_before),
                csat_change=scoring.change(csat_now, csat_before),
                targets=targets,
                nps_target_met=_met(nps_now.score, targets.nps, strictly=True),
                csat_target_met=_met(csat_now.score, targets.csat, strictly=False),
            )
        )
    return JourneyReport(journey.key, journey.name, period, journey.timezone, rows, min_sample)


def _targets(definition: JourneyDefinition | None, key: str) -> Targets:
    """The journey's alone for a touchpoint its definition does not list (yet, or any more)."""
    if definition is None:
        return Targets()
    own = next((t for t in definition.touchpoints if t.key == key), None)
    return definition.targets_for(own) if own else definition.targets


def _between(low: int, high: int, field: str) -> Q:
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


async def _answer_counts(
    ids: list[int], start: datetime, end: datetime
) -> dict[int, dict[str, int]]:
    """Answers per touchpoint and category; out-of-range values (never stored) are ignored."""
    if not ids:
        return {}
    rows = (
        await Answer.filter(touchpoint_id__in=ids, answered_at__gte=start, answered_at__lt=end)
        .annotate(
            promoters=Count("id", _filter=_between(9, 10, "nps")),
            passives=Count("id", _filter=_between(7, 8, "nps")),
            detractors=Count("id", _filter=_between(0, 6, "nps")),
            csat_n=Count("id", _filter=_between(1, 5, "csat")),
            satisfied=Count("id", _filter=_between(4, 5, "csat")),
        )
        .group_by("touchpoint_id")
        .values("touchpoint_id", "promoters", "passives", "detractors", "csat_n", "satisfied")
    )
    return {row.pop("touchpoint_id"): row for row in rows}


def _scored(counts: dict[str, int], min_sample: int) -> tuple[NpsScore, CsatScore]:
    c = {"promoters": 0, "passives": 0, "detractors": 0, "satisfied": 0, "csat_n": 0} | counts
    return (
        scoring.nps(c["promoters"], c["passives"], c["detractors"], min_sample=min_sample),
        scoring.csat(c["satisfied"], c["csat_n"], min_sample=min_sample),
    )


async def _invitation_counts(
    ids: list[int], start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Invitations sent in [start, end) per touchpoint, and how many of them have a response."""
    if not ids:
        return {}
    rows = (
        await Invitation.filter(touchpoint_id__in=ids, sent_at__gte=start, sent_at__lt=end)
        .annotate(sent=Count("id"), responses=Count("answer__id"))
        .group_by("touchpoint_id")
        .values("touchpoint_id", "sent", "responses")
    )
    return {row["touchpoint_id"]: (int(row["sent"]), int(row["responses"])) for row in rows}


def _met(score: float | None, target: float | None, *, strictly: bool) -> bool | None:
    if score is None or target is None:
        return None
    return score > target if strictly else score >= target


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in values.items()}


def _score_dict(score: NpsScore | CsatScore) -> dict[str, Any]:
    internal = ("variance", "adjusted")  # kept for `scoring.change`, not for readers
    return _rounded({k: v for k, v in asdict(score).items() if k not in internal})


def _row_dict(row: TouchpointRow) -> dict[str, Any]:
    def scored(
        now: NpsScore | CsatScore,
        before: NpsScore | CsatScore,
        found: Change | None,
        target: float | None,
        met: bool | None,
    ) -> dict[str, Any]:
        return {
            **_score_dict(now),
            **_rounded({"target": target}),
            "target_met": met,
            "previous": _score_dict(before),
            "change": None if found is None else _rounded(asdict(found)),
        }

    targets = row.targets
    return {
        "touchpoint": row.touchpoint,
        "stage": row.stage,
        "n": row.n,
        "nps": scored(row.nps, row.previous_nps, row.nps_change, targets.nps, row.nps_target_met),
        "csat": scored(
            row.csat, row.previous_csat, row.csat_change, targets.csat, row.csat_target_met
        ),
        "response_rate": _rounded(
            {"sent": row.sent, "responses": row.responses, "rate": row.response_rate}
        ),
    }


def format_report_table(report: JourneyReport) -> str:
    """A plain-text table for `touchpoint report`, readable in a terminal or an email."""
    header = tuple(
        "touchpoint|stage|n|NPS ±margin|CSAT|response rate|change NPS / CSAT|target met".split("|")
    )
    lines = [header, *(_table_cells(row) for row in report.rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        f"{report.name} ({report.journey}), {report.period}, {report.timezone}",
        "",
        *(
            "  ".join(
                cell.rjust(width) if 2 <= i <= 4 else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
            for line in lines
        ),
    ]
    text += [
        "",
        f"* low sample (fewer than {report.min_sample} answers)   "
        "! change on the previous quarter larger than the noise (95%)",
    ]
    return "\n".join(text) + "\n"


def _table_cells(row: TouchpointRow) -> tuple[str, ...]:
    def low(score: NpsScore | CsatScore) -> str:
        return " *" if score.low_sample else "  "  # keeps the numbers in line

    def delta(found: Change | None) -> str:
        return "-" if found is None else f"{found.delta:+.1f}{'!' if found.significant else ''}"

    nps_cell = csat_cell = rate_cell = "-"
    if row.nps.score is not None and row.nps.margin is not None:
        nps_cell = f"{row.nps.score:+.1f} ±{row.nps.margin:.1f}{low(row.nps)}"
    if row.csat.score is not None:
        csat_cell = f"{row.csat.score:.1f}% (n={row.csat.n}){low(row.csat)}"
    if row.response_rate is not None:
        rate_cell = f"{row.response_rate:.1f}% ({row.responses}/{row.sent})"
    met = [
        f"{name} {'yes' if found else 'no'}"
        for name, found in (("NPS", row.nps_target_met), ("CSAT", row.csat_target_met))
        if found is not None
    ]
    return (
        row.touchpoint,
        row.stage,
        str(row.n),
        nps_cell,
        csat_cell,
        rate_cell,
        f"{delta(row.nps_change)} / {delta(row.csat_change)}",
        ", ".join(met) or "-",
    )
