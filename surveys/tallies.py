"""The counts the forecast and the A/B comparison start from, whoever summed them.

The figures engine sums its own `Counts` in the database; tests and the bench write them by
hand. Both only need these fields, so the statistics take anything shaped like a `Tally`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class TallyLike(Protocol):
    @property
    def promoters(self) -> int: ...
    @property
    def passives(self) -> int: ...
    @property
    def detractors(self) -> int: ...
    @property
    def csat_n(self) -> int: ...
    @property
    def satisfied(self) -> int: ...
    @property
    def sent(self) -> int | None: ...
    @property
    def responded(self) -> int | None: ...


@dataclass(frozen=True)
class Tally:
    """Answers of one cell: NPS categories, CSAT answers and the satisfied among them, and
    (where the cell is known on the invitation) invitations sent and answered."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    csat_n: int = 0
    satisfied: int = 0
    sent: int | None = None
    responded: int | None = None

    @property
    def nps_n(self) -> int:
        return self.promoters + self.passives + self.detractors


def nps_n(tally: TallyLike) -> int:
    return tally.promoters + tally.passives + tally.detractors
