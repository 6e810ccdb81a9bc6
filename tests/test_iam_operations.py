"""IAM and STS operations on an enforcing sandbox: the tutorial's whole flow, asserted."""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import sys
from datetime import datetime, timezone

import pytest
import rolekit as rk
from rolekit.sandbox import Sandbox

LIST_ALL = rk.Policy([rk.Statement.allow("s3:ListAllMyBuckets", "*", sid="ListAll")])


@pytest.fixture(scope="module")
def role(client: rk.Client) -> str:
    me = client.whoami()
    trust = rk.Policy.trust(services="sagemaker.amazonaws.com", aws=me.arn)
    change = client.ensure_role("basic-role", trust, description="tutorial role")
    assert change.created and change.changed
    assert change.changes == ["create role basic-role"]
    return "basic-role"


def test_tutorial_flow(client: rk.Client, sandbox: Sandbox, role: str) -> None:
    policy = client.put_policy("basic_s3", LIST_ALL)
    assert policy.changed and policy.arn.endswith(":policy/basic_s3") and policy.version_id == "v1"
    assert client.attach_policy(role, policy) == policy.arn
    assert client.get_role(role).attached_policies == [policy.arn]
    sandbox.boto3_client("s3").create_bucket(Bucket="aws-use-case-churn")
    creds = client.assume_role(role, wait=10)
    assert creds.role_arn and creds.role_arn.endswith(":role/basic-role")
    assert creds.assumed_role_arn and ":assumed-role/basic-role/" in creds.assumed_role_arn
    assert creds.expiration is not None and creds.expiration.tzinfo is not None
    s3 = creds.boto3_session(region="us-east-1").client("s3", endpoint_url=sandbox.endpoint_url)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "aws-use-case-churn" in names
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        s3.list_objects(Bucket="aws-use-case-churn")
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    # A rolekit Client as the role: same endpoint, the role's identity, the role's permissions only.
    as_role = creds.client()
    assert as_role.endpoint == client.endpoint
    me = as_role.whoami()
    assert me.kind == "assumed-role" and me.role_arn == creds.role_arn
    with pytest.raises(rk.AccessDenied):
        as_role.get_role(role)
    # The same prediction offline.
    assert rk.simulate("s3:ListAllMyBuckets", "*", identity=[LIST_ALL]).allowed
    assert not rk.simulate("s3:ListBucket", "arn:aws:s3:::aws-use-case-churn", identity=[LIST_ALL]).allowed


def test_ensure_role_is_idempotent_and_updates_only_what_differs(client: rk.Client, role: str) -> None:
    me = client.whoami()
    trust = rk.Policy.trust(services="sagemaker.amazonaws.com", aws=me.arn)
    again = client.ensure_role(role, trust, description="tutorial role")
    assert not again.changed and again.changes == []
    plan = client.plan_role(role, trust, description="new words", tags={"team": "ml"})
    assert plan.changes == [f'set description to "new words" of {role}', f"tag {role} with team=ml"]
    assert client.get_role(role).description == "tutorial role", "a plan applies nothing"
    applied = client.ensure_role(role, trust, description="new words", tags={"team": "ml"})
    assert applied.changes == plan.changes
    assert applied.role is not None and applied.role.description == "new words" and applied.role.tags == {"team": "ml"}
    reordered = json.loads(trust.to_json())
    reordered["Statement"][0]["Principal"] = dict(reversed(list(reordered["Statement"][0]["Principal"].items())))
    assert not client.ensure_role(role, reordered, description="new words").changed, "semantic comparison"


def test_put_policy_versions_instead_of_recreating(client: rk.Client) -> None:
    first = client.put_policy("versioned", LIST_ALL)
    assert not client.put_policy("versioned", LIST_ALL).changed
    versions = []
    for bucket in ["a", "b", "c", "d", "e", "f"]:
        p = rk.Policy([rk.Statement.allow("s3:GetObject", f"arn:aws:s3:::{bucket}/*")])
        pol = client.put_policy("versioned", p)
        assert pol.changed and pol.arn == first.arn
        versions.append(pol.version_id)
    assert len(set(versions)) == 6
    assert client.put_policy("versioned", p).document == p


def test_invalid_policies_never_reach_aws(client: rk.Client) -> None:
    seed = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListBuckets", "Resource": "arn:aws:s3:::"}],
    }
    with pytest.raises(rk.PolicyError) as info:
        client.put_policy("never-created", seed)
    assert {f.code for f in info.value.findings} >= {"INVALID_ACTION"}
    assert "nothing was sent" in str(info.value)
    with pytest.raises(rk.NoSuchEntity):
        client.attach_policy("basic-role", "never-created")
    bad_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    with pytest.raises(rk.PolicyError, match="trust policy"):
        client.ensure_role("no-principal", bad_trust)
    with pytest.raises(rk.NoSuchEntity):
        client.get_role("no-principal")


