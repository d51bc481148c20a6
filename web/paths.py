"""Which paths are the console's: everything but the API, Twilio's webhooks, the customers'
survey, resolution survey and unsubscribe pages, static files, the health and readiness checks
and the metrics.

The console is what people sign in to; the rest has credentials of its own (API keys,
Twilio signatures, unguessable link tokens), so session cookies, CSRF tokens and the
console's security headers apply to console paths only.
"""

from __future__ import annotations

API = "/api/"
STATIC = "/static/"
_NOT_CONSOLE = (API, "/twilio/", "/s/", "/r/", "/u/", STATIC)
_PLAIN = frozenset({"/healthz", "/readyz", "/metrics"})


def is_console(path: str) -> bool:
    return not path.startswith(_NOT_CONSOLE) and path not in _PLAIN


def is_api(path: str) -> bool:
    return path.startswith(API)
