"""The channels a touchpoint can ask for, found in this package, and the ones the service runs.

Every module of `dispatch.channels` is looked through once: a `Channel` subclass with an
`address_kind` is a channel a touchpoint can list, under its `name`. So adding a channel is
adding its module (see `dispatch.channels.base`); nothing here names one.

`build_channels` builds each channel whose settings are complete; the console channel
stands in for the others, so nothing is sent for real until credentials are set.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

from dispatch.channels.base import BuildContext, Channel
from dispatch.channels.console import ConsoleChannel


@cache
def _channel_classes() -> dict[str, type[Channel]]:
    return find_channels(importlib.import_module(__package__ or "dispatch.channels"))


def find_channels(package: ModuleType) -> dict[str, type[Channel]]:
    """The channels defined in the modules of `package`, by name."""
    found: dict[str, type[Channel]] = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for value in vars(module).values():
            if not _is_channel(value) or value.__module__ != module.__name__:
                continue
            if value.name in found:
                raise RuntimeError(f"two channels are named {value.name!r}")
            found[value.name] = value
    return dict(sorted(found.items()))


def _is_channel(value: object) -> bool:
    return (
        inspect.isclass(value)
        and issubclass(value, Channel)
        and not inspect.isabstract(value)
        and getattr(value, "address_kind", None) is not None
    )


def channel_names() -> tuple[str, ...]:
    """The names a touchpoint may list in `channels: [...]`, sorted."""
    return tuple(_channel_classes())


def channel_named(name: str) -> type[Channel] | None:
    return _channel_classes().get(name)


@dataclass(frozen=True)
class Channels:
    """The channels the service runs: those with complete settings, by name, and the
    console channel that stands in for the rest."""

    console: Channel
    configured: Mapping[str, Channel] = field(default_factory=dict)

    def carrier(self, name: str) -> Channel:
        """What carries a message asked to go by `name`."""
        return self.configured.get(name) or self.console

    def running(self, name: str) -> Channel | None:
        """The running channel stored on a message as `name`, if this service runs it."""
        if name == self.console.name:
            return self.console
        return next((c for c in self.configured.values() if c.name == name), None)

    async def close(self) -> None:
        for channel in {id(c): c for c in (self.console, *self.configured.values())}.values():
            await channel.close()


def build_channels(settings: Any, context: BuildContext) -> Channels:
    """Every known channel whose settings section (an attribute of `settings`) is complete."""
    configured: dict[str, Channel] = {}
    for name, kind in _channel_classes().items():
        section = getattr(settings, kind.settings_section or "", None)
        if section is not None and kind.settings_complete(section):
            configured[name] = kind.from_settings(section, context)
    return Channels(ConsoleChannel(), configured)
