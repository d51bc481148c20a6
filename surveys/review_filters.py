"""What the review is narrowed to: the filters on answers, read from a query or the CLI.

One set of filters serves the figures, the breakdowns, the themes, the comments and the
exports, so the page, the API and the CLI narrow the same way. `answer_conditions` writes
them as SQL on the `answer` table (alias `a`), with `?` placeholders (`surveys.sql`).
Whether a named touchpoint, segment or attribute exists is checked against the journey by
`check_filters`, so a typo gets a 4xx naming it instead of an empty review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from journeys.schema import SUPPORTED_LOCALES

CountBy = Literal["answered", "interaction"]
#: What the review can break figures down by besides any attribute name.
BUILT_IN_DIMENSIONS = ("channel", "language", "segment", "variant", "experiment")
#: The answer column of each built-in dimension.
DIMENSION_COLUMNS = {
    "channel": "a.channel",
    "language": "a.locale",
    "segment": "a.segment",
    "variant": "a.variant",
    "experiment": "a.experiment",
}


class ReviewError(ValueError):
    """A filter, period or breakdown the review cannot take: `field` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class ReviewFilters:
    touchpoint: str | None = None
    channel: str | None = None
    language: str | None = None
    segment: str | None = None
    variant: str | None = None
    experiment: str | None = None
    #: (name, value) pairs of interaction or customer attributes, all of which must match.
    attributes: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    #: Count an answer in the period it was given (answered) or of its interaction.
    count_by: CountBy = "answered"

    def with_touchpoint(self, key: str | None) -> ReviewFilters:
        return replace(self, touchpoint=key)

    def as_query(self) -> dict[str, Any]:
        """The filters as query parameters (for links and exports that keep them)."""
        found: dict[str, Any] = {
            name: getattr(self, name)
            for name in ("touchpoint", "channel", "language", "segment", "variant", "experiment")
            if getattr(self, name) is not None
        }
        if self.attributes:
            found["attribute"] = [f"{name}:{value}" for name, value in self.attributes]
        if self.count_by != "answered":
            found["count_by"] = self.count_by
        return found


def filters_from_query(params: Mapping[str, str] | Any) -> ReviewFilters:
    """Read filters from query parameters (a starlette QueryParams or a plain mapping):
    `touchpoint`, `channel`, `language`, `segment`, `variant`, `experiment`, `count_by`
    (answered or interaction) and `attribute=name:value`, repeatable."""
    single = {
        name: _text(params.get(name), name)
        for name in ("touchpoint", "channel", "language", "segment", "variant", "experiment")
    }
    if single["language"] is not None and single["language"] not in SUPPORTED_LOCALES:
        known = ", ".join(SUPPORTED_LOCALES)
        raise ReviewError("language", f"unknown language {single['language']!r} ({known})")
    count_by = params.get("count_by") or "answered"
    if count_by not in ("answered", "interaction"):
        raise ReviewError("count_by", f"answered or interaction, not {count_by!r}")
    many = params.getlist("attribute") if hasattr(params, "getlist") else params.get("attribute")
    return ReviewFilters(
        **single,
        attributes=tuple(_attribute(text) for text in _as_list(many)),
        count_by=count_by,
    )


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _text(value: str | None, name: str) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > 200:
        raise ReviewError(name, "is longer than 200 characters")
    return value.strip()


def _attribute(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon or not name.strip() or not value.strip():
        raise ReviewError("attribute", f"write an attribute filter as name:value, not {text!r}")
    return name.strip(), value.strip()


def check_dimension(by: str | None) -> str | None:
    """A breakdown is a built-in dimension or an attribute's name (checked to exist later)."""
    if by is None or not by.strip():
        return None
    by = by.strip()
    if len(by) > 63:
        raise ReviewError("by", "an attribute name is at most 63 characters")
    return by


def answer_conditions(
    filters: ReviewFilters, touchpoint_ids: Sequence[int], start: datetime, end: datetime
) -> tuple[str, list[Any]]:
    """The WHERE clause (without the word) selecting the answers of `touchpoint_ids` in
    [start, end) under `filters`, on `answer a`. The touchpoint filter is the caller's: it
    decides `touchpoint_ids`. An empty id list selects nothing."""
    if not touchpoint_ids:
        return "1 = 0", []
    moment = "a.answered_at" if filters.count_by == "answered" else "a.interaction_at"
    marks = ", ".join("?" for _ in touchpoint_ids)
    sql = [f"a.touchpoint_id IN ({marks})", f"{moment} >= ?", f"{moment} < ?"]
    params: list[Any] = [*touchpoint_ids, start, end]
    for name in ("channel", "language", "segment", "variant", "experiment"):
        value = getattr(filters, name)
        if value is not None:
            sql.append(f"{DIMENSION_COLUMNS[name]} = ?")
            params.append(value)
    for name, value in filters.attributes:
        sql.append(
            "EXISTS (SELECT 1 FROM answer_attribute f "
            "WHERE f.answer_id = a.id AND f.name = ? AND f.value = ?)"
        )
        params += [name, value]
    return " AND ".join(sql), params
