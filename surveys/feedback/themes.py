"""Themes: what a comment is about, from a taxonomy of keywords the CX owner can edit.

A journey file may carry its own `themes:` (theme -> keywords per language); without one
the journey uses `DEFAULT_THEMES`, written for retail (data/default_themes.yaml, in the
journey file's own shape, to copy from). How keywords match:

- English (any keyword without Chinese characters, in either list): on whole words after
  the same light normalisation as the comment (lower case, plural "s" dropped), so
  "parcel" matches "parcels". A trailing `*` matches the start of a word ("deliver*":
  delivered, delivery, delivering). Several words match as a phrase ("on hold").
- Chinese, two characters or more: anywhere in the comment's Chinese text, so "快递"
  matches "快递员" as well; segmentation never hides a keyword.
- Chinese, one character ("贵"): only as a whole jieba word, so "贵" matches "有点贵"
  (有点 / 贵) but not "贵宾"; jieba keeps some pairs whole ("太贵"), so list those too.

A comment is about a theme when it holds a keyword of either language: a Chinese comment
that names the "app" is about the app.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

import yaml

from journeys.schema import JourneyDefinition, ThemeKeywords, normalise_locale
from surveys.feedback.terms import english_words

Taxonomy = Mapping[str, ThemeKeywords]

#: Bump when tokenising, sentiment or theme matching changes: every comment is analysed
#: again, as it is when a journey's taxonomy changes (`analysis_digest`).
METHOD_VERSION = "feedback-1"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _default_themes() -> Taxonomy:
    text = resources.files("surveys.feedback").joinpath("data").joinpath("default_themes.yaml")
    themes = yaml.safe_load(text.read_text("utf-8"))["themes"]
    return MappingProxyType(
        {slug: ThemeKeywords.model_validate(keywords) for slug, keywords in themes.items()}
    )


#: The retail taxonomy, kept in data/default_themes.yaml in a journey file's own shape.
DEFAULT_THEMES: Taxonomy = _default_themes()

_LABELS: dict[str, tuple[str, str]] = {
    "delivery": ("Delivery", "配送"),
    "price": ("Price", "价格"),
    "product-quality": ("Product quality", "商品质量"),
    "staff": ("Staff", "员工服务"),
    "app-website": ("App and website", "App 与网站"),
    "returns": ("Returns", "退换货"),
    "waiting-time": ("Waiting time", "等待时间"),
    "packaging": ("Packaging", "包装"),
    "payment": ("Payment", "支付"),
}


def theme_label(theme: str, locale: str = "en") -> str:
    """A theme's name for people: the default themes in English and Chinese, any other
    theme (one the CX owner added) from its slug, "click-and-collect" -> "Click and collect".
    """
    if theme in _LABELS:
        en, zh = _LABELS[theme]
        return zh if normalise_locale(locale) == "zh-CN" else en
    words = theme.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def taxonomy_for(definition: JourneyDefinition) -> Taxonomy:
    """The journey's own themes, or the retail default when it names none."""
    return definition.themes if definition.themes is not None else DEFAULT_THEMES


def analysis_digest(taxonomy: Taxonomy) -> str:
    """16 hex characters over the method version and the taxonomy: an answer analysed under
    another digest is analysed again."""
    canonical = json.dumps(
        {"method": METHOD_VERSION, "themes": _frozen(taxonomy)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def find_themes(words: list[str], chinese_text: str, taxonomy: Taxonomy) -> list[str]:
    """The themes a comment is about, in the taxonomy's order.

    `words` are the comment's words (`terms.words`); `chinese_text` its Chinese characters
    with everything else taken out, for the substring keywords.
    """
    matcher = _matcher(_frozen_items(taxonomy))
    found = matcher.word_themes(words)
    if chinese_text:
        found.update(theme for theme, pattern in matcher.substrings if pattern.search(chinese_text))
    return [theme for theme in matcher.order if theme in found]


@dataclass(frozen=True)
class _Matcher:
    """Every theme's keywords in one index, so a comment is read once whatever the taxonomy."""

    order: tuple[str, ...]
    exact: dict[str, set[str]]  # word -> themes
    prefixes: dict[str, set[str]]  # start of a word -> themes
    phrases: dict[str, list[tuple[tuple[str, ...], str]]]  # first word -> (phrase, theme)
    substrings: tuple[tuple[str, re.Pattern[str]], ...]  # theme, its Chinese keywords
    longest_prefix: int

    def word_themes(self, words: list[str]) -> set[str]:
        found: set[str] = set()
        for index, word in enumerate(words):
            found.update(self.exact.get(word, ()))
            for size in range(1, min(len(word), self.longest_prefix) + 1):
                found.update(self.prefixes.get(word[:size], ()))
            for phrase, theme in self.phrases.get(word, ()):
                if tuple(words[index : index + len(phrase)]) == phrase:
                    found.add(theme)
        return found


def _compile(taxonomy: _FrozenTaxonomy) -> _Matcher:
    exact: dict[str, set[str]] = {}
    prefixes: dict[str, set[str]] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    substrings: list[tuple[str, re.Pattern[str]]] = []
    for theme, en, zh in taxonomy:
        chinese: list[str] = []
        for keyword in (part.strip().lower() for part in en + zh):
            if _HAN.search(keyword):
                han = "".join(_HAN.findall(keyword))
                (exact.setdefault(han, set()).add(theme) if len(han) == 1 else chinese.append(han))
                continue
            parts = english_words(keyword.rstrip("*"))
            if keyword.endswith("*") and len(parts) == 1:
                prefixes.setdefault(keyword.rstrip("*"), set()).add(theme)
            elif len(parts) == 1:
                exact.setdefault(parts[0], set()).add(theme)
            elif parts:
                phrases.setdefault(parts[0], []).append((tuple(parts), theme))
        if chinese:
            substrings.append((theme, re.compile("|".join(map(re.escape, chinese)))))
    return _Matcher(
        order=tuple(theme for theme, _, _ in taxonomy),
        exact=exact,
        prefixes=prefixes,
        phrases=phrases,
        substrings=tuple(substrings),
        longest_prefix=max(map(len, prefixes), default=0),
    )


_FrozenTaxonomy = tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]


def _frozen_items(taxonomy: Taxonomy) -> _FrozenTaxonomy:
    return tuple((slug, tuple(kw.en), tuple(kw.zh_cn)) for slug, kw in taxonomy.items())


def _frozen(taxonomy: Taxonomy) -> dict[str, dict[str, list[str]]]:
    return {slug: {"en": list(kw.en), "zh-CN": list(kw.zh_cn)} for slug, kw in taxonomy.items()}


@lru_cache(maxsize=64)
def _matcher(taxonomy: _FrozenTaxonomy) -> _Matcher:
    return _compile(taxonomy)
