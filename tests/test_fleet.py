"""Roles as code: a TOML spec planned and applied in one account, across an organization of 50
accounts on the sandbox (moto's Organizations, each account reached through its
OrganizationAccountAccessRole), and handed to CloudFormation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rolekit as rk
from runcli import rolekit_cli

TRUST = (
    '{ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "sagemaker.amazonaws.com" }, '
    'Action = "sts:AssumeRole" }] }'
)


def write_spec(folder: Path, *, duration: int = 7200, exclusive: bool = False, prefix: str = "") -> Path:
    (folder / "policies").mkdir(exist_ok=True)
    (folder / "policies" / "data-access.json").write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}],
            },
            indent=2,
        )
    )
    (folder / "policies" / "logs.json").write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": "arn:aws:logs:*:*:log-group:/aws/sagemaker/*",
                    }
                ],
            }
        )
    )
    spec = folder / "roles.toml"
    spec.write_text(
        f"""
[[policies]]
name = "{prefix}data-access"
policy = "policies/data-access.json"

[[roles]]
name = "{prefix}sagemaker-churn"
max_session_duration = {duration}
trust = {TRUST}
managed_policies = ["{prefix}data-access"]
inline_policies = {{ logs = "policies/logs.json" }}
tags = {{ team = "ml" }}
exclusive = {"true" if exclusive else "false"}
"""
    )
    return spec


def test_a_bad_spec_is_one_error_with_every_problem_and_where(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(
        '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow",\n'
        '    "Action": "s3:ListBuckets", "Resource": "*"}]\n}\n'
    )
    spec = tmp_path / "roles.toml"
    spec.write_text(
        f"""[[policies]]
name = "p"
policy = "bad.json"

[[roles]]
name = "r"
trust = {TRUST}
colour = "blue"
inline_policies = {{ x = "missing.json" }}

