"""Sentiment of what a customer wrote, from the text alone, in English and Chinese."""

import subprocess
import sys

import pytest

from surveys.feedback import DEFAULT_THEMES, Analysis, analyse
from surveys.feedback.sentiment import chinese_score, sentiment


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("Great staff, really helpful and friendly!", "positive"),
        ("Delivery was quick and the packaging was perfect", "positive"),
        ("The parcel arrived late and the box was crushed", "negative"),
        ("Terrible app, it crashes every time I pay", "negative"),
        ("Not good at all", "negative"),
        ("Not bad at all", "positive"),
        ("I ordered a blue jumper on Tuesday", "neutral"),
        ("It would be nice if you opened on Sundays", "neutral"),
    ],
)
def test_english_comments(comment, expected):
    assert sentiment(comment, "en") == expected


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("店员非常热情，服务很周到", "positive"),
        ("物流很快，包装完好无损", "positive"),
        ("快递太慢了，等了一个星期", "negative"),
        ("质量很差，用了两天就坏了", "negative"),
        ("不满意", "negative"),
        ("不太好", "negative"),
        ("没有问题，很好用", "positive"),
        ("我昨天在门店买了一件外套", "neutral"),
        ("希望能增加更多的支付方式", "neutral"),
    ],
)
def test_chinese_comments(comment, expected):
    assert sentiment(comment, "zh-CN") == expected


def test_a_negation_flips_the_word_it_denies_and_a_degree_word_scales_it():
    assert chinese_score("满意") > 0 > chinese_score("不满意")
    assert chinese_score("非常满意") > chinese_score("满意") > chinese_score("有点满意")


def test_after_but_the_reader_weighs_the_second_clause_more():
    assert sentiment("东西还不错，但是客服态度很差", "zh-CN") == "negative"
    assert sentiment("客服态度一般，但是东西非常好", "zh-CN") == "positive"


def test_the_comment_is_read_in_the_language_it_is_written_in_whatever_the_survey():
    assert analyse("快递太慢了", "en", DEFAULT_THEMES) == Analysis(
        sentiment="negative", terms=["快递", "太慢"], themes=["delivery"]
    )
    assert analyse("Staff were lovely", "zh-CN", DEFAULT_THEMES) == Analysis(
        sentiment="positive", terms=["staff", "lovely"], themes=["staff"]
    )


def test_a_comment_with_nothing_to_read_is_neutral_and_about_nothing():
    assert analyse("10/10", "zh-CN", DEFAULT_THEMES) == Analysis("neutral", [], [])
    assert analyse("", "en", DEFAULT_THEMES) == Analysis("neutral", [], [])


def test_the_methods_load_from_installed_files_without_a_warning():
    loaded = subprocess.run(
        [sys.executable, "-W", "error", "-c",
         "from surveys.feedback.sentiment import sentiment;"
         "print(sentiment('good', 'en'), sentiment('好', 'zh-CN'))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip

    assert (loaded.stdout, loaded.stderr) == ("positive positive\n", "")
