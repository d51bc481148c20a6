"""Sentiment of what a customer wrote: positive, neutral or negative, from the text alone.

Both methods run from files inside installed packages, with no download at run time, in
tens of microseconds a comment. Why these, and how well they do on the labelled samples
the tests keep, is in docs/feedback.md.

- English: VADER (Hutto & Gilbert 2014, `vaderSentiment`, MIT), a rule-based lexicon tuned
  for short informal text: it reads negation ("not good"), degree ("very"), "but", capitals
  and exclamation marks. Its lexicon misses what retail customers complain about ("late",
  "slow", "overpriced"), so data/en_retail_words.txt adds them.
- Chinese: our own lexicon method over jieba words: a curated retail lexicon (data/
  zh_positive.txt, zh_negative.txt), degree words (zh_degree.txt) that scale the next
  sentiment word, negations that flip it, and a contrast ("但是", "不过") that weighs the
  clause after it more than the one before, as readers do.

A suggestion ("it would be nice if...", "希望...", "建议...") is mostly neutral however
warm its words: in English a positive score loses 0.4 (of VADER's -1..1), in Chinese a
suggestion's clause counts for a third.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import TYPE_CHECKING, Literal

from surveys.feedback.terms import (
    CLAUSE_MARKS,
    ZH_NEGATIONS,
    data_lines,
    detect_language,
    words,
)

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

Sentiment = Literal["positive", "neutral", "negative"]

_POSITIVE_FROM = 0.05  # VADER's own thresholds on its compound score
_ZH_THRESHOLD = 0.5
_SUGGESTION_DISCOUNT = 0.4

_SUGGESTION_EN = re.compile(
    r"\b(would be (nice|great|good|better|helpful)|it'?d be (nice|great)|please (add|make|"
    r"consider|offer|bring)|i wish|wish you|should (add|have|offer|consider)|could you|"
    r"suggest|suggestion|would love|would like|maybe (add|offer)|how about)\b",
    re.IGNORECASE,
)
_SUGGESTION_ZH = ("希望", "建议", "要是能", "如果能", "最好能", "能不能", "可不可以", "期待")
_CONTRAST_ZH = frozenset({"但是", "但", "可是", "不过", "然而", "只是", "就是"})
_ZH_SENTENCE_NEGATIONS = ZH_NEGATIONS | {"不太", "不怎么", "没啥", "并不", "从不", "从来不"}
_MAX_PHRASE = 4


def sentiment(text: str, language: str | None = None) -> Sentiment:
    """The sentiment of `text`, read in `language` (detected from the text when None)."""
    language = language or detect_language(text)
    if language == "zh-CN":
        score = chinese_score(text)
        threshold = _ZH_THRESHOLD
    else:
        score = english_score(text)
        threshold = _POSITIVE_FROM
    if score >= threshold:
        return "positive"
    if score <= -threshold:
        return "negative"
    return "neutral"


def english_score(text: str) -> float:
    """VADER's compound score (-1..1); a suggestion's warm words ("would be nice") count
    for less: it loses `_SUGGESTION_DISCOUNT`, not below zero."""
    score: float = _vader().polarity_scores(text)["compound"]
    if score > 0 and _SUGGESTION_EN.search(text):
        return max(0.0, score - _SUGGESTION_DISCOUNT)
    return score


def chinese_score(text: str) -> float:
    """Sum of the lexicon words' weights, each scaled by the degree words before it, flipped
    by a negation before it, and weighted by its clause (contrast, suggestion)."""
    lexicon = _zh_lexicon()
    degrees = _zh_degrees()
    tokens = words(text)
    total = 0.0
    clause = 0.0
    clause_weight = 1.0
    modifier, negated = 1.0, False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        phrase, weight = _longest_match(tokens, index, lexicon)
        if phrase:
            polarity = -weight if negated else weight
            if negated and weight > 0:
                polarity *= 0.8  # "不满意" is strong, "不太满意" less so; both negative
            clause += polarity * modifier
            modifier, negated = 1.0, False
            index += phrase
            continue
        if token in CLAUSE_MARKS:
            total += clause * clause_weight
            clause, modifier, negated = 0.0, 1.0, False
            clause_weight = 1.0 if clause_weight != 1.5 else 1.5
        elif token in _CONTRAST_ZH:
            total = (total + clause * clause_weight) * 0.5
            clause, modifier, negated = 0.0, 1.0, False
            clause_weight = 1.5
        elif token in _SUGGESTION_ZH:
            clause_weight = min(clause_weight, 1.0) / 3
        elif token in _ZH_SENTENCE_NEGATIONS:
            negated = not negated
            if token in degrees:
                modifier *= degrees[token]
        elif token in degrees:
            modifier *= degrees[token]
        index += 1
    return total + clause * clause_weight


def _longest_match(
    tokens: list[str], index: int, lexicon: dict[tuple[str, ...], float]
) -> tuple[int, float]:
    for size in range(min(_MAX_PHRASE, len(tokens) - index), 0, -1):
        weight = lexicon.get(tuple(tokens[index : index + size]))
        if weight is not None:
            return size, weight
    return 0, 0.0


@cache
def _zh_lexicon() -> dict[tuple[str, ...], float]:
    lexicon: dict[tuple[str, ...], float] = {}
    for name, sign in (("zh_positive.txt", 1.0), ("zh_negative.txt", -1.0)):
        for line in data_lines(name):
            word, _, weight = line.partition(" ")
            lexicon[tuple(words(word))] = sign * float(weight or 1)
    return lexicon


@cache
def retail_words() -> dict[str, float]:
    """Retail words VADER's lexicon lacks ("late", "overpriced"), on its scale (-4..4)."""
    return {word: float(value) for word, _, value in map(_split, data_lines("en_retail_words.txt"))}


def _split(line: str) -> tuple[str, str, str]:
    return line.partition(" ")


@cache
def _zh_degrees() -> dict[str, float]:
    degrees: dict[str, float] = {}
    for line in data_lines("zh_degree.txt"):
        word, _, factor = line.partition(" ")
        degrees[word] = float(factor)
    return degrees


_lock = threading.Lock()
_analyser: SentimentIntensityAnalyzer | None = None


def _vader() -> SentimentIntensityAnalyzer:
    global _analyser
    if _analyser is None:
        with _lock:
            if _analyser is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                analyser = SentimentIntensityAnalyzer()
                analyser.lexicon.update(retail_words())
                _analyser = analyser
    return _analyser
