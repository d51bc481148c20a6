"""Running the `touchpoint` command as a user runs it: a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any TOUCHPOINT_* variable, plus `settings`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
    return clean | {f"TOUCHPOINT_{name.upper()}": value for name, value in settings.items()}


def touchpoint(
    *args: str, env: dict[str, str], check: bool = False, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )
