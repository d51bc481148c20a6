"""`GET /api/v1/cases/figures`: a quarter's follow-up figures by team, touchpoint or journey,
and a clear 4xx for a bad period, grouping or journey."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.surveys.cases import care_team, case_opened
from tests.surveys.cases import follow_up_journey as journey

H = timedelta(hours=1)


@pytest.fixture
async def cases(db):
    await journey({"first_response": "PT2H", "resolution": "P1D", "team": "care"})
    await care_team()
    july = datetime(2026, 7, 1, 10, tzinfo=UTC)
    await case_opened(july, responded=H, resolved=20 * H, score=5)
    await case_opened(july + timedelta(days=1), responded=3 * H, resolved=30 * H, score=4)
    await case_opened(july + timedelta(days=2))  # never answered: open, missed, overdue


async def figures(client, api_key, **params):
    headers = {"Authorization": f"Bearer {api_key}"}
    return await client.get("/api/v1/cases/figures", params=params, headers=headers)


async def test_a_quarter_by_team_with_n_beside_every_figure(client, api_key, cases):
    answer = await figures(client, api_key, period="2026-Q3")

    assert answer.status_code == 200
    body = answer.json()
    assert (body["period"], body["group_by"], body["timezone"]) == ("2026-Q3", "team", "UTC")
    assert body["starts_at"].startswith("2026-07-01T00:00:00")
    (care,) = body["figures"]
    assert care["team"] == "care" and care["opened"] == 3
    assert care["first_response"] == {"median_seconds": 3600, "p90_seconds": 10800, "n": 2}
    assert care["first_response_within_sla"] == {"percent": 33.3, "met": 1, "n": 3}
    assert care["resolution_satisfaction"] == {
        "percent": 100.0,
        "met": 2,
        "n": 2,
        "target": 90.0,
        "target_met": True,
    }
    assert (care["open_now"], care["overdue_now"]) == (1, 1)


async def test_by_touchpoint_of_one_journey_in_its_time_zone(client, api_key, cases):
    answer = await figures(client, api_key, period="2026-q3", group_by="touchpoint", journey="shop")

    (use,) = answer.json()["figures"]
    assert (use["touchpoint"], use["journey"], use["opened"]) == ("use", "shop", 3)


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"period": "2026-Q5"}, 422, "period"),
        ({"period": "last quarter"}, 422, "period"),
        ({"group_by": "agent"}, 422, "group_by"),
        ({"journey": "nowhere"}, 404, "journey"),
    ],
)
async def test_a_bad_parameter_is_named(client, api_key, db, params, status, field):
    answer = await figures(client, api_key, **params)

    assert answer.status_code == status
    assert answer.json()["error"]["field"] == field


async def test_it_needs_an_api_key_and_is_in_the_openapi_document(client, api_key, db):
    refused = await client.get("/api/v1/cases/figures")
    document = await client.get(
        "/api/v1/openapi.json", headers={"Authorization": f"Bearer {api_key}"}
    )

    assert refused.status_code == 401
    assert "/api/v1/cases/figures" in document.json()["paths"]
