"""What customers wrote, analysed: sentiment, themes and the terms detractors use.

Pure code, no I/O: the database side is `surveys.feedback_analysis`. The method and its
measured accuracy are in docs/feedback.md.
"""

from surveys.feedback.analysis import Analysis, analyse
from surveys.feedback.emerging import EmergingTerm, emerging_terms
from surveys.feedback.sentiment import Sentiment
from surveys.feedback.terms import detect_language
from surveys.feedback.themes import (
    DEFAULT_THEMES,
    analysis_digest,
    taxonomy_for,
    theme_label,
)

__all__ = [
    "DEFAULT_THEMES",
    "Analysis",
    "EmergingTerm",
    "Sentiment",
    "analyse",
    "analysis_digest",
    "detect_language",
    "emerging_terms",
    "taxonomy_for",
    "theme_label",
]
