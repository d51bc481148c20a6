"""A PostgreSQL cluster of the story's own, in a temporary folder, on a free port.

The chaos story restarts its database, so it never uses a shared server: it runs
`initdb` and `pg_ctl` from the PostgreSQL installation into a folder it deletes at the
end. PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres`
user and every command runs through `runuser`. The operating system never crashes here,
so fsync is off (what was written survives in its cache), which keeps the story quick on
a shared machine; commits stay synchronous (with `synchronous_commit=off` a commit the
API has confirmed may be lost in the restart, and the story rightly fails). A restart is
an immediate shutdown and a crash recovery.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.processes import free_port

PG_BIN = Path(os.environ.get("CHAOS_PG_BIN", "/usr/lib/postgresql/15/bin"))
OWNER = "postgres"


def unavailable() -> str | None:
    """Why no cluster can be made here, or None when one can."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL server programs in {PG_BIN} (set CHAOS_PG_BIN)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(OWNER)
        except KeyError:
            return f"running as root and there is no {OWNER!r} user to own the cluster"
        if not shutil.which("runuser"):
            return "running as root and there is no runuser to start PostgreSQL as another user"
    return None


class PostgresCluster:
    """initdb, start, restart and stop one cluster; `url` is its `postgres` database."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="touchpoint-chaos-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self.restarts = 0
        if os.geteuid() == 0:
            owner = pwd.getpwnam(OWNER)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    def _run(self, *command: str) -> None:
        as_owner = ["runuser", "-u", OWNER, "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*as_owner, *command], check=True, capture_output=True, text=True, timeout=120
        )

    def _pg_ctl(self, *args: str) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args)

    def start(self) -> PostgresCluster:
        if not self.data.exists():
            self._run(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                "-A", "trust", "-E", "UTF8", "--no-sync",
            )  # fmt: skip
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root}"
            " -c fsync=off -c full_page_writes=off"
            " -c max_connections=300"
        )
        self._pg_ctl("-l", str(self.root / "server.log"), "-o", options, "start")
        return self

    def halt(self) -> None:
        """An immediate shutdown: every connection is cut, nothing is flushed politely."""
        self._pg_ctl("-m", "immediate", "stop")

    def restart(self) -> None:
        """Halt and start: what a crash and a supervisor's restart look like to clients."""
        self.halt()
        self.restarts += 1
        self.start()

    def stop(self) -> None:
        try:
            self._pg_ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""
