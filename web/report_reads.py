"""Which requests read for a report, and so may be answered from the reports database.

The review pages, their exports and charts, the comments, the dashboard and the report,
response and case-figure APIs only read (bar an audit line, which is a write and goes to
the main database). Their GET requests run inside `surveys.sql.reading_reports()`, set
here around the whole request, streamed body included, so an export reads every batch from
the replica. Authentication runs outside it, against the main database: a key or a session
made a moment ago works at once, whatever the replica's lag. Everything else reads the
main database.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from surveys.sql import reading_reports

#: Paths (and what lies under them) whose GETs are reports.
REPORT_PATHS = ("/review", "/api/v1/reports", "/api/v1/responses", "/api/v1/cases/figures")
#: The console's home page, the dashboard, is a report too.
REPORT_PAGES = ("/",)


def is_report(method: str, path: str) -> bool:
    if method not in ("GET", "HEAD"):
        return False
    if path in REPORT_PAGES:
        return True
    return any(path == prefix or path.startswith(prefix + "/") for prefix in REPORT_PATHS)


class ReportReadsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_report(scope["method"], scope["path"]):
            with reading_reports():
                await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, send)
