"""A/B results from the review's figures: the journey's message experiments (wordings, by
the invitation's variant) and service experiments (any attribute the business marks its
interactions with, such as `script: A|B`), each compared by `surveys.experiments`.

A message experiment is read with the filter experiment=<name>, so only invitations and
answers that took part count, broken down by variant: per touchpoint in the experiment and
all of them together. Every declared variant is listed, with no answers if none came yet.
Answers without the attribute (or variant) are left out of the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from journeys.models import Journey, JourneyVersion
from journeys.periods import AnyPeriod
from journeys.schema import JourneyDefinition
from surveys.experiments import Comparison, compare
from surveys.review import (
    NO_FILTERS,
    WHOLE_JOURNEY,
    Figures,
    TouchpointFigures,
    check_filters,
    review_figures,
)
from surveys.review_counts import NOT_SET, Counts
from surveys.review_filters import ReviewError, ReviewFilters


@dataclass(frozen=True)
class ExperimentResult:
    #: The experiment's name, or the attribute compared.
    experiment: str
    #: "variant" for a message experiment, the attribute's name for a service experiment.
    by: str
    #: The touchpoint's key, or "*" for every touchpoint of the experiment together.
    touchpoint: str
    name: str
    period: AnyPeriod
    comparison: Comparison

    def as_dict(self) -> dict[str, object]:
        return {
            "experiment": self.experiment,
            "by": self.by,
            "touchpoint": self.touchpoint,
            "name": self.name,
            "period": str(self.period),
            **self.comparison.as_dict(),
        }


async def _definition(journey_key: str) -> JourneyDefinition | None:
    journey = await Journey.get_or_none(key=journey_key)
    if journey is None:
        raise LookupError(f"no journey with key {journey_key!r}")
    version = await JourneyVersion.get_or_none(journey_id=journey.id, version=journey.version)
    return JourneyDefinition.model_validate(version.definition) if version else None


def _tallies(groups: dict[str, Figures], declared: list[str], empty: Counts) -> dict[str, Counts]:
    found = {value: figures.counts for value, figures in groups.items() if value != NOT_SET}
    return {**dict.fromkeys(declared, empty), **found}


def _result(
    experiment: str,
    by: str,
    figures: TouchpointFigures,
    period: AnyPeriod,
    declared: list[str],
    empty: Counts,
) -> ExperimentResult:
    return ExperimentResult(
        experiment=experiment,
        by=by,
        touchpoint=figures.key,
        name=figures.name,
        period=period,
        comparison=compare(_tallies(figures.groups, declared, empty)),
    )


async def experiment_results(
    journey_key: str, period: AnyPeriod, *, filters: ReviewFilters = NO_FILTERS
) -> list[ExperimentResult]:
    """For each message experiment of the journey (in the file's order): each touchpoint in
    it, then all of them together ("*"). LookupError for an unknown journey."""
    definition = await _definition(journey_key)
    if definition is None:
        return []
    results: list[ExperimentResult] = []
    for name, experiment in definition.experiments.items():
        review = await review_figures(
            journey_key, period, filters=replace(filters, experiment=name), by="variant"
        )
        declared = sorted(experiment.variants)
        empty = Counts()
        taking_part = [tp for tp in review.touchpoints if experiment.covers(tp.key)]
        results += [_result(name, "variant", tp, period, declared, empty) for tp in taking_part]
        results.append(_result(name, "variant", review.whole, period, declared, empty))
    return results


async def attribute_comparison(
    journey_key: str,
    period: AnyPeriod,
    attribute: str,
    *,
    filters: ReviewFilters = NO_FILTERS,
) -> list[ExperimentResult]:
    """The answers of each value of `attribute` compared, per touchpoint and for the journey
    ("*", last). Attributes are not on invitations, so there is no response rate.
    LookupError for an unknown journey; ReviewError("attribute") for an attribute none of
    its answers carries."""
    try:
        await check_filters(journey_key, filters, attribute)
    except ReviewError as error:
        if error.field != "by":
            raise
        raise ReviewError("attribute", error.message.replace("break down", "compare")) from None
    review = await review_figures(journey_key, period, filters=filters, by=attribute)
    empty = Counts(sent=None, responded=None)
    return [
        _result(attribute, attribute, figures, period, [], empty)
        for figures in [*review.touchpoints, review.whole]
    ]


__all__ = ["WHOLE_JOURNEY", "ExperimentResult", "attribute_comparison", "experiment_results"]
