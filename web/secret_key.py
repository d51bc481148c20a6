"""The secret key that signs session cookies and CSRF tokens, the same in every process.

A key made up per process would sign a browser out whenever it reached another process, or
the same one after a restart. So: TOUCHPOINT_SECRET_KEY when set; in the embedded mode (a
SQLite database, one machine) a key generated once into the data directory, readable by its
owner only; against PostgreSQL, where web processes may run on several machines, start-up
refuses until the key is set.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from web.settings import Settings

FILE_NAME = "secret-key"


class MissingSecretKey(Exception):
    """Start-up cannot go on: the message says what to set."""


def resolve_secret_key(settings: Settings) -> str:
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    if settings.effective_database_url.startswith("sqlite://"):
        return _kept_key(settings.data_dir / FILE_NAME)
    raise MissingSecretKey(
        "TOUCHPOINT_SECRET_KEY is not set. With a PostgreSQL database every web process and "
        "worker must share one secret key: set TOUCHPOINT_SECRET_KEY to the same long random "
        "value everywhere, e.g. the output of: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
    )


def _kept_key(path: Path) -> str:
    """Read the key file, or create it; O_EXCL makes two processes starting at once agree."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if key:
            return key
        raise MissingSecretKey(f"{path} is empty: delete it to have a new key made") from None
    key = secrets.token_urlsafe(32)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key
