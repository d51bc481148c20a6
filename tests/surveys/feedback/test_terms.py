"""Comments cut into words: English by spelling, Chinese by jieba, mixed text by both."""

import subprocess
import sys

import pytest

from surveys.feedback import detect_language
from surveys.feedback.terms import normalise, terms, words


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The parcel came late", "en"),
        ("快递太慢了", "zh-CN"),
        ("app一直闪退", "zh-CN"),  # three characters against one English word
        ("The 快递 was late", "en"),
        ("非常好 very good", "zh-CN"),
        ("10/10 👍", "en"),
    ],
)
def test_the_language_is_read_from_the_characters(text, language):
    assert detect_language(text) == language


def test_text_with_nothing_to_read_is_in_the_surveys_language():
    assert detect_language("10/10", default="zh-CN") == "zh-CN"


@pytest.mark.parametrize(
    ("word", "normal"),
    [
        ("parcels", "parcel"),
        ("boxes", "box"),
        ("deliveries", "delivery"),
        ("sizes", "size"),
        ("watches", "watch"),
        ("glass", "glass"),
        ("bus", "bus"),
        ("delicious", "delicious"),
        ("always", "always"),
        ("gas", "gas"),
    ],
)
def test_a_plural_s_is_dropped_and_nothing_else(word, normal):
    assert normalise(word) == normal


def test_english_words_keep_the_negation_of_a_contraction_and_the_clause_marks():
    assert words("I didn't get my parcels, it wasn't OK") == [
        "i", "did", "not", "get", "my", "parcel", ",", "it", "was", "not", "ok",
    ]  # fmt: skip


def test_chinese_is_segmented_into_words_not_characters():
    assert words("快递很慢，包装破了") == ["快递", "很", "慢", "，", "包装", "破", "了"]


def test_mixed_text_keeps_both_languages_in_order():
    assert words("The app一直闪退 again") == ["the", "app", "一直", "闪退", "again"]


def test_terms_leave_out_stop_words_and_punctuation_and_count_once():
    assert terms("The delivery was late, the delivery driver was rude!") == [
        "delivery", "late", "driver", "rude",
    ]  # fmt: skip


def test_a_negation_is_joined_to_the_word_it_denies():
    assert terms("It did not work and was never delivered") == ["not-work", "never-delivered"]
    assert terms("没有收到货，客服不回复") == ["没有收到", "货", "客服", "不回复"]


def test_chinese_stop_words_are_left_out_of_terms():
    assert terms("我觉得这个东西的质量真的很好") == ["觉得", "质量", "好"]


def test_jieba_loads_without_a_word_on_stdout_or_stderr():
    loaded = subprocess.run(
        [sys.executable, "-W", "error", "-c",
         "from surveys.feedback.terms import words; print(words('快递员很热情'))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip

    assert loaded.stdout == "['快递员', '很', '热情']\n"
    assert loaded.stderr == ""
