"""TOUCHPOINT_REDIS_URL as arq's RedisSettings: one server, a unix socket, or Redis Sentinel.

arq's `RedisSettings.from_dsn` reads redis://, rediss:// and unix:// URLs. For failover the
queue may name its Sentinels instead, which no URL standard covers, so this module reads

    redis+sentinel://[[user]:password@]host1:26379,host2:26379/mymaster/0

(port 26379 when left out; `rediss+sentinel` for TLS to the master): the Sentinels, the
name of the master they watch, and the database number. arq then connects through redis-py's
`Sentinel`, which asks the Sentinels for the current master on every new connection, so
after a failover the web processes and workers reconnect to the new master by themselves.
The password is the master's: arq gives the Sentinels themselves no credentials.

Every Redis client Touchpoint makes (the queue pool, the worker's pool, the rate limiter's
client) is built from these settings by `web.runtime`, so they all follow the master.
"""

from __future__ import annotations

from urllib.parse import unquote

from arq.connections import RedisSettings

SENTINEL_SCHEMES = ("redis+sentinel", "rediss+sentinel")
SENTINEL_PORT = 26379
_EXPECTED = "a redis://, rediss://, unix:// or redis+sentinel:// URL"


def redis_settings(url: str) -> RedisSettings:
    """The settings for `url`; a ValueError says what is wrong with it."""
    scheme, _, rest = url.partition("://")
    if scheme in SENTINEL_SCHEMES:
        return _sentinel_settings(rest, tls=scheme.startswith("rediss"))
    try:
        return RedisSettings.from_dsn(url)
    except (RuntimeError, ValueError):
        raise ValueError(f"must be {_EXPECTED}, not {scheme + '://...'!r}") from None


def _sentinel_settings(rest: str, *, tls: bool) -> RedisSettings:
    location, _, query = rest.partition("?")
    if query:
        raise ValueError("a redis+sentinel:// URL takes no ?options")
    netloc, _, path = location.partition("/")
    userinfo, _, hosts = netloc.rpartition("@")
    username, _, password = userinfo.partition(":")
    master, _, database = path.partition("/")
    if not master:
        raise ValueError(
            "name the master after the Sentinels: redis+sentinel://host:26379/mymaster/0"
        )
    if database and not database.isdigit():
        raise ValueError(f"the database after the master's name must be a number, not {database!r}")
    return RedisSettings(
        host=[_sentinel_address(part) for part in hosts.split(",")],
        sentinel=True,
        sentinel_master=unquote(master),
        database=int(database or 0),
        username=unquote(username) or None,
        password=unquote(password) or None,
        ssl=tls,
    )


def _sentinel_address(text: str) -> tuple[str, int]:
    """host, host:port or [v6]:port."""
    if not text:
        raise ValueError("list the Sentinels as host:port,host:port")
    if text.startswith("["):
        host, _, after = text[1:].partition("]")
        port = after.removeprefix(":")
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:
        host, port = text, ""
    if port and not port.isdigit():
        raise ValueError(f"a Sentinel's port must be a number: {text!r}")
    if not host:
        raise ValueError(f"a Sentinel without a host: {text!r}")
    return host, int(port or SENTINEL_PORT)
