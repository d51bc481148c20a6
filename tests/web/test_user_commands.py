"""`touchpoint users ...` run as an admin runs it, and the demo admin of `make up`."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT, clean_environment, touchpoint

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One database for the module (each command is a process, and processes are slow):
    every test uses emails of its own."""
    data = tmp_path_factory.mktemp("users")
    env = clean_environment(data_dir=str(data), database_url=f"sqlite://{data / 'cli.sqlite3'}")
    assert touchpoint("migrate", env=env).returncode == 0
    return env


def users(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", "users", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_admin_is_created_listed_and_changed_from_a_script(migrated):
    created = users(
        "create",
        "--email",
        "Alice@Example.com",
        "--role",
        "admin",
        "--password-stdin",
        env=migrated,
        stdin=PASSWORD + "\n",
    )
    role = users("set-role", "--email", "alice@example.com", "--role", "viewer", env=migrated)
    password = users(
        "set-password",
        "--email",
        "alice@example.com",
        "--password-stdin",
        env=migrated,
        stdin="another long passphrase\n",
    )
    listed = users("list", env=migrated)

    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "user alice@example.com created with the role admin"
    assert role.stdout.strip() == "alice@example.com now has the role viewer"
    assert password.stdout.strip() == "password of alice@example.com changed; sessions ended: 0"
    assert "alice@example.com\tviewer\tcreated " in listed.stdout
    assert PASSWORD not in listed.stdout


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["--email", "not-an-email", "--role", "admin"], PASSWORD, "not an email address"),
        (
            ["--email", "bob@example.com", "--role", "owner"],
            PASSWORD,
            "--role: unknown role 'owner'",
        ),
        (["--email", "bob@example.com", "--role", "agent"], "short", "at least 12 characters"),
        (["--email", "bob@example.com", "--role", "agent"], "", "standard input held no password"),
    ],
)
def test_bad_input_is_refused_with_what_was_wrong(migrated, args, stdin, message):
    result = users("create", *args, "--password-stdin", env=migrated, stdin=stdin + "\n")

    assert result.returncode == 2
    assert message in result.stderr


def test_a_second_user_with_the_same_email_is_refused(migrated):
    args = ["create", "--email", "bob@example.com", "--role", "agent", "--password-stdin"]
    users(*args, env=migrated, stdin=PASSWORD + "\n")

    again = users(*args, env=migrated, stdin=PASSWORD + "\n")

    assert again.returncode == 2
    assert "a user with the email bob@example.com exists already" in again.stderr


def test_changing_an_unknown_user_says_so(migrated):
    result = users("set-role", "--email", "nobody@example.com", "--role", "admin", env=migrated)

    assert result.returncode == 2
    assert "no user with the email 'nobody@example.com'" in result.stderr


def test_the_demo_makes_an_admin_whose_password_is_kept_and_printed(migrated):
    first = touchpoint("demo", env=migrated)
    again = touchpoint("demo", env=migrated)

    kept = Path(migrated["TOUCHPOINT_DATA_DIR"]) / "demo-admin-password"
    password = kept.read_text().strip()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    line = f"console: sign in as admin@example.com, password {password}"
    assert line in first.stdout.splitlines() and line in again.stdout.splitlines()
    listed = users("list", env=migrated).stdout
    assert "admin@example.com\tadmin\t" in listed
    assert "dan@example.com" not in listed  # the refusals above wrote nothing
