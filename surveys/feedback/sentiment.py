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
  sentiment word, a negation that flips a sentiment word at most two words on, and a
  contrast ("但是", "不过") that weighs the clause after it more than the one before, as
  readers do.

A suggestion or a question ("it would be nice if...", "could you...", "希望...",
"建议...") is mostly neutral however warm or cold its words: in English the score moves
0.4 towards zero (of VADER's -1..1), in Chinese a suggestion's clause counts for a third.
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

_POSITIVE_FROM = 0.05  # VADER's own thresholds on its compound score: wider did worse
_ZH_THRESHOLD = 0.5  # "还行" (0.3) alone is neutral, "不错" (2) positive
_SUGGESTION_DISCOUNT = 0.4

_SUGGESTION_EN = re.compile(
    r"\b(would be (nice|great|good|better|handy|helpful)|it'?d be (nice|great)|would help|"
    r"please|i wish|wish you|should (add|have|offer|consider)|(can|could|would) you|"
    r"do you|is there|how (long|much|about)|suggest|suggestion|would love|would like|"
    r"maybe (add|have|offer|open))\b",
    re.IGNORECASE,
)
#: A clause holding one of these asks or supposes rather than judges: it counts for a third.
_SUGGESTION_ZH = (
    "希望", "建议", "要是", "如果", "最好能", "能不能", "可不可以", "能否", "可否", "是否可以",
    "期待", "就好了", "为什么不",
)  # fmt: skip
_CONTRAST_ZH = frozenset({"但是", "但", "可是", "不过", "然而", "只是", "就是"})
_CLAUSE_FINAL = frozenset({"一般", "一般般"})
_PARTICLES = frozenset({"吧", "啊", "呢", "了", "的", "啦", "哦"})
_NEGATION_REACH = 2
_NEGATED_POSITIVE = 0.8
_ZH_SENTENCE_NEGATIONS = ZH_NEGATIONS | {
    "不太", "不怎么", "没啥", "并不", "从不", "从来不", "不用", "无需", "不必", "不算", "没怎么",
}  # fmt: skip
_MAX_PHRASE = 4


def sentiment(
    text: str, language: str | None = None, *, tokens: list[str] | None = None
) -> Sentiment:
    """The sentiment of `text`, read in `language` (detected from the text when None);
    `tokens`: its `terms.words`, when the caller has them already."""
    language = language or detect_language(text)
    if language == "zh-CN":
        score = chinese_score(text, tokens=tokens)
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
    """VADER's compound score (-1..1), moved `_SUGGESTION_DISCOUNT` towards zero (and not
    past it) when the comment asks rather than judges."""
    score: float = _vader().polarity_scores(text)["compound"]
    if _SUGGESTION_EN.search(text):
        shrunk = max(0.0, abs(score) - _SUGGESTION_DISCOUNT)
        return shrunk if score > 0 else -shrunk
    return score


def chinese_score(text: str, *, tokens: list[str] | None = None) -> float:
    """Sum of the lexicon words' weights, each scaled by the degree words before it, flipped
    by a negation at most two words before it, and weighted by its clause (contrast,
    suggestion)."""
    total = 0.0
    after_contrast = False
    for clause in _clauses(words(text) if tokens is None else tokens):
        suggestion = any(marker in "".join(clause) for marker in _SUGGESTION_ZH)
        score = 0.0
        for token, value in _scored(clause):
            if token in _CONTRAST_ZH:
                total = (total + score * _weight(after_contrast, suggestion)) * 0.5
                score, after_contrast = 0.0, True
            score += value
        total += score * _weight(after_contrast, suggestion)
    return total


def _weight(after_contrast: bool, suggestion: bool) -> float:
    return (1.5 if after_contrast else 1.0) * (1 / 3 if suggestion else 1.0)


def _clauses(tokens: list[str]) -> list[list[str]]:
    clauses: list[list[str]] = [[]]
    for token in tokens:
        if token in CLAUSE_MARKS:
            clauses.append([])
        else:
            clauses[-1].append(token)
    return [clause for clause in clauses if clause]


def _scored(clause: list[str]) -> list[tuple[str, float]]:
    """Each word of the clause with what it adds to the score."""
    lexicon, degrees = _zh_lexicon(), _zh_degrees()
    scored: list[tuple[str, float]] = []
    modifier, negated, reach = 1.0, False, 0
    index = 0
    while index < len(clause):
        token = clause[index]
        size, weight = _longest_match(clause, index, lexicon)
        if size and _counts_here(clause, index, size):
            if negated:  # a denied praise ("不满意") weighs 0.8 of it, a denied complaint all
                weight *= -_NEGATED_POSITIVE if weight > 0 else -1.0
            scored.append((token, weight * modifier))
            modifier, negated = 1.0, False
            index += size
            continue
        if token in _ZH_SENTENCE_NEGATIONS:
            negated, reach = not negated, _NEGATION_REACH
        elif token not in degrees:
            modifier = 1.0  # a degree word scales the sentiment word right after it
            reach -= 1
            negated = negated and reach > 0
        if token in degrees:
            modifier *= degrees[token]
        scored.append((token, 0.0))
        index += 1
    return scored


def _counts_here(clause: list[str], index: int, size: int) -> bool:
    """The word "一般" is "mediocre" at the end of a clause, "usually" before a verb."""
    if clause[index] not in _CLAUSE_FINAL:
        return True
    return index + size == len(clause) or clause[index + size] in _PARTICLES


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
        for word, weight in _weighted(name).items():
            lexicon[tuple(words(word))] = sign * weight
    return lexicon


@cache
def retail_words() -> dict[str, float]:
    """Retail words VADER's lexicon lacks ("late", "overpriced"), on its scale (-4..4)."""
    return _weighted("en_retail_words.txt")


@cache
def _zh_degrees() -> dict[str, float]:
    return _weighted("zh_degree.txt")


def _weighted(name: str) -> dict[str, float]:
    """A data file of "word weight" lines."""
    weighted: dict[str, float] = {}
    for line in data_lines(name):
        word, _, weight = line.partition(" ")
        weighted[word] = float(weight or 1)
    return weighted


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
