"""One comment analysed: its sentiment, the terms worth counting and the themes it is about.

Pure: the database side (`surveys.feedback_analysis`) loads comments, calls `analyse` and
stores the result with the taxonomy's `analysis_digest`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from journeys.schema import normalise_locale
from surveys.feedback.sentiment import Sentiment, sentiment
from surveys.feedback.terms import Language, detect_language, terms_of, words
from surveys.feedback.themes import Taxonomy, find_themes

_NOT_HAN = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Analysis:
    sentiment: Sentiment
    terms: list[str]
    themes: list[str]


def analyse(comment: str, locale: str, taxonomy: Taxonomy) -> Analysis:
    """Analyse a comment in the language it is written in.

    `locale` is the survey's: it decides only for text with no letters to read ("10/10").
    """
    survey_language: Language = "zh-CN" if normalise_locale(locale) == "zh-CN" else "en"
    language = detect_language(comment, default=survey_language)
    found = words(comment)
    return Analysis(
        sentiment=sentiment(comment, language, tokens=found),
        terms=terms_of(found),
        themes=find_themes(found, _NOT_HAN.sub("", comment), taxonomy),
    )
