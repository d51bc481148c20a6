"""The sample Grafana dashboard and Prometheus alert rules in deploy/ name only metrics
that /metrics really serves, and alert on what the operator must hear about."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.scrape import names

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
DASHBOARD = DEPLOY / "grafana" / "touchpoint-dashboard.json"
ALERTS = DEPLOY / "prometheus" / "alerts.yaml"
METRIC = re.compile(r"\btouchpoint_[a-z_]+\b")


def alert_rules() -> list[dict]:
    return [
        rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]
    ]


def dashboard_queries() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


@pytest.fixture
async def served(client) -> set[str]:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    return names(answer.text)


def balanced(expr: str) -> bool:
    depth = 0
    for char in expr:
        depth += {"(": 1, ")": -1, "[": 1, "]": -1, "{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


async def test_every_metric_the_alerts_name_is_served(served):
    named = {m for rule in alert_rules() for m in METRIC.findall(rule["expr"])}

    assert named, "the alerts name no metric"
    assert named - served == set()


async def test_every_metric_the_dashboard_queries_is_served(served):
    named = {m for expr in dashboard_queries() for m in METRIC.findall(expr)}

    assert len(named) >= 10
    assert named - served == set()


def test_the_alerts_cover_what_the_operator_must_hear():
    rules = {rule["alert"]: rule for rule in alert_rules()}

    for alert in (
        "TouchpointQueueBackingUp",
        "TouchpointOldestDueJobLate",
        "TouchpointSendDelayHigh",
        "TouchpointProviderFailures",
        "TouchpointFollowUpCasesOverdue",
        "TouchpointWebhooksFailing",
        "TouchpointNotReady",
    ):
        assert alert in rules, alert
    for name, rule in rules.items():
        assert balanced(rule["expr"]), name
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, name
        assert rule["annotations"]["summary"], name


def test_state_figures_are_never_summed_over_processes():
    """Each web process reads the same figure from the database: a sum would multiply it."""
    state = re.compile(
        r"\bsum\s*(?:(?:by|without)\s*\([^()]*\)\s*)?\((?:[^()]|\([^()]*\))*"
        r"\btouchpoint_(?:invitations|queue_\w+|follow_up_cases_\w+|webhook_deliveries_failing)\b"
    )
    queries = [rule["expr"] for rule in alert_rules()] + dashboard_queries()

    assert [q for q in queries if state.search(q)] == []
    assert state.search("sum by (state) (touchpoint_invitations)")
    assert not state.search("sum by (state) (increase(touchpoint_invitations_ended_total[1h]))")


def test_the_dashboard_is_importable_json_with_a_datasource_choice():
    dashboard = json.loads(DASHBOARD.read_text())

    assert dashboard["uid"] == "touchpoint"
    [variable] = dashboard["templating"]["list"]
    assert (variable["type"], variable["query"]) == ("datasource", "prometheus")
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert all(balanced(expr) for expr in dashboard_queries())
