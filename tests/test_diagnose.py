"""Why denied, on the enforcing sandbox, as a non-admin data scientist sees it.

`diagnose_assume` and `sagemaker_check` read the caller's own policies, the role, bucket and key
policies over HTTP from moto's server, and decide offline. Each common failure is set up for real
(users, roles, policies, a bucket, a KMS key), diagnosed, its cause and fix checked, the fix
applied with boto3 as an administrator would, and the check run again.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
import rolekit as rk
from runcli import rolekit_cli

REGION = "us-east-1"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READS = {
    "Sid": "RolekitReads",
    "Effect": "Allow",
    "Action": [
        "sts:GetCallerIdentity",
        "iam:GetUser",
        "iam:ListAttachedUserPolicies",
        "iam:ListUserPolicies",
        "iam:GetUserPolicy",
        "iam:ListGroupsForUser",
        "iam:ListAttachedGroupPolicies",
        "iam:ListGroupPolicies",
        "iam:GetGroupPolicy",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:GetRole",
        "iam:ListAttachedRolePolicies",
        "iam:ListRolePolicies",
        "iam:GetRolePolicy",
        "s3:GetBucketPolicy",
        "kms:GetKeyPolicy",
    ],
    "Resource": "*",
}


class World:
    """The account: an admin, a data scientist `ds`, buckets, keys and roles."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.iam = sandbox.boto3_client("iam")
        self.s3 = sandbox.boto3_client("s3")
        self.kms = sandbox.boto3_client("kms")
        self.account = sandbox.client().whoami().account
        self.keys: dict[str, tuple[str, str]] = {}
        for bucket in ("ml-data", "ml-out", "ml-secret"):
            self.s3.create_bucket(Bucket=bucket)
        self.key = self.kms.create_key()["KeyMetadata"]["Arn"]
        self.other_key = self.kms.create_key()["KeyMetadata"]["Arn"]
        self.image = f"{self.account}.dkr.ecr.{REGION}.amazonaws.com/churn:latest"
        self.exec_arn = self.role(
            "ds-exec",
            {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"},
        )
        policy = rk.sagemaker.execution_policy(
            s3=["s3://ml-data/train", "s3://ml-out/churn"],
            ecr_repositories=["churn"],
            kms_keys=[self.key],
            region=REGION,
            account=self.account,
        )
        self.iam.put_role_policy(RoleName="ds-exec", PolicyName="execution", PolicyDocument=policy.to_json())
        self.ds = self.user(
            "ds",
            READS,
            {"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{self.account}:role/ds-*",
                "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            },
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{self.account}:role/ds-*"},
        )

    def role(self, name: str, *trust: dict[str, Any]) -> str:
        return str(self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=_doc(*trust))["Role"]["Arn"])

    def user(self, name: str, *statements: dict[str, Any]) -> rk.Client:
        self.iam.create_user(UserName=name)
        if statements:
            self.iam.put_user_policy(UserName=name, PolicyName="work", PolicyDocument=_doc(*statements))
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        self.keys[name] = (key["AccessKeyId"], key["SecretAccessKey"])
        return rk.Client(
            endpoint_url=self.sandbox.endpoint_url,
            region=REGION,
            credentials={"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]},
        )

    def arn(self, user: str) -> str:
        return f"arn:aws:iam::{self.account}:user/{user}"

    def check(self, **kwargs: Any) -> rk.Diagnosis:
        kwargs.setdefault("inputs", ["s3://ml-data/train"])
        kwargs.setdefault("output", "s3://ml-out/churn")
        kwargs.setdefault("image", self.image)
        kwargs.setdefault("kms_keys", [self.key])
        kwargs.setdefault("job_name", "churn")
        role = kwargs.pop("role", "ds-exec")
        return self.ds.sagemaker_check(role, **kwargs)


@pytest.fixture(scope="module")
def world(sandbox: Any) -> World:
    return World(sandbox)


def _only(d: rk.Diagnosis) -> rk.Problem:
    assert len(d.problems) == 1, str(d)
    return d.problems[0]


def test_a_correct_setup_is_ok_with_no_problem(world: World) -> None:
    d = world.check()
    assert d.ok and d.problems == [] and bool(d), str(d)
    actions = {p["action"] for p in d.passed}
    assert {"sagemaker:CreateTrainingJob", "iam:PassRole", "sts:AssumeRole", "s3:GetObject"} <= actions
    assert {"s3:ListBucket", "s3:PutObject", "ecr:BatchGetImage", "kms:Decrypt", "logs:PutLogEvents"} <= actions
    assert d.fix_policy() is None
    world.role("ds-assumable", {"Effect": "Allow", "Principal": {"AWS": world.arn("ds")}, "Action": "sts:AssumeRole"})
    ok = world.ds.diagnose_assume("ds-assumable")
    assert ok.ok, str(ok)
    world.ds.assume_role("ds-assumable")  # what the diagnosis says is what AWS does


def test_a_trust_naming_someone_else(world: World) -> None:
    world.role(
        "ds-for-ana", {"Effect": "Allow", "Principal": {"AWS": world.arn("admin-ana")}, "Action": "sts:AssumeRole"}
    )
    d = world.ds.diagnose_assume("ds-for-ana")
    p = _only(d)
    assert (p.kind, p.party, p.action, p.principal) == ("denied", "caller", "sts:AssumeRole", world.arn("ds"))
    assert world.arn("admin-ana") in p.cause and world.arn("ds") in p.cause, p.cause
    assert p.decision is not None and p.decision.decision == "implicit_deny"
    assert "resource" in p.decision.blocked_by
    assert (
        isinstance(p.fix, rk.Policy)
        and p.fix_target == f"the trust policy of arn:aws:iam::{world.account}:role/ds-for-ana"
    )
    # AWS (the sandbox) refuses too, and the error carries the same diagnosis.
    with pytest.raises(rk.AccessDenied) as refused:
        world.ds.assume_role("ds-for-ana")
    assert refused.value.diagnosis is not None and not refused.value.diagnosis.ok
    assert world.arn("admin-ana") in str(refused.value)
    # The fix applied: the statement added to the trust policy.
    trust = json.loads(
        _doc({"Effect": "Allow", "Principal": {"AWS": world.arn("admin-ana")}, "Action": "sts:AssumeRole"})
    )
    trust["Statement"] += p.fix.to_dict()["Statement"]
    world.iam.update_assume_role_policy(RoleName="ds-for-ana", PolicyDocument=json.dumps(trust))
    assert world.ds.diagnose_assume("ds-for-ana").ok
    world.ds.assume_role("ds-for-ana")


def test_a_trust_naming_the_account_root_with_no_identity_permission(world: World) -> None:
    world.role(
        "team-shared",
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{world.account}:root"}, "Action": "sts:AssumeRole"},
    )
    p = _only(world.ds.diagnose_assume("team-shared"))
    assert "trusts the account" in p.cause and "identity-based policies" in p.cause, p.cause
    assert "inline policy work of user ds" in p.cause, p.cause  # the policies it looked in, by name
    assert p.fix_target == f"the identity-based policies of {world.arn('ds')}"
    assert isinstance(p.fix, rk.Policy)
    world.iam.put_user_policy(UserName="ds", PolicyName="fix-assume", PolicyDocument=p.fix.to_json())
    assert world.ds.diagnose_assume("team-shared").ok
    world.ds.assume_role("team-shared")


def test_missing_pass_role(world: World) -> None:
    world.role(
        "exec-other",
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"},
    )
    d = world.check(role="exec-other")
    denied = [p for p in d.problems if p.party == "caller"]
    assert [p.action for p in denied] == ["iam:PassRole"], str(d)
    fix = denied[0].fix
    assert isinstance(fix, rk.Policy)
    assert fix.to_dict()["Statement"][0]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }


def test_missing_input_output_image_and_key_then_fix_policy_clears_them(world: World) -> None:
    d = world.check(
        inputs=["s3://ml-data/train", "s3://ml-secret/raw"],
        output="s3://ml-secret/models",
        image=f"{world.account}.dkr.ecr.{REGION}.amazonaws.com/other-repo:1",
        kms_keys=[world.key, world.other_key],
    )
    denied = {(p.action, p.resource) for p in d.problems}
    assert ("s3:GetObject", "arn:aws:s3:::ml-secret/raw/*") in denied
    assert ("s3:ListBucket", "arn:aws:s3:::ml-secret") in denied
    assert ("s3:PutObject", "arn:aws:s3:::ml-secret/models/*") in denied
    assert ("ecr:BatchGetImage", f"arn:aws:ecr:{REGION}:{world.account}:repository/other-repo") in denied
    assert ("kms:Decrypt", world.other_key) in denied
    assert ("s3:GetObject", "arn:aws:s3:::ml-data/train/*") not in denied
    assert all(p.party == "role" for p in d.problems), str(d)
    for p in d.problems:
        assert "inline policy execution of role ds-exec" in p.cause, p.cause
    fix = d.fix_policy()
    assert fix is not None and fix.validate().ok
    assert all(s["Action"] != "*" for s in fix.to_dict()["Statement"])
    world.iam.put_role_policy(RoleName="ds-exec", PolicyName="fix", PolicyDocument=fix.to_json())
    again = world.check(
        inputs=["s3://ml-data/train", "s3://ml-secret/raw"],
        output="s3://ml-secret/models",
        image=f"{world.account}.dkr.ecr.{REGION}.amazonaws.com/other-repo:1",
        kms_keys=[world.key, world.other_key],
    )
    assert again.ok, str(again)
    world.iam.delete_role_policy(RoleName="ds-exec", PolicyName="fix")


def test_a_bucket_policy_deny_is_read_and_named(world: World) -> None:
    world.s3.put_bucket_policy(
        Bucket="ml-out",
        Policy=_doc(
            {
                "Sid": "NoModelsFromJobs",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::ml-out/churn/*",
            }
        ),
    )
    try:
        p = _only(world.check())
        assert p.action == "s3:PutObject" and p.decision is not None and p.decision.decision == "explicit_deny"
        assert "the bucket policy of ml-out" in p.cause and 'Sid "NoModelsFromJobs"' in p.cause, p.cause
    finally:
        world.s3.delete_bucket_policy(Bucket="ml-out")


def test_a_boundary_deny_and_an_scp_deny(world: World) -> None:
    boundary = world.iam.create_policy(
        PolicyName="ds-boundary",
        PolicyDocument=_doc({"Effect": "Allow", "NotAction": "s3:PutObject", "Resource": "*"}),
    )["Policy"]["Arn"]
    world.iam.put_role_permissions_boundary(RoleName="ds-exec", PermissionsBoundary=boundary)
    try:
        p = _only(world.check())
        assert p.action == "s3:PutObject" and "boundary" in p.cause and "ds-boundary" in p.cause, p.cause
        assert world.check().fix_policy() is None  # an Allow cannot clear a boundary
    finally:
        world.iam.delete_role_permissions_boundary(RoleName="ds-exec")
    scp = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
        ],
    }
    d = world.check(scps=[[scp]])
    assert {p.action for p in d.problems} == {"kms:Decrypt", "kms:GenerateDataKey"}, str(d)
    assert all("SCP #1 at level 0" in p.cause for p in d.problems), str(d)
    assert world.check(scps=[[scp]], management_account=True).ok


def test_what_cannot_be_read_is_a_finding_never_a_pass(world: World) -> None:
    blind = world.user(
        "ds-blind",
        {"Effect": "Allow", "Action": ["sts:GetCallerIdentity", "sts:AssumeRole"], "Resource": "*"},
    )
    d = blind.diagnose_assume("ds-assumable")
    assert not d.ok
    kinds = {p.kind for p in d.problems}
    assert "unread" in kinds, str(d)
    unread = [p for p in d.problems if p.kind == "unread"]
    assert any("the policies of" in p.cause and "ds-blind" in p.cause for p in unread), str(d)
    assert any("the trust policy of" in p.cause for p in unread), str(d)
    assert all(p.decision is None for p in unread)
    # A role that does not exist is said so, not guessed at.
    missing = world.ds.diagnose_assume("ds-no-such-role")
    assert "does not exist" in _only(missing).cause


def test_a_diagnosis_renders_as_text_dict_and_html(world: World) -> None:
    d = world.check(inputs=["s3://ml-secret/raw"])
    text = str(d)
    assert text.count("\n- ") == len(d.problems) >= 2, text
    as_dict = d.to_dict()
    assert as_dict["ok"] is False and len(as_dict["problems"]) == len(d.problems)
    assert json.loads(as_dict["fix_policy"])["Statement"]
    html = d._repr_html_()
    assert "#c62828" in html and "#2e7d32" in html and "fix_policy()" in html
    assert "ml-secret/raw" in html


def test_bad_arguments_are_typed_errors_before_any_request(world: World) -> None:
    for kwargs, word in [
        ({"job": "notebook"}, "notebook"),
        ({"image": "python:3.11"}, "ECR"),
        ({"inputs": ["s3://UPPER/x"]}, "bucket"),
        ({"kms_keys": ["k1"]}, "ARN"),
        ({"job_name": "bad name"}, "job_name"),
    ]:
        with pytest.raises(rk.InvalidArgument, match=word):
            world.check(**kwargs)


def _cli(world: World, user: str, *args: str) -> subprocess.CompletedProcess[str]:
    key_id, secret = world.keys[user]
    env = dict(world.sandbox.env(), AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret)
    return rolekit_cli(*args, env=env)


def test_the_check_command_exits_by_what_it_found(world: World) -> None:
    ok = _cli(world, "ds", "check", "assume", "ds-assumable")
    assert ok.returncode == 0 and "ok (" in ok.stdout, ok.stdout + ok.stderr
    world.role("ds-for-bo", {"Effect": "Allow", "Principal": {"AWS": world.arn("bo")}, "Action": "sts:AssumeRole"})
    denied = _cli(world, "ds", "check", "assume", "ds-for-bo")
    assert denied.returncode == 1, denied.stdout + denied.stderr
    assert world.arn("bo") in denied.stdout and "fix (sts:AssumeRole) to the trust policy of" in denied.stdout
    base = ["check", "sagemaker", "--role", "ds-exec", "--input", "s3://ml-data/train", "--output", "s3://ml-out/churn"]
    good = _cli(world, "ds", *base, "--image", world.image, "--job-name", "churn", "--format", "json")
    assert good.returncode == 0 and json.loads(good.stdout)["ok"] is True, good.stdout + good.stderr
    positional = ["check", "sagemaker", "ds-exec", *base[4:], "--image", world.image, "--job-name", "churn"]
    assert _cli(world, "ds", *positional).returncode == 0  # the role as `check assume` takes it
    bad = _cli(world, "ds", *base, "--input", "s3://ml-secret/raw", "--job-name", "churn")
    assert bad.returncode == 1 and "fix_policy (add to the role):" in bad.stdout, bad.stdout + bad.stderr
    policy = bad.stdout.split("fix_policy (add to the role):", 1)[1]
    assert "arn:aws:s3:::ml-secret/raw/*" in policy and rk.Policy.from_json(policy).validate().ok
    error = _cli(world, "ds", *base, "--image", "python:3")
    assert error.returncode == 3 and "ECR" in error.stderr and "Traceback" not in error.stderr
    # assume refused: the one-line error names the cause, and the fix follows.
    refused = _cli(world, "ds", "assume", "ds-for-bo")
    assert refused.returncode == 3 and world.arn("bo") in refused.stderr, refused.stderr
    assert "rolekit: fix to the trust policy of" in refused.stderr


def test_a_notebook_cell_denied_is_followed_by_the_diagnosis(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In IPython with the extension (and so in the rolekit kernel), a cell that fails with
    AccessDenied, from boto3 or from rolekit, is followed by rolekit's diagnosis; ``%rolekit why``
    shows it again."""
    from IPython.core.interactiveshell import InteractiveShell

    key_id, secret = world.keys["ds"]
    for k, v in dict(world.sandbox.env(), AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret).items():
        monkeypatch.setenv(k, v)
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "rolekit")
        capsys.readouterr()
        # boto3: AWS's message names the caller and the action; rolekit reads ds's policies.
        shell.run_cell("import boto3\nboto3.client('iam').create_role(RoleName='x', AssumeRolePolicyDocument='{}')")
        shown = capsys.readouterr().out
        assert "rolekit: why denied: iam:CreateRole on * as " + world.arn("ds") in shown, shown
        assert "inline policy work of user ds" in shown and "fix to the identity-based policies of" in shown, shown
        # rolekit's own refusal carries its diagnosis.
        shell.run_cell("import rolekit as rk\nrk.Client().assume_role('ds-for-bo')")
        shown = capsys.readouterr().out
        assert "rolekit: why denied: assume" in shown and world.arn("bo") in shown, shown
        shell.run_line_magic("rolekit", "why")
        assert world.arn("bo") in capsys.readouterr().out
        # A cell that fails otherwise gets nothing added.
        shell.run_cell("1/0")
        assert "rolekit: why denied" not in capsys.readouterr().out
    finally:
        InteractiveShell.clear_instance()


def test_every_documented_access_denied_shape_is_read() -> None:
    from rolekit.ipython import parse_denial

    me = "arn:aws:iam::123456789012:user/ds"
    cases = {
        f'User: {me} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" because no '
        "identity-based policy allows the s3:GetObject action": ("s3:GetObject", "arn:aws:s3:::b/k", "because no"),
        f"User: {me} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::1:role/e with an explicit "
        "deny in a service control policy": ("iam:PassRole", "arn:aws:iam::1:role/e", "with an explicit deny"),
        f"User: {me} is not authorized to perform: ec2:DescribeInstances with an explicit deny in an identity-based "
        "policy: arn:aws:iam::1:policy/x": ("ec2:DescribeInstances", "*", "with an explicit deny"),
        f"User: {me} is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:1:key/k because "
        "no resource-based policy allows the kms:Decrypt action": (
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:1:key/k",
            "because",
        ),
        f"User: {me} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/r": (
            "sts:AssumeRole",
            "arn:aws:iam::1:role/r",
            "",
        ),
    }
    for message, (action, resource, why) in cases.items():
        found = parse_denial(message)
        assert found is not None, message
        assert (found["principal"], found["action"], found["resource"]) == (me, action, resource), found
        assert found["why"].startswith(why), found
    assert parse_denial("Access Denied") is None
