"""Why denied: a SageMaker job check with 10 inputs, rolekit vs the same reads in boto3, one run.

- Decide: `Client.sagemaker_check` of a training job with 10 input prefixes (3 buckets), an output,
  an image and 2 KMS keys; `Diagnosis.timings["decide"]` is the offline part after the reads (every
  request the job makes decided, denials explained). Goal: under 5 ms.
- Reads: the whole check's wall time against a boto3 script doing the same reads one after another
  (the caller's identity, user and group policies, the role and its policies, each bucket policy,
  each key policy), both through a proxy that holds every request BENCH_LATENCY seconds (25 ms), a
  network's round trip, which loopback does not have: rolekit's reads run concurrently.
Medians over BENCH_ROUNDS rounds, rolekit and boto3 alternating.
"""

from __future__ import annotations

import json
import os
import time

import rolekit as rk
from calls import latency_proxy
from common import median, publish
from rolekit.sandbox import Sandbox

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
LATENCY = float(os.environ.get("BENCH_LATENCY", "0.025"))
REGION = "us-east-1"


def setup(sb: Sandbox) -> dict[str, object]:
    s3, kms, iam = sb.boto3_client("s3"), sb.boto3_client("kms"), sb.boto3_client("iam")
    account = sb.client().whoami().account
    buckets = ["bench-a", "bench-b", "bench-c"]
    for b in buckets:
        s3.create_bucket(Bucket=b)
    s3.put_bucket_policy(
        Bucket="bench-a",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:DeleteBucket",
                        "Resource": "arn:aws:s3:::bench-a",
                    }
                ],
            }
        ),
    )
    keys = [kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2)]
    inputs = [f"s3://{buckets[i % 3]}/data/part-{i}" for i in range(10)]
    policy = rk.sagemaker.execution_policy(
        s3=[*inputs, "s3://bench-c/models"], ecr_repositories=["churn"], kms_keys=keys, region=REGION, account=account
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.create_role(RoleName="bench-exec", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="bench-exec", PolicyName="execution", PolicyDocument=policy.to_json())
    return {
        "inputs": inputs,
        "output": "s3://bench-c/models",
        "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/churn:latest",
        "kms_keys": keys,
        "buckets": buckets,
    }


def boto3_reads(session_clients: dict[str, object], job: dict[str, object]) -> None:
    """The reads a script would make for the same check, one after another."""
    sts, iam, s3, kms = (session_clients[k] for k in ("sts", "iam", "s3", "kms"))
    me = sts.get_caller_identity()  # type: ignore[attr-defined]
    user = me["Arn"].rsplit("/", 1)[-1]
    iam.get_user(UserName=user)  # type: ignore[attr-defined]
    for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]:  # type: ignore[attr-defined]
        version = iam.get_policy(PolicyArn=p["PolicyArn"])["Policy"]["DefaultVersionId"]  # type: ignore[attr-defined]
        iam.get_policy_version(PolicyArn=p["PolicyArn"], VersionId=version)  # type: ignore[attr-defined]
    for name in iam.list_user_policies(UserName=user)["PolicyNames"]:  # type: ignore[attr-defined]
        iam.get_user_policy(UserName=user, PolicyName=name)  # type: ignore[attr-defined]
    iam.list_groups_for_user(UserName=user)  # type: ignore[attr-defined]
    iam.get_role(RoleName="bench-exec")  # type: ignore[attr-defined]
    iam.list_attached_role_policies(RoleName="bench-exec")  # type: ignore[attr-defined]
    for name in iam.list_role_policies(RoleName="bench-exec")["PolicyNames"]:  # type: ignore[attr-defined]
        iam.get_role_policy(RoleName="bench-exec", PolicyName=name)  # type: ignore[attr-defined]
    for b in job["buckets"]:  # type: ignore[attr-defined]
        try:
            s3.get_bucket_policy(Bucket=b)  # type: ignore[attr-defined]
        except Exception:  # NoSuchBucketPolicy, as rolekit meets it
            pass
    for k in job["kms_keys"]:  # type: ignore[attr-defined]
        kms.get_key_policy(KeyId=k, PolicyName="default")  # type: ignore[attr-defined]


def main() -> None:
    with Sandbox() as sb:
        job = setup(sb)
        with latency_proxy(sb.endpoint_url, LATENCY) as url:
            client = sb.client(endpoint_url=url)
            clients = {k: sb.boto3_client(k, endpoint_url=url) for k in ("sts", "iam", "s3", "kms")}
            kwargs = {k: job[k] for k in ("inputs", "output", "image", "kms_keys")}
            d = client.sagemaker_check("bench-exec", job_name="churn", **kwargs)
            assert d.ok, str(d)
            boto3_reads(clients, job)
            decide, ours, theirs = [], [], []
            for _ in range(ROUNDS):
                t = time.perf_counter()
                d = client.sagemaker_check("bench-exec", job_name="churn", **kwargs)
                ours.append(time.perf_counter() - t)
                decide.append(d.timings["decide"])
                t = time.perf_counter()
                boto3_reads(clients, job)
                theirs.append(time.perf_counter() - t)
        checks = len(d.passed)
    publish(
        "Why denied (bench/diagnose.py)",
        [
            f"A training job with 10 inputs (3 buckets, one with a bucket policy), an output, an image and 2 KMS "
            f"keys: {checks} requests decided. {ROUNDS} rounds, {LATENCY * 1000:.0f} ms of latency per request "
            "(tests/faultproxy.py).",
            "",
            "| | median |",
            "|---|---|",
            f"| offline decisions after the reads (`timings['decide']`) | {median(decide) * 1000:.2f} ms (goal < 5 ms) |",
            f"| rolekit `sagemaker_check`, whole (reads concurrent) | {median(ours) * 1000:.0f} ms |",
            f"| boto3, the same reads one after another (no decision) | {median(theirs) * 1000:.0f} ms |",
            f"| ratio rolekit / boto3 | {median(ours) / median(theirs):.2f}x |",
        ],
    )


if __name__ == "__main__":
    main()
