"""The loopback Twilio server, misbehaving at random while the story is rough.

A share of the requests (to send or to list messages) meets one fault, picked at random
from a seeded generator: a 500, a 429, an answer held past the client's timeout with the
message taken all the same (the client cannot tell it went out), or a hang past the
timeout ending in a refusal with nothing taken. `calm()` ends it; `faults` counts what
was dealt, so the story can say the provider really misbehaved.
"""

from __future__ import annotations

import random
from collections import Counter

from starlette.requests import Request
from starlette.responses import JSONResponse

from tests.servers.twilio import TwilioServer, _Answer
from tests.servers.twilio_resources import failure, twilio_error

FAULTS = ("500", "429", "held", "hung")


class UnreliableTwilio(TwilioServer):
    def __init__(self, *, seed: int, late_seconds: float) -> None:
        super().__init__()
        self._rng = random.Random(seed)
        self._rate = 0.0
        self._late = late_seconds
        self.faults: Counter[str] = Counter()

    def misbehave(self, rate: float) -> None:
        """From now on, this share of the requests meets a random fault."""
        with self._lock:
            self._rate = rate

    def calm(self) -> None:
        with self._lock:
            self._rate = 0.0

    def _deal(self) -> str | None:
        """A fault for this request, or None; called under the lock."""
        if self._rate and self._rng.random() < self._rate:
            fault = self._rng.choice(FAULTS)
            self.faults[fault] += 1
            return fault
        return None

    def _answer(self, fields: dict[str, str | None], authorized: bool) -> _Answer:
        fault = self._deal() if authorized else None
        if fault in ("500", "429"):
            return _Answer(*failure(int(fault)), fault=f"random {fault}")
        if fault == "hung":
            return _Answer(*failure(503), self._late, "hung")
        if fault == "held":
            status, code, text = self._decide(fields, authorized)
            return _Answer(status, code, text, self._late, "held")
        return super()._answer(fields, authorized)

    async def _list(self, request: Request) -> JSONResponse:
        with self._lock:
            fault, generation = self._deal(), self._generation
        if fault in ("held", "hung"):
            await self._sleep(self._late, generation)
        if fault in ("500", "429", "hung"):
            return twilio_error(*failure(503 if fault == "hung" else int(fault)))
        return await super()._list(request)
