"""A role spec across an organization: a no-change plan, rolekit's Fleet against a boto3 script.

The sandbox holds an organization of BENCH_FLEET accounts (200; also run with 1000), each with the
spec applied (a customer managed policy, a role with it attached and an inline policy). Both sides
then read, in every account, what a plan needs: the account reached through
OrganizationAccountAccessRole (AssumeRole), the policy and its default version, the role with its
attached and inline policies. rolekit's Fleet plans (16 accounts at a time, one shared rate limit);
the boto3 script does the same reads one account after another, as such scripts do. Every request
of both goes through a proxy that holds it BENCH_LATENCY seconds (25 ms): a network's round trip.
Goal: rolekit at most 0.1x the script's wall time.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import rolekit as rk
from calls import latency_proxy
from common import publish
from rolekit.sandbox import Sandbox

ACCOUNTS = int(os.environ.get("BENCH_FLEET", "200"))
LATENCY = float(os.environ.get("BENCH_LATENCY", "0.025"))
CONCURRENCY = int(os.environ.get("BENCH_FLEET_CONCURRENCY", "16"))

SPEC = """
[[policies]]
name = "data-access"
policy = { Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::data/*" }] }

[[roles]]
name = "sagemaker-churn"
trust = { Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "sagemaker.amazonaws.com" }, Action = "sts:AssumeRole" }] }
managed_policies = ["data-access"]
inline_policies = { logs = { Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "logs:PutLogEvents", Resource = "*" }] } }
tags = { team = "ml" }
"""


def boto3_plan(sandbox: Sandbox, url: str, accounts: list[str], management: str) -> int:
    """The reads of a no-change plan, one account after another; the number of roles in sync."""
    import boto3

    sts = sandbox.boto3_client("sts", endpoint_url=url)
    in_sync = 0
    for account in accounts:
        if account == management:
            iam = sandbox.boto3_client("iam", endpoint_url=url)
        else:
            c = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="script"
            )["Credentials"]
            session = boto3.session.Session(
                aws_access_key_id=c["AccessKeyId"],
                aws_secret_access_key=c["SecretAccessKey"],
                aws_session_token=c["SessionToken"],
                region_name=sandbox.region,
            )
            iam = session.client("iam", endpoint_url=url)
        arn = f"arn:aws:iam::{account}:policy/data-access"
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        iam.get_policy_version(PolicyArn=arn, VersionId=version)
        iam.get_role(RoleName="sagemaker-churn")
        iam.list_attached_role_policies(RoleName="sagemaker-churn")
        for name in iam.list_role_policies(RoleName="sagemaker-churn")["PolicyNames"]:
            iam.get_role_policy(RoleName="sagemaker-churn", PolicyName=name)
        in_sync += 1
    return in_sync


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    (folder / "roles.toml").write_text(SPEC)
    spec = rk.RoleSpec.load(folder / "roles.toml")
    with Sandbox() as sb:
        orgs = sb.boto3_client("organizations")
        orgs.create_organization(FeatureSet="ALL")
        started = time.perf_counter()
        for i in range(ACCOUNTS - 1):
            orgs.create_account(AccountName=f"a{i}", Email=f"a{i}@example.com")
        created = time.perf_counter() - started
        # The setup waits for the sandbox as long as it takes (one Python process, slow on a busy machine).
        client = sb.client(timeout=300)
        management = client.whoami().account
        accounts = rk.Fleet(organization=True, client=client).accounts()
        assert len(accounts) == ACCOUNTS
        applied = rk.Fleet(accounts=accounts, client=client, concurrency=CONCURRENCY).apply(spec)
        why = {p.account: p.reason for p in applied if p.status != "applied"}
        assert all(p.status == "applied" for p in applied), (applied.counts, why)
        with latency_proxy(sb.endpoint_url, LATENCY) as url:
            through = sb.client(endpoint_url=url)
            fleet = rk.Fleet(accounts=accounts, client=through, concurrency=CONCURRENCY)
            t = time.perf_counter()
            plan = fleet.plan(spec)
            ours = time.perf_counter() - t
            assert plan.in_sync, plan.counts
            t = time.perf_counter()
            checked = boto3_plan(sb, url, accounts, management)
            theirs = time.perf_counter() - t
            assert checked == ACCOUNTS
    publish(
        f"Fleet plan, {ACCOUNTS} accounts (bench/fleet.py)",
        [
            f"A no-change plan of a one-role, one-policy spec across an organization of {ACCOUNTS} accounts on the "
            f"sandbox ({created:.0f} s to create them), every request held {LATENCY * 1000:.0f} ms by "
            "tests/faultproxy.py. One run each (a run is minutes long; the ratio is what matters).",
            "",
            "| | wall time |",
            "|---|---|",
            f"| rolekit `Fleet.plan` ({CONCURRENCY} accounts at a time) | {ours:.1f} s |",
            f"| boto3 script, the same reads one account after another | {theirs:.1f} s |",
            f"| ratio rolekit / boto3 | {ours / theirs:.3f}x (goal <= 0.1x) |",
            "",
            json.dumps({"accounts": ACCOUNTS, "rolekit_s": round(ours, 2), "boto3_s": round(theirs, 2)}),
        ],
    )


if __name__ == "__main__":
    main()
