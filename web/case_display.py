"""How the console words a follow-up case: pure functions of values, tested as tables.

A due time reads as an agent says it ("due in 35 min", "overdue by 1 h 12 min") beside the
absolute time in the journey's time zone, so a team in Shanghai and one in Berlin read the
same case the same way. Phone numbers in the queue show only enough to tell customers apart.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

REASONS = {
    "detractor": "detractor",
    "low-csat": "low CSAT",
    "contact-request": "asked to be contacted",
}
STATUSES = {"open": "open", "waiting": "waiting on the customer", "resolved": "resolved"}


def describe_span(span: timedelta) -> str:
    """ "35 min", "2 h 5 min", "3 days 4 h": coarse enough to read at a glance."""
    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h" if hours else f"{days} days"


def due_words(due: datetime | None, now: datetime) -> str:
    """How the next due time stands: due in, overdue by, or no clock running."""
    if due is None:
        return "no clock running"
    if due < now:
        return f"overdue by {describe_span(now - due)}"
    return f"due in {describe_span(due - now)}"


def local_time(moment: datetime, timezone: str) -> str:
    """The moment in the journey's time zone, with the zone's name: 2026-11-26 12:00 UTC."""
    zone = ZoneInfo(timezone)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {timezone}"


def mask_phone(phone: str | None) -> str:
    """+14155550123 -> +14•••••0123: the country and the last four digits only."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "•" * len(phone)
    return phone[:3] + "•" * (len(phone) - 7) + phone[-4:]


def reason_with_score(reason: str, nps: int | None, csat: int | None) -> str:
    """Why the case opened, with the score that opened it: "detractor (NPS 3)"."""
    words = REASONS.get(reason, reason)
    scores = [f"NPS {nps}" if nps is not None else "", f"CSAT {csat}" if csat is not None else ""]
    shown = ", ".join(score for score in scores if score)
    return f"{words} ({shown})" if shown else words
