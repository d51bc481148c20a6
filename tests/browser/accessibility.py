"""Accessibility checked by axe-core, the engine behind most accessibility audits.

axe-playwright-python bundles axe-core and injects it into the page over the DevTools
protocol, so the pages' Content-Security-Policy (no scripts at all) does not stop it and no
network is needed. We check the WCAG 2.x A and AA rules, WCAG 2.2's target size among them,
and axe's best practices.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
_axe = Axe()


def violations(page: Page) -> list[dict]:
    return _axe.run(page, options=RULES).response["violations"]


def describe(found: list[dict]) -> str:
    """One paragraph per rule broken: what, how bad, where, and axe's advice."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"  at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary") or ""
            lines.extend(f"    {line.strip()}" for line in summary.splitlines())
        lines.append(f"  see {violation['helpUrl']}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail with a readable list of everything axe-core finds wrong on the page."""
    found = violations(page)
    assert not found, f"{page.url} breaks {len(found)} accessibility rules:\n{describe(found)}"
