"""`GET /api/v1/responses`: what customers wrote, paged as JSON or streamed as CSV, and a
clear 422 naming the parameter for anything the API cannot take."""

from __future__ import annotations

import csv
import io

import pytest

from tests.surveys.comment_factories import MID_Q3, written
from tests.surveys.factories import create_journey
from web.models import AuditEvent


@pytest.fixture
async def store(db):
    return await create_journey()


async def responses(client, api_key, headers=None, **params):
    sent = {"Authorization": f"Bearer {api_key}", **(headers or {})}
    return await client.get("/api/v1/responses", params=params, headers=sent)


async def test_a_page_of_answers_with_their_comments_newest_first(client, api_key, store):
    await written(store["order"], comment="Fast delivery", nps=10, csat=5, themes=("delivery",))
    await written(store["ship"], comment="包装破损", nps=3, sentiment="negative", locale="zh-CN")

    answer = await responses(client, api_key, journey="online-store")

    assert answer.status_code == 200
    body = answer.json()
    assert body["next"] is None
    assert "link" not in answer.headers
    newest, older = body["responses"]
    assert newest["comment"] == "包装破损"
    assert (newest["touchpoint"], newest["nps"], newest["group"]) == ("ship", 3, "detractor")
    assert (newest["sentiment"], newest["language"]) == ("negative", "zh-CN")
    assert newest["answered_at"] == "2026-08-15T10:00:00+00:00"
    assert older["themes"] == ["delivery"]


async def test_the_cursor_walks_every_page_once_and_the_link_header_points_to_it(
    client, api_key, store
):
    await written(store["order"], 5, comment="same moment", nps=8)

    seen: list[int] = []
    answer = await responses(client, api_key, journey="online-store", limit=2)
    while True:
        body = answer.json()
        seen += [r["answer_id"] for r in body["responses"]]
        if body["next"] is None:
            break
        assert answer.headers["link"].endswith('>; rel="next"')
        next_url = answer.headers["link"][1 : answer.headers["link"].index(">")]
        assert f"cursor={body['next']}" in next_url and "limit=2" in next_url
        answer = await client.get(next_url, headers={"Authorization": f"Bearer {api_key}"})

    assert len(seen) == len(set(seen)) == 5
    assert seen == sorted(seen, reverse=True)


async def test_filters_narrow_the_page(client, api_key, store):
    await written(store["order"], comment="slow", nps=2, segment="A", themes=("delivery",))
    await written(store["order"], comment="kind", nps=10, segment="B", sentiment="positive")
    await written(store["ship"], nps=9, segment="A", attributes={"store": "SH-01"})

    async def comments(**params):
        answer = await responses(client, api_key, journey="online-store", **params)
        assert answer.status_code == 200, answer.text
        return sorted(str(r["comment"]) for r in answer.json()["responses"])

    assert await comments(touchpoint="order") == ["kind", "slow"]
    assert await comments(segment="A") == ["None", "slow"]
    assert await comments(attribute="store:SH-01") == ["None"]
    assert await comments(theme="delivery") == ["slow"]
    assert await comments(sentiment="positive") == ["kind"]
    assert await comments(comments="only") == ["kind", "slow"]
    assert await comments(group="promoters") == ["None", "kind"]
    assert await comments(since="2026-08-16") == []
    assert await comments(since="2026-08-15", until="2026-08-15") == ["None", "kind", "slow"]
    assert await comments(period="2026-Q3") == ["None", "kind", "slow"]


