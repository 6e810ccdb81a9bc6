"""Validation throughput over the 1,582 AWS managed policies that moto ships.

rolekit (all three layers), parliament (default checks) and moto's IAMPolicyDocumentValidator
(IAM syntax only) validate the same JSON texts in one process and one run.
Goal: ≥ 100× parliament and ≥ 2× moto.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Callable

import rolekit as rk
from common import median, publish

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))


def corpus() -> list[str]:
    """The managed policies as JSON texts."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data = json.loads(aws_managed_policies_data)
    return [json.dumps(entry["Document"]) for entry in data.values()]


def with_rolekit(texts: list[str]) -> None:
    """Parse and validate each text (identity policy, all layers)."""
    for t in texts:
        rk.Policy.from_json(t).validate("identity")


def with_moto(texts: list[str]) -> None:
    """moto's validator; it raises on the documents it rejects."""
    from moto.iam.policy_validation import IAMPolicyDocumentValidator

    for t in texts:
        try:
            IAMPolicyDocumentValidator(t).validate()
        except Exception:
            continue


def with_parliament(texts: list[str]) -> None:
    """parliament's default analysis."""
    import parliament

    for t in texts:
        try:
            parliament.analyze_policy_string(t)
        except Exception:  # parliament crashes on some policies (e.g. ArrayOfARN keys); counted once below
            continue


def interleaved(fns: list[Callable[[list[str]], None]], texts: list[str], rounds: int) -> list[list[float]]:
    """Seconds per pass of each function, their passes taking turns, so that a noisy neighbour
    slows both sides of a ratio alike."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            start = time.perf_counter()
            fn(texts)
            times[k].append(time.perf_counter() - start)
    return times


def main() -> None:
    """Run the benchmark and record it."""
    logging.disable(logging.CRITICAL)  # parliament logs every finding
    texts = corpus()
    n = len(texts)
    # Warm-up: catalog parse, parliament's own data load, imports.
    with_rolekit(texts[:5])
    with_moto(texts[:5])
    with_parliament(texts[:5])
    rk_times, moto_times = interleaved([with_rolekit, with_moto], texts, ROUNDS)
    t_rk, t_moto = median(rk_times), median(moto_times)
    vs_moto = median([m / r for m, r in zip(moto_times, rk_times)])
    t_par = median(interleaved([with_parliament], texts, max(1, ROUNDS // 5))[0])
    parliament_crashes = 0
    import parliament

    for t in texts:
        try:
            parliament.analyze_policy_string(t)
        except Exception:
            parliament_crashes += 1
    rate = {name: n / t for name, t in (("rolekit", t_rk), ("moto", t_moto), ("parliament", t_par))}
    body = [
        f"{n} AWS managed policies (moto's copy), JSON text in, one process; medians of {ROUNDS} passes "
        f"(parliament: {max(1, ROUNDS // 5)}), rolekit's and moto's taking turns; the moto ratio is the "
        "median of the ratios of the passes side by side.",
        "",
        "| validator | what it checks | seconds per pass | policies / s | rolekit speed-up |",
        "|---|---|---|---|---|",
        f"| rolekit | IAM syntax + catalog lint + security | {t_rk:.3f} | {rate['rolekit']:,.0f} | 1× |",
        f"| moto IAMPolicyDocumentValidator | IAM syntax | {t_moto:.3f} | {rate['moto']:,.0f} | {vs_moto:.2f}× |",
        f"| parliament (default) | catalog lint + security | {t_par:.3f} | {rate['parliament']:,.0f} | {t_par / t_rk:.0f}× |",
        "",
        f"parliament raised an exception on {parliament_crashes} of the {n} policies (its time includes them).",
    ]
    publish("Validation (bench/validate.py)", body)


if __name__ == "__main__":
    main()
