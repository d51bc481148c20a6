"""`GET /api/v1/reports/touchpoints` and `/api/v1/reports/trend`: the review's figures for a
BI tool or a spreadsheet, narrowed and broken down as on the review page.

The online store reports in Shanghai time; its 2026-Q3 runs from 2026-06-30 16:00 UTC.
"""

import csv
import io
from datetime import UTC, datetime

import pytest

from tests.surveys.factories import create_journey
from tests.surveys.review_data import answered, unanswered

MID_Q2 = datetime(2026, 5, 15, 10, tzinfo=UTC)
MID_Q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)
REPORT = "/api/v1/reports/touchpoints"


@pytest.fixture
async def store(db):
    """Order in 2026-Q3: 3 promoters by SMS (segment A, store Pudong), 1 detractor by email
    (segment B), 4 unanswered SMS invitations; 1 promoter in Q2."""
    touchpoints = await create_journey()
    order = touchpoints["order"]
    pudong = {"store": "Pudong"}
    await answered(order, 3, at=MID_Q3, nps=10, csat=5, segment="A", attributes=pudong)
    await answered(order, 1, at=MID_Q3, nps=0, csat=2, segment="B", channel="email")
    await unanswered(order, 4, sent_at=MID_Q3)
    await answered(order, 1, at=MID_Q2, nps=10)
    return touchpoints


@pytest.fixture
def auth(api_key):
    return {"Authorization": f"Bearer {api_key}"}


async def test_the_figures_of_a_quarter_as_json(client, auth, store):
    answer = await client.get(f"{REPORT}?journey=online-store&period=2026-Q3", headers=auth)

    assert answer.status_code == 200
    data = answer.json()
    assert (data["period"], data["kind"], data["previous_period"]) == (
        "2026-Q3",
        "quarter",
        "2026-Q2",
    )
    order = next(t for t in data["touchpoints"] if t["touchpoint"] == "order")
    # NPS (3 - 1) / 4 = 50; 4 of 8 invitations answered; CSAT 3 of 4 = 75%, mean 4.25.
    assert (order["n"], order["nps"]["score"], order["nps"]["previous"]["score"]) == (
        4,
        50.0,
        100.0,
    )
    assert order["response_rate"] == {"sent": 8, "responses": 4, "rate": 50.0}
    assert (order["csat"]["score"], order["csat"]["mean"]) == (75.0, 4.25)
    assert (order["nps"]["target_met"], order["csat"]["target_met"]) == (True, False)
    # The change, 50 - 100: Q3 n' = 7, p' - d' = 3.75/7 - 1.75/7, var 0.100583; Q2 var
    # 0.140625 (one promoter); margin 1.96 x sqrt(0.241208) = 0.9626, far beyond 50 points.
    assert order["nps"]["change"] == {"delta": -50.0, "significant": False, "margin": 96.3}
    assert data["whole"]["touchpoint"] == "*" and data["whole"]["n"] == 4


async def test_months_and_weeks_too(client, auth, store):
    month = await client.get(f"{REPORT}?journey=online-store&period=2026-08", headers=auth)
    week = await client.get(f"{REPORT}?journey=online-store&period=2026-W33", headers=auth)

    assert (month.json()["kind"], month.json()["whole"]["n"]) == ("month", 4)
    # 15 August 2026 is in ISO week 33.
    assert (week.json()["period"], week.json()["kind"], week.json()["whole"]["n"]) == (
        "2026-W33",
        "week",
        4,
    )
    assert week.json()["previous_period"] == "2026-W32"


async def test_broken_down_by_channel_and_narrowed_to_a_segment(client, auth, store):
    by_channel = await client.get(
        f"{REPORT}?journey=online-store&period=2026-Q3&by=channel", headers=auth
    )
    tier_a = await client.get(
        f"{REPORT}?journey=online-store&period=2026-Q3&segment=A&touchpoint=order", headers=auth
    )
    pudong = await client.get(
        f"{REPORT}?journey=online-store&period=2026-Q3&attribute=store:Pudong", headers=auth
    )

    groups = by_channel.json()["touchpoints"][1]["groups"]
    assert by_channel.json()["by"] == "channel"
    assert {k: (g["n"], g["response_rate"]["rate"]) for k, g in groups.items()} == {
        "email": (1, 100.0),
        "sms": (3, 42.9),  # 3 of 7 SMS invitations answered
    }
    assert [t["touchpoint"] for t in tier_a.json()["touchpoints"]] == ["order"]
    assert tier_a.json()["filters"] == {"touchpoint": "order", "segment": "A"}
    assert tier_a.json()["touchpoints"][0]["nps"]["score"] == 100.0
    order = pudong.json()["touchpoints"][1]
    assert (order["n"], order["response_rate"]) == (
        3,
        {"sent": None, "responses": None, "rate": None},
    )


