"""The monthly insight report as an email-friendly HTML page and as Markdown.

The HTML is one self-contained page (inline styles, tables, no script, no external sheet),
because mail clients drop <style> blocks and scripts; every comment is escaped. The
Markdown is GitHub's: a comment in a table cell has its `|` escaped and its line breaks
turned into spaces, so one comment cannot break a table.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import jinja2

from surveys.insights import Insights, month_name

TEMPLATES = Path(__file__).parent / "templates" / "insights"


def number(value: float | None, digits: int = 0, sign: bool = False) -> str:
    """A score as the report prints it; a dash for none."""
    if value is None:
        return "-"
    text = f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
    return text.replace("-", "\u2212") if text.startswith("-") else text


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def minutes(value: float | None) -> str:
    if value is None:
        return "-"
    whole = round(value)
    days, rest = divmod(whole, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h"
    return f"{hours}h{mins:02d}m" if hours else f"{mins}m"


def cell(value: object) -> str:
    """Text safe in a GitHub Markdown table cell: pipes escaped, lines joined, and no
    HTML tag (a `<` is escaped too)."""
    text = str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "\\<")
    return " ".join(text.split())


def day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _environment(autoescape: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(number=number, percent=percent, minutes=minutes, cell=cell, day=day)
    environment.globals["month_name"] = month_name
    return environment


_HTML = _environment(autoescape=True)
_MARKDOWN = _environment(autoescape=False)


def render_html(insights: Insights) -> str:
    return _HTML.get_template("report.html").render(report=insights)


def render_markdown(insights: Insights) -> str:
    return _MARKDOWN.get_template("report.md").render(report=insights)


def subject(insights: Insights) -> str:
    return f"Touchpoint insights for {month_name(insights.month)}"
