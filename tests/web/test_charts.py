"""The review's charts, read back: the SVG parsed as XML, the PNG by its header."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

from web.charts import (
    ChartCache,
    MixChart,
    ScoreMix,
    ThemeBar,
    ThemeChart,
    TrendChart,
    TrendPoint,
    digest,
    inline_svg,
    png,
    svg,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

ORDER_NPS = TrendChart(
    name="trend-order-nps",
    title="order: NPS by quarter",
    measure="NPS",
    points=(
        TrendPoint("2026-Q1", 20.0, 5.0, 35.0, 40, False),
        TrendPoint("2026-Q2", None, None, None, 0, True),
        TrendPoint("2026-Q3", 45.0, 20.0, 62.0, 12, True),
    ),
    target=40.0,
)
MIX = MixChart(
    "mix",
    "Promoters, passives and detractors, 2026-Q3",
    (ScoreMix("order", 30, 10, 5), ScoreMix("配送", 3, 4, 20), ScoreMix("browse", 0, 0, 0)),
)
THEMES = ThemeChart(
    "themes", "Top themes, 2026-Q3", (ThemeBar("delivery", 40, -30.0), ThemeBar("价格", 5, None))
)


def parsed(text: str) -> ET.Element:
    return ET.fromstring(
        text.removeprefix('<?xml version="1.0" encoding="utf-8" standalone="no"?>')
    )


def group(root: ET.Element, chart: str, gid: str) -> ET.Element | None:
    return root.find(f".//svg:g[@id='chart-{chart}-{gid}']", NS)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_a_trend_has_its_series_band_target_and_low_sample_marks():
    root = parsed(svg(ORDER_NPS))

    assert root.find("svg:title", NS).text == "order: NPS by quarter"
    desc = root.find("svg:desc", NS).text
    assert "2026-Q3 +45.0 (n=12, 95% interval +20.0 to +62.0, low sample)" in desc
    assert "Target: NPS above 40." in desc
    assert root.get("aria-labelledby") == "chart-trend-order-nps-title chart-trend-order-nps-desc"
    for gid in ("series", "band", "target", "low-sample"):
        assert group(root, "trend-order-nps", gid) is not None, gid
    labels = texts(root)
    assert {"2026-Q1", "2026-Q2", "2026-Q3", "+20", "+45", "target 40"} <= set(labels)
    assert "low sample (n < 30)" in labels and "95% interval" in labels


def test_the_svg_has_no_inline_style_and_ids_of_its_own():
    text = svg(ORDER_NPS)
    root = parsed(text)

    assert "style=" not in text and "<style" not in text
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert all(found.startswith("chart-trend-order-nps") for found in ids)
    assert len(ids) == len(set(ids))


def test_the_same_chart_draws_the_same_bytes_with_no_date():
    assert svg(ORDER_NPS) == svg(ORDER_NPS)
    assert png(MIX, 400, 300) == png(MIX, 400, 300)
    assert "dc:date" not in svg(ORDER_NPS)


def test_inline_the_chart_scales_with_the_page_and_as_a_file_keeps_its_size():
    inline, standalone = parsed(inline_svg(ORDER_NPS)), parsed(svg(ORDER_NPS))

    assert inline.get("width") is None and inline.get("viewBox") == "0 0 460.8 244.8"
    assert standalone.get("width") == "460.8pt"


def test_the_mix_shows_each_group_with_its_counts():
    root = parsed(svg(MIX))

    for gid in ("detractors", "passives", "promoters"):
        assert group(root, "mix", gid) is not None, gid
    labels = texts(root)
    assert {"30", "10", "20", "n=45", "n=27", "n=0", "配送", "detractors"} <= set(labels)
    assert MIX.table().rows[0] == ("order", "5 (11%)", "10 (22%)", "30 (67%)", "45")


def test_the_themes_bars_are_labelled_with_count_and_nps():
    root = parsed(svg(THEMES))

    assert group(root, "themes", "themes") is not None
    assert {"40 · NPS -30", "5 · NPS —", "价格", "theme NPS"} <= set(texts(root))


@pytest.mark.parametrize(
    ("chart", "said"),
    [
        (
            TrendChart(
                "t", "CSAT", "CSAT", (TrendPoint("2026-Q1", None, None, None, 0, True),), 85
            ),
            "No answers in these periods yet",
        ),
        (MixChart("m", "Mix", (ScoreMix("order", 0, 0, 0),)), "No NPS answers in this period"),
        (ThemeChart("h", "Themes", ()), "No comments with a theme in this period"),
    ],
)
def test_a_chart_with_no_data_says_so(chart, said):
    root = parsed(svg(chart))

    assert said in texts(root)
    assert "no " in root.find("svg:desc", NS).text.lower()


def test_a_png_has_the_signature_and_the_size_asked_for():
    drawn = png(ORDER_NPS, 1280, 720)

    assert drawn.startswith(PNG_SIGNATURE)
    assert struct.unpack(">II", drawn[16:24]) == (1280, 720)
    with pytest.raises(ValueError, match="100 to 4000 pixels"):
        png(ORDER_NPS, 20, 20)


def test_the_numbers_are_in_a_table_beside_the_chart():
    table = ORDER_NPS.table()

    assert table.headers == ("period", "NPS", "95% interval", "n")
    assert table.rows[1] == ("2026-Q2", "—", "", "0")
    assert table.rows[2] == ("2026-Q3", "+45.0 *", "+20.0 to +62.0", "12")


def test_the_cache_draws_once_per_context_and_data():
    cache = ChartCache(size=2)
    drawn = []

    def draw(name: str) -> str:
        drawn.append(name)
        return name

    for key in ["a", "a", "b", "c", "a"]:
        cache.get(key, lambda key=key: draw(key))

    assert drawn == ["a", "b", "c", "a"]  # "a" fell out when "c" came
    assert digest(ORDER_NPS) != digest(MIX) and digest(ORDER_NPS) == digest(ORDER_NPS)
