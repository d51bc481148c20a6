"""The monthly insight report as the recipients read it: an HTML email and Markdown, where
whatever a customer wrote stays text and cannot break the page or a table."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from journeys.periods import Month
from surveys.insights import (
    Example,
    Insights,
    JourneyInsights,
    Score,
    TermLine,
    ThemeLine,
    TouchpointLine,
    movers_of,
)
from web.insights import cell, number, render_html, render_markdown, subject

OCTOBER = Month(2026, 10)
WHEN = datetime(2026, 10, 14, 9, tzinfo=UTC)


def score(value, previous=None, *, target=None, significant=False, n=40) -> Score:
    met = None if target is None or value is None else value >= target
    change = None if previous is None or value is None else value - previous
    return Score(value, n, target, met, previous, change, significant)


def touchpoint(key, name, nps, csat, answers=40) -> TouchpointLine:
    return TouchpointLine(key, name, "buy", answers, 100, answers, float(answers), False, nps, csat)


def comment(text, nps=2) -> Example:
    return Example("delivery", nps, None, text, WHEN)


def report(*comments: Example) -> Insights:
    delivery = touchpoint(
        "delivery",
        "Delivery",
        score(10.0, 32.0, target=30, significant=True),
        score(70.0, 72.0, target=80),
    )
    checkout = touchpoint("checkout", "Checkout", score(45.0, 40.0), score(90.0, 88.0))
    lines = [delivery, checkout]
    journey = JourneyInsights(
        key="shop",
        name="Online shop",
        timezone="Europe/London",
        starts_at=datetime(2026, 9, 30, 23, tzinfo=UTC),
        ends_at=datetime(2026, 11, 1, tzinfo=UTC),
        whole=touchpoint("*", "Whole journey", score(28.0, 36.0), score(80.0, 80.0), answers=80),
        touchpoints=lines,
        movers=movers_of(lines),
        themes=[ThemeLine("delivery", 12, 30.0, -40.0, 9, list(comments))],
        emerging=[TermLine("courier", 7, 0, 3.2, list(comments))],
        examples=list(comments),
        follow_up=None,
    )
    return Insights(OCTOBER, WHEN, [journey])


def test_the_email_page_names_the_fallen_touchpoint_and_the_movers_with_their_verdicts():
    page = render_html(report(comment("Late again")))

    assert "Insights for October 2026" in page
    assert "NPS fell; NPS below target, CSAT below target" in page
    assert "fell, larger than the noise" in page  # Delivery's NPS, 32 -> 10
    assert "rose, within the noise" in page  # Checkout's NPS, 40 -> 45
    assert "Late again" in page
    assert "<script" not in page and "<link" not in page and "<style" not in page
    assert subject(report()) == "Touchpoint insights for October 2026"


def test_a_comment_with_a_script_is_shown_as_text_in_the_html():
    page = render_html(report(comment('<script>alert("x")</script> & more')))

    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in page


def test_a_comment_with_a_pipe_and_a_line_break_keeps_the_markdown_table_whole():
    text = render_markdown(report(comment("fast | cheap\nbut broken")))
    rows = [line for line in text.splitlines() if line.startswith("| delivery |")]

    assert rows == [
        '| delivery | 12 | 30% | \u221240 | 9 | "fast \\| cheap but broken" (delivery, NPS 2) |'
    ]
    tables = [line for line in text.splitlines() if line.startswith("|")]
    unescaped = re.compile(r"(?<!\\)\|")
    headers = {line: len(unescaped.findall(line)) for line in tables if "---" in line}
    assert headers  # every table has its delimiter row
    for line in tables:
        assert len(unescaped.findall(line)) in set(headers.values())


def test_the_markdown_lists_movers_biggest_first():
    text = render_markdown(report())

    movers = text.split("### Biggest movers")[1].split("###")[0]
    assert movers.index("| Delivery | NPS |") < movers.index("| Checkout | NPS |")
    assert "| Delivery | NPS | 32 | 10 | \u221222.0 | fell, larger than the noise |" in movers


def test_an_empty_month_says_there_were_no_answers():
    empty = Insights(OCTOBER, WHEN, [])

    assert "No answers in October 2026: nothing to report." in render_markdown(empty)
    assert "No answers in October 2026: nothing to report." in render_html(empty)
    assert empty.as_dict()["empty"] is True


def test_numbers_and_cells_as_printed():
    cases = [
        (number(None), "-"),
        (number(12.345), "12"),
        (number(-3.0, 1, sign=True), "\u22123.0"),
        (number(3.04, 1, sign=True), "+3.0"),
        (cell("a|b\r\nc"), "a\\|b c"),
        (cell("back\\slash"), "back\\\\slash"),
        (cell("<b>bold</b>"), "\\<b>bold\\</b>"),
    ]
    for printed, expected in cases:
        assert printed == expected
