"""Evaluation throughput through the Python face, against moto's access-control evaluator.

The same 8-statement SageMaker execution policy (with conditions) and the same generated requests
go through rolekit.simulate (one call per request), rolekit.simulate_many (one call in all) and
moto's IAMPolicy.is_action_permitted, in one process and one run; then the same with a small
4-statement policy, where the per-call conversion of the arguments weighs most. moto evaluates
only StringEquals conditions, so it does less work per request than rolekit.
Goals: ≥ 500,000 decisions/s through simulate; ≥ 10× moto on both policies.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import rolekit as rk
from common import median, publish

N = int(os.environ.get("BENCH_REQUESTS", "20000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
POLICY = (Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sagemaker_execution.json").read_text()

ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "logs:PutLogEvents",
    "ecr:BatchGetImage",
    "cloudwatch:PutMetricData",
    "iam:PassRole",
    "ec2:RunInstances",
]
RESOURCES = [
    "arn:aws:s3:::ml-data/projects/churn/train.csv",
    "arn:aws:s3:::ml-data",
    "arn:aws:s3:::other-bucket/secret.csv",
    "arn:aws:s3:::ml-home/ana/notes.txt",
    "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:log-stream:x",
    "arn:aws:ecr:us-east-1:123456789012:repository/churn-train",
    "arn:aws:iam::123456789012:role/admin",
    "*",
]
CONTEXT = {"aws:SecureTransport": "true", "aws:username": "ana", "s3:prefix": "projects/churn/2026"}
# The tutorial's fixed policy plus its neighbours: 4 statements, no conditions.
SMALL = """{"Version": "2012-10-17", "Statement": [
  {"Sid": "ListAll", "Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "Resource": "*"},
  {"Sid": "ReadData", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
   "Resource": ["arn:aws:s3:::ml-data", "arn:aws:s3:::ml-data/*"]},
  {"Sid": "Logs", "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:*:*:log-group:/aws/sagemaker/*"},
  {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}"""


def requests() -> list[tuple[str, str]]:
    """N deterministic (action, resource) pairs."""
    rng = random.Random(7)
    return [(rng.choice(ACTIONS), rng.choice(RESOURCES)) for _ in range(N)]


def measure(text: str, reqs: list[tuple[str, str]]) -> tuple[list[tuple[str, float]], float, int]:
    """(rows, moto's time, allowed count) for one policy."""
    policy = rk.Policy.from_json(text)
    from moto.iam.access_control import IAMPolicy

    moto_policy = IAMPolicy(text)

    def run_simulate() -> None:
        for action, resource in reqs:
            rk.simulate(action, resource, identity=[policy], context=CONTEXT)

    def run_many() -> None:
        rk.simulate_many(reqs, identity=[policy], context=CONTEXT)

    def run_moto() -> None:
        for action, resource in reqs:
            moto_policy.is_action_permitted(action, resource, incoming_condition_values=CONTEXT)

    def timed(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
        fn()  # warm-up
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return median(times)

    t_sim = timed(run_simulate, ROUNDS)
    t_many = timed(run_many, ROUNDS)
    t_moto = timed(run_moto, max(1, ROUNDS // 2))
    allowed = sum(rk.simulate(a, r, identity=[policy], context=CONTEXT).allowed for a, r in reqs)
    rows = [
        ("rolekit.simulate (one call per request)", t_sim),
        ("rolekit.simulate_many (one call)", t_many),
        ("moto IAMPolicy.is_action_permitted", t_moto),
    ]
    return rows, t_moto, allowed


def main() -> None:
    """Run the benchmark and record it."""
    reqs = requests()
    body: list[str] = []
    for label, text in (
        ("an 8-statement policy with conditions (tests/fixtures/sagemaker_execution.json)", POLICY),
        ("a small 4-statement policy without conditions", SMALL),
    ):
        rows, t_moto, allowed = measure(text, reqs)
        body += [
            f"{N} requests ({allowed} allowed) against {label}; medians of {ROUNDS} passes (moto: {max(1, ROUNDS // 2)}).",
            "",
            "| evaluator | seconds per pass | decisions / s | vs moto |",
            "|---|---|---|---|",
        ]
        for name, t in rows:
            body.append(f"| {name} | {t:.4f} | {N / t:,.0f} | {t_moto / t:.1f}× |")
        body.append("")
    body.append("The Rust core alone: `cargo bench --bench policy` (criterion), in the Rust core section above.")
    publish("Evaluation (bench/evaluate.py)", body)


if __name__ == "__main__":
    main()
