"""The touchpoint report of one journey for one quarter: NPS, CSAT, response rate, change.

The figures are the review's (`surveys.review`, which says what is counted where); this
module lays them out as the one table the console's journey map, the dashboard and
`touchpoint report` have read since before the review. In short:

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
from typing import Any
from zoneinfo import ZoneInfo

from journeys.periods import AnyPeriod
from journeys.schema import Targets
from surveys.review import Figures, Review, review_figures, rounded_values, score_dict
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
    period: AnyPeriod
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
    journey_key: str, period: AnyPeriod, *, min_sample: int = DEFAULT_MIN_SAMPLE
) -> JourneyReport:
    """The review's figures of every touchpoint (`surveys.review`), as rows."""
    found = await review_figures(journey_key, period, min_sample=min_sample)
    rows = [_row(tp.key, tp.stage, tp.figures) for tp in found.touchpoints]
    return JourneyReport(found.journey, found.name, period, found.timezone, rows, min_sample)


def _row(key: str, stage: str, figures: Figures) -> TouchpointRow:
    before = figures.previous
    assert before is not None  # the review always reads the previous period beside
    return TouchpointRow(
        touchpoint=key,
        stage=stage,
        nps=figures.nps,
        csat=figures.csat,
        sent=figures.counts.sent or 0,
        responses=figures.counts.responded or 0,
        response_rate=figures.response_rate,
        previous_nps=before.nps,
        previous_csat=before.csat,
        nps_change=figures.nps_change,
        csat_change=figures.csat_change,
        targets=figures.targets,
        nps_target_met=figures.nps_met,
        csat_target_met=figures.csat_met,
    )


def _row_dict(row: TouchpointRow) -> dict[str, Any]:
    def scored(
        now: NpsScore | CsatScore,
        before: NpsScore | CsatScore,
        found: Change | None,
        target: float | None,
        met: bool | None,
    ) -> dict[str, Any]:
        return {
            **score_dict(now),
            **rounded_values({"target": target}),
            "target_met": met,
            "previous": score_dict(before),
            "change": None if found is None else rounded_values(asdict(found)),
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
        "response_rate": rounded_values(
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


def format_review_table(review: Review) -> str:
    """The review's figures as a plain-text table for `touchpoint report`: a row per
    touchpoint (with a row per breakdown value under it) and the whole journey last."""
    header = tuple(
        "touchpoint|stage|n|NPS ±margin|CSAT|mean|response rate|change NPS / CSAT|target met".split(
            "|"
        )
    )
    lines = [header]
    for found in [*review.touchpoints, review.whole]:
        stage = found.stage if found.key != "*" else "(whole journey)"
        lines.append(_figure_cells(found.key, stage, found.figures))
        lines += [_figure_cells(f"  {value}", "", f) for value, f in found.groups.items()]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    heading = [f"{review.name} ({review.journey}), {review.period}, {review.timezone}"]
    narrowed = ", ".join(f"{k}={v}" for k, v in review.filters.as_query().items())
    if narrowed:
        heading.append(f"only {narrowed}")
    if review.by:
        heading.append(f"broken down by {review.by}")
    if review.filters.count_by == "interaction":
        heading.append("answers counted in the period of their interaction")
    text = [
        *heading,
        "",
        *(
            "  ".join(
                cell.rjust(width) if 2 <= i <= 6 else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
            for line in lines
        ),
        "",
        f"* low sample (fewer than {review.min_sample} answers)   "
        f"! change on the previous {review.period.kind} larger than the noise (95%)",
    ]
    return "\n".join(text) + "\n"


def _figure_cells(label: str, stage: str, f: Figures) -> tuple[str, ...]:
    def low(score: NpsScore | CsatScore) -> str:
        return " *" if score.low_sample else "  "  # keeps the numbers in line

    def delta(found: Change | None) -> str:
        return "-" if found is None else f"{found.delta:+.1f}{'!' if found.significant else ''}"

    nps_cell = csat_cell = mean_cell = rate_cell = "-"
    if f.nps.score is not None and f.nps.margin is not None:
        nps_cell = f"{f.nps.score:+.1f} ±{f.nps.margin:.1f}{low(f.nps)}"
    if f.csat.score is not None:
        csat_cell = f"{f.csat.score:.1f}% (n={f.csat.n}){low(f.csat)}"
    if f.mean_csat is not None:
        mean_cell = f"{f.mean_csat:.2f}"
    if f.response_rate is not None:
        rate_cell = f"{f.response_rate:.1f}% ({f.counts.responded}/{f.counts.sent})"
    met = [
        f"{name} {'yes' if found else 'no'}"
        for name, found in (("NPS", f.nps_met), ("CSAT", f.csat_met))
        if found is not None
    ]
    return (
        label,
        stage,
        str(f.n),
        nps_cell,
        csat_cell,
        mean_cell,
        rate_cell,
        f"{delta(f.nps_change)} / {delta(f.csat_change)}",
        ", ".join(met) or "-",
    )
