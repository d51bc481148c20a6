"""What sample customers write: comments in English and Chinese, by theme and sentiment.

Each pool is every opening of a theme and sentiment joined to every ending, a few hundred
comments per language, so the sample history reads like real feedback and the analysis
runs once per distinct comment. Themes use the words of the default retail taxonomy
(delivery, price, quality, service, website, returns), so a sample comment is tagged with
the theme it was drawn for.
"""

from __future__ import annotations

from functools import cache

Sentiment = str  # positive | neutral | negative

#: theme -> sentiment -> (openings, endings), per language; a comment is opening + ending.
_EN: dict[str, dict[Sentiment, tuple[list[str], list[str]]]] = {
    "delivery": {
        "negative": (
            ["The parcel", "My order", "The delivery", "The package", "The courier's parcel"],
            [
                "arrived three days late.",
                "came with a crushed box.",
                "was left outside in the rain.",
                "took over a week to arrive.",
                "was marked delivered but never came.",
                "went to the wrong address first.",
            ],
        ),
        "neutral": (
            ["Delivery", "Shipping", "The courier"],
            [
                "was fine, nothing special.",
                "took the usual four days.",
                "was on time but the tracking was vague.",
                "was okay once the parcel finally moved.",
            ],
        ),
        "positive": (
            ["Delivery", "Shipping", "The courier", "The parcel"],
            [
                "was fast, next day as promised.",
                "was quick and the box was intact.",
                "arrived earlier than expected.",
                "came right on time, great tracking.",
                "was friendly and careful with the package.",
            ],
        ),
    },
    "price": {
        "negative": (
            ["The price", "Shipping fees", "This item", "The total at checkout"],
            [
                "is too expensive for what you get.",
                "went up since last month.",
                "was higher than the advertised price.",
                "is much cheaper elsewhere.",
                "felt like a rip-off.",
            ],
        ),
        "neutral": (
            ["The price", "The discount", "Value for money"],
            [
                "is about what I expected.",
                "was fair, not a bargain.",
                "is okay compared to other shops.",
            ],
        ),
        "positive": (
            ["The price", "The discount", "This deal", "Value for money"],
            [
                "was great, cheaper than elsewhere.",
                "made it a real bargain.",
                "is excellent for the quality.",
                "was worth every cent.",
            ],
        ),
    },
    "quality": {
        "negative": (
            ["The product", "The fabric", "The item", "The build quality", "The screen"],
            [
                "broke after two days.",
                "feels cheap and flimsy.",
                "does not match the photos.",
                "arrived damaged and scratched.",
                "stopped working within a week.",
            ],
        ),
        "neutral": (
            ["The product", "The quality", "The item"],
            [
                "is acceptable for daily use.",
                "is as described, nothing more.",
                "works, though the finish is average.",
            ],
        ),
        "positive": (
            ["The product", "The quality", "The fabric", "The item", "The build quality"],
            [
                "is excellent and feels solid.",
                "is better than I expected.",
                "works perfectly, I love it.",
                "is great, exactly as described.",
            ],
        ),
    },
    "service": {
        "negative": (
            ["Customer service", "The support agent", "The hotline", "Your staff"],
            [
                "never called me back.",
                "was rude and unhelpful.",
                "kept me on hold for forty minutes.",
                "could not solve my problem.",
                "gave me three different answers.",
            ],
        ),
        "neutral": (
            ["Customer service", "The support agent", "The hotline"],
            [
                "answered, but slowly.",
                "was polite but could not do much.",
                "solved it on the second call.",
            ],
        ),
        "positive": (
            ["Customer service", "The support agent", "Your staff", "The hotline"],
            [
                "was friendly and solved it at once.",
                "was patient and very helpful.",
                "called back within the hour.",
                "went the extra mile for me.",
            ],
        ),
    },
    "website": {
        "negative": (
            ["The website", "The app", "Checkout", "The payment page"],
            [
                "crashed twice while I paid.",
                "is slow and confusing.",
                "kept logging me out.",
                "would not accept my card.",
                "hides the search filters.",
            ],
        ),
        "neutral": (
            ["The website", "The app", "Checkout"],
            [
                "works, but search could be better.",
                "is okay once you find the product.",
                "took a few extra steps.",
            ],
        ),
        "positive": (
            ["The website", "The app", "Checkout", "Search"],
            [
                "is easy to use and fast.",
                "was smooth, done in a minute.",
                "is clear and well organised.",
            ],
        ),
    },
    "returns": {
        "negative": (
            ["The return", "My refund", "The exchange"],
            [
                "took weeks to process.",
                "still has not arrived.",
                "needed three emails to approve.",
                "cost me a shipping fee.",
            ],
        ),
        "neutral": (
            ["The return", "The refund", "The exchange"],
            ["was processed after a week.", "worked, with some paperwork."],
        ),
        "positive": (
            ["The return", "The refund", "The exchange"],
            [
                "was easy and free.",
                "arrived within two days.",
                "was handled without any questions.",
            ],
        ),
    },
}

