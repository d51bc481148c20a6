"""deploy/: the image, the compose file and the Kubernetes manifests say what the code does.

Read as data and checked against the code itself: the migration runs before web and
workers (which wait for it), the probes ask /healthz and /readyz, a worker's grace
outlasts the longest send, secrets are in the Secret, every variable is a setting
Touchpoint reads, and every command is one the `touchpoint` CLI takes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dispatch.settings import DispatchSettings
from web.cli import _parser
from web.database import APPS
from web.settings import PREFIX, SECTIONS, Settings, _section_class, variable_name

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
#: Secret values: never in a ConfigMap or written into the compose file.
SECRETS = {
    "TOUCHPOINT_SECRET_KEY",
    "TOUCHPOINT_DATABASE_URL",
    "TOUCHPOINT_TWILIO_AUTH_TOKEN",
    "TOUCHPOINT_TWILIO_ACCOUNT_SID",
    "TOUCHPOINT_SMTP_PASSWORD",
}
#: Options the deploy files use that come with parts built beside this one; this test runs
#: in full once they are in, and the skip goes when they are.
JOB_TIMEOUT = DispatchSettings.model_fields["job_timeout_seconds"].default


def kubernetes() -> list[dict[str, Any]]:
    text = (DEPLOY / "kubernetes" / "touchpoint.yaml").read_text("utf-8")
    return [doc for doc in yaml.safe_load_all(text) if doc]


def manifest(kind: str, name: str) -> dict[str, Any]:
    [found] = [d for d in kubernetes() if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))


def pod(deployment: str) -> dict[str, Any]:
    return manifest("Deployment", deployment)["spec"]["template"]


def container(deployment: str) -> dict[str, Any]:
    [only] = pod(deployment)["spec"]["containers"]
    return only


def known_variables() -> set[str]:
    names = {(PREFIX + name).upper() for name in Settings.model_fields if name not in SECTIONS}
    for section in SECTIONS:
        names |= {variable_name((section, f)) for f in _section_class(section).model_fields}
    return names


def option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def seconds(duration: str) -> float:
    """compose's durations: 90s, 2m30s."""
    parts = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert parts and duration, f"not a duration: {duration!r}"
    minutes, secs = (int(part or 0) for part in parts.groups())
    return minutes * 60 + secs


def test_the_migration_job_runs_migrate_and_web_and_workers_wait_for_it() -> None:
    job = manifest("Job", "touchpoint-migrate")["spec"]["template"]["spec"]
    assert job["restartPolicy"] == "Never"
    assert job["containers"][0]["command"] == ["touchpoint", "migrate"]
    for deployment in ("touchpoint-web", "touchpoint-worker"):
        [init] = pod(deployment)["spec"]["initContainers"]
        assert "touchpoint migrate --check" in " ".join(init["command"]), deployment
        assert init["envFrom"] == container(deployment)["envFrom"]


def test_the_web_probes_ask_readyz_for_readiness_and_healthz_for_liveness() -> None:
    web = container("touchpoint-web")
    ports = {p["name"]: p["containerPort"] for p in web["ports"]}
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe"):
        port = web[probe]["httpGet"]["port"]
        assert ports.get(port, port) == int(option(web["command"], "--port"))
    healthcheck = " ".join(compose()["services"]["web"]["healthcheck"]["test"])
    assert "/readyz" in healthcheck


def test_the_web_runs_several_processes_and_scales_on_cpu() -> None:
    web = container("touchpoint-web")
    assert int(option(web["command"], "--workers")) >= 2
    assert "cpu" in web["resources"]["requests"]
    scaler = manifest("HorizontalPodAutoscaler", "touchpoint-web")["spec"]
    assert scaler["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "touchpoint-web",
    }
    assert 1 < scaler["minReplicas"] < scaler["maxReplicas"]
    assert "--workers" in compose()["services"]["web"]["command"]


