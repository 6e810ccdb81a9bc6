"""Shared helpers for rolekit's benchmarks: medians, ratios, the machine, RESULTS.md."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def median(values: list[float]) -> float:
    """The median of a non-empty list."""
    return statistics.median(values)


def machine() -> str:
    """One line about where this ran."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"


def write_section(title: str, body: str) -> None:
    """Replace (or add) the section `## title` of RESULTS.md with `body`, dated."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = f"## {title}\n\n_{stamp} · {machine()}_\n\n{body.strip()}\n"
    text = RESULTS.read_text() if RESULTS.exists() else "# rolekit benchmark results\n\nWritten by `make bench`.\n"
    parts = text.split("\n## ")
    head, rest = parts[0], parts[1:]
    kept = [p for p in rest if not p.startswith(title + "\n")]
    out = head.rstrip() + "\n\n" + "".join(f"## {p.rstrip()}\n\n" for p in kept) + section
    RESULTS.write_text(out)


def publish(title: str, lines: list[str]) -> None:
    """Print a result section and write it into RESULTS.md (see `write_section`)."""
    text = "\n".join(lines)
    print(text)
    write_section(title, text)
