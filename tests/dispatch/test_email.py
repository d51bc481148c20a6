"""The email channel against a real SMTP server on loopback (aiosmtpd).

Anna reads English and has an email address; Chen reads Chinese. The shop sends as
Acme Surveys. The server refuses when a test tells it to, and one test talks to a port
nothing listens on.
"""

from __future__ import annotations

import re
import socket
from email.message import EmailMessage
from email.utils import parseaddr

import pytest

from dispatch.channels.base import ChannelError, OutgoingMessage
from dispatch.channels.email import EmailChannel
from dispatch.rendering import list_unsubscribe_headers, render_email, unsubscribe_url
from dispatch.settings import SmtpSettings
from journeys.schema import JourneyDefinition
from tests.servers.smtp import SmtpServer, _free_port

ANNA = "anna@example.com"
CHEN = "chen@example.cn"
SHOP = "Acme Surveys <surveys@acme.example>"
LINK = "https://touchpoint.example/s/tok3n"

STORE = JourneyDefinition.model_validate(
    {
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
            }
        ],
        "surveys": {
            "nps-csat": {
                "questions": [
                    {
                        "type": "nps",
                        "text": {
                            "en": "How likely are you to recommend us to a friend?",
                            "zh-CN": "您有多大可能向朋友推荐我们？",
                        },
                    }
                ]
            }
        },
    }
)


def settings(server: SmtpServer, **overrides: object) -> SmtpSettings:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "from_": SHOP,
        "tls": "none",
        "timeout_seconds": 2.0,
    }
    values.update(overrides)
    return SmtpSettings(**values)


def invitation(to: str, locale: str = "en", first_name: str | None = None) -> OutgoingMessage:
    email = render_email(
        STORE, "use", channel="email", locale=locale, variant="A", link=LINK, first_name=first_name
    )
    return OutgoingMessage(
        invitation_id=7,
        to=to,
        text=email.text,
        subject=email.subject,
        html=email.html,
        locale=email.locale,
        headers={"List-Unsubscribe": "<https://touchpoint.example/u/tok3n>"},
    )


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


async def test_it_sends_anna_a_text_and_html_email_with_one_tap_scores(smtp):
    receipt = await EmailChannel(settings(smtp)).send(invitation(ANNA, first_name="Anna"))

    [sent] = smtp.messages
    assert sent["Subject"] == "Acme: how was your delivery?"
    assert parseaddr(sent["From"]) == ("Acme Surveys", "surveys@acme.example")
    assert sent["To"] == ANNA
    assert sent["Message-ID"] == receipt.provider_message_id
    assert receipt.provider_message_id.endswith("@acme.example>")
    assert sent["Date"]
    assert sent["Content-Language"] == "en"
    assert sent["List-Unsubscribe"] == "<https://touchpoint.example/u/tok3n>"
    assert sent.get_content_type() == "multipart/alternative"
    html, text = body(sent, "html"), body(sent, "plain")
    scores = [f"{LINK}?score={n}" for n in range(11)]
    assert re.findall(r'href="([^"]+score=\d+)"', html) == scores
    assert all(score in text for score in scores)
    assert "Hi Anna," in text
    assert "How likely are you to recommend us to a friend?" in html
    [delivery] = smtp.deliveries
    assert (delivery.mail_from, delivery.rcpt_tos) == ("surveys@acme.example", (ANNA,))


async def test_it_writes_to_chen_in_chinese(smtp):
    await EmailChannel(settings(smtp)).send(invitation(CHEN, locale="zh-CN"))

    [sent] = smtp.messages
    assert sent["Subject"] == "Acme：您对本次配送满意吗？"
    assert sent["Content-Language"] == "zh-CN"
    assert "您有多大可能向朋友推荐我们？" in body(sent, "plain")
    assert "您有多大可能向朋友推荐我们？" in body(sent, "html")


