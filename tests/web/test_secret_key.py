"""One secret key for every process: kept in the data directory in the embedded mode,
required against PostgreSQL, where `touchpoint web` and `worker` refuse to start without it."""

from __future__ import annotations

import stat

import pytest
from pydantic import SecretStr

from tests.processes import clean_environment, touchpoint
from web.secret_key import FILE_NAME, MissingSecretKey, resolve_secret_key
from web.settings import Settings

POSTGRES = "postgres://touchpoint@127.0.0.1:5432/touchpoint"


def test_the_embedded_mode_makes_one_key_and_every_process_reads_the_same(tmp_path):
    first = resolve_secret_key(Settings(data_dir=tmp_path))
    second = resolve_secret_key(Settings(data_dir=tmp_path))

    assert first == second and len(first) >= 40
    key_file = tmp_path / FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first


def test_a_key_that_is_set_wins_over_the_file(tmp_path):
    resolve_secret_key(Settings(data_dir=tmp_path))

    chosen = Settings(data_dir=tmp_path, secret_key=SecretStr("chosen by the operator"))

    assert resolve_secret_key(chosen) == "chosen by the operator"


def test_postgresql_without_a_key_is_refused_and_says_what_to_set(tmp_path):
    with pytest.raises(MissingSecretKey, match="TOUCHPOINT_SECRET_KEY is not set"):
        resolve_secret_key(Settings(data_dir=tmp_path, database_url=POSTGRES))

    assert not (tmp_path / FILE_NAME).exists()


def test_an_empty_key_file_is_refused_rather_than_trusted(tmp_path):
    (tmp_path / FILE_NAME).write_text("\n")

    with pytest.raises(MissingSecretKey, match="is empty"):
        resolve_secret_key(Settings(data_dir=tmp_path))


@pytest.mark.parametrize("command", ["web", "worker"])
def test_touchpoint_web_and_worker_refuse_to_start_on_postgresql_without_a_key(tmp_path, command):
    env = clean_environment(data_dir=str(tmp_path), database_url=POSTGRES)

    result = touchpoint(command, env=env, timeout=60)

    assert result.returncode == 2
    assert "touchpoint: cannot start: TOUCHPOINT_SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / FILE_NAME).exists()
