"""Invitation wording: the journey's own text for a variant, or the channel's default.

Each channel words its messages with one of the two renderers here (`render_text` for one
text, `render_email` for a subject with plain text and HTML), named by its own `render`.
The wording comes from `messages.<channel>[variant]`, falling back to variant "A", then to
the first variant, then to the templates in `dispatch/templates/<channel>/`. One message
is in one language: the customer's when the wording has it, otherwise English, and every
placeholder (the touchpoint's name, the survey question) follows that choice.

A reminder (`reminder=True`) is worded by the templates `<channel>/reminder*`, whatever the
journey's own wording: journeys do not word reminders yet.

Placeholders are `{touchpoint}`, `{link}`, `{first_name}`, `{journey}` and `{brand}`; any
other brace is left as written. Without a first name, `{first_name}` becomes a greeting
where it opens a sentence ("Hi, rate your delivery...", "您好，请...") and a neutral word
after a word ("Hi there", "亲爱的顾客").

English text for a channel billed per segment is cleaned of typographic punctuation so it
stays in GSM-7, where a segment holds 160 characters instead of 70 (`dispatch.segments`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from journeys.schema import (
    PLACEHOLDERS,
    EmailTemplate,
    JourneyDefinition,
    LocalizedText,
    TouchpointDefinition,
    normalise_locale,
)

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)

_PLACEHOLDER = re.compile(r"\{(" + "|".join(sorted(PLACEHOLDERS)) + r")\}")

#: What `{first_name}` becomes without a name: (opening a sentence, after a word).
FIRST_NAME_FALLBACK = {"en": ("Hi", "there"), "zh-CN": ("您好", "顾客")}
#: Words after which the neutral word would read wrongly ("Dear there").
FIRST_NAME_AFTER = {"dear": "customer"}

LABELS = {
    "en": {
        "low": "Not at all likely",
        "high": "Extremely likely",
        "scale": "Choose a number from 0 (not at all likely) to 10 (extremely likely):",
        "answer": "Answer the survey",
        "answer_at": "Answer the survey: ",
        "or_open": "Or open the survey: ",
        "unsubscribe": "No more survey emails from us? Unsubscribe: ",
        "unsubscribe_question": "No more survey emails from us?",
        "unsubscribe_link": "Unsubscribe",
    },
    "zh-CN": {
        "low": "完全不可能",
        "high": "非常可能",
        "scale": "请选择 0（完全不可能）到 10（非常可能）之间的分数：",
        "answer": "参与调查",
        "answer_at": "参与调查：",
        "or_open": "或打开问卷：",
        "unsubscribe": "不想再收到我们的问卷邮件？退订：",
        "unsubscribe_question": "不想再收到我们的问卷邮件？",
        "unsubscribe_link": "退订",
    },
}

#: Typographic characters and their GSM-7 look-alikes.
GSM7_REPLACEMENTS = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "´": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "…": "...",
        "•": "*",
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\t": " ",
        "\u200b": None,
        "\ufeff": None,
    }
)

T = TypeVar("T")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    #: The language the email was written in, for Content-Language.
    locale: str = "en"


def clean_for_gsm7(text: str) -> str:
    """Swap curly quotes, dashes and ellipses for ASCII, which one GSM-7 segment can carry."""
    return text.translate(GSM7_REPLACEMENTS)


def score_link(link: str, score: int) -> str:
    """The survey link that records `score` with one tap."""
    return f"{link}{'&' if '?' in link else '?'}score={score}"


def unsubscribe_url(public_url: str, token: str) -> str:
    """The page that opts the address out; the invitation's token is its only credential."""
    return f"{public_url.rstrip('/')}/u/{token}"


def list_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to `url`."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def render_text(
    definition: JourneyDefinition,
    touchpoint_key: str,
    *,
    channel: str,
    locale: str,
    variant: str,
    link: str,
    first_name: str | None,
    reminder: bool = False,
    gsm7: bool = False,
) -> str:
    """A one-text message for `channel`: the journey's `messages.<channel>` wording, else
    the templates `<channel>/invitation.<lang>.txt` (`reminder.<lang>.txt` for a reminder).
    `gsm7`: English text keeps to the GSM-7 alphabet, for channels billed in segments."""
    touchpoint = _touchpoint(definition, touchpoint_key)
    wording = None if reminder else _pick(definition.messages.wording(channel), variant)
    text_wording = wording if isinstance(wording, LocalizedText) else None
    language = _language(locale, text_wording)
    values = _values(definition, touchpoint, language, link, first_name)
    if text_wording is None:
        template = f"{channel}/{'reminder' if reminder else 'invitation'}"
        text = _default(template, language, values)
    else:
        text = _fill(text_wording.in_locale(language), values, language)
    return clean_for_gsm7(text) if gsm7 and language == "en" else text


