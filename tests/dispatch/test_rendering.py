"""Invitation wording: the journey's own text or the defaults, in English and Chinese."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dispatch.rendering import render_email, render_text
from dispatch.segments import is_gsm7
from journeys.schema import JourneyDefinition

LINK = "https://t.example/s/abc"
NPS = {
    "type": "nps",
    "text": {
        "en": "How likely are you to recommend us to a friend?",
        "zh-CN": "您有多大可能向朋友推荐我们？",
    },
}


def journey(messages: dict[str, Any] | None = None, **fields: Any) -> JourneyDefinition:
    definition: dict[str, Any] = {
        "journey": "online-store",
        "name": "Online store",
        "brand": "Acme",
        "touchpoints": [
            {
                "key": "use",
                "name": {"en": "delivery", "zh-CN": "配送"},
                "stage": "after-sale",
                "trigger": "order.delivered",
                "survey": "nps-csat",
            },
            {"key": "after-sales", "stage": "after-sale", "trigger": "t.c", "survey": "quick"},
        ],
        "surveys": {
            "nps-csat": {"questions": [NPS, {"type": "csat", "text": "Satisfied?"}]},
            "quick": {"questions": [{"type": "csat", "text": "How satisfied are you?"}]},
        },
        "messages": messages or {},
    }
    definition.update(fields)
    return JourneyDefinition.model_validate(definition)


def sms(definition: JourneyDefinition, locale: str = "en", variant: str = "A", **kw: Any) -> str:
    options: dict[str, Any] = {"link": LINK, "first_name": None, **kw}
    return render_text(
        definition, "use", channel="sms", gsm7=True, locale=locale, variant=variant, **options
    )


def email(definition: JourneyDefinition, key: str = "use", locale: str = "en", **kw: Any):
    options: dict[str, Any] = {"link": LINK, "first_name": None, "variant": "A", **kw}
    return render_email(definition, key, channel="email", locale=locale, **options)


EN_ASK = f"how was your delivery? Tell us in 10 seconds: {LINK} Reply STOP to opt out"
ZH_ASK = f"您对本次配送满意吗？花10秒告诉我们：{LINK} 回复STOP退订"


@pytest.mark.parametrize(
    ("locale", "first_name", "text"),
    [
        ("en", None, f"Acme: H{EN_ASK[1:]}"),
        ("en", "Anna", f"Acme: Hi Anna, {EN_ASK}"),
        ("zh-CN", None, f"【Acme】{ZH_ASK}"),
        ("zh_CN", "陈", f"【Acme】陈，您好！{ZH_ASK}"),
        ("fr", None, f"Acme: H{EN_ASK[1:]}"),
    ],
)
def test_the_default_sms_speaks_the_customers_language(locale, first_name, text):
    assert sms(journey(), locale, first_name=first_name) == text


def test_the_brand_falls_back_to_the_journey_name():
    assert sms(journey(brand=None)).startswith("Online store: How was your delivery?")


WORDING = {
    "sms": {
        "A": {"en": "A: {touchpoint} {link}", "zh-CN": "甲：{touchpoint} {link}"},
        "B": {"en": "B: {first_name}, rate your {touchpoint} at {brand} ({journey}): {link}"},
    }
}


@pytest.mark.parametrize(
    ("wording", "variant", "locale", "text"),
    [
        (WORDING, "A", "en", f"A: delivery {LINK}"),
        (WORDING, "A", "zh-CN", f"甲：配送 {LINK}"),
        (WORDING, "B", "en", f"B: Hi, rate your delivery at Acme (Online store): {LINK}"),
        # B has no Chinese: the whole message is English, touchpoint name included.
        (WORDING, "B", "zh-CN", f"B: Hi, rate your delivery at Acme (Online store): {LINK}"),
        (WORDING, "C", "en", f"A: delivery {LINK}"),  # unknown variant: A
        ({"sms": {"X": {"en": "X {link}"}, "Y": {"en": "Y"}}}, "C", "en", f"X {LINK}"),
        ({"sms": {}}, "B", "en", sms(journey())),  # no wording: the default
    ],
)
def test_it_picks_the_variants_wording(wording, variant, locale, text):
    assert sms(journey(wording), locale, variant) == text


@pytest.mark.parametrize(
    ("template", "locale", "first_name", "text"),
    [
        ("{first_name}, rate us", "en", "Anna", "Anna, rate us"),
        ("{first_name}, rate us", "en", None, "Hi, rate us"),
        ("Hi {first_name}, rate us", "en", None, "Hi there, rate us"),
        ("Hi {first_name}, rate us", "en", "  ", "Hi there, rate us"),
        ("Dear {first_name}, rate us", "en", None, "Dear customer, rate us"),
        ("{first_name}，请评分", "zh-CN", None, "您好，请评分"),
        ("亲爱的{first_name}，请评分", "zh-CN", None, "亲爱的顾客，请评分"),
        ("{unknown} stays, {link} goes", "en", None, "{unknown} stays, " + LINK + " goes"),
    ],
)
def test_it_fills_placeholders(template, locale, first_name, text):
    definition = journey({"sms": {"A": {"en": template, "zh-CN": template}}})

    assert sms(definition, locale, first_name=first_name) == text


def test_english_sms_is_kept_in_gsm7():
    wording = {"sms": {"A": {"en": "We’d “love” to hear — it takes 10 seconds… {link}"}}}

    text = sms(journey(wording))

    assert text == f'We\'d "love" to hear - it takes 10 seconds... {LINK}'
    assert is_gsm7(text)


def test_chinese_sms_keeps_its_punctuation():
    wording = {"sms": {"A": {"en": "x", "zh-CN": "您对“{touchpoint}”满意吗？…… {link}"}}}

    assert sms(journey(wording), "zh-CN") == f"您对“配送”满意吗？…… {LINK}"


def test_an_unknown_touchpoint_is_named():
    with pytest.raises(LookupError, match="no touchpoint 'ship'"):
        render_text(
            journey(), "ship", channel="sms", locale="en", variant="A", link=LINK, first_name=None
        )


def test_the_email_asks_the_nps_question_with_eleven_one_tap_scores():
    rendered = email(journey(), first_name="Anna")

    assert rendered.subject == "Acme: how was your delivery?"
    assert rendered.locale == "en"
    links = [f"{LINK}?score={n}" for n in range(11)]
    assert re.findall(r'href="([^"]*score=[^"]*)"', rendered.html) == links
    assert "How likely are you to recommend us to a friend?" in rendered.html
    assert rendered.text.startswith("Hi Anna,\n\nThank you for choosing Acme.")
    assert "How likely are you to recommend us to a friend?" in rendered.text
    assert [line for line in rendered.text.splitlines() if "score=" in line] == [
        f"{n}: {url}" for n, url in enumerate(links)
    ]
    assert rendered.text.endswith(f"Or open the survey: {LINK}")


def test_the_email_is_written_in_chinese_for_chen():
    rendered = email(journey(), locale="zh-CN")

    assert rendered.subject == "Acme：您对本次配送满意吗？"
    assert rendered.locale == "zh-CN"
    assert '<html lang="zh-CN">' in rendered.html
    assert "您有多大可能向朋友推荐我们？" in rendered.html
    assert "完全不可能" in rendered.html and "非常可能" in rendered.html
    assert rendered.text.startswith("您好！")


def test_without_an_nps_question_the_email_has_one_big_button():
    rendered = email(journey(), key="after-sales")

    assert "score=" not in rendered.html + rendered.text
    assert f'<a href="{LINK}"' in rendered.html
    assert ">Answer the survey</a>" in rendered.html
    assert rendered.text.endswith(f"Answer the survey: {LINK}")


def test_the_email_escapes_what_the_customer_typed_into_html():
    rendered = email(journey(), first_name="<script>alert(1)</script>")

    assert "<script>" not in rendered.html
    assert "Hi &lt;script&gt;alert(1)&lt;/script&gt;," in rendered.html
    assert rendered.text.startswith("Hi <script>alert(1)</script>,")


def test_the_email_uses_the_journeys_wording_and_links_the_survey_in_it():
    wording = {
        "email": {
            "A": {
                "subject": {"en": "Your {touchpoint}\nat {brand}"},
                "body": {"en": "Dear {first_name},\n\nTell us about {touchpoint}: {link}\nThanks!"},
            }
        }
    }

    rendered = email(journey(wording), locale="zh-CN")

    assert rendered.subject == "Your delivery at Acme"
    assert rendered.locale == "en"  # the wording has no Chinese
    assert rendered.text.startswith(f"Dear customer,\n\nTell us about delivery: {LINK}\nThanks!")
    assert f'about delivery: <a href="{LINK}" style="color:#1d4ed8;">{LINK}</a><br>' in (
        rendered.html
    )


def test_score_links_extend_a_link_that_has_a_query_already():
    rendered = email(journey(), link=f"{LINK}?utm_source=email")

    assert f"{LINK}?utm_source=email&amp;score=10" in rendered.html
    assert f"10: {LINK}?utm_source=email&score=10" in rendered.text


UNSUBSCRIBE = "https://t.example/u/abc"


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        ("en", "No more survey emails from us? Unsubscribe: "),
        ("zh-CN", "不想再收到我们的问卷邮件？退订："),
    ],
)
def test_the_email_ends_with_an_unsubscribe_line_in_the_customers_language(locale, line):
    rendered = email(journey(), locale=locale, unsubscribe=UNSUBSCRIBE)

    assert rendered.text.rstrip().endswith(f"{line}{UNSUBSCRIBE}")
    assert f'href="{UNSUBSCRIBE}"' in rendered.html
    assert ("Unsubscribe" if locale == "en" else "退订") in rendered.html
    assert "/u/" not in email(journey(), locale=locale).text  # only when asked


@pytest.mark.parametrize(
    ("locale", "subject", "sms_start"),
    [
        ("en", "Reminder: Acme: how was your delivery?", "Acme: Reminder: how was your delivery?"),
        ("zh-CN", "提醒：Acme：您对本次配送满意吗？", "【Acme】提醒：您对本次配送满意吗？"),
    ],
)
def test_a_reminder_says_so_and_keeps_the_link(locale, subject, sms_start):
    wording = {"sms": {"A": {"en": "A: {link}"}}}
    reminder = email(journey(wording), locale=locale, reminder=True, unsubscribe=UNSUBSCRIBE)
    text = sms(journey(wording), locale, reminder=True)

    assert reminder.subject == subject
    assert LINK in reminder.text and f"{LINK}?score=9" in reminder.html
    assert text.startswith(sms_start) and LINK in text
