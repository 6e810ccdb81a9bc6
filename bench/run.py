"""Run every benchmark, each recording its section of bench/RESULTS.md."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

for name in ("validate", "evaluate", "coldstart", "calls", "diagnose", "fleet"):
    print(f"== {name}", flush=True)
    runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