_ZH: dict[str, dict[Sentiment, tuple[list[str], list[str]]]] = {
    "delivery": {
        "negative": (
            ["快递", "物流", "这次配送", "包裹"],
            [
                "太慢了，等了五天。",
                "外包装被压坏了。",
                "显示已签收但我没收到。",
                "送错地址了。",
                "比承诺的晚了三天。",
                "一直不更新物流信息。",
            ],
        ),
        "neutral": (
            ["快递", "物流", "配送"],
            ["还行，正常速度。", "一般，四天到货。", "准时，但物流信息不太清楚。"],
        ),
        "positive": (
            ["快递", "物流", "配送", "快递小哥"],
            ["很快，第二天就到了。", "速度快，包装完好。", "比预期早到，点赞。", "服务态度很好。"],
        ),
    },
    "price": {
        "negative": (
            ["价格", "运费", "这个商品", "结算金额"],
            ["太贵了，不值这个价。", "比上个月涨了不少。", "比别家贵很多。", "和宣传的不一样。"],
        ),
        "neutral": (
            ["价格", "优惠", "性价比"],
            ["还可以，跟预期差不多。", "一般，不算便宜。", "和其他店差不多。"],
        ),
        "positive": (
            ["价格", "优惠", "这次活动", "性价比"],
            ["很实惠，比别家便宜。", "力度很大，很划算。", "很高，物超所值。"],
        ),
    },
    "quality": {
        "negative": (
            ["质量", "产品", "面料", "做工", "屏幕"],
            [
                "很差，用了两天就坏了。",
                "和图片不符。",
                "太粗糙了。",
                "收到时就有划痕。",
                "一周就出问题了。",
            ],
        ),
        "neutral": (
            ["质量", "产品", "做工"],
            ["一般，日常用还行。", "和描述一致，没有惊喜。", "还可以，细节一般。"],
        ),
        "positive": (
            ["质量", "产品", "面料", "做工"],
            [
                "很好，手感扎实。",
                "超出预期，非常满意。",
                "不错，和描述一样。",
                "非常好，推荐购买。",
            ],
        ),
    },
    "service": {
        "negative": (
            ["客服", "售后", "客服电话", "工作人员"],
            [
                "一直没回电话。",
                "态度很差。",
                "让我等了四十分钟。",
                "没有解决我的问题。",
                "说法前后不一致。",
            ],
        ),
        "neutral": (
            ["客服", "售后", "客服电话"],
            ["回复了，但比较慢。", "态度还行，但帮不上忙。", "第二次才解决。"],
        ),
        "positive": (
            ["客服", "售后", "工作人员", "客服电话"],
            ["很耐心，马上解决了。", "态度非常好。", "一小时内就回电了。", "非常专业，很满意。"],
        ),
    },
    "website": {
        "negative": (
            ["网站", "App", "付款页面", "结算流程"],
            ["付款时崩溃了两次。", "太慢了，很难用。", "总是自动退出登录。", "不能用我的银行卡。"],
        ),
        "neutral": (
            ["网站", "App", "结算流程"],
            ["能用，但搜索不太好。", "还行，找商品有点麻烦。", "步骤有点多。"],
        ),
        "positive": (
            ["网站", "App", "结算流程", "搜索功能"],
            ["很好用，速度快。", "很顺畅，一分钟就下单了。", "清晰明了。"],
        ),
    },
    "returns": {
        "negative": (
            ["退货", "退款", "换货"],
            ["处理了好几周。", "到现在还没到账。", "发了三封邮件才通过。", "还要我自己付运费。"],
        ),
        "neutral": (
            ["退货", "退款", "换货"],
            ["一周后处理好了。", "可以，但手续有点多。"],
        ),
        "positive": (
            ["退货", "退款", "换货"],
            ["很方便，还免运费。", "两天就到账了。", "没有任何刁难。"],
        ),
    },
}

THEMES = tuple(_EN)
SENTIMENTS = ("negative", "neutral", "positive")


@cache
def phrases(locale: str, theme: str, sentiment: Sentiment) -> tuple[str, ...]:
    """Every comment of the pool for this language, theme and sentiment."""
    pool = _ZH if locale == "zh-CN" else _EN
    openings, endings = pool[theme][sentiment]
    joiner = "" if locale == "zh-CN" else " "
    return tuple(f"{opening}{joiner}{ending}" for opening in openings for ending in endings)


def pool_size(locale: str) -> int:
    """How many distinct comments the language's pool holds."""
    return sum(len(phrases(locale, theme, s)) for theme in THEMES for s in SENTIMENTS)
