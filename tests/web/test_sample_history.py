"""Sample history: what a newcomer's review shows before any real customer has answered,
and what the review benchmark reads. Seeded, realistic, marked, and kept apart from real
answers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from journeys.loader import load_journey
from journeys.models import Customer
from journeys.periods import Period
from journeys.store import apply_journey
from surveys.assignment import assign_variant
from surveys.sql import fetch_all
from tests.processes import clean_environment, touchpoint
from tests.surveys.cases import answered
from web import sample_phrases
from web.commands import _demo_definition
from web.sample_history import (
    DEMO_ANSWERS,
    feedback_analyser,
    quarters_ending,
    remove_sample_history,
    seasonal_drift,
    seed_demo_history,
    write_sample_history,
)

NOW = datetime(2026, 11, 15, 6, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
EXPERIMENT = """
experiments:
  sms-wording: {variants: {A: 1, B: 1}, touchpoints: [ship, use]}
"""


@pytest.fixture
async def demo_journey(db: str) -> str:
    definition, text = _demo_definition()
    await apply_journey(definition, text)
    return definition.journey


async def answers_as_written() -> list[tuple]:
    return await fetch_all(
        "SELECT t.key, a.nps, a.csat, a.comment, a.answered_at, a.channel, a.locale,"
        " a.segment, a.variant FROM answer a JOIN touchpoint t ON t.id = a.touchpoint_id"
        " ORDER BY a.answered_at, t.key, a.nps, a.csat"
    )


async def test_the_same_seed_writes_the_same_history_and_a_new_one_replaces_it(demo_journey):
    await write_sample_history(demo_journey, answers=300, seed=5, now=NOW)
    first = await answers_as_written()
    await remove_sample_history(demo_journey)
    await write_sample_history(demo_journey, answers=300, seed=5, now=NOW)
    again = await answers_as_written()
    await remove_sample_history(demo_journey)
    await write_sample_history(demo_journey, answers=300, seed=6, now=NOW)
    other = await answers_as_written()

    assert len(first) == 300
    assert again == first
    assert len(other) == 300 and other != first
    [(invitations,)] = await fetch_all("SELECT COUNT(*) FROM invitation")
    assert invitations < 300 / 0.2  # the earlier samples' invitations went with them


async def test_a_sample_reads_like_real_feedback_in_both_languages(demo_journey):
    written = await write_sample_history(demo_journey, answers=2000, seed=1, now=NOW)

    assert written.answers == 2000
    comments = [c for (c,) in await fetch_all("SELECT comment FROM answer") if c]
    chinese = [c for c in comments if CHINESE.search(c)]
    assert 0.25 < len(chinese) / len(comments) < 0.65
    assert (
        50
        < len(set(comments))
        <= sample_phrases.pool_size("en") + sample_phrases.pool_size("zh-CN")
    )
    statuses = dict(await fetch_all("SELECT status, COUNT(*) FROM invitation GROUP BY status"))
    assert set(statuses) == {"answered", "expired", "sent"}
    assert 0.25 <= statuses["answered"] / sum(statuses.values()) <= 0.40
    [(missing,)] = await fetch_all(
        "SELECT COUNT(*) FROM answer WHERE channel IS NULL OR locale IS NULL"
        " OR segment IS NULL OR variant IS NULL OR interaction_at IS NULL"
        " OR interaction_at >= answered_at"
    )
    assert missing == 0
    segments = dict(await fetch_all("SELECT segment, COUNT(*) FROM answer GROUP BY segment"))
    assert set(segments) == {"A", "B", "C"}
    names = dict(await fetch_all("SELECT name, COUNT(*) FROM answer_attribute GROUP BY name"))
    assert names == {"region": 2000, "store": 2000, "product_line": 2000}


async def test_sample_customers_are_marked_and_cannot_be_sent_anything(demo_journey):
    await write_sample_history(demo_journey, answers=200, seed=1, now=NOW)

    customers = await Customer.all()
    assert customers and all(c.external_id.startswith("sample-online-store-") for c in customers)
    assert all(c.phone is None and c.email is None for c in customers)
    [(cases,)] = await fetch_all("SELECT COUNT(*) FROM follow_up_case")
    assert cases == 0


def test_answers_are_shared_out_over_the_quarters_by_the_time_each_has_run():
    quarters = quarters_ending(NOW, SHANGHAI, 8, 1000)

    assert (quarters[0].period, quarters[-1].period) == (Period(2025, 1), Period(2026, 4))
    assert sum(q.answers for q in quarters) == 1000
    assert quarters[-1].stop == NOW
    assert quarters[-1].answers < quarters[-2].answers  # half a quarter so far
    assert quarters[-2].answers > quarters[0].answers  # growing


@pytest.mark.parametrize(
    ("touchpoint_key", "quarter", "drift"),
    [
        ("ship", 4, -0.115),  # the delivery rush
        ("ship", 3, 0.0),
        ("order", 4, -0.015),
        ("after-sales", 1, -0.04),  # holiday returns
        ("use", 3, 0.02),
        ("browse", 2, 0.0),
    ],
)
def test_scores_drift_with_the_season(touchpoint_key, quarter, drift):
    assert seasonal_drift(touchpoint_key, quarter) == pytest.approx(drift)


async def test_delivery_is_worse_in_the_fourth_quarter(demo_journey):
    await write_sample_history(demo_journey, answers=3000, seed=2, now=NOW)
    rows = await fetch_all(
        "SELECT a.answered_at, a.csat FROM answer a JOIN touchpoint t ON t.id = a.touchpoint_id"
        " WHERE t.key = 'ship'"
    )

    def mean_csat(quarters: set[int]) -> float:
        scores = [csat for at, csat in rows if _quarter_of(at) in quarters]
        return sum(scores) / len(scores)

    assert mean_csat({4}) < mean_csat({2, 3}) - 0.2


def _quarter_of(moment: datetime | str) -> int:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return (moment.astimezone(SHANGHAI).month - 1) // 3 + 1


async def test_variants_follow_the_journeys_experiment(db):
    definition, text = _demo_definition()
    text += EXPERIMENT
    definition = load_journey(text)
    await apply_journey(definition, text)
    await write_sample_history(definition.journey, answers=400, seed=3, now=NOW)

    rows = await fetch_all(
        "SELECT t.key, c.external_id, a.variant, a.experiment, i.variant, i.experiment"
        " FROM answer a JOIN invitation i ON i.id = a.invitation_id"
        " JOIN customer c ON c.id = i.customer_id JOIN touchpoint t ON t.id = a.touchpoint_id"
    )
    weights = {"A": 1, "B": 1}
    tested = [r for r in rows if r[0] in ("ship", "use")]
    assert tested and all(
        r[2] == r[4] == assign_variant(r[1], "sms-wording", weights)
        and r[3] == r[5] == "sms-wording"
        for r in tested
    )
    assert {r[2] for r in tested} == {"A", "B"}
    assert all(r[2] == "A" and r[3] is None for r in rows if r[0] not in ("ship", "use"))


async def test_comments_are_analysed_when_the_analysis_is_there(demo_journey):
    definition, _ = _demo_definition()
    written = await write_sample_history(demo_journey, answers=300, seed=4, now=NOW)

    [(with_comment, sentiment)] = await fetch_all(
        "SELECT COUNT(*), COUNT(sentiment) FROM answer WHERE comment IS NOT NULL"
    )
    [(analysed,)] = await fetch_all("SELECT COUNT(analysed) FROM answer")
    assert with_comment > 50
    if feedback_analyser(definition) is None:  # left for the worker's analysis
        assert not written.analysed and analysed == sentiment == 0
    else:  # none left pending, with a comment or without
        assert written.analysed and sentiment == with_comment and analysed == 300
        [(themed,)] = await fetch_all("SELECT COUNT(DISTINCT answer_id) FROM answer_theme")
        assert themed > 0


async def test_the_demo_starts_with_history_the_first_time_only(demo_journey):
    first = await seed_demo_history(demo_journey)
    second = await seed_demo_history(demo_journey)

    assert first is not None and first.answers == DEMO_ANSWERS
    assert second is None
    [(answers,)] = await fetch_all("SELECT COUNT(*) FROM answer")
    assert answers == DEMO_ANSWERS


async def test_a_journey_not_applied_gets_no_history(db):
    with pytest.raises(LookupError, match="no journey 'nope'"):
        await write_sample_history("nope", answers=10, now=NOW)


async def test_the_command_keeps_away_from_real_answers_unless_forced(shop_journey, db, tmp_path):
    await answered("use", nps=9, csat=5, customer="anna")
    env = clean_environment(
        data_dir=str(tmp_path), database_url=db, secret_key="a test key, not a secret one"
    )

    refused = touchpoint("sample-history", "--journey", "shop", "--answers", "100", env=env)
    forced = touchpoint(
        "sample-history", "--journey", "shop", "--answers", "100", "--force", env=env
    )
    bad = touchpoint("sample-history", "--journey", "shop", "--quarters", "0", env=env)

    assert refused.returncode == 2
    assert "'shop' has 1 real answer;" in refused.stderr and "--force" in refused.stderr
    assert forced.returncode == 0, forced.stderr
    assert "sample history: 100 answers over 8 quarters for shop" in forced.stdout
    assert "marked sample-shop-" in forced.stdout
    assert bad.returncode == 2 and "--quarters: 1 to 40, not 0" in bad.stderr
    [(answers,)] = await fetch_all("SELECT COUNT(*) FROM answer")
    assert answers == 101
    assert await Customer.exists(external_id="anna")
