"""Previewing a touchpoint: its messages per language and variant, its survey page, and a
test sent to the editor's own phone or email through the real channels (the loopback Twilio
and SMTP servers).

Alice is an editor, Victor a viewer; Anna's phone and Ben's email stand in for their own.
"""

from __future__ import annotations

import html

import httpx
import pytest

from dispatch.models import Message
from dispatch.optouts import opt_out
from dispatch.rendering import render_text
from dispatch.segments import count_segments
from journeys.loader import load_journey
from journeys.store import apply_journey
from surveys.models import Answer, Invitation
from tests.conftest import SHOP_JOURNEY
from tests.console import form_token, signed_in
from tests.servers.settings import SENDER, with_loopback_channels
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA, BEN
from web.settings import Settings

PREVIEW = "/journeys/shop/touchpoints/use/preview"
VARIANT_B = '    B: {en: "{first_name}, rate your {touchpoint} 0-10 by replying, or tap {link}"}\n'


@pytest.fixture
def settings(settings: Settings, twilio: TwilioServer, smtp: SmtpServer) -> Settings:
    """Real channels: the loopback Twilio and SMTP servers."""
    return with_loopback_channels(settings, twilio, smtp, timeout_seconds=2.0)


@pytest.fixture
async def shop_with_variants(db: str) -> None:
    text = SHOP_JOURNEY.read_text("utf-8") + VARIANT_B
    await apply_journey(load_journey(text), text)


@pytest.fixture
async def alice(client: httpx.AsyncClient, shop_with_variants: None) -> httpx.AsyncClient:
    await signed_in(client, "editor", "alice@shop.example")
    return client


