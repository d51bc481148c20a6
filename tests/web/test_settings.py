"""Settings read from the environment and from `.env` alike, every bad value named at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from dispatch.settings import DispatchSettings, TwilioSettings
from web.settings import Settings, local_url, problems, variable_name


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory of its own, and an environment without TOUCHPOINT_* variables."""
    for name in os.environ:
        if name.startswith("TOUCHPOINT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def dotenv(folder: Path, *lines: str) -> None:
    (folder / ".env").write_text("\n".join(lines) + "\n")


def test_every_section_reads_the_dotenv_of_the_working_directory(workdir):
    dotenv(
        workdir,
        "TOUCHPOINT_PUBLIC_URL=https://survey.example.com",
        "TOUCHPOINT_TWILIO_SEGMENTS_PER_SECOND=25",
        "TOUCHPOINT_TWILIO_FROM=+14155550100",
        "TOUCHPOINT_SMTP_PORT=465",
        "TOUCHPOINT_MIN_SAMPLE=12",
        "TOUCHPOINT_DEFAULT_PHONE_REGION=CN",
        "TOUCHPOINT_MAX_SEND_ATTEMPTS=3",
    )

    settings = Settings()

    assert settings.public_url == "https://survey.example.com"
    assert settings.twilio.segments_per_second == 25
    assert settings.twilio.from_ == "+14155550100"
    assert settings.smtp.port == 465
    assert settings.surveys.min_sample == 12
    assert settings.journeys.default_phone_region == "CN"
    assert settings.dispatch.max_send_attempts == 3


def test_the_environment_wins_over_dotenv_in_a_section_too(workdir, monkeypatch):
    dotenv(workdir, "TOUCHPOINT_TWILIO_SEGMENTS_PER_SECOND=25", "TOUCHPOINT_MIN_SAMPLE=12")
    monkeypatch.setenv("TOUCHPOINT_TWILIO_SEGMENTS_PER_SECOND", "100")

    settings = Settings()

    assert settings.twilio.segments_per_second == 100
    assert settings.surveys.min_sample == 12


def test_a_section_read_on_its_own_reads_dotenv_as_well(workdir):
    dotenv(workdir, "TOUCHPOINT_TWILIO_TIMEOUT_SECONDS=4")

    assert TwilioSettings().timeout_seconds == 4


def test_without_a_dotenv_every_default_holds(workdir):
    settings = Settings()

    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.twilio.segments_per_second == 1.0
    assert settings.twilio.api_url == "https://api.twilio.com"
    assert settings.surveys.min_sample == 30
    assert settings.dispatch.worker_concurrency == 20


def test_values_given_in_code_win_over_the_environment(workdir, monkeypatch):
    monkeypatch.setenv("TOUCHPOINT_TWILIO_AUTH_TOKEN", "from-the-environment")

    settings = Settings(twilio=TwilioSettings(auth_token="given"))

    assert settings.twilio.auth_token is not None
    assert settings.twilio.auth_token.get_secret_value() == "given"


def test_every_bad_value_is_reported_at_once_under_its_variable(workdir, monkeypatch):
    dotenv(workdir, "TOUCHPOINT_SMTP_PORT=submission", "TOUCHPOINT_SMTP_TLS=ssl")
    monkeypatch.setenv("TOUCHPOINT_TWILIO_SEGMENTS_PER_SECOND", "-1")
    monkeypatch.setenv("TOUCHPOINT_MIN_SAMPLE", "zero")
    monkeypatch.setenv("TOUCHPOINT_DATABASE_URL", "mysql://shop")

    with pytest.raises(ValidationError) as raised:
        Settings()

    named = {line.split(":", 1)[0] for line in problems(raised.value)}
    assert named == {
        "TOUCHPOINT_SMTP_PORT",
        "TOUCHPOINT_SMTP_TLS",
        "TOUCHPOINT_TWILIO_SEGMENTS_PER_SECOND",
        "TOUCHPOINT_MIN_SAMPLE",
        "TOUCHPOINT_DATABASE_URL",
    }
    assert "TOUCHPOINT_DATABASE_URL: must be a sqlite:// or postgres:// URL" in problems(
        raised.value
    )


def test_a_grace_no_longer_than_the_job_timeout_is_named_and_explained(workdir, monkeypatch):
    monkeypatch.setenv("TOUCHPOINT_JOB_TIMEOUT_SECONDS", "300")
    monkeypatch.setenv("TOUCHPOINT_STUCK_SEND_GRACE_SECONDS", "200")

    with pytest.raises(ValidationError) as raised:
        Settings()

    assert problems(raised.value) == [
        "TOUCHPOINT_STUCK_SEND_GRACE_SECONDS: must be longer than"
        " TOUCHPOINT_JOB_TIMEOUT_SECONDS (300), or a slow send is taken for a dead one"
    ]


def test_a_bad_job_timeout_is_reported_alone_not_compared(workdir, monkeypatch):
    monkeypatch.setenv("TOUCHPOINT_JOB_TIMEOUT_SECONDS", "soon")

    with pytest.raises(ValidationError) as raised:
        DispatchSettings()

    assert [item["loc"] for item in raised.value.errors()] == [("job_timeout_seconds",)]


@pytest.mark.parametrize(
    ("location", "variable"),
    [
        (("public_url",), "TOUCHPOINT_PUBLIC_URL"),
        (("twilio", "segments_per_second"), "TOUCHPOINT_TWILIO_SEGMENTS_PER_SECOND"),
        (("twilio", "from_"), "TOUCHPOINT_TWILIO_FROM"),
        (("twilio", "TOUCHPOINT_TWILIO_FROM"), "TOUCHPOINT_TWILIO_FROM"),
        (("smtp", "from_"), "TOUCHPOINT_SMTP_FROM"),
        (("smtp", "port"), "TOUCHPOINT_SMTP_PORT"),
        (("surveys", "link_lifetime_days"), "TOUCHPOINT_LINK_LIFETIME_DAYS"),
        (("journeys", "default_phone_region"), "TOUCHPOINT_DEFAULT_PHONE_REGION"),
        (("dispatch", "worker_concurrency"), "TOUCHPOINT_WORKER_CONCURRENCY"),
        (("twilio",), "TOUCHPOINT_TWILIO_*"),
    ],
)
def test_an_error_location_names_the_variable_to_fix(location, variable):
    assert variable_name(location) == variable


def test_a_web_process_puts_its_own_port_in_links_unless_a_public_url_is_set(workdir):
    assert Settings().served_at("127.0.0.1", 8150).public_url == "http://127.0.0.1:8150"
    assert Settings().served_at("0.0.0.0", 8150).public_url == "http://127.0.0.1:8150"

    dotenv(workdir, "TOUCHPOINT_PUBLIC_URL=https://survey.example.com/")
    assert Settings().served_at("127.0.0.1", 8150).public_url == "https://survey.example.com"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8150"),
        ("0.0.0.0", "http://127.0.0.1:8150"),
        ("::", "http://127.0.0.1:8150"),
        ("::1", "http://[::1]:8150"),
        ("192.168.1.20", "http://192.168.1.20:8150"),
        ("localhost", "http://localhost:8150"),
    ],
)
def test_the_local_url_is_one_a_browser_on_this_machine_can_open(host, url):
    assert local_url(host, 8150) == url
