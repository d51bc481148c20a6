"""The quarterly review page: a CX owner opens the online store's third quarter and reads it.

The online store (Shanghai time, targets NPS above 40 and CSAT 85%) has answers in the
second and third quarters of 2026; its order touchpoint falls from +60 to -20.
"""

from __future__ import annotations

import csv
import io
import struct
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from tests.console import signed_in
from tests.surveys.comment_factories import written
from tests.surveys.factories import create_journey
from web import charts

Q2 = datetime(2026, 5, 10, 4, tzinfo=UTC)
Q3 = datetime(2026, 8, 15, 4, tzinfo=UTC)
REVIEW = "/review/online-store/2026-Q3"
#: Any 16 characters: the answer was analysed (the method's digest is not checked here).
ANALYSED = "0123456789abcdef"


@pytest.fixture(autouse=True)
async def viewer(client, db) -> str:
    charts.cache.clear()
    return await signed_in(client, "viewer")


@pytest.fixture
async def store(db):
    """Q2: order 8 promoters, 2 detractors (+60). Q3: order 2 promoters, 6 detractors and
    2 passives (-40) by SMS, with comments about delivery; 'ship' only CSAT."""
    touchpoints = await create_journey()
    order, ship = touchpoints["order"], touchpoints["ship"]
    await written(order, 8, nps=10, csat=5, answered_at=Q2, channel="sms", segment="A")
    await written(order, 2, nps=3, csat=2, answered_at=Q2, channel="sms", segment="A")
    await written(
        order,
        6,
        nps=2,
        csat=1,
        answered_at=Q3,
        comment="The delivery was late again",
        themes=("delivery",),
        sentiment="negative",
        analysed=ANALYSED,
        terms="delivery late again",
        channel="sms",
        segment="A",
        attributes={"store": "Shanghai"},
    )
    await written(order, 2, nps=8, csat=4, answered_at=Q3, channel="email", segment="B")
    await written(
        order,
        2,
        nps=10,
        csat=5,
        answered_at=Q3,
        comment="Friendly staff",
        themes=("staff",),
        sentiment="positive",
        analysed=ANALYSED,
        terms="friendly staff",
        channel="email",
        segment="B",
        attributes={"store": "Beijing"},
    )
    await written(ship, 5, csat=5, answered_at=Q3, channel="sms")
    return touchpoints


def _row(text: str, key: str) -> str:
    return text[text.index(f'id="row-{key}"') :].split("</tr>")[0]


async def test_the_review_shows_the_figures_the_change_and_the_target(client, store):
    page = await client.get(REVIEW)

    assert page.status_code == 200
    assert "Online store: review of 2026-Q3" in page.text
    assert "2026-07-01 to 2026-09-30, in the journey's time zone (Asia/Shanghai)" in page.text
    order = _row(page.text, "order")
    assert "-40.0 ± " in order and "(n=10)" in order  # 2 promoters, 6 detractors of 10
    assert "low sample" in order
    assert "-100.0" in order  # from +60 to -40
    assert "larger than the noise" in order
    assert "missed" in order
    whole = _row(page.text, "journey")
    assert "whole journey" in whole and '<td class="num">15</td>' in whole


async def test_the_journey_map_says_each_touchpoints_state(client, store):
    page = await client.get(REVIEW)

    the_map = page.text[page.text.index('id="map"') : page.text.index('id="figures"')]
    assert 'class="touchpoint-card state-missed"' in the_map  # order
    assert "target missed" in the_map and "no answers yet" in the_map  # browse
    assert "CSAT 100.0% (n=5), target 85% or more: met, low sample" in the_map  # ship