async def send_test(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    token = await form_token(client, PREVIEW)
    return await client.post(f"{PREVIEW}/test", data={"csrf_token": token, **fields})


def section(page: str, label: str) -> str:
    return html.unescape(page.split(f'aria-label="{label}"', 1)[1].split("</section>", 1)[0])


async def test_each_message_is_shown_per_language_and_variant(alice):
    page = await alice.get(PREVIEW)

    assert page.status_code == 200
    chinese = section(page.text, "sms zh-CN variant A")
    assert "您对本次使用体验满意吗？10秒评价：http://testserver/s/" in chinese
    english_b = section(page.text, "sms en variant B")
    assert "Hi, rate your purchase 0-10 by replying, or tap http://testserver/s/" in english_b
    email = section(page.text, "email en variant A")
    assert "<strong>Subject:</strong>" in email and "how was your purchase?" in email


async def test_the_segment_count_is_that_of_a_real_message(alice):
    page = await alice.get(PREVIEW)

    chinese = section(page.text, "sms zh-CN variant A")
    text = chinese.split('<pre lang="zh-CN" tabindex="0">', 1)[1].split("</pre>", 1)[0]
    real_link = "http://testserver/s/" + "x" * 24
    definition = load_journey(SHOP_JOURNEY.read_text("utf-8") + VARIANT_B)
    assert text == render_text(
        definition,
        "use",
        channel="sms",
        locale="zh-CN",
        variant="A",
        link=real_link,
        first_name=None,
        gsm7=True,
    )
    segments = count_segments(text)
    assert segments == 2  # UCS-2: 70 characters a segment, and this one is longer
    assert f"{len(text)} characters, {segments} SMS segments" in chinese


async def test_the_survey_preview_is_the_real_form_and_records_nothing(alice):
    page = await alice.get(f"{PREVIEW}/survey", params={"locale": "zh-CN"})

    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "您有多大可能向朋友推荐我们？" in page.text
    assert 'name="nps" value="10"' in page.text
    assert "nothing you choose here is recorded" in page.text
    assert "style-src 'unsafe-inline'" in page.headers["content-security-policy"]
    assert await Answer.all().count() == 0


async def test_answers_posted_from_the_preview_are_checked_and_not_recorded(alice):
    survey = f"{PREVIEW}/survey?locale=en"
    token = await form_token(alice, survey)

    good = await alice.post(survey, data={"csrf_token": token, "nps": "9", "csat": "4"})
    bad = await alice.post(survey, data={"csrf_token": token, "nps": "11"})

    assert good.status_code == 200
    assert "These answers would be accepted" in good.text
    assert 'id="nps-9" name="nps" value="9" checked' in good.text
    assert bad.status_code == 400
    assert 'class="error" id="nps-error"' in bad.text
    assert await Answer.all().count() == 0
    assert await Invitation.all().count() == 0


async def test_a_test_sms_goes_through_twilio_marked_as_a_test(alice, twilio):
    answer = await send_test(alice, channel="sms", locale="zh-CN", variant="A", address=ANNA.phone)

    assert answer.status_code == 200
    assert f"Test sms (zh-CN, variant A) sent to {ANNA.phone}." in answer.text
    [sent] = twilio.messages
    assert (sent.to, sent.from_) == (ANNA.phone, SENDER)
    assert sent.body.startswith("[TEST] 您对本次使用体验满意吗？")
    assert "http://testserver/journeys/shop/touchpoints/use/preview/survey?locale=zh-CN" in (
        sent.body
    )
    assert await Invitation.all().count() == 0
    assert await Message.all().count() == 0


async def test_a_test_email_goes_through_smtp_marked_as_a_test(alice, smtp):
    answer = await send_test(alice, channel="email", locale="en", variant="A", address=BEN.email)

    assert answer.status_code == 200
    [email] = smtp.wait_for(1)
    assert email["To"] == BEN.email
    assert email["Subject"].startswith("[TEST] ")
    body = email.get_body(("plain",)).get_content()
    assert "/journeys/shop/touchpoints/use/preview/survey?locale=en" in body
    assert await Message.all().count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"channel": "sms", "address": "0123"}, "is not a phone number in international form"),
        ({"channel": "email", "address": "ben at example"}, "is not an email address"),
        ({"channel": "fax", "address": ANNA.phone}, "sends by sms, email"),
        ({"channel": "sms", "locale": "fr", "address": ANNA.phone}, "language must be one of"),
        ({"channel": "email", "variant": "B", "address": BEN.email}, "email has the variants A"),
    ],
)
async def test_a_bad_test_form_says_what_is_wrong_and_sends_nothing(alice, twilio, fields, message):
    answer = await send_test(alice, **{"locale": "en", "variant": "A", **fields})

    assert answer.status_code == 400
    assert message in html.unescape(answer.text)
    assert twilio.attempts() == []


async def test_an_opted_out_address_gets_no_test(alice, twilio):
    await opt_out(ANNA.phone, "phone", "sms-stop")

    answer = await send_test(alice, channel="sms", locale="en", variant="A", address=ANNA.phone)

    assert answer.status_code == 409
    assert "opted out (sms-stop)" in answer.text
    assert twilio.attempts() == []


async def test_a_refused_test_says_why(alice, twilio):
    twilio.reject(ANNA.phone, code=21211)

    answer = await send_test(alice, channel="sms", locale="en", variant="A", address=ANNA.phone)

    assert answer.status_code == 400
    assert "did not send the test: invalid phone number" in answer.text


async def test_a_viewer_previews_but_sends_no_test(client, shop_with_variants, twilio):
    await signed_in(client, "viewer", "victor@shop.example")

    page = await client.get(PREVIEW)
    assert page.status_code == 200 and "Send the test" not in page.text
    token = await form_token(client, PREVIEW)
    answer = await client.post(
        f"{PREVIEW}/test",
        data={
            "csrf_token": token,
            "channel": "sms",
            "locale": "en",
            "variant": "A",
            "address": ANNA.phone,
        },
    )

    assert answer.status_code == 403
    assert twilio.attempts() == []


async def test_an_unknown_touchpoint_is_a_404(alice):
    answer = await alice.get("/journeys/shop/touchpoints/nope/preview")

    assert answer.status_code == 404
    assert "has no touchpoint &#39;nope&#39;" in answer.text
