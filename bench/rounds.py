"""The rounds a benchmark runs its contenders in: one round to warm up, left out, then
`rounds` rounds in which every contender runs once, in turn, so that whatever else the
machine is doing falls on all of them alike; each contender's figure is the median of its
rounds."""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable, Mapping

#: One run of a contender in round `n` (0 is the warm-up), returning its figure.
Run = Callable[[int], Awaitable[float]]
#: Told each figure as it comes: (round, contender, figure).
Show = Callable[[int, str, float], None]


async def interleaved(
    contenders: Mapping[str, Run], rounds: int, show: Show | None = None
) -> dict[str, list[float]]:
    """Each contender's figures of the `rounds` rounds after the warm-up, in order."""
    figures: dict[str, list[float]] = {name: [] for name in contenders}
    for n in range(rounds + 1):
        for name, run in contenders.items():
            figure = await run(n)
            if show is not None:
                show(n, name, figure)
            if n:
                figures[name].append(figure)
    return figures


def medians(figures: Mapping[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(values) for name, values in figures.items()}
