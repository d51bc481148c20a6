"""Reading an SMS reply as people write it (pure): a score, a keyword, or words.

The rules, safe side first:

- Keywords are matched case-insensitively on the whole message, punctuation aside: STOP,
  STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, 退订, 取消, 停止, TD opt out; START, UNSTOP, YES,
  订阅, 开始 opt back in (Twilio's own opt-in words); HELP, INFO, 帮助 ask for help.
- STOP, STOPALL, UNSUBSCRIBE, 退订, 取消订阅 and 停止 also opt out anywhere in a message
  ("please stop texting me", "9 but stop the texts"), even negated ("don't stop"): sending
  to someone who wanted no more is worse than missing one answer. CANCEL, END and QUIT
  only count alone, because feedback says "I had to cancel" and "in the end it came".
- A score is a number from 0 to 10 in digits (full-width too), English words ("nine") or
  Chinese ("九", "十", "零", "九分", "满分"), standing at the start of the message (after
  words like "score:", "I'd give it", "我给") or as its last word ("great service 9").
  "/10", "out of 10" and "分" after it are part of the score; what follows is a comment.
- Never a guessed score: a number out of range ("11", "100"), a fraction ("8.5"), a
  second number beside the score ("7 or 8", "7-8", "7/8"), or a number only in the middle
  of a sentence ("it took 2 days") is Unclear. Words with no number at all are Text.
- "十分" followed by words is Chinese for "very" ("十分满意"), so it is Unclear, not 10;
  a Chinese numeral inside a word ("一般", "统一") is not a number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    value: int
    #: What came after the score ("9 great" -> "great"), a comment, or None.
    rest: str | None = None


@dataclass(frozen=True)
class OptOut:
    keyword: str


@dataclass(frozen=True)
class OptIn:
    keyword: str


@dataclass(frozen=True)
class Help:
    keyword: str


@dataclass(frozen=True)
class Unclear:
    text: str


@dataclass(frozen=True)
class Text:
    text: str


Reply = Score | OptOut | OptIn | Help | Unclear | Text

OPT_OUT_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "退订", "取消", "停止", "td"}
)
OPT_IN_WORDS = frozenset({"start", "unstop", "yes", "订阅", "开始"})
HELP_WORDS = frozenset({"help", "info", "帮助"})
_OPT_OUT_IN_SENTENCE = re.compile(r"\b(stopall|stop|unsubscribe)\b|(退订|取消订阅|停止)")

_WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_CHINESE_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip
#: Words that may stand before a score: "score: 8", "I'd give it a 9", "我给9分".
_LEAD_INS = frozenset(
    "score rating rate rated my our is i i'd id i'll would will give gave it you them a an "
    "say maybe probably definitely solid overall total nps 我 给 你 打 评 分 数 为 是".split()
)
_CONNECTORS = frozenset("or to and maybe perhaps 或 者 到 至".split())
_SCORE_SUFFIXES = frozenset({"分", "points", "point", "pts"})
_PUNCTUATION = " \t\n.,;:!?-–—~'\"()[]*。，；：！？、（）“”‘’…"

_TOKEN = re.compile(
    r"(?P<num>[0-9]+(?:[.,][0-9]+)?)"
    r"|(?P<zh>[零〇一二两三四五六七八九十]+)"
    r"|(?P<latin>[a-z]+(?:'[a-z]+)?)"
    r"|(?P<cjk>[\u3400-\u9fff])"
    r"|(?P<mark>[^\s\w]|_)"
)
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class _Token:
    kind: str  # "num", "word" or "mark"
    text: str
    start: int
    end: int
    value: int | None = None  # a number's value; None for a fraction


def parse_reply(text: str) -> Reply:
    """Classify one SMS reply; see the module's rules."""
    clean = " ".join(unicodedata.normalize("NFKC", text).split())
    # Lower-cased letter by letter, so offsets in `folded` are offsets in `clean`.
    folded = "".join(c.lower() if len(c.lower()) == 1 else c for c in clean)
    bare = folded.strip(_PUNCTUATION)
    if not bare:
        return Unclear(text)
    if bare in OPT_OUT_WORDS:
        return OptOut(bare)
    if bare in OPT_IN_WORDS:
        return OptIn(bare)
    if bare in HELP_WORDS:
        return Help(bare)
    found = _OPT_OUT_IN_SENTENCE.search(folded)
    if found:
        return OptOut(found.group(0))
    return _read_score(clean, _tokens(folded))


