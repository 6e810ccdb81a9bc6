"""The `rolekit` command as a user runs it: this interpreter's `python -m rolekit`, its output
captured as text, its standard input empty unless a test gives one (never the test's terminal)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping


def rolekit_cli(
    *args: str, env: Mapping[str, str] | None = None, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `rolekit *args` in a child process and wait for it (at most `timeout` seconds)."""
    return subprocess.run(
        [sys.executable, "-m", "rolekit", *args], capture_output=True, text=True, env=env, input=stdin, timeout=timeout
    )