def render_email(
    definition: JourneyDefinition,
    touchpoint_key: str,
    *,
    channel: str,
    locale: str,
    variant: str,
    link: str,
    first_name: str | None,
    reminder: bool = False,
    unsubscribe: str | None = None,
) -> RenderedEmail:
    """A message with a subject, in plain text and HTML, for `channel`: the journey's
    `messages.<channel>` wording, else the templates `<channel>/subject.<lang>.txt` and
    `body.<lang>.txt` (`reminder_subject`, `reminder_body` for a reminder), laid out by
    `<channel>/invitation.txt` and `.html`. It ends with an unsubscribe line when
    `unsubscribe` (a URL) is given."""
    touchpoint = _touchpoint(definition, touchpoint_key)
    found = None if reminder else _pick(definition.messages.wording(channel), variant)
    wording = found if isinstance(found, EmailTemplate) else None
    language = _language(locale, wording.body if wording else None)
    values = _values(definition, touchpoint, language, link, first_name)
    if wording is None:
        prefix = f"{channel}/reminder_" if reminder else f"{channel}/"
        subject = _default(f"{prefix}subject", language, values)
        body = _default(f"{prefix}body", language, values)
    else:
        subject = _fill(wording.subject.in_locale(language), values, language)
        body = _fill(wording.body.in_locale(language), values, language)

    survey = definition.surveys.get(touchpoint.survey)
    nps = survey.question("nps") if survey else None
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    context = {
        "lang": language,
        "subject": " ".join(subject.split()),
        "question": nps.text.in_locale(language) if nps else None,
        "scores": [(n, score_link(link, n)) for n in range(11)] if nps else [],
        "link": link,
        "labels": LABELS[language],
        "brand": values["brand"],
        "unsubscribe": unsubscribe,
    }
    text = _templates.get_template(f"{channel}/invitation.txt").render(
        paragraphs=paragraphs, **context
    )
    html = _templates.get_template(f"{channel}/invitation.html").render(
        paragraphs=[_paragraph_html(p, link) for p in paragraphs], **context
    )
    return RenderedEmail(context["subject"], text, html, language)


def _touchpoint(definition: JourneyDefinition, key: str) -> TouchpointDefinition:
    for touchpoint in definition.touchpoints:
        if touchpoint.key == key:
            return touchpoint
    raise LookupError(f"journey {definition.journey!r} has no touchpoint {key!r}")


def _pick(variants: Mapping[str, T], variant: str) -> T | None:
    if variant in variants:
        return variants[variant]
    if "A" in variants:
        return variants["A"]
    return next(iter(variants.values()), None)


def _language(locale: str, wording: LocalizedText | None) -> str:
    """The customer's language if the wording is written in it, else English."""
    wanted = normalise_locale(locale)
    if wanted == "zh-CN" and (wording is None or wording.zh_cn):
        return "zh-CN"
    return "en"


def _values(
    definition: JourneyDefinition,
    touchpoint: TouchpointDefinition,
    language: str,
    link: str,
    first_name: str | None,
) -> dict[str, str | None]:
    name = " ".join((first_name or "").split()) or None
    return {
        "touchpoint": touchpoint.display_name(language),
        "link": link,
        "first_name": name,
        "journey": definition.name,
        "brand": definition.brand or definition.name,
    }


def _default(name: str, language: str, values: Mapping[str, str | None]) -> str:
    return _templates.get_template(f"{name}.{language}.txt").render(**values).strip()


def _fill(text: str, values: Mapping[str, str | None], language: str) -> str:
    opening, elsewhere = FIRST_NAME_FALLBACK[language]

    def replace(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        if value is not None:
            return value
        before = text[: match.start()].rstrip()
        if not before or not before[-1].isalpha():
            return opening
        return FIRST_NAME_AFTER.get(before.split()[-1].lower(), elsewhere)

    return _PLACEHOLDER.sub(replace, text)


def _paragraph_html(paragraph: str, link: str) -> Markup:
    """Escape a paragraph, keep its line breaks and make the survey link clickable."""
    anchor = Markup('<a href="{0}" style="color:#1d4ed8;">{0}</a>').format(link)
    lines = [
        anchor.join(escape(part) for part in line.split(link)) if link else escape(line)
        for line in paragraph.split("\n")
    ]
    return Markup("<br>\n").join(lines)


def render_template(name: str, **values: object) -> str:
    """A template of `dispatch/templates/` filled in (`.html` ones escaped): the one Jinja
    environment of outgoing wording, also for what is not a survey (team notifications)."""
    return _templates.get_template(name).render(**values)