def test_the_worker_is_probed_on_its_loop_going_round() -> None:
    """Liveness asks the worker's /healthz (web/worker_liveness.py) on the port it serves,
    and is patient enough that only a loop silent past --stuck-after restarts it."""
    worker = container("touchpoint-worker")
    command = worker["command"]
    ports = {p["name"]: p["containerPort"] for p in worker["ports"]}
    probe = worker["livenessProbe"]
    port = probe["httpGet"]["port"]
    assert probe["httpGet"]["path"] == "/healthz"
    assert ports.get(port, port) == int(option(command, "--metrics-port"))
    assert "--metrics-host" not in command or option(command, "--metrics-host") == "0.0.0.0"
    assert probe["timeoutSeconds"] < probe["periodSeconds"]
    assert "readinessProbe" not in worker, "a worker takes no traffic to be kept from"
    healthcheck = " ".join(compose()["services"]["worker"]["healthcheck"]["test"])
    assert "127.0.0.1:9100/healthz" in healthcheck


def test_a_worker_is_given_longer_to_stop_than_a_send_may_take() -> None:
    grace = pod("touchpoint-worker")["spec"]["terminationGracePeriodSeconds"]
    assert grace > JOB_TIMEOUT
    assert seconds(compose()["services"]["worker"]["stop_grace_period"]) > JOB_TIMEOUT


def test_prometheus_scrapes_the_web_and_each_worker_where_they_serve_metrics() -> None:
    web = pod("touchpoint-web")["metadata"]["annotations"]
    assert (web["prometheus.io/scrape"], web["prometheus.io/path"]) == ("true", "/metrics")
    assert web["prometheus.io/port"] == option(container("touchpoint-web")["command"], "--port")
    worker = pod("touchpoint-worker")["metadata"]["annotations"]
    assert worker["prometheus.io/scrape"] == "true"
    command = container("touchpoint-worker")["command"]
    assert worker["prometheus.io/port"] == option(command, "--metrics-port")
    assert "--metrics-port" in compose()["services"]["worker"]["command"]


def test_the_key_and_the_provider_credentials_are_in_the_secret_only() -> None:
    secret = manifest("Secret", "touchpoint")["stringData"]
    config = manifest("ConfigMap", "touchpoint")["data"]
    assert SECRETS <= set(secret)
    assert not SECRETS & set(config)
    for deployment in ("touchpoint-web", "touchpoint-worker"):
        refs = [ref for source in container(deployment)["envFrom"] for ref in source.values()]
        assert {"name": "touchpoint"} in refs


def test_logs_are_json_lines_in_every_deployment() -> None:
    assert manifest("ConfigMap", "touchpoint")["data"]["TOUCHPOINT_LOG_FORMAT"] == "json"
    environment = compose()["x-touchpoint"]["environment"]
    assert environment["TOUCHPOINT_LOG_FORMAT"] == "json"


def test_every_variable_named_is_a_setting_and_the_examples_are_valid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    example = (
        manifest("ConfigMap", "touchpoint")["data"] | manifest("Secret", "touchpoint")["stringData"]
    )
    named = set(example) | set(compose()["x-touchpoint"]["environment"])
    assert named - known_variables() == set()
    for name, value in example.items():
        monkeypatch.setenv(name, value)

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.redis_url and settings.redis_url.startswith("redis+sentinel://")
    assert settings.reports_database_url != settings.database_url
    assert settings.twilio.complete and settings.smtp.complete


def commands() -> list[tuple[str, list[str]]]:
    services = compose()["services"].items()
    found = [(f"compose {name}", svc["command"]) for name, svc in services if "build" in svc]
    for doc in kubernetes():
        spec = doc.get("spec", {}).get("template", {}).get("spec", {})
        for box in spec.get("containers", []) + spec.get("initContainers", []):
            command = box["command"]
            if command[0] == "sh":
                command = re.search(r"touchpoint [^;]+", command[-1]).group(0).split()  # type: ignore[union-attr]
            found.append((f"{doc['kind']} {doc['metadata']['name']} {box['name']}", command))
    cmd = re.search(r"^CMD (.+)$", (DEPLOY / "Dockerfile").read_text("utf-8"), re.M)
    assert cmd is not None
    found.append(("Dockerfile", json.loads(cmd.group(1))))
    return found


COMMANDS = commands()


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[where for where, _ in COMMANDS])
def test_every_command_is_one_the_cli_takes(where: str, command: list[str]) -> None:
    assert command[0] == "touchpoint", where
    _, unknown = _parser().parse_known_args(command[1:])
    assert unknown == [], f"{where}: the CLI does not take {unknown}"


def test_the_image_holds_every_package() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, re.M))
    assert copied == set(APPS)
