"""What the worker counts for Prometheus: messages, how late sends go out, and invitations
it ended without sending (a counter defined in `surveys.metrics`, as the expiry counts too).

Counters and histograms live here, at the layer whose code increments them, so each is
incremented with one line where the thing happens; `web.metrics` serves them. With
PROMETHEUS_MULTIPROC_DIR set, prometheus-client keeps each process's values in a file of
that directory and the scrape sums them, so several web or worker processes add up.
Figures that describe a state (how many invitations are scheduled, how deep the queue is)
are not counted here: `web.metrics_figures` reads them from the database at scrape time.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# The invitations-ended counter is shared with the expiry, a layer below: defined there.
from surveys.metrics import MAX_REASONS, count_ended, reason_label

__all__ = ["MAX_REASONS", "count_ended", "count_message", "observe_send_delay", "reason_label"]

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


def count_message(channel: str, status: str) -> None:
    MESSAGES.labels(channel=channel, status=status).inc()


def observe_send_delay(channel: str, seconds: float) -> None:
    SEND_DELAY.labels(channel=channel).observe(max(seconds, 0.0))