def _tokens(folded: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(folded):
        kind = match.lastgroup or "mark"
        piece = match.group(0)
        if kind == "num":
            value = int(piece) if piece.isdigit() else None
            tokens.append(_Token("num", piece, match.start(), match.end(), value))
        elif kind == "latin" and piece in _WORD_NUMBERS:
            tokens.append(_Token("num", piece, *match.span(), _WORD_NUMBERS[piece]))
        elif kind == "zh":
            tokens.extend(_chinese_number(folded, match.start(), match.end()))
        else:
            tokens.append(_Token("mark" if kind == "mark" else "word", piece, *match.span()))
    return tokens


def _chinese_number(folded: str, start: int, end: int) -> list[_Token]:
    """A run of Chinese numerals: a number only when it stands alone or before 分."""
    piece = folded[start:end]
    before = folded[start - 1] if start > 0 else ""
    after = folded[end] if end < len(folded) else ""
    glued = (bool(_CJK.match(before)) and before not in _LEAD_INS) or (
        bool(_CJK.match(after)) and after != "分"
    )
    if glued:  # "一般", "统一": a word, not a number
        return [_Token("word", ch, start + i, start + i + 1) for i, ch in enumerate(piece)]
    if piece == "十" and after == "分" and folded[end + 1 : end + 2].strip(_PUNCTUATION):
        return [_Token("num", piece, start, end, None)]  # "十分满意": "very", not 10
    value = _CHINESE_DIGITS[piece] if len(piece) == 1 else 11  # "九十", "十一": out of range
    return [_Token("num", piece, start, end, value)]


def _read_score(clean: str, tokens: list[_Token]) -> Reply:
    tokens = _without_denominators(tokens)
    numbers = [i for i, t in enumerate(tokens) if t.kind == "num"]
    if not numbers:
        return Text(clean)
    first, last = numbers[0], numbers[-1]
    if all(t.text in _LEAD_INS for t in tokens[:first] if t.kind != "mark"):
        return _score_at(clean, tokens, first)
    after = [t for t in tokens[last + 1 :] if t.kind != "mark" and t.text not in _SCORE_SUFFIXES]
    if not after and len(numbers) == 1:
        return _score_at(clean, tokens, last)
    return Unclear(clean)


def _without_denominators(tokens: list[_Token]) -> list[_Token]:
    """Fold "/10", "out of 10" and "of ten" into the number before them; "满分" is 10."""
    kept: list[_Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.text == "满" and _text(tokens, i + 1) == "分":
            kept.append(_Token("num", "满分", token.start, tokens[i + 1].end, 10))
            i += 2
            continue
        if kept and kept[-1].kind == "num":
            skip = _denominator_length(tokens, i)
            if skip:
                kept[-1].end = tokens[i + skip - 1].end
                i += skip
                continue
        kept.append(token)
        i += 1
    return kept


def _denominator_length(tokens: list[_Token], i: int) -> int:
    for shape in (["/"], ["out", "of"], ["of"]):
        ahead = [_text(tokens, i + k) for k in range(len(shape) + 1)]
        if ahead[:-1] == shape and ahead[-1] in ("10", "ten", "十"):
            return len(shape) + 1
    return 0


def _text(tokens: list[_Token], index: int) -> str | None:
    return tokens[index].text if index < len(tokens) else None


def _score_at(clean: str, tokens: list[_Token], index: int) -> Reply:
    score = tokens[index]
    if score.value is None or not 0 <= score.value <= 10 or _not_a_score(clean, tokens, index):
        return Unclear(clean)
    if _joined(tokens[index + 1 :]) or _joined(tokens[:index][::-1]):
        return Unclear(clean)
    end, after = score.end, tokens[index + 1 :]
    if after and after[0].text in _SCORE_SUFFIXES:
        end, after = after[0].end, after[1:]
    if any(t.kind != "mark" for t in after):
        return Score(score.value, clean[end:].strip(_PUNCTUATION) or None)
    if all(t.text in _LEAD_INS for t in tokens[:index] if t.kind != "mark"):
        return Score(score.value)
    return Score(score.value, clean[: score.start].strip(_PUNCTUATION) or None)


def _not_a_score(clean: str, tokens: list[_Token], index: int) -> bool:
    """ "-1", "9am", "2nd" and "one of the best" hold numbers, not scores."""
    score = tokens[index]
    before = tokens[index - 1] if index > 0 else None
    if before is not None and before.text in "-−" and before.end == score.start:
        return True
    if score.text.isdigit() and clean[score.end : score.end + 1].isascii():
        if clean[score.end : score.end + 1].isalpha():
            return True
    return score.text in _WORD_NUMBERS and _text(tokens, index + 1) == "of"


def _joined(tokens: list[_Token]) -> bool:
    """Another number beside the score, or after "or", "-", "to": "7 or 8", "7-8", "8 7"."""
    for token in tokens:
        if token.kind == "num":
            return True
        if token.kind != "mark" and token.text not in _CONNECTORS:
            return False
    return False


# Asking to be contacted: a reply that wants a person, not a survey.

#: A request to be called or contacted, in English and Chinese.
_CONTACT_REQUEST = re.compile(
    r"\b(?:call|ring|phone|contact|reach|email|text) me\b"
    r"|\bplease get in touch\b"
    r"|\bgive me a (?:call|ring)\b"
    r"|\breach out to me\b|\bget (?:in touch with|back to) me\b"
    r"|\b(?:want|need|like|request|get) a call ?back\b"
    r"|\b(?:talk|speak) (?:to|with) (?:a |the |your )?"
    r"(?:manager|supervisor|person|human|agent|someone|somebody|real person)\b"
    r"|联系我(?!们)|(?:给我|跟我)(?:回|打)(?:个)?电话|(?:回|打)(?:个)?电话给我|回电给我|给我回电|致电我"
    r"|(?:找|要|和|跟)(?:你们)?(?:的)?(?:经理|主管|负责人|人工客服)"
)
#: Words just before a request that turn it down: "don't call me", "不用联系我".
_DECLINED_JUST_BEFORE = re.compile(
    r"\b(?:don'?t|do not|never|won'?t|doesn'?t)\W+(?:\w+\W+)?$|\b(?:not|no)\W+$"
    r"|(?:不用|不要|别|不需要|无需|不必|勿|没必要|用不着|不想)[^请]{0,4}$"
)
#: Words anywhere earlier in the clause that say no call is wanted: "no need for anyone to".
_DECLINED_IN_CLAUSE = re.compile(
    r"\b(?:no need|needn'?t|(?:don'?t|do not) (?:need|want)|not necessary|nobody|no one)\b"
)
#: A complaint about calls, not a request for one: "they always call me", "why did you
#: contact me", "一直给我打电话".
_COMPLAINT_JUST_BEFORE = re.compile(
    r"\b(?:they|always|keep|kept|constantly|still)\W+$|\bwhy (?:do|did|does|would)\b"
    r"|(?:一直|总是|老是|天天|经常|还)\s*$|(?:为什么|为啥)"
)
_CLAUSE_END = re.compile(r"[.!?;,。！？；，\n]")


def asks_to_be_contacted(text: str) -> bool:
    """Whether a reply asks for a person to get in touch ("call me", "请联系我"); never for
    one that turns contact down ("don't call me", "不用联系我") or complains of calls."""
    folded = " ".join(unicodedata.normalize("NFKC", text).lower().replace("’", "'").split())
    return any(_wanted(folded, found.start()) for found in _CONTACT_REQUEST.finditer(folded))


def _wanted(folded: str, start: int) -> bool:
    clause = _CLAUSE_END.split(folded[:start])[-1]
    return not (
        _DECLINED_JUST_BEFORE.search(clause)
        or _DECLINED_IN_CLAUSE.search(clause)
        or _COMPLAINT_JUST_BEFORE.search(clause)
    )
