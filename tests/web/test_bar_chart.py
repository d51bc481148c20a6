"""The answers-per-day chart's bars (pure)."""

from __future__ import annotations

from datetime import date, timedelta

from web.bar_chart import HEIGHT, daily_bars

DAYS = [date(2026, 11, 19) + timedelta(days=i) for i in range(7)]


def test_the_busiest_day_fills_the_height_and_the_rest_scale():
    chart = daily_bars(DAYS, {DAYS[0]: 10, DAYS[3]: 5})

    assert [b.height for b in chart.bars] == [HEIGHT, 0, 0, HEIGHT // 2, 0, 0, 0]
    assert [b.y + b.height for b in chart.bars] == [HEIGHT] * 7  # all stand on the baseline
    assert (chart.total, chart.peak) == (15, 10)
    assert chart.bars[3].label == "Sun 22 Nov: 5"


def test_one_answer_beside_many_is_still_visible():
    chart = daily_bars(DAYS, {DAYS[0]: 1000, DAYS[1]: 1})

    assert chart.bars[1].height == 2


def test_a_week_without_answers_draws_no_bars():
    chart = daily_bars(DAYS, {})

    assert {b.height for b in chart.bars} == {0}
    assert chart.total == 0
    assert chart.width == 7 * 22 + 6 * 6