async def test_csv_streams_the_whole_range_with_chinese_text_intact(client, api_key, store):
    await written(store["order"], 1500, comment="快递很慢，包装破损", nps=4, locale="zh-CN")
    await written(store["ship"], comment='=HYPERLINK("http://x")', csat=2)

    answer = await responses(client, api_key, journey="online-store", format="csv", limit=10)

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="online-store-answers-all.csv"' in answer.headers["content-disposition"]
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(rows) == 1501
    first = rows[0]
    assert first["comment"] == "快递很慢，包装破损"
    assert (first["journey"], first["touchpoint"], first["nps"]) == ("online-store", "order", "4")
    assert first["answered_at"] == "2026-08-15T10:00:00Z"
    assert first["answered_local"] == "2026-08-15 18:00:00"  # Shanghai
    assert rows[-1]["comment"] == '\'=HYPERLINK("http://x")'  # not a formula in Excel
    ids = [int(r["answer_id"]) for r in rows]
    assert ids == sorted(ids)
    [event] = await AuditEvent.filter(action="answers.exported")
    assert (event.actor_kind, event.target) == ("api_key", "online-store")
    assert event.detail == {"filters": {"journey": "online-store"}, "via": "api"}


async def test_accept_text_csv_asks_for_the_csv_too(client, api_key, store):
    await written(store["order"], comment="ok", nps=9, answered_at=MID_Q3)

    answer = await responses(
        client, api_key, headers={"Accept": "text/csv"}, journey="online-store", period="2026-Q3"
    )

    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="online-store-answers-2026-Q3.csv"' in answer.headers["content-disposition"]
    assert answer.text.lstrip("\ufeff").splitlines()[0].startswith("answer_id,journey,")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-13-01"}, "since"),
        ({"until": "yesterday"}, "until"),
        ({"since": "2026-09-01", "until": "2026-08-01"}, "until"),
        ({"period": "2026-Q5"}, "period"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"sentiment": "furious"}, "sentiment"),
        ({"group": "critics"}, "group"),
        ({"comments": "some"}, "comments"),
        ({"format": "xlsx"}, "format"),
        ({"touchpoint": "shipping"}, "touchpoint"),
        ({"attribute": "store"}, "attribute"),
        ({"language": "fr"}, "language"),
        ({"segment": "platinum"}, "segment"),
        ({"since": "2026-13-01", "format": "csv"}, "since"),
        ({"touchpoint": "shipping", "format": "csv"}, "touchpoint"),
    ],
)
async def test_bad_input_is_a_422_naming_the_parameter(client, api_key, store, params, field):
    answer = await responses(client, api_key, journey="online-store", **params)

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"]["field"] == field
    assert await AuditEvent.filter(action="answers.exported").count() == 0


async def test_a_journey_must_be_named_and_known(client, api_key, store):
    missing = await responses(client, api_key)
    assert (missing.status_code, missing.json()["error"]["field"]) == (422, "journey")

    unknown = await responses(client, api_key, journey="no-such-journey")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == {
        "message": "no journey with key 'no-such-journey'",
        "field": "journey",
    }


async def test_an_api_key_is_required(client, store):
    await written(store["order"], comment="private words", nps=1)

    answer = await client.get("/api/v1/responses", params={"journey": "online-store"})

    assert answer.status_code == 401
    assert "private words" not in answer.text
    wrong = await client.get(
        "/api/v1/responses?journey=online-store", headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401


async def test_the_openapi_document_describes_it(client, db):
    document = (await client.get("/api/v1/openapi.json")).json()

    get = document["paths"]["/api/v1/responses"]["get"]
    names = {p["name"] for p in get["parameters"]}
    assert {"journey", "touchpoint", "since", "segment", "cursor", "limit", "format"} <= names
    content = get["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv"}
    page = document["components"]["schemas"]["ResponsePage"]
    assert page["properties"]["responses"]["items"] == {"$ref": "#/components/schemas/Response"}
    assert "comment" in document["components"]["schemas"]["Response"]["properties"]
    assert set(get["responses"]) == {"200", "401", "404", "422"}


async def test_no_read_of_the_api_answers_400_to_a_bad_parameter(client, db):
    """A bad query parameter is a 422 on every GET, as the document says; 400 is only a
    body that is not JSON."""
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]

    reads = {path: item["get"] for path, item in paths.items() if "get" in item}
    assert "/api/v1/responses" in reads
    assert [path for path, get in reads.items() if "400" in get["responses"]] == []
