"""What the worker counts for Prometheus: messages, how late sends go out, and invitations
it ended without sending.

Counters and histograms live here, at the layer whose code increments them, so each is
incremented with one line where the thing happens; `web.metrics` serves them. With
PROMETHEUS_MULTIPROC_DIR set, prometheus-client keeps each process's values in a file of
that directory and the scrape sums them, so several web or worker processes add up.
Figures that describe a state (how many invitations are scheduled, how deep the queue is)
are not counted here: `web.metrics_figures` reads them from the database at scrape time.
"""

from __future__ import annotations

import re
import threading

from prometheus_client import Counter, Histogram

MESSAGES = Counter(
    "touchpoint_messages",
    "Messages reaching a status, by the channel that carried them: sent, failed or "
    "unconfirmed when sent; delivered, undelivered, failed... as the provider reports.",
    ["channel", "status"],
)
SEND_DELAY = Histogram(
    "touchpoint_send_delay_seconds",
    "How long after its due time an invitation went out, when the send succeeded.",
    ["channel"],
    buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600, 4 * 3600, 24 * 3600),
)
INVITATIONS_ENDED = Counter(
    "touchpoint_invitations_ended",
    "Invitations the worker ended without sending them (suppressed, failed, unknown), "
    "by state and the leading words of the reason.",
    ["state", "reason"],
)

#: Distinct reason labels one process reports before it calls the rest "other".
MAX_REASONS = 50
_reasons: set[str] = set()
_reasons_lock = threading.Lock()
_REASON_HEAD = re.compile(r"[^;:(]*")
_DIGITS = re.compile(r"\d+")


def reason_label(reason: str) -> str:
    """A reason's leading words, before any ':', '(' or ';' and without digits, so the label
    names the kind ("opted out", "contact policy", "not sampled", "sms") and stays a short
    list; the whole reason is on the invitation."""
    head = _DIGITS.sub("", _REASON_HEAD.match(reason).group(0))  # type: ignore[union-attr]
    label = " ".join(head.split())[:40] or "unspecified"
    with _reasons_lock:
        if label in _reasons:
            return label
        if len(_reasons) >= MAX_REASONS:
            return "other"
        _reasons.add(label)
    return label


def count_message(channel: str, status: str) -> None:
    MESSAGES.labels(channel=channel, status=status).inc()


def count_ended(state: str, reason: str) -> None:
    INVITATIONS_ENDED.labels(state=state, reason=reason_label(reason)).inc()


def observe_send_delay(channel: str, seconds: float) -> None:
    SEND_DELAY.labels(channel=channel).observe(max(seconds, 0.0))
