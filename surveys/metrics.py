"""What the intake and the survey count for Prometheus: events taken, answers given and
invitations ended.

Defined at the lowest layer that increments them (see `dispatch.metrics` for the worker's);
`web.metrics` serves them, summed over processes when PROMETHEUS_MULTIPROC_DIR is set.
The invitations-ended counter lives here, not beside the worker's, because both layers end
invitations: the worker when it cannot send one, the expiry here when a link runs out.
"""

from __future__ import annotations

import re
import threading
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
RESOLUTION_ANSWERS = Counter(
    "touchpoint_resolution_answers",
    "Resolution surveys answered after a follow-up case was resolved (first answer only), "
    "by the way the answer came (web page or sms reply) and whether the customer was "
    "satisfied with the handling (a score of 4 or 5).",
    ["source", "satisfied"],
)
INVITATIONS_ENDED = Counter(
    "touchpoint_invitations_ended",
    "Invitations that reached a final state other than answered: ended by the worker "
    "without sending (suppressed, failed, unknown) or expired unanswered, by state and "
    "the leading words of the reason.",
    ["state", "reason"],
)
for _outcome in ("accepted", "duplicate", "rejected"):
    EVENTS.labels(outcome=_outcome)  # present at 0 from the start, so rate() sees the first


def count_events(outcomes: Mapping[str, int]) -> None:
    for outcome, count in outcomes.items():
        if count:
            EVENTS.labels(outcome=outcome).inc(count)


def count_answer(channel: str | None, source: str) -> None:
    ANSWERS.labels(channel=channel or "unknown", source=source).inc()


def count_resolution_answer(source: str, score: int) -> None:
    """A first answer to a case's resolution survey; 4 and 5 count as satisfied, as the
    case figures count them (`surveys.followup_figures`)."""
    RESOLUTION_ANSWERS.labels(source=source, satisfied="yes" if score >= 4 else "no").inc()


#: Distinct reason labels one process reports before it calls the rest "other".
MAX_REASONS = 50
#: The labels given so far; an expiry's is always its own, however many others came first.
_reasons: set[str] = {"no answer within days"}
_reasons_lock = threading.Lock()
_REASON_HEAD = re.compile(r"[^;:(]*")
_DIGITS = re.compile(r"\d+")


def reason_label(reason: str) -> str:
    """A reason's leading words, before any ':', '(' or ';' and without digits, so the label
    names the kind ("opted out", "contact policy", "not sampled", "no answer within days")
    and stays a short list; the whole reason is on the invitation."""
    head = _DIGITS.sub("", _REASON_HEAD.match(reason).group(0))  # type: ignore[union-attr]
    label = " ".join(head.split())[:40] or "unspecified"
    with _reasons_lock:
        if label in _reasons:
            return label
        if len(_reasons) >= MAX_REASONS:
            return "other"
        _reasons.add(label)
    return label


def count_ended(state: str, reason: str, count: int = 1) -> None:
    """`count` invitations reached the final `state` for `reason`."""
    if count:
        INVITATIONS_ENDED.labels(state=state, reason=reason_label(reason)).inc(count)
