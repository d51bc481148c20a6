"""SMS replies as people write them: scores, keywords, and never a guessed score."""

from __future__ import annotations

import pytest

from surveys.replies import (
    Help,
    OptIn,
    OptOut,
    Score,
    Text,
    Unclear,
    asks_to_be_contacted,
    parse_reply,
)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("9", Score(9)),
        (" 9 ", Score(9)),
        ("0", Score(0)),
        ("10", Score(10)),
        ("9 great", Score(9, "great")),
        ("9 great service", Score(9, "great service")),
        ("9, great service!", Score(9, "great service")),
        ("10/10", Score(10)),
        ("9/10 fast delivery", Score(9, "fast delivery")),
        ("8 out of 10", Score(8)),
        ("nine", Score(9)),
        ("Ten!", Score(10)),
        ("zero", Score(0)),
        ("Seven of ten", Score(7)),
        ("九", Score(9)),
        ("十", Score(10)),
        ("零", Score(0)),
        ("九分", Score(9)),
        ("9分，很好", Score(9, "很好")),
        ("我给9分", Score(9)),
        ("满分", Score(10)),
        ("十分", Score(10)),
        ("９", Score(9)),
        ("１０／１０", Score(10)),
        ("score: 8", Score(8)),
        ("Score 8", Score(8)),
        ("I'd give it a 9", Score(9)),
        ("great service 9", Score(9, "great service")),
        ("great service, 9/10", Score(9, "great service")),
        ("9 great, it arrived in 2 days", Score(9, "great, it arrived in 2 days")),
    ],
)
def test_it_reads_a_score(text, reply):
    assert parse_reply(text) == reply


@pytest.mark.parametrize(
    "text",
    [
        "11",
        "100",
        "-1",
        "8.5",
        "8,5",
        "7 or 8",
        "7-8",
        "7/8",
        "7 8",
        "between 7 and 8",
        "4/5",
        "it took 2 days to arrive",
        "9am delivery was late",
        "one of the best",
        "No one called me back",  # a number word in the middle of a sentence
        "十分满意",
        "九十",
        "7或者8",
        "",
        "  ",
        "?!",
    ],
)
def test_it_never_guesses_a_score(text):
    assert isinstance(parse_reply(text), Unclear)


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("STOP", "stop"),
        ("stop", "stop"),
        ("Stop.", "stop"),
        ("STOPALL", "stopall"),
        ("UNSUBSCRIBE", "unsubscribe"),
        ("CANCEL", "cancel"),
        ("end", "end"),
        ("Quit", "quit"),
        ("ＳＴＯＰ", "stop"),
        ("退订", "退订"),
        ("取消", "取消"),
        ("停止", "停止"),
        ("TD", "td"),
        ("please stop texting me", "stop"),
        ("9 but stop the texts", "stop"),
        ("don't stop", "stop"),  # the safe side: rather one answer missed than a message too many
        ("unsubscribe me please", "unsubscribe"),
        ("请不要再发了，退订", "退订"),
        ("取消订阅", "取消订阅"),
    ],
)
def test_it_hears_an_opt_out(text, keyword):
    assert parse_reply(text) == OptOut(keyword)


@pytest.mark.parametrize(
    "text",
    ["I had to cancel and reorder", "in the end it came", "it stopped raining", "non-stopping"],
)
def test_cancel_end_and_quit_count_only_alone(text):
    assert not isinstance(parse_reply(text), OptOut)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("START", OptIn("start")),
        ("unstop", OptIn("unstop")),
        ("Yes", OptIn("yes")),
        ("订阅", OptIn("订阅")),
        ("开始", OptIn("开始")),
        ("HELP", Help("help")),
        ("info", Help("info")),
        ("帮助", Help("帮助")),
    ],
)
def test_it_hears_opt_ins_and_help(text, reply):
    assert parse_reply(text) == reply


@pytest.mark.parametrize(
    "text",
    ["Delivery was quick", "非常好", "一般般", "please help me find it"],
)
def test_words_without_a_number_are_text(text):
    assert parse_reply(text) == Text(text)


@pytest.mark.parametrize(
    "text",
    [
        "call me",
        "Call me please",
        "please contact me",
        "Please call me back asap!",
        "can someone call me back",
        "Can you call me?",
        "give me a call",
        "Could you reach out to me?",
        "I want to talk to a manager",
        "I'd like to speak with a supervisor",
        "I want a callback",
        "3 - terrible, call me",
        "I'm not happy call me",
        "not happy. Call me",
        "Don't worry about the refund, just call me",
        "请联系我",
        "给我回电话",
        "请给我打电话",
        "联系我",
        "打电话给我",
        "请尽快联系我",
        "找你们经理",
        "我不满意，请联系我",
        "我不要退款请联系我",
        "２分　请联系我",  # full-width
    ],
)
def test_a_reply_asking_for_a_person_asks_to_be_contacted(text):
    assert asks_to_be_contacted(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "don't call me",
        "Don’t call me.",  # a typographic apostrophe
        "do not contact me",
        "please do not ever call me",
        "please don't contact me",
        "no need to contact me",
        "No need to call me, all good",
        "you don't need to call me",
        "no need for anyone to call me",
        "nobody should call me",
        "never call me again",
        "they always call me",
        "why did you contact me?",
        "为什么给我打电话",
        "I called them twice",
        "9 great service",
        "",
        "不用联系我",
        "不要给我打电话",
        "别联系我",
        "不需要联系我",
        "请不要再给我打电话了",
        "你们一直给我打电话",
        "联系我们页面打不开",  # "contact us", not "contact me"
    ],
)
def test_a_reply_turning_contact_down_never_asks_to_be_contacted(text):
    assert asks_to_be_contacted(text) is False
