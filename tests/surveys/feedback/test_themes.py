"""Themes: what a comment is about, from the default retail taxonomy or the journey's own."""

from importlib import resources

import pytest

from journeys.loader import load_journey
from journeys.schema import ThemeKeywords
from surveys.feedback import (
    DEFAULT_THEMES,
    analyse,
    analysis_digest,
    taxonomy_for,
    theme_label,
)
from surveys.feedback.themes import METHOD_VERSION


def themes_of(comment, taxonomy=DEFAULT_THEMES, locale="en"):
    return analyse(comment, locale, taxonomy).themes


@pytest.mark.parametrize(
    ("comment", "themes"),
    [
        ("The parcel was delivered two days late", ["delivery"]),
        ("Way too expensive for what it is", ["price"]),
        ("The fabric started pilling after one wash", ["product-quality"]),
        ("The lady at the till was so rude", ["staff"]),
        ("The app keeps crashing when I log in", ["app-website"]),
        ("Still waiting for my refund", ["returns", "waiting-time"]),
        ("Queued for 20 minutes at the checkout", ["waiting-time", "payment"]),
        ("Box was crushed and nothing inside was wrapped", ["packaging"]),
        ("My card was charged twice", ["payment"]),
        ("Lovely!", []),
        ("快递员送货很及时", ["delivery"]),
        ("价格太贵了", ["price"]),
        ("衣服质量很好，面料舒服", ["product-quality"]),
        ("店员态度很热情", ["staff"]),
        ("APP一直闪退，登录不了", ["app-website"]),
        ("申请退货一周了还没退款", ["returns"]),
        ("排队等了半小时才结账", ["waiting-time", "payment"]),
        ("包装盒子压坏了", ["packaging"]),
        ("微信支付一直失败", ["payment"]),
        ("很满意", []),
    ],
)
def test_known_comments_are_about_the_themes_a_reader_sees(comment, themes):
    assert themes_of(comment) == themes


def test_a_keyword_of_either_language_counts_whatever_the_comment_is_written_in():
    assert themes_of("The 快递 was fast") == ["delivery"]
    assert themes_of("网站 checkout 很方便", locale="zh-CN") == ["app-website", "payment"]


def test_english_keywords_match_whole_words_or_a_stem_with_a_star():
    taxonomy = {"click-and-collect": ThemeKeywords(en=["collect*", "locker"])}

    assert themes_of("Collected it from the lockers", taxonomy) == ["click-and-collect"]
    assert themes_of("Recollection of the lock", taxonomy) == []


def test_english_phrases_match_words_in_a_row():
    taxonomy = {"hold": ThemeKeywords(en=["on hold"])}

    assert themes_of("I was put on hold for ages", taxonomy) == ["hold"]
    assert themes_of("Hold on, it was fine", taxonomy) == []


def test_a_single_chinese_character_must_be_a_whole_word_longer_keywords_a_substring():
    taxonomy = {"price": ThemeKeywords(zh_cn=["贵", "价格"])}

    assert themes_of("有点贵", taxonomy) == ["price"]
    assert themes_of("贵宾服务", taxonomy) == []  # 贵宾 is a word of its own
    assert themes_of("价格表看不懂", taxonomy) == ["price"]


def test_a_journey_without_themes_uses_the_retail_default_and_with_themes_its_own():
    text = resources.files("journeys").joinpath("demo/online-store.yaml").read_text("utf-8")
    plain = load_journey(text)
    own = load_journey(
        text + "\nthemes:\n  delivery:\n    en: [courier]\n    zh-CN: [快递]\n"
        "  fitting-room:\n    en: [fitting room, changing room]\n    zh-CN: [试衣间]\n"
    )

    assert taxonomy_for(plain) is DEFAULT_THEMES
    assert list(taxonomy_for(own)) == ["delivery", "fitting-room"]
    assert themes_of("The changing room was dirty", taxonomy_for(own)) == ["fitting-room"]
    assert themes_of("试衣间太小", taxonomy_for(own)) == ["fitting-room"]


def test_the_digest_changes_with_the_taxonomy_and_with_nothing_else():
    default = analysis_digest(DEFAULT_THEMES)
    edited = dict(DEFAULT_THEMES) | {"price": ThemeKeywords(en=["price"], zh_cn=["价格"])}

    assert len(default) == 16 and int(default, 16) >= 0
    assert analysis_digest(dict(DEFAULT_THEMES)) == default
    assert analysis_digest(edited) != default
    assert METHOD_VERSION  # part of what the digest is over, so a new method re-analyses


@pytest.mark.parametrize(
    ("theme", "locale", "label"),
    [
        ("delivery", "en", "Delivery"),
        ("product-quality", "en", "Product quality"),
        ("app-website", "zh-CN", "App 与网站"),
        ("waiting-time", "zh", "等待时间"),
        ("fitting-room", "en", "Fitting room"),
        ("fitting-room", "zh-CN", "Fitting room"),
    ],
)
def test_each_theme_has_a_name_for_people(theme, locale, label):
    assert theme_label(theme, locale) == label


def test_every_default_theme_has_keywords_and_a_name_in_both_languages():
    for theme, keywords in DEFAULT_THEMES.items():
        assert keywords.en and keywords.zh_cn, theme
        assert theme_label(theme, "en") != theme_label(theme, "zh-CN"), theme