async def test_the_charts_are_inline_svg_with_their_titles_and_numbers(client, store):
    page = await client.get(REVIEW)

    start = page.text.rindex("<svg", 0, page.text.index('id="chart-trend-order-nps"'))
    trend = ET.fromstring(page.text[start : page.text.index("</svg>", start) + 6])
    assert trend.get("role") == "img"
    title = trend.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == "order: NPS by quarter"
    assert "style=" not in page.text[start:]  # the CSP forbids inline style
    assert 'id="chart-mix"' in page.text and 'id="chart-trend-journey-nps"' in page.text
    assert "<summary>The numbers of “order: NPS by quarter”</summary>" in page.text
    assert '<th scope="row">2026-Q2</th><td class="num">+60.0 *</td>' in page.text


async def test_what_customers_wrote_shows_themes_terms_and_examples_detractors_first(client, store):
    page = await client.get(REVIEW)

    wrote = page.text[page.text.index('id="feedback"') :]
    order = wrote[wrote.index(">order</h3>") :]
    assert '<th scope="row">delivery</th><td class="num">6</td><td class="num">75%</td>' in order
    examples = order[order.index("Example comments") :]
    assert examples.split("<blockquote ")[1].startswith('class="comment detractor"')
    assert examples.count("The delivery was late again") == 1  # six said it; read once
    assert examples.index("The delivery was late again") < examples.index("Friendly staff")
    assert "detractor · NPS answer 2, CSAT 1 of 5 · negative · delivery" in order
    assert 'id="chart-themes"' in page.text
    assert (await client.get(f"{REVIEW}/charts/themes.png")).status_code == 200


async def test_a_service_experiment_is_compared_by_the_attribute_asked_for(client, store):
    page = await client.get(REVIEW, params={"compare": "store"})
    unknown = await client.get(REVIEW, params={"compare": "colour"})

    results = page.text[page.text.index('id="experiments"') :]
    assert "store (by store): order" in results
    assert '<th scope="row">Shanghai</th>' in results
    assert '<th scope="row">Beijing <span class="muted">(control)</span></th>' in results
    assert unknown.status_code == 400 and "compare" in unknown.text and "colour" in unknown.text


async def test_the_quarter_under_way_shows_its_outlook(client, store):
    now = datetime.now(UTC)
    await written(store["order"], 3, nps=9, csat=5, answered_at=now - timedelta(days=1))

    under_way = await client.get("/review/online-store", follow_redirects=True)
    past = await client.get(REVIEW)

    assert "The quarter under way" in under_way.text
    row = under_way.text[under_way.text.index('id="outlook"') :]
    row = row[row.index('<th scope="row">order</th>') :].split("</tr>")[0]
    assert '<td class="num">3</td>' in row  # answers so far
    assert "The quarter under way" not in past.text


async def test_a_reload_does_not_draw_the_charts_again(client, store):
    await client.get(REVIEW)
    drawn = charts.cache.drawn

    await client.get(REVIEW)

    assert drawn > 0 and charts.cache.drawn == drawn


async def test_filters_and_count_by_change_the_numbers(client, store):
    by_channel = await client.get(REVIEW, params={"channel": "email"})
    in_shanghai = await client.get(REVIEW, params={"attribute": "store:Shanghai"})
    by_interaction = await client.get(REVIEW, params={"count_by": "interaction"})
    one_touchpoint = await client.get(REVIEW, params={"touchpoint": "ship"})

    assert "+50.0 ± " in _row(by_channel.text, "order")  # 2 promoters, 2 passives
    assert "Filters: <strong>channel email</strong>" in by_channel.text
    assert "-100.0 ± " in _row(in_shanghai.text, "order")
    assert "An answer counts in the period of the interaction it is about." in by_interaction.text
    assert "count_by=interaction" in (await client.get(REVIEW)).text  # the link to the other
    assert "Filters: <strong>touchpoint ship</strong>" in one_touchpoint.text
    assert 'id="row-order"' not in one_touchpoint.text
    assert "(order)</span></h4>" not in one_touchpoint.text  # nor on the map
    assert "(ship)</span></h4>" in one_touchpoint.text
    assert '<td class="num">5</td>' in _row(one_touchpoint.text, "journey")


