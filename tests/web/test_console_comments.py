"""The comments page: a CX owner preparing the review reads what customers wrote, narrows
it, pages on, and downloads the answers of the same filters as CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.console import signed_in
from tests.surveys.comment_factories import MID_Q3, written
from tests.surveys.factories import create_journey
from web.models import AuditEvent

PAGE = "/review/online-store/comments"


@pytest.fixture
async def store(db):
    return await create_journey()


def comments_on(page: str) -> list[str]:
    return re.findall(r"<blockquote[^>]*><p>(.*?)</p></blockquote>", page, re.S)


async def test_each_comment_shows_its_score_touchpoint_date_themes_and_sentiment(client, store):
    await signed_in(client, "viewer")
    await written(
        store["ship"],
        comment="包装破损",
        nps=2,
        csat=1,
        themes=("packaging",),
        sentiment="negative",
        locale="zh-CN",
    )
    await written(store["order"], nps=9)  # wrote nothing: not on the page

    page = await client.get(PAGE)

    assert page.status_code == 200
    assert comments_on(page.text) == ["包装破损"]
    card = page.text[page.text.index('<li class="comment-card') :]
    card = card[: card.index("</li>\n")]
    assert "NPS 2 <span" in card and "detractor" in card and "CSAT 1" in card
    assert '<span class="touchpoint">ship</span>' in card
    assert "2026-08-15 18:00" in card  # Shanghai time
    assert '<blockquote lang="zh-CN">' in card
    assert "<li>packaging</li>" in card and "sentiment-negative" in card


async def test_a_comment_with_markup_shows_as_text(client, store):
    await signed_in(client, "viewer")
    await written(store["order"], comment="<script>alert('hi')</script> & <b>bold</b>", nps=0)

    page = await client.get(PAGE)

    assert "<script>alert" not in page.text
    assert comments_on(page.text) == [
        "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    ]


async def test_filters_narrow_the_comments(client, store):
    await signed_in(client, "viewer")
    await written(store["order"], comment="slow", nps=2, themes=("delivery",), segment="A")
    await written(store["order"], comment="kind", nps=10, sentiment="positive", segment="B")
    await written(store["ship"], comment="fine", nps=7, segment="A")

    async def shown(**params):
        page = await client.get(PAGE, params=params)
        assert page.status_code == 200, page.text
        return sorted(comments_on(page.text))

    assert await shown(touchpoint="order") == ["kind", "slow"]
    assert await shown(segment="A") == ["fine", "slow"]
    assert await shown(theme="delivery") == ["slow"]
    assert await shown(sentiment="positive") == ["kind"]
    assert await shown(group="passives") == ["fine"]
    assert await shown(period="2026-Q3") == ["fine", "kind", "slow"]
    assert await shown(period="2026-Q4") == []


async def test_pages_go_on_to_older_comments_with_the_cursor(client, store):
    await signed_in(client, "viewer")
    await written(store["order"], 60, comment="same moment", nps=8, answered_at=MID_Q3)
    await written(store["order"], comment="the oldest is last", nps=8, answered_at=MID_Q3)

    first = await client.get(PAGE, params={"touchpoint": "order"})
    older_link = re.search(r'<a href="([^"]+)" rel="next">Older comments</a>', first.text)
    assert older_link is not None
    second = await client.get(older_link.group(1).replace("&amp;", "&"))

    assert len(comments_on(first.text)) == 50
    assert len(comments_on(second.text)) == 11
    assert "touchpoint=order" in older_link.group(1)
    assert 'rel="next"' not in second.text
    assert "Newest comments" in second.text


async def test_a_bad_filter_is_named_on_the_page(client, store):
    await signed_in(client, "viewer")

    page = await client.get(PAGE, params={"since": "2026-02-30"})
    typo = await client.get(PAGE, params={"touchpoint": "shipping"})

    assert page.status_code == 400
    assert "<strong>since</strong>" in page.text
    assert typo.status_code == 400 and "<strong>touchpoint</strong>" in typo.text
    assert (await client.get("/review/no-such-journey/comments")).status_code == 404


async def test_the_csv_download_keeps_the_pages_filters(client, store):
    await signed_in(client, "viewer")
    await written(store["order"], comment="快递很慢", nps=3, segment="A", locale="zh-CN")
    await written(store["order"], nps=9, segment="A")
    await written(store["ship"], comment="other touchpoint", nps=9, segment="A")

    page = await client.get(PAGE, params={"touchpoint": "order", "segment": "A"})
    link = re.search(r'<a href="([^"]+)" download>Answers CSV</a>', page.text)
    assert link is not None
    answer = await client.get(link.group(1).replace("&amp;", "&"))

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [(r["touchpoint"], r["comment"], r["nps"]) for r in rows] == [
        ("order", "快递很慢", "3"),
        ("order", "", "9"),
    ]
    [event] = await AuditEvent.filter(action="answers.exported")
    assert (event.actor_label, event.target) == ("viewer@example.com", "online-store")
    assert event.detail["filters"] == {
        "journey": "online-store",
        "touchpoint": "order",
        "segment": "A",
    }
    bad = await client.get(PAGE + ".csv", params={"sentiment": "furious"})
    assert bad.status_code == 400 and "sentiment" in bad.text


async def test_signing_in_is_needed_and_any_role_may_read(client, store):
    await written(store["order"], comment="private words", nps=1)

    anonymous = await client.get(PAGE)
    download = await client.get(PAGE + ".csv")
    assert anonymous.status_code == 303 and "/sign-in" in anonymous.headers["location"]
    assert download.status_code == 303

    await signed_in(client, "agent")
    assert comments_on((await client.get(PAGE)).text) == ["private words"]
