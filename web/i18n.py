"""The words of the customer's survey pages, in English and Simplified Chinese.

A plain dict per locale rather than gettext catalogs: the pages carry about forty short
strings in two languages, the question texts themselves come from the journey definition,
and a dict keeps the wording reviewable in one file with no compile step. A key missing from
a translation falls back to English; a key missing from English is a bug and raises
KeyError. When a third language or a translator's tooling arrives, move to gettext (Babel),
keeping these keys as message ids.
"""

from __future__ import annotations

from journeys.schema import DEFAULT_LOCALE, SUPPORTED_LOCALES, normalise_locale

CATALOG: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your feedback",
        "heading": "Your feedback on {touchpoint}",
        "nps.low": "0 = not at all likely",
        "nps.high": "10 = extremely likely",
        "csat.1": "Very dissatisfied",
        "csat.2": "Dissatisfied",
        "csat.3": "Neither satisfied nor dissatisfied",
        "csat.4": "Satisfied",
        "csat.5": "Very satisfied",
        "comment.placeholder": "Tell us in your own words",
        "comment.limit": "Up to {limit} characters.",
        "optional": "Optional",
        "required": "Required",
        "submit": "Submit",
        "saved": "Your answer was saved.",
        "saved.more": "You can add more below, or simply close this page.",
        "thanks.title": "Thank you!",
        "thanks.body": "Your answers reach the team that looks after this step.",
        "thanks.change": "Change your answers",
        "not_found.title": "This survey link is not valid",
        "not_found.body": "Please check that the whole link was copied from the message.",
        "bad_request.title": "Please check your answer",
        "bad_request.body": "Something in your answer could not be saved; see the note below.",
        "closed.title": "This survey is closed",
        "closed.expired": "The time to answer this survey has passed. Thank you all the same.",
        "unsubscribe.title": "Unsubscribe from survey emails",
        "unsubscribe.body": "We will send no more survey emails to {address}.",
        "unsubscribe.button": "Unsubscribe",
        "unsubscribe.done.title": "You are unsubscribed",
        "unsubscribe.done.body": "No more survey emails will go to {address}. Sorry to see you go.",
        "closed.scheduled": "This survey is not open yet.",
        "closed.other": "This survey no longer takes answers. Thank you all the same.",
        "error.nps_range": "Choose a number from 0 to 10.",
        "error.csat_range": "Choose a number from 1 to 5.",
        "error.too_long": "Please keep it to {limit} characters (this one has {length}).",
        "error.required": "Please answer this question.",
        "error.not_asked": "This survey does not ask for this score.",
        "error.empty": "Please answer at least one question.",
        "error.invalid": "This answer could not be read.",
        "language.other": "中文",
    },
    "zh-CN": {
        "title": "您的反馈",
        "heading": "关于{touchpoint}的反馈",
        "nps.low": "0 = 完全不可能",
        "nps.high": "10 = 极有可能",
        "csat.1": "非常不满意",
        "csat.2": "不满意",
        "csat.3": "一般",
        "csat.4": "满意",
        "csat.5": "非常满意",
        "comment.placeholder": "请写下您的想法",
        "comment.limit": "最多 {limit} 个字。",
        "optional": "选填",
        "required": "必填",
        "submit": "提交",
        "saved": "您的回答已保存。",
        "saved.more": "您可以在下方继续补充，也可以直接关闭本页。",
        "thanks.title": "谢谢！",
        "thanks.body": "您的回答将直接送达负责这一环节的团队。",
        "thanks.change": "修改回答",
        "not_found.title": "此问卷链接无效",
        "not_found.body": "请确认已从消息中完整复制链接。",
        "bad_request.title": "请检查您的回答",
        "bad_request.body": "您的回答有一处未能保存，请查看下方提示。",
        "closed.title": "此问卷已关闭",
        "closed.expired": "此问卷的作答时间已过。仍然感谢您！",
        "unsubscribe.title": "退订问卷邮件",
        "unsubscribe.body": "我们将不再向 {address} 发送问卷邮件。",
        "unsubscribe.button": "确认退订",
        "unsubscribe.done.title": "您已退订",
        "unsubscribe.done.body": "我们将不再向 {address} 发送问卷邮件。感谢您一直以来的支持。",
        "closed.scheduled": "此问卷尚未开放。",
        "closed.other": "此问卷已不再接受回答。仍然感谢您！",
        "error.nps_range": "请选择 0 到 10 之间的数字。",
        "error.csat_range": "请选择 1 到 5 之间的数字。",
        "error.too_long": "请不要超过 {limit} 个字（当前 {length} 个）。",
        "error.required": "请回答此问题。",
        "error.not_asked": "此问卷不包含这一评分。",
        "error.empty": "请至少回答一个问题。",
        "error.invalid": "无法读取此回答。",
        "language.other": "English",
    },
}

#: The locale the "language.other" link switches to.
OTHER_LOCALE = {"en": "zh-CN", "zh-CN": "en"}


def requested_locale(value: str | None) -> str | None:
    """The language a `?lang=` names, when it is one we have; None otherwise."""
    if value and value.strip().replace("_", "-").lower() in ("en", "zh-cn", "zh"):
        return normalise_locale(value)
    return None


def pick_locale(requested: str | None, fallback: str) -> str:
    """`?lang=` wins when it names a language we have; otherwise the invitation's locale."""
    return requested_locale(requested) or normalise_locale(fallback or DEFAULT_LOCALE)


def translate(locale: str, key: str, **values: object) -> str:
    """The text of `key` in `locale` (English when untranslated), with {placeholders} filled."""
    locale = locale if locale in SUPPORTED_LOCALES else normalise_locale(locale)
    text = CATALOG.get(locale, {}).get(key) or CATALOG[DEFAULT_LOCALE][key]
    return text.format(**values) if values else text
