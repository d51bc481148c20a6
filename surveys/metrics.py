"""What the intake and the survey count for Prometheus: events taken and answers given.

Defined at the lowest layer that increments them (see `dispatch.metrics` for the worker's);
`web.metrics` serves them, summed over processes when PROMETHEUS_MULTIPROC_DIR is set.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import Counter

EVENTS = Counter(
    "touchpoint_events",
    "Interaction events posted to the API, by outcome: accepted, duplicate or rejected.",
    ["outcome"],
)
ANSWERS = Counter(
    "touchpoint_answers",
    "Surveys answered (first answer only; changes are not counted), by the channel the "
    "invitation went by and the way the answer came (web page or sms reply).",
    ["channel", "source"],
)
for _outcome in ("accepted", "duplicate", "rejected"):
    EVENTS.labels(outcome=_outcome)  # present at 0 from the start, so rate() sees the first


def count_events(outcomes: Mapping[str, int]) -> None:
    for outcome, count in outcomes.items():
        if count:
            EVENTS.labels(outcome=outcome).inc(count)


def count_answer(channel: str | None, source: str) -> None:
    ANSWERS.labels(channel=channel or "unknown", source=source).inc()
