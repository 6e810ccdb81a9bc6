"""Cold start: a fresh process doing import + client + GetCallerIdentity against the sandbox.

rolekit and boto3 alternate, each run in its own process; wall time and peak RSS (from wait4)
are recorded, medians compared. Goal: rolekit ≤ 0.10 of boto3's wall time, ≤ 0.5 of its memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from common import median, publish
from rolekit.sandbox import Sandbox

RUNS = int(os.environ.get("BENCH_RUNS", "9"))

ROLEKIT = "import rolekit; rolekit.Client().whoami()"
BOTO3 = "import boto3; boto3.client('sts').get_caller_identity()"


# Linux keeps a forked child's pre-exec peak RSS in its rusage, and this process is large (the
# sandbox, boto3): measure from a small launcher so the children start small.
LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps([time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)]))
"""


def run_once(code: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one fresh interpreter running `code`."""
    out = subprocess.run(
        [sys.executable, "-c", LAUNCHER, code], env=env, capture_output=True, text=True, check=True
    ).stdout
    wall, rss, rc = json.loads(out)
    if rc != 0:
        raise SystemExit(f"benchmark process failed: {code}")
    return wall, rss


def main() -> None:
    """Run the benchmark and record it."""
    with Sandbox() as sb:
        env = dict(os.environ, **sb.env())
        # Warm the OS page cache for both before measuring.
        run_once(ROLEKIT, env)
        run_once(BOTO3, env)
        rk_t, rk_m, b_t, b_m = [], [], [], []
        for _ in range(RUNS):
            t, m = run_once(ROLEKIT, env)
            rk_t.append(t)
            rk_m.append(m)
            t, m = run_once(BOTO3, env)
            b_t.append(t)
            b_m.append(m)
    rows = [
        ("wall time (s)", median(rk_t), median(b_t)),
        ("peak RSS (MiB)", median(rk_m), median(b_m)),
    ]
    body = [
        f"Fresh process: import + client + GetCallerIdentity against the sandbox; {RUNS} alternating runs each, medians.",
        "",
        "| measure | rolekit | boto3 | ratio (rolekit / boto3) |",
        "|---|---|---|---|",
    ]
    for name, a, b in rows:
        body.append(f"| {name} | {a:.3f} | {b:.3f} | {a / b:.2f} |")
    body += [
        "",
        "Both include starting the Python interpreter itself "
        f"(`python -c pass`: {median([run_once('pass', os.environ.copy())[0] for _ in range(5)]):.3f} s).",
    ]
    publish("Cold start (bench/coldstart.py)", body)


if __name__ == "__main__":
    main()
