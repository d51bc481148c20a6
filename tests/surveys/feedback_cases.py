"""The online store with a taxonomy of its own, and answers with comments.

`commented` stores an answer as the survey leaves it (the comment not analysed yet);
`analysed` as the worker leaves it, with the sentiment, terms and themes a test plants, so
the feedback figures can be worked out by hand whatever the analysis would say.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from journeys.models import Touchpoint
from surveys.models import Answer, AnswerTheme
from tests.surveys.factories import ONLINE_STORE, answers

THEMES: dict[str, Any] = {
    "delivery": {"en": ["delivery", "courier", "parcel"], "zh-CN": ["快递", "送货"]},
    "price": {"en": ["price", "expensive", "cheap"], "zh-CN": ["价格", "便宜", "贵"]},
}
FEEDBACK_STORE: dict[str, Any] = {**ONLINE_STORE, "themes": THEMES}


async def commented(
    touchpoint: Touchpoint,
    text: str | None,
    *,
    answered_at: datetime,
    nps: int | None = None,
    csat: int | None = None,
    locale: str = "en",
    channel: str = "email",
    interaction_at: datetime | None = None,
) -> Answer:
    """An answer with its comment, its interaction the day before unless said."""
    await answers(touchpoint, 1, answered_at=answered_at, nps=nps, csat=csat)
    answer = await Answer.filter(touchpoint_id=touchpoint.id).order_by("-id").first()
    assert answer is not None
    answer.comment, answer.locale, answer.channel = text, locale, channel
    answer.interaction_at = interaction_at or answered_at - timedelta(days=1)
    await answer.save()
    return answer


async def analysed(
    touchpoint: Touchpoint,
    text: str,
    *,
    sentiment: str,
    themes: tuple[str, ...] = (),
    terms: str | None = None,
    **given: Any,
) -> Answer:
    """An answer whose comment the worker has analysed as the test says."""
    answer = await commented(touchpoint, text, **given)
    answer.sentiment, answer.analysed = sentiment, "planted-digest"
    answer.terms = terms if terms is not None else text.lower()
    await answer.save()
    for theme in themes:
        await AnswerTheme.create(answer=answer, theme=theme)
    return answer