def test_inline_policies_and_exclusive(client: rk.Client, role: str) -> None:
    me = client.whoami()
    trust = rk.Policy.trust(services="sagemaker.amazonaws.com", aws=me.arn)
    client.put_inline_policy(role, "extra", rk.Policy([rk.Statement.allow("s3:GetObject", "arn:aws:s3:::x/*")]))
    assert set(client.get_role(role).inline_policies) == {"extra"}
    change = client.ensure_role(
        role, trust, description="new words", inline_policies={"read": LIST_ALL}, managed_policies=[], exclusive=True
    )
    assert f"delete inline policy extra from {role}" in change.changes
    assert f"put inline policy read on {role}" in change.changes
    assert change.role is not None and set(change.role.inline_policies) == {"read"}
    assert change.role.inline_policies["read"] == LIST_ALL
    assert change.role.attached_policies == []


def test_aws_managed_policies_resolve(client: rk.Client) -> None:
    me = client.whoami()
    client.ensure_role("sm-role", rk.Policy.trust(services="sagemaker.amazonaws.com"))
    arn = client.attach_policy("sm-role", rk.aws_managed("AmazonSageMakerFullAccess"))
    assert arn == "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
    assert client.detach_policy("sm-role", rk.aws_managed("AmazonSageMakerFullAccess")) == arn
    assert "AmazonSageMakerFullAccess" in repr(rk.aws_managed("AmazonSageMakerFullAccess"))
    with pytest.raises(ValueError, match="policy name"):
        rk.aws_managed("arn:aws:iam::aws:policy/X")
    assert me.account in client.get_role("sm-role").arn