async def test_it_sends_plain_text_alone_when_there_is_no_html(smtp):
    message = OutgoingMessage(invitation_id=8, to=ANNA, text="Thanks!", subject="Hello")

    await EmailChannel(settings(smtp)).send(message)

    [sent] = smtp.messages
    assert sent.get_content_type() == "text/plain"
    assert sent.get_content().strip() == "Thanks!"


async def test_it_logs_in_with_the_configured_account(smtp):
    channel = EmailChannel(settings(smtp, user=smtp.user, password=smtp.password))

    await channel.send(invitation(ANNA))

    assert len(smtp.messages) == 1


async def test_it_gives_up_when_the_password_is_wrong(smtp):
    channel = EmailChannel(settings(smtp, user=smtp.user, password="wrong"))

    with pytest.raises(ChannelError) as caught:
        await channel.send(invitation(ANNA))

    assert caught.value.permanent
    assert caught.value.reason.startswith("mail server rejected the SMTP credentials (535")
    assert smtp.messages == []


async def test_it_gives_up_on_a_mailbox_the_server_refuses(smtp):
    smtp.reject_next(1, code=550)

    with pytest.raises(ChannelError) as caught:
        await EmailChannel(settings(smtp)).send(invitation(ANNA))

    assert caught.value.permanent
    assert caught.value.code == "550"
    assert caught.value.reason == "mail server refused the message (550 5.1.1 Mailbox unavailable)"


async def test_it_retries_when_the_server_says_try_again_later(smtp):
    smtp.reject_next(1, code=451)
    channel = EmailChannel(settings(smtp))

    with pytest.raises(ChannelError) as caught:
        await channel.send(invitation(ANNA))
    assert not caught.value.permanent
    assert caught.value.code == "451"

    await channel.send(invitation(ANNA))
    assert len(smtp.messages) == 1


async def test_it_retries_when_the_server_refuses_the_connection(smtp):
    channel = EmailChannel(settings(smtp, port=_free_port()))

    with pytest.raises(ChannelError) as caught:
        await channel.send(invitation(ANNA))

    assert not caught.value.permanent
    assert caught.value.reason.startswith("cannot reach the mail server")


async def test_it_retries_when_the_server_never_answers(smtp):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        channel = EmailChannel(settings(smtp, port=silent.getsockname()[1], timeout_seconds=0.3))

        with pytest.raises(ChannelError) as caught:
            await channel.send(invitation(ANNA))

    assert not caught.value.permanent
    assert caught.value.reason == "mail server did not answer in time"


async def test_it_refuses_a_subject_that_would_inject_headers(smtp):
    message = OutgoingMessage(
        invitation_id=9, to=ANNA, text="x", subject="Hi\r\nBcc: everyone@example.com"
    )

    with pytest.raises(ChannelError) as caught:
        await EmailChannel(settings(smtp)).send(message)

    assert caught.value.permanent
    assert smtp.messages == []


def test_it_needs_a_host_and_a_sender():
    with pytest.raises(ValueError, match="host"):
        EmailChannel(SmtpSettings(host=None, from_=SHOP))


@pytest.mark.parametrize(
    ("to", "locale", "line"),
    [(ANNA, "en", "Unsubscribe: "), (CHEN, "zh-CN", "退订：")],
)
async def test_it_carries_one_click_unsubscribe_headers_and_line(smtp, to, locale, line):
    leave = unsubscribe_url("https://touchpoint.example", "tok3n")
    email = render_email(
        STORE,
        "use",
        channel="email",
        locale=locale,
        variant="A",
        link=LINK,
        first_name=None,
        unsubscribe=leave,
    )
    message = OutgoingMessage(
        7, to, email.text, email.subject, email.html, email.locale, list_unsubscribe_headers(leave)
    )

    await EmailChannel(settings(smtp)).send(message)

    [sent] = smtp.messages
    assert sent["List-Unsubscribe"] == "<https://touchpoint.example/u/tok3n>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert body(sent, "plain").rstrip().endswith(f"{line}{leave}")
    assert f'href="{leave}"' in body(sent, "html")