async def test_the_figures_as_csv(client, auth, store):
    answer = await client.get(
        f"{REPORT}?journey=online-store&period=2026-Q3&format=csv&by=segment", headers=auth
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="online-store-2026-Q3-by-segment.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    order = {r["group"]: r for r in rows if r["touchpoint"] == "order"}
    assert set(order) == {"A", "B", "(none)"}
    assert (order["A"]["answers"], order["A"]["nps"], order["B"]["nps"]) == ("3", "100.0", "-100.0")
    assert order["(none)"]["sent"] == "4"  # the unanswered invitations' customers have none
    assert rows[-1]["touchpoint"] == "*"


@pytest.mark.parametrize(
    ("query", "status", "field", "says"),
    [
        ("period=2026-Q5", 422, "period", "Q1 to Q4"),
        ("period=2026-13", 422, "period", "a month is 1 to 12"),
        ("period=9999-Q4", 422, "period", "too far in the past or the future"),
        ("period=0001-01", 422, "period", "too far in the past or the future"),
        ("touchpoint=checkout", 422, "touchpoint", "has no touchpoint 'checkout'"),
        ("segment=Z", 422, "segment", "(it has: A, B)"),
        ("channel=fax", 422, "channel", "(it has: email, sms)"),
        ("attribute=store", 422, "attribute", "name:value"),
        ("attribute=store:Jingan", 422, "attribute", "(it has: Pudong)"),
        ("attribute=region:east", 422, "attribute", "(it has: store)"),
        ("by=region", 422, "by", "break down by channel, language, segment"),
        ("language=fr", 422, "language", "unknown language 'fr'"),
        ("count_by=whenever", 422, "count_by", "answered or interaction"),
        ("format=xml", 422, "format", "json or csv"),
    ],
)
async def test_bad_input_is_refused_naming_the_parameter(
    client, auth, store, query, status, field, says
):
    answer = await client.get(f"{REPORT}?journey=online-store&{query}", headers=auth)

    assert answer.status_code == status
    assert answer.json()["error"]["field"] == field
    assert says in answer.json()["error"]["message"]


async def test_an_unknown_journey_is_not_found(client, auth, store):
    answer = await client.get(f"{REPORT}?journey=nowhere&period=2026-Q3", headers=auth)
    trend = await client.get("/api/v1/reports/trend?journey=nowhere", headers=auth)

    assert (answer.status_code, answer.json()["error"]["field"]) == (404, "journey")
    assert (trend.status_code, trend.json()["error"]["field"]) == (404, "journey")


async def test_counting_by_the_interaction(client, auth, store):
    order = store["order"]
    await answered(
        order,
        at=datetime(2026, 10, 5, 2, tzinfo=UTC),
        nps=3,
        interaction_at=datetime(2026, 9, 28, 2, tzinfo=UTC),
    )

    answer = await client.get(
        f"{REPORT}?journey=online-store&period=2026-Q3&count_by=interaction", headers=auth
    )

    assert answer.json()["count_by"] == "interaction"
    assert answer.json()["whole"]["nps"]["detractors"] == 2


async def test_a_trend_of_eight_quarters(client, auth, store):
    answer = await client.get(
        "/api/v1/reports/trend?journey=online-store&period=2026-Q3&periods=8", headers=auth
    )
    months = await client.get(
        "/api/v1/reports/trend?journey=online-store&period=2026-08&periods=3&segment=A",
        headers=auth,
    )

    data = answer.json()
    assert data["periods"][0] == "2024-Q4" and data["periods"][-1] == "2026-Q3"
    assert list(data["series"]) == ["browse", "order", "ship", "after-sales", "*"]
    order = data["series"]["order"]
    assert [point["n"] for point in order] == [0, 0, 0, 0, 0, 0, 1, 4]
    assert (order[-1]["period"], order[-1]["nps"]["score"]) == ("2026-Q3", 50.0)
    assert months.json()["periods"] == ["2026-06", "2026-07", "2026-08"]
    assert [p["n"] for p in months.json()["series"]["*"]] == [0, 0, 3]


@pytest.mark.parametrize(
    "query", ["periods=0", "periods=61", "periods=eight", "period=0002-Q2&periods=8"]
)
async def test_a_trend_of_a_sensible_length(client, auth, store, query):
    answer = await client.get(f"/api/v1/reports/trend?journey=online-store&{query}", headers=auth)

    assert (answer.status_code, answer.json()["error"]["field"]) == (422, "periods")


async def test_the_figures_need_an_api_key(client, store):
    answer = await client.get(f"{REPORT}?journey=online-store")

    assert answer.status_code == 401


async def test_the_openapi_document_describes_both_reports(client):
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]

    figures = paths["/api/v1/reports/touchpoints"]["get"]
    names = [p["name"] for p in figures["parameters"]]
    assert {"journey", "period", "by", "segment", "attribute", "count_by", "format"} <= set(names)
    assert set(figures["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert {"404", "422"} <= set(figures["responses"])
    trend = paths["/api/v1/reports/trend"]["get"]
    assert "periods" in [p["name"] for p in trend["parameters"]]