def test_assume_role_rules(client: rk.Client, role: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        client.assume_role(role, duration=60)
    creds = client.assume_role(role, duration=3600)
    chained = rk.Client(endpoint_url=client.endpoint, credentials=creds)
    assert chained.whoami().kind == "assumed-role"
    with pytest.raises(ValueError, match="1 hour"):
        chained.assume_role(role, duration=7200)
    assert creds.refreshable
    fresh = creds.refresh()
    assert fresh.access_key_id != creds.access_key_id
    process = json.loads(creds.credential_process_json())
    assert process["Version"] == 1 and process["SessionToken"] == creds.session_token and "Expiration" in process
    assert creds.secret_access_key not in repr(creds) and creds.session_token not in str(creds)


def test_wait_gives_not_assumable_with_causes(client: rk.Client, capsys: pytest.CaptureFixture[str]) -> None:
    """A refused AssumeRole says why, as far as the caller can read: the role is missing, or its
    trust policy trusts someone else (named), or only the account (then the caller's own policies
    decide), or the caller (then propagation, an SCP or a boundary)."""
    me = client.whoami().arn
    client.ensure_role("service-only", rk.Policy.trust(aws="arn:aws:iam::123456789012:user/someone-else"))
    with pytest.raises(rk.NotAssumable) as info:
        client.assume_role("service-only", wait=1.5)
    text = str(info.value)
    assert f"trust policy allows arn:aws:iam::123456789012:user/someone-else; {me} is not among them" in text, text
    d = info.value.diagnosis
    assert d is not None and [p.action for p in d.problems] == ["sts:AssumeRole"]
    assert isinstance(d.problems[0].fix, rk.Policy) and me in d.problems[0].fix.to_json()
    # wait= said what it was doing: a line per retry (stderr is a capture here, as a log file is).
    progress = capsys.readouterr().err
    lines = [line for line in progress.splitlines() if line]
    retry = "rolekit: AssumeRole arn:aws:iam::123456789012:role/service-only: AccessDenied"
    assert sum(line.startswith(retry) for line in lines) >= 2 and "\r" not in progress, progress
    assert progress.endswith("\n") and "trying again in" in progress
    with pytest.raises(rk.AccessDenied) as refused:
        client.assume_role("service-only")
    # Without wait= the refusal says why at once, after AWS's own text, which .response keeps whole.
    assert f"[rolekit: the role's trust policy allows arn:aws:iam::123456789012:user/someone-else; {me}" in str(
        refused.value
    )
    assert refused.value.diagnosis is not None and not refused.value.diagnosis.ok
    assert "rolekit" not in refused.value.response["Error"]["Message"]
    with pytest.raises(rk.NotAssumable, match="does not exist"):
        client.assume_role("no-such-role", wait=0.5)


class _NotebookStream(io.StringIO):
    """Stands where ipykernel's OutStream stands in a notebook: known by its module."""


_NotebookStream.__module__ = "ipykernel.iostream"


def test_wait_progress_in_a_notebook_is_one_live_line(client: rk.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a notebook the retries rewrite one line in place (\\r) and the wait ends it once."""
    client.ensure_role("service-only-nb", rk.Policy.trust(aws="arn:aws:iam::123456789012:user/someone-else"))
    stream = _NotebookStream()
    monkeypatch.setattr(sys, "stderr", stream)
    with pytest.raises(rk.NotAssumable):
        client.assume_role("service-only-nb", wait=1.5)
    progress = stream.getvalue()
    retry = "\rrolekit: AssumeRole arn:aws:iam::123456789012:role/service-only-nb: AccessDenied"
    assert progress.count(retry) >= 2 and progress.endswith("\n") and progress.count("\n") == 1, progress


def test_the_sandbox_decides_assume_role_as_aws_does(client: rk.Client, sandbox: Sandbox) -> None:
    """moto lets anyone assume any ARN and checks exact principals only; the sandbox refuses a
    role that does not exist and decides the trust policy with rolekit's evaluator (a trust naming
    the account delegates to the caller's policies, as in AWS). boto3 sees the same answers."""
    import boto3
    from botocore.exceptions import ClientError

    me = client.whoami()
    client.ensure_role("trusts-account", rk.Policy.trust(aws=f"arn:aws:iam::{me.account}:root"))
    client.ensure_role("trusts-sagemaker", rk.Policy.trust(services="sagemaker.amazonaws.com"))
    keys = sandbox.credentials
    sts = boto3.client(
        "sts",
        endpoint_url=sandbox.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
    )
    arn = f"arn:aws:iam::{me.account}:role/"
    assert client.assume_role("trusts-account").assumed_role_arn.endswith(":assumed-role/trusts-account/rolekit-admin")
    assert sts.assume_role(RoleArn=arn + "trusts-account", RoleSessionName="boto")["AssumedRoleUser"]
    for refused in ("trusts-sagemaker", "never-created"):
        with pytest.raises(rk.AccessDenied):
            client.assume_role(refused)
        with pytest.raises(ClientError) as caught:
            sts.assume_role(RoleArn=arn + refused, RoleSessionName="boto")
        assert caught.value.response["Error"]["Code"] == "AccessDenied"


def test_delete_role_refuses_recently_used_then_forces(client: rk.Client, role: str) -> None:
    client.put_inline_policy(role, "tmp", LIST_ALL)
    with pytest.raises(rk.UnsafeOperation, match="last 7 days"):
        client.delete_role(role)
    done = client.delete_role(role, force=True)
    assert done[-1] == f"deleted role {role}"
    assert any("deleted inline policy" in d for d in done)
    with pytest.raises(rk.NoSuchEntity):
        client.get_role(role)


def test_delete_role_refuses_protected_roles(client: rk.Client) -> None:
    trust = rk.Policy.trust(services="sagemaker.amazonaws.com")
    client.ensure_role("keep-me", trust, tags={"rolekit:protected": "true"})
    with pytest.raises(rk.UnsafeOperation, match="protected"):
        client.delete_role("keep-me")
    assert client.get_role("keep-me").name == "keep-me"
    assert client.delete_role("keep-me", force=True) == ["deleted role keep-me"]


def public_methods(cls: type) -> dict[str, object]:
    return {n: getattr(cls, n) for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}


def test_every_client_method_has_an_awaitable_twin(sandbox: Sandbox) -> None:
    """Same names, same signatures (introspected from the native classes), and the twins return
    awaitables whose results equal the blocking calls'."""
    sync, twin = public_methods(rk.Client), public_methods(rk.AsyncClient)
    assert set(sync) == set(twin) and len(sync) >= 15, sorted(set(sync) ^ set(twin))
    for name in sync:
        assert inspect.signature(sync[name]) == inspect.signature(twin[name]), name  # type: ignore[arg-type]

    client = sandbox.client()
    aclient = rk.AsyncClient(endpoint_url=sandbox.endpoint_url, credentials=sandbox.credentials)
    role = "twin-role"
    trust = rk.Policy.trust(services="sagemaker.amazonaws.com")
    client.ensure_role(role, trust, description="tutorial role")

    async def run() -> list[object]:
        calls = [
            aclient.whoami(),
            aclient.get_role(role),
            aclient.plan_role(role, trust, description="tutorial role"),
            aclient.put_policy("twin-policy", LIST_ALL),
            aclient.list_roles(),
        ]
        assert all(inspect.isawaitable(c) for c in calls)
        return list(await asyncio.gather(*calls))

    me, got, plan, managed, roles = asyncio.run(run())
    assert me.arn == client.whoami().arn  # type: ignore[attr-defined]
    assert got.arn == client.get_role(role).arn and got.trust_policy == trust  # type: ignore[attr-defined]
    blocking_plan = client.plan_role(role, trust, description="tutorial role")
    assert (plan.changed, plan.changes) == (blocking_plan.changed, blocking_plan.changes)  # type: ignore[attr-defined]
    assert managed.version_id == client.put_policy("twin-policy", LIST_ALL).version_id  # type: ignore[attr-defined]
    assert sorted(roles) == sorted(client.list_roles())  # type: ignore[arg-type]
    client.delete_policy("twin-policy")


def test_async_client_same_methods(sandbox: Sandbox) -> None:
    aclient = rk.AsyncClient(endpoint_url=sandbox.endpoint_url, credentials=sandbox.credentials)
    trust = rk.Policy.trust(services="sagemaker.amazonaws.com")

    async def many() -> list[rk.RoleChange]:
        return list(await asyncio.gather(*(aclient.ensure_role(f"bulk-{i}", trust) for i in range(8))))

    changes = asyncio.run(many())
    assert all(c.created for c in changes)

    async def listed() -> list[tuple[str, str, str]]:
        return await aclient.list_roles()

    names = {r[0] for r in asyncio.run(listed())}
    assert {f"bulk-{i}" for i in range(8)} <= names


def test_role_read_and_assume_role_agree_with_boto3(client: rk.Client, sandbox: Sandbox) -> None:
    """rolekit signs, sends and parses the role read and AssumeRole itself; boto3 is the oracle."""
    iam = sandbox.boto3_client("iam")
    me = client.whoami()
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": me.arn},
                "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
            }
        ],
    }
    name = "oracle-role"
    iam.create_role(
        RoleName=name,
        Path="/ml/",
        AssumeRolePolicyDocument=json.dumps(trust, indent=2),
        Description='a & b <c> "quoted" caf\u00e9, two  spaces ',
        MaxSessionDuration=7200,
        PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess",
        Tags=[{"Key": "team", "Value": "ml ai/x"}, {"Key": "cost center", "Value": "a=b+c@d"}],
    )
    inline = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::data",
                "Condition": {"StringLike": {"s3:prefix": ["home/a b&c/*", "caf\u00e9/*"]}},
            }
        ],
    }
    iam.put_role_policy(RoleName=name, PolicyName="read list", PolicyDocument=json.dumps(inline))
    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")

    got = client.get_role(name)
    want = iam.get_role(RoleName=name)["Role"]
    assert (got.name, got.arn, got.path, got.role_id) == (want["RoleName"], want["Arn"], want["Path"], want["RoleId"])
    assert got.description == want["Description"]
    assert got.max_session_duration == want["MaxSessionDuration"] == 7200
    assert got.permissions_boundary == want["PermissionsBoundary"]["PermissionsBoundaryArn"]
    assert got.tags == {t["Key"]: t["Value"] for t in want["Tags"]}
    assert got.created == want["CreateDate"]
    assert json.loads(got.trust_policy.to_json()) == want["AssumeRolePolicyDocument"]
    listed = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert got.attached_policies == [p["PolicyArn"] for p in listed]
    assert list(got.inline_policies) == iam.list_role_policies(RoleName=name)["PolicyNames"] == ["read list"]
    want_inline = iam.get_role_policy(RoleName=name, PolicyName="read list")["PolicyDocument"]
    assert json.loads(got.inline_policies["read list"].to_json()) == want_inline

    session_policy = rk.Policy([rk.Statement.allow("s3:GetObject", "arn:aws:s3:::data/home/a b/*", sid="Home")])
    creds = client.assume_role(
        got.arn,
        session_name="oracle@team.x",
        duration=1800,
        external_id="ext id/1",
        policy=session_policy,
        policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        tags={"project": "p 1", "team": "ml"},
        transitive_tag_keys=["project"],
        source_identity="ds-user",
    )
    assert creds.assumed_role_arn == f"arn:aws:sts::{me.account}:assumed-role/{name}/oracle@team.x"
    remaining = (creds.expiration - datetime.now(timezone.utc)).total_seconds()
    assert 1700 < remaining <= 1800
    caller = sandbox.boto3_client(
        "sts",
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        aws_session_token=creds.session_token,
    ).get_caller_identity()
    assert caller["Arn"] == creds.assumed_role_arn
