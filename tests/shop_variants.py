"""The tests' shop journey (`tests/journeys/fixtures/shop.yaml`) as its CX owner edits it:
a contact policy added, the send window moved, a touchpoint's settings changed.

The edits are made to the YAML text, then the journey is loaded and applied as
`touchpoint journeys apply` would.
"""

from __future__ import annotations

from pathlib import Path

from journeys.loader import load_journey
from journeys.schema import JourneyDefinition
from journeys.store import apply_journey

SHOP_YAML = Path(__file__).parent / "journeys" / "fixtures" / "shop.yaml"
ALL_DAY = 'send_window: {start: "00:00", end: "24:00"}'


def shop_yaml(
    *, contact_policy: str | None = None, send_window: str | None = None, **touchpoints: str
) -> str:
    """`contact_policy` and `send_window` as YAML flow mappings; `touchpoints` adds fields to
    the touchpoint of that key (`ship="max_age: P60D"`)."""
    text = SHOP_YAML.read_text("utf-8")
    assert ALL_DAY in text
    if send_window is not None:
        text = text.replace(ALL_DAY, f"send_window: {send_window}")
    if contact_policy is not None:
        text = text.replace("\ntargets:", f"\ncontact_policy: {contact_policy}\ntargets:", 1)
    for key, fields in touchpoints.items():
        [line] = [line for line in text.splitlines() if line.startswith(f"  - {{key: {key},")]
        text = text.replace(line, line.replace(", survey:", f", {fields}, survey:"))
    return text


async def apply_shop(
    *, contact_policy: str | None = None, send_window: str | None = None, **touchpoints: str
) -> JourneyDefinition:
    text = shop_yaml(contact_policy=contact_policy, send_window=send_window, **touchpoints)
    definition = load_journey(text, source="shop.yaml")
    await apply_journey(definition, text)
    return definition
