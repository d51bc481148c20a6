"""Reading what customers wrote: pages newest first, the whole range streamed, the filters.

The online store reports in Shanghai time (UTC+8): the day 2026-08-15 there runs from
2026-08-14 16:00 to 2026-08-15 16:00 UTC.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from journeys.models import Interaction
from surveys.comments import (
    Comment,
    decode_cursor,
    encode_cursor,
    end_of,
    list_answers,
    start_of,
    stream_answers,
)
from surveys.review_filters import ReviewError, ReviewFilters
from tests.surveys.comment_factories import MID_Q3, written
from tests.surveys.factories import create_journey

SHANGHAI_DAY_START = datetime(2026, 8, 14, 16, tzinfo=UTC)


@pytest.fixture
async def store(db):
    return await create_journey()


async def test_a_page_holds_the_newest_answers_with_their_themes_and_sentiment(store):
    await written(store["order"], comment="Fast delivery", nps=10, csat=5, themes=("delivery",))
    await written(
        store["order"],
        comment="包装破损，客服不理人",
        nps=2,
        csat=1,
        themes=("packaging", "staff"),
        sentiment="negative",
        locale="zh-CN",
        channel="sms",
        segment="A",
        variant="B",
        source="sms",
    )

    page = await list_answers("online-store")

    assert [c.comment for c in page] == ["包装破损，客服不理人", "Fast delivery"]
    newest = page[0]
    assert newest == Comment(
        answer_id=newest.answer_id,
        touchpoint="order",
        answered_at=MID_Q3,
        nps=2,
        csat=1,
        comment="包装破损，客服不理人",
        sentiment="negative",
        themes=["packaging", "staff"],
        locale="zh-CN",
        channel="sms",
        segment="A",
        variant="B",
        source="sms",
        interaction_at=MID_Q3,
    )
    assert newest.group == "detractor"
    assert newest.as_dict()["answered_at"] == "2026-08-15T10:00:00+00:00"
    assert newest.as_dict()["themes"] == ["packaging", "staff"]
    assert newest.as_dict()["language"] == "zh-CN"


async def test_pages_neither_skip_nor_repeat_answers_given_at_the_same_moment(store):
    await written(store["order"], 25, comment="same second", nps=8, answered_at=MID_Q3)

    seen: list[int] = []
    after = None
    pages = 0
    while True:
        page = await list_answers("online-store", after_id=after, limit=10)
        if not page:
            break
        pages += 1
        seen += [c.answer_id for c in page]
        after = page[-1].answer_id

    assert pages == 3
    assert len(seen) == len(set(seen)) == 25
    assert seen == sorted(seen, reverse=True)


async def test_a_stream_reads_every_answer_of_a_huge_range_in_batches(store):
    await written(store["order"], 1200, nps=9, comment="ok")
    await written(store["ship"], 1300, csat=4)

    batches = [b async for b in stream_answers("online-store", batch_size=1000)]

    assert [len(b) for b in batches] == [1000, 1000, 500]
    ids = [c.answer_id for b in batches for c in b]
    assert ids == sorted(set(ids))
    assert {c.touchpoint for b in batches for c in b} == {"order", "ship"}


async def test_themes_are_read_per_batch_not_lost_at_batch_edges(store):
    await written(store["order"], 5, comment="late", themes=("delivery", "waiting time"))

    batches = [b async for b in stream_answers("online-store", batch_size=2)]

    assert [len(b) for b in batches] == [2, 2, 1]
    assert all(c.themes == ["delivery", "waiting time"] for b in batches for c in b)


async def test_an_erased_customers_answer_is_listed_as_scores_without_its_comment(store):
    from web.privacy import erase_interactions

    (answer,) = await written(store["order"], comment="Call me, Anna, 138 0013 8000", nps=3)
    interaction = await Interaction.get(invitations__answer__id=answer.id)
    await erase_interactions([interaction.id], datetime.now(UTC))

    (listed,) = await list_answers("online-store")
    assert (listed.answer_id, listed.nps, listed.comment) == (answer.id, 3, None)
    assert await list_answers("online-store", comments_only=True) == []


async def test_it_narrows_to_a_touchpoint_segment_attribute_and_language(store):
    await written(store["order"], comment="order A", segment="A", locale="en")
    await written(store["order"], comment="order B", segment="B", attributes={"store": "SH-01"})
    await written(store["ship"], comment="ship A", segment="A", locale="zh-CN")

    async def comments(**filters):
        page = await list_answers("online-store", filters=ReviewFilters(**filters))
        return sorted(c.comment for c in page)

    assert await comments(touchpoint="order") == ["order A", "order B"]
    assert await comments(segment="A") == ["order A", "ship A"]
    assert await comments(attributes=(("store", "SH-01"),)) == ["order B"]
    assert await comments(language="zh-CN") == ["ship A"]


async def test_it_narrows_to_a_theme_a_sentiment_a_score_group_and_comments_only(store):
    await written(store["order"], comment="slow", nps=2, themes=("delivery",), sentiment="negative")
    await written(store["order"], comment="great", nps=10, themes=("staff",), sentiment="positive")
    await written(store["order"], comment="fine", nps=7, sentiment="neutral")
    await written(store["order"], nps=9)

    async def comments(**narrowing):
        return sorted(str(c.comment) for c in await list_answers("online-store", **narrowing))

    assert await comments(theme="delivery") == ["slow"]
    assert await comments(sentiment="positive") == ["great"]
    assert await comments(group="detractors") == ["slow"]
    assert await comments(group="promoters") == ["None", "great"]
    assert await comments(group="passives") == ["fine"]
    assert await comments(comments_only=True) == ["fine", "great", "slow"]


async def test_dates_are_days_in_the_journeys_time_zone(store):
    for moment in (
        SHANGHAI_DAY_START - timedelta(seconds=1),  # 2026-08-14 23:59:59 in Shanghai
        SHANGHAI_DAY_START,  # 2026-08-15 00:00 in Shanghai
        SHANGHAI_DAY_START + timedelta(hours=23, minutes=59),
        SHANGHAI_DAY_START + timedelta(days=1),  # 2026-08-16 00:00
    ):
        await written(store["order"], comment=moment.isoformat(), answered_at=moment)

    day = date(2026, 8, 15)
    found = await list_answers("online-store", since=day, until=day)

    assert sorted(c.answered_at for c in found) == [
        SHANGHAI_DAY_START,
        SHANGHAI_DAY_START + timedelta(hours=23, minutes=59),
    ]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "start", "end"),
    [
        (date(2026, 7, 1), utc(2026, 6, 30, 16), utc(2026, 7, 1, 16)),  # a Shanghai day
        (datetime(2026, 7, 1, 8), utc(2026, 7, 1, 0), utc(2026, 7, 1, 0)),  # Shanghai time
        (utc(2026, 7, 1, 8), utc(2026, 7, 1, 8), utc(2026, 7, 1, 8)),  # as given
    ],
)
def test_since_and_until_as_bounds(given, start, end):
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    assert start_of(given, shanghai) == start
    assert end_of(given, shanghai) == end


def test_a_cursor_is_handed_back_as_it_was_given():
    assert decode_cursor(encode_cursor(12345)) == 12345
    for bad in ("", "abc", encode_cursor(1)[:-1] + "!", "YTEyYQ"):
        with pytest.raises(ReviewError) as refused:
            decode_cursor(bad)
        assert refused.value.field == "cursor"


async def test_an_unknown_journey_is_a_lookup_error(store):
    with pytest.raises(LookupError):
        await list_answers("no-such-journey")
    with pytest.raises(LookupError):
        await anext(stream_answers("no-such-journey"))


@pytest.mark.parametrize(
    ("narrowing", "field"),
    [
        ({"filters": ReviewFilters(touchpoint="shipping")}, "touchpoint"),
        ({"sentiment": "angry"}, "sentiment"),
        ({"group": "critics"}, "group"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"since": date(2026, 9, 1), "until": date(2026, 8, 1)}, "until"),
    ],
)
async def test_bad_narrowing_is_refused_naming_the_field(store, narrowing, field):
    with pytest.raises(ReviewError) as refused:
        await list_answers("online-store", **narrowing)
    assert refused.value.field == field
