"""Comments cut into words: English by spelling, Chinese by jieba, mixed text by both.

Customers write in their own language whatever the survey's, so the language is read from
the characters (`detect_language`). Two streams come out of a comment:

- `words(text)`: every word in order, lower-case, negations kept; themes and sentiment
  read these.
- `terms(text)`: the words worth counting (stop words and punctuation out, a negation
  joined to the word it denies: "not-working", "没有收到"), each once per comment, so a
  term's count is the number of comments that use it. Emerging terms read these.

English normalisation is light on purpose, a plural "s" only (see `normalise`): a full
stemmer turns "delivery" into "deliveri", which no CX owner should have to read.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import jieba

Language = Literal["en", "zh-CN"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+(?:[.,]\d+)*")
#: Marks that end a clause stay in `words` (as themselves): sentiment reads clauses.
CLAUSE_MARKS = frozenset("，。！？；,.!?;~～…")
_LATIN_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+(?:[.,]\d+)*|[，。！？；,.!?;~～…]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})

#: "n't" contractions whose stem is not the word before "n't".
_IRREGULAR_NOT = {"can't": "can", "won't": "will", "shan't": "shall", "ain't": "am"}
EN_NEGATIONS = frozenset({"not", "no", "never", "nothing", "nobody", "none", "nor", "without"})
ZH_NEGATIONS = frozenset({"不", "没", "没有", "别", "未", "无", "不是", "不要", "不会", "没什么"})
#: Words a negation may skip to reach the word it denies ("not very good", "不太好").
_NEGATION_REACH = 2

#: A plural "s" stays on these endings: "glass", "bus", "this", "delicious".
_KEEP_S = ("ss", "us", "is", "ous", "ics")
_NOT_PLURALS = frozenset({"always", "perhaps", "news", "series", "yes", "thanks", "plus", "less"})


def detect_language(text: str, *, default: Language = "en") -> Language:
    """The language a comment is written in, read from its characters.

    A Chinese character carries about as much as an English word, so Chinese wins when its
    characters are at least as many as the English words ("app一直闪退" is Chinese, "the
    快递 was late" English). Text with neither (digits, emoji) is in `default`.
    """
    han = len(_HAN.findall(text))
    latin = len(re.findall(r"[A-Za-z]+", text))
    if han == 0 and latin == 0:
        return default
    return "zh-CN" if han >= latin else "en"


def normalise(word: str) -> str:
    """An English word without its plural: boxes -> box, deliveries -> delivery, items -> item.

    Words of three letters or fewer are left alone ("gas", "its" is a stop word anyway).
    """
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_KEEP_S):
        return word
    if word in _NOT_PLURALS:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    return word[:-1]


def english_words(text: str, *, marks: bool = False) -> list[str]:
    """Lower-case words, "n't" split off as "not" ("didn't" -> did, not), plurals dropped;
    with `marks`, the marks that end a clause too."""
    found: list[str] = []
    pattern = _LATIN_TOKEN if marks else _LATIN_WORD
    for word in pattern.findall(text.lower().translate(_APOSTROPHES)):
        if word.endswith("n't"):
            found += [_IRREGULAR_NOT.get(word, word[:-3]), "not"]
        elif "'" in word:
            found.append(word.split("'", 1)[0])  # "it's" -> it, "customer's" -> customer
        else:
            found.append(normalise(word))
    return [word for word in found if word]


def words(text: str) -> list[str]:
    """Every word of the comment in order, Chinese runs by jieba, the rest by spelling, with
    the marks that end a clause ("，", "!") between them."""
    found: list[str] = []
    position = 0
    for run in _HAN_RUN.finditer(text):
        found += english_words(text[position : run.start()], marks=True)
        found += [token for token in _tokenizer().lcut(run.group()) if token.strip()]
        position = run.end()
    found += english_words(text[position:], marks=True)
    return found


def terms(text: str) -> list[str]:
    """The words worth counting, once each, in order of first use (`terms_of`)."""
    return terms_of(words(text))


def terms_of(found: list[str]) -> list[str]:
    """The words worth counting among a comment's `words`, once each, in order of first use.

    A negation is not a term of its own (every unhappy comment says "not"); it is joined
    to the next word that is not a stop word, at most two words on: "did not arrive" ->
    "not-arrive", "没有收到" -> "没有收到".
    """
    seen: dict[str, None] = {}
    negation: str | None = None
    reach = 0
    for word in found:
        if word in EN_NEGATIONS or word in ZH_NEGATIONS:
            negation, reach = word, _NEGATION_REACH
            continue
        if is_stop_word(word) or not _is_wordlike(word):
            reach -= 1
            if reach <= 0:
                negation = None
            continue
        if negation is not None:
            word = f"{negation}-{word}" if negation in EN_NEGATIONS else negation + word
            negation = None
        seen.setdefault(word, None)
    return list(seen)


def is_stop_word(word: str) -> bool:
    return word in _stop_words()


def is_negation(word: str) -> bool:
    return word in EN_NEGATIONS or word in ZH_NEGATIONS


def _is_wordlike(word: str) -> bool:
    return any(character.isalnum() for character in word) and not word.isdigit()


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(data_lines("en_stopwords.txt")) | frozenset(data_lines("zh_stopwords.txt"))


def data_lines(name: str) -> list[str]:
    """The lines of a bundled data file, without comments and blank lines."""
    text = resources.files("surveys.feedback").joinpath("data").joinpath(name).read_text("utf-8")
    stripped = (line.strip() for line in text.splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


_lock = threading.Lock()
_jieba: jieba.Tokenizer | None = None


def _tokenizer() -> jieba.Tokenizer:
    """jieba's dictionary, loaded on first use and once, without its chatter on the console.

    jieba logs "Building prefix dict..." at DEBUG; its logger is set to WARNING before the
    load. Its cache of the parsed dictionary is its own file in the system's temp folder.
    """
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in data_lines("zh_words.txt"):
                    tokenizer.add_word(word)
                _jieba = tokenizer
    return _jieba