[[roles]]
name = "r"
trust = {TRUST}
"""
    )
    with pytest.raises(rk.SpecError) as caught:
        rk.RoleSpec.load(spec)
    problems = caught.value.problems
    where = {(Path(f).name, line, message.split(":")[0]) for f, line, _, message in problems}
    assert ("bad.json", 4, "policy p") in where, problems  # the file's own line, not the spec's
    assert any(Path(f).name == "roles.toml" and line == 8 and "colour" in m for f, line, _, m in problems), problems
    assert any(line == 9 and "cannot read" in m for _, line, _, m in problems), problems
    assert any(line == 11 and "defined twice (first at line 5)" in m for _, line, _, m in problems), problems
    assert f"{spec}:8:" in str(caught.value)
    # The command says the same, with no traceback, before any request (no AWS is configured).
    done = rolekit_cli("plan", str(spec), timeout=60)
    assert done.returncode == 3 and f"{spec}:8:" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_one_account_plan_apply_in_sync_and_drift(client: rk.Client, sandbox: Any, tmp_path: Path) -> None:
    spec = rk.RoleSpec.load(write_spec(tmp_path, prefix="one-"))
    assert [r["name"] for r in spec.roles] == ["one-sagemaker-churn"]
    assert spec.roles[0]["trust"].to_dict()["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    plan = client.plan(spec)
    assert plan.status == "changes" and "create policy one-data-access" in plan.changes
    assert "create role one-sagemaker-churn" in plan.changes
    assert client.get_role  # nothing written by a plan:
    with pytest.raises(rk.NoSuchEntity):
        client.get_role("one-sagemaker-churn")
    applied = client.apply(spec)
    assert applied.status == "applied" and applied.applied, str(applied)
    role = client.get_role("one-sagemaker-churn")
    assert role.max_session_duration == 7200 and role.tags["team"] == "ml" and "logs" in role.inline_policies
    assert any(a.endswith(":policy/one-data-access") for a in role.attached_policies)
    again = client.plan(spec)
    assert again.in_sync and again.status == "in sync", str(again)
    assert client.apply(spec).applied == []  # re-applying changes nothing
    # Drift by hand: a policy attached, a tag changed, the trust widened.
    iam = sandbox.boto3_client("iam")
    extra = iam.create_policy(
        PolicyName="one-extra",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="one-sagemaker-churn", PolicyArn=extra)
    iam.tag_role(RoleName="one-sagemaker-churn", Tags=[{"Key": "team", "Value": "finance"}])
    wide = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    iam.update_assume_role_policy(RoleName="one-sagemaker-churn", PolicyDocument=json.dumps(wide))
    drifted = client.plan(spec)
    assert drifted.status == "drift" and drifted.changes == [], str(drifted)
    text = " | ".join(drifted.drift)
    assert "update the trust policy" in text and extra in text and "team=ml" in text, text
    # Not exclusive: reported, not reverted.
    client.apply(spec)
    assert client.plan(spec).status == "drift"
    # Exclusive: the same definition marked exclusive is a changed spec; applied, then drift is reverted.
    strict = rk.RoleSpec.load(write_spec(tmp_path, prefix="one-", exclusive=True))
    client.apply(strict)
    assert client.plan(strict).in_sync, str(client.plan(strict))
    role = client.get_role("one-sagemaker-churn")
    assert extra not in role.attached_policies and role.tags["team"] == "ml"
    iam.attach_role_policy(RoleName="one-sagemaker-churn", PolicyArn=extra)
    assert client.plan(strict).status == "drift"
    client.apply(strict)
    assert client.plan(strict).in_sync and extra not in client.get_role("one-sagemaker-churn").attached_policies


def _member(sandbox: Any, account: str) -> Any:
    """boto3 IAM in a member account, through its OrganizationAccountAccessRole."""
    sts = sandbox.boto3_client("sts")
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="tests")[
        "Credentials"
    ]
    return sandbox.boto3_client(
        "iam",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    )


@pytest.mark.timeout(600)
def test_an_organization_of_50_accounts(
    client: rk.Client, sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orgs = sandbox.boto3_client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    for i in range(49):
        orgs.create_account(AccountName=f"team-{i}", Email=f"team-{i}@example.com")
    management = client.whoami().account
    # The sandbox is one Python process: on a loaded 2-core machine its first answers into 49 new
    # accounts, 8 at a time, took more than the default 30 s read timeout (an unreachable account,
    # rightly). The fleet's logic is what this test is about: give the sandbox time.
    patient = sandbox.client(timeout=180)
    fleet = rk.Fleet(organization=True, client=patient, concurrency=8)
    accounts = fleet.accounts()
    assert len(accounts) == 50 and management in accounts
    spec = rk.RoleSpec.load(write_spec(tmp_path, prefix="org-"))
    first = fleet.plan(spec)
    why = {p.account: p.reason for p in first if p.status != "changes"}
    assert len(first) == 50 and {p.status for p in first} == {"changes"}, (first.counts, why)
    assert "plan 50/50 accounts, 0 failed" in capsys.readouterr().err
    done = fleet.apply(spec)
    assert {p.status for p in done} == {"applied"}, str(done)
    assert fleet.plan(spec).in_sync
    # Drift by hand in three member accounts: found there and nowhere else.
    members = sorted(a for a in accounts if a != management)
    drifted = members[:3]
    for account in drifted:
        _member(sandbox, account).tag_role(RoleName="org-sagemaker-churn", Tags=[{"Key": "team", "Value": "other"}])
    plan = fleet.plan(spec)
    assert {p.account for p in plan if p.status == "drift"} == set(drifted), plan.counts
    assert all(p.status == "in sync" for p in plan if p.account not in drifted)
    # An account whose role may not write: denied there, applied everywhere else; with
    # max_failures=0 and one account at a time, nothing starts after the failure.
    blocked = members[3]
    iam = _member(sandbox, blocked)
    reads = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "sts:GetCallerIdentity"], "Resource": "*"}
        ],
    }
    iam.put_role_policy(
        RoleName="OrganizationAccountAccessRole", PolicyName="read-only", PolicyDocument=json.dumps(reads)
    )
    for name in iam.list_role_policies(RoleName="OrganizationAccountAccessRole")["PolicyNames"]:
        if name != "read-only":
            iam.delete_role_policy(RoleName="OrganizationAccountAccessRole", PolicyName=name)
    for arn in [
        p["PolicyArn"]
        for p in iam.list_attached_role_policies(RoleName="OrganizationAccountAccessRole")["AttachedPolicies"]
    ]:
        iam.detach_role_policy(RoleName="OrganizationAccountAccessRole", PolicyArn=arn)
    changed = rk.RoleSpec.load(write_spec(tmp_path, prefix="org-", duration=3600))
    one_at_a_time = rk.Fleet(accounts=accounts, client=client, concurrency=1)
    stopped = one_at_a_time.apply(changed, max_failures=0)
    order = [p.account for p in stopped]
    assert order == sorted(accounts)
    at = order.index(blocked)
    assert stopped[at].status == "denied" and "AccessDenied" in (stopped[at].reason or ""), str(stopped[at])
    assert all(p.status == "applied" for p in list(stopped)[:at]), str(stopped)
    assert all(p.status == "skipped" for p in list(stopped)[at + 1 :]), str(stopped)
    rest = fleet.apply(changed, max_failures=5)
    by = {p.account: p.status for p in rest}
    assert by[blocked] == "denied" and sum(s == "applied" for s in by.values()) == 49 - at, rest.counts
    after = {p.account: p.status for p in fleet.plan(changed)}
    assert after[blocked] == "changes" and all(s == "in sync" for a, s in after.items() if a != blocked), after
    # An account that cannot be reached at all.
    lost = rk.Fleet(accounts=[management, "999999999999"], client=client).plan(changed)
    assert [p.status for p in lost] == ["in sync", "unreachable"], str(lost)
    # The command line: exit 1 while changes are pending, json per account.
    env = dict(sandbox.env())
    cli = rolekit_cli("plan", str(tmp_path / "roles.toml"), "--organization", "--format", "json", env=env, timeout=300)
    assert cli.returncode == 1, cli.stderr
    statuses = {a["account"]: a["status"] for a in json.loads(cli.stdout)["accounts"]}
    assert statuses[blocked] == "changes" and len(statuses) == 50


def test_cloudformation_round_trip(client: rk.Client, sandbox: Any, tmp_path: Path) -> None:
    spec = rk.RoleSpec.load(write_spec(tmp_path, prefix="cfn-"))
    template = spec.to_cloudformation()
    path = tmp_path / "template.yaml"
    path.write_text(template)
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    lint = subprocess.run([str(cfn_lint), str(path)], capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    cfn = sandbox.boto3_client("cloudformation")
    cfn.create_stack(StackName="rolekit-spec", TemplateBody=template, Capabilities=["CAPABILITY_NAMED_IAM"])
    assert cfn.describe_stacks(StackName="rolekit-spec")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    plan = client.plan(spec)
    assert plan.in_sync, str(plan)
    cli = rolekit_cli("export", str(tmp_path / "roles.toml"), "--format", "cloudformation", timeout=60)
    assert cli.returncode == 0 and cli.stdout.strip() == template.strip()


def test_the_apply_command_asks_first_and_plan_exits_by_state(client: rk.Client, sandbox: Any, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, prefix="cli-")
    env = dict(sandbox.env())

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return rolekit_cli(*args, str(spec), env=env)

    pending = run("plan")
    assert pending.returncode == 1 and "create role cli-sagemaker-churn" in pending.stdout, pending.stderr
    refused = run("apply")
    assert refused.returncode == 3 and "--yes" in refused.stderr, refused.stderr
    with pytest.raises(rk.NoSuchEntity):
        client.get_role("cli-sagemaker-churn")  # nothing written without a confirmation
    done = run("apply", "--yes", "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["accounts"][0]["status"] == "applied", done.stderr
    assert run("plan").returncode == 0