async def test_a_breakdown_by_segment_lists_each_group(client, store):
    page = await client.get(REVIEW, params={"by": "segment"})

    breakdown = page.text[page.text.index('id="breakdown"') :]
    assert "<td>A</td>" in breakdown and "<td>B</td>" in breakdown


async def test_the_figures_and_answers_download_as_csv_and_json(client, store):
    figures = await client.get(f"{REVIEW}/export.csv", params={"channel": "sms"})
    as_json = await client.get(f"{REVIEW}/export.json")
    answers = await client.get(f"{REVIEW}/answers.csv", params={"segment": "B"})

    rows = {row["touchpoint"]: row for row in csv.DictReader(io.StringIO(figures.text))}
    assert figures.headers["content-type"].startswith("text/csv")
    assert rows["order"]["answers"] == "6" and rows["order"]["nps"] == "-100.0"
    assert as_json.json()["period"] == "2026-Q3"
    written_rows = list(csv.DictReader(io.StringIO(answers.text)))
    assert len(written_rows) == 4
    assert {row["comment"] for row in written_rows} == {"", "Friendly staff"}
    assert "attachment" in answers.headers["content-disposition"]


async def test_a_chart_downloads_as_svg_and_as_png(client, store):
    as_svg = await client.get(f"{REVIEW}/charts/trend-order-nps.svg")
    as_png = await client.get(f"{REVIEW}/charts/mix.png", params={"width": 800, "height": 450})

    assert as_svg.headers["content-type"] == "image/svg+xml"
    assert ET.fromstring(as_svg.content).get("width") == "460.8pt"
    assert as_png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", as_png.content[16:24]) == (800, 450)
    assert (await client.get(f"{REVIEW}/charts/nothing.png")).status_code == 404


@pytest.mark.parametrize(
    ("path", "status", "said"),
    [
        ("/review/nowhere/2026-Q3", 404, "no journey with the key &#39;nowhere&#39;"),
        ("/review/online-store/2026-Q5", 400, "2026-Q5"),
        ("/review/online-store/0001-Q3", 400, "too far in the past or the future"),
        ("/review/online-store/9999-12/export.csv", 400, "9999-12"),
        ("/review/online-store/0001-W02/answers.csv", 400, "0001-W02"),
        (f"{REVIEW}?touchpoint=checkout", 400, "checkout"),
        (f"{REVIEW}?segment=Z", 400, "segment"),
        (f"{REVIEW}?attribute=colour:red", 400, "colour"),
        (f"{REVIEW}?by=colour", 400, "colour"),
        (f"{REVIEW}/answers.csv?segment=Z", 400, "segment"),
        (f"{REVIEW}/charts/mix.png?count_by=never", 400, "count_by"),
        (f"{REVIEW}/charts/mix.png?width=99999", 400, "width"),
        (f"{REVIEW}/charts/mix.gif", 404, ".svg or .png"),
        (f"{REVIEW}/export.xml", 404, ".csv or .json"),
    ],
)
async def test_bad_input_gets_a_page_naming_it(client, store, path, status, said):
    page = await client.get(path)

    assert page.status_code == status
    assert said in page.text


async def test_the_old_report_address_leads_to_the_review(client, store):
    chooser = await client.get("/reports")
    quarter = await client.get("/reports", params={"journey": "online-store", "period": "2026-Q3"})
    journeys = await client.get("/review")

    assert chooser.headers["location"] == "/review"
    assert quarter.headers["location"] == REVIEW
    assert 'href="/review/online-store"' in journeys.text


async def test_the_period_field_of_the_form_opens_that_period(client, store):
    moved = await client.get(REVIEW, params={"period": "2026-Q2", "channel": "sms"})
    current = await client.get("/review/online-store")

    assert moved.headers["location"] == "/review/online-store/2026-Q2?channel=sms"
    assert current.headers["location"].startswith("/review/online-store/20")


async def test_an_empty_quarter_draws_honest_empty_charts(client, store):
    page = await client.get("/review/online-store/2024-Q1")

    assert page.status_code == 200
    assert "No NPS answers in this period" in page.text
