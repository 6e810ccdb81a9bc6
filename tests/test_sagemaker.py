"""SageMaker: the least-privilege execution policy and role, role discovery, a training job on the sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import rolekit as rk
from rolekit.sandbox import Sandbox

DATA = ["s3://churn-data/projects/churn/train", "s3://churn-data/projects/churn/output"]


def test_available_after_a_plain_import() -> None:
    code = "import rolekit; print(rolekit.sagemaker.execution_policy(s3=['s3://bkt/p']).validate().ok)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "True", out.stderr


def test_execution_policy_is_narrow_and_clean() -> None:
    policy = rk.sagemaker.execution_policy(
        s3=DATA, ecr_repositories=["churn/trainer"], kms_keys=["arn:aws:kms:eu-west-1:123456789012:key/k1"], vpc=True
    )
    report = policy.validate(inline=True)
    assert report.ok and [f for f in report if f.severity == "security_warning"] == []
    actions = [
        a
        for s in policy.to_dict()["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    assert "*" not in actions and not any(a.startswith("iam:") or a.endswith(":*") for a in actions)
    listing = next(s for s in policy.to_dict()["Statement"] if s["Action"] == "s3:ListBucket")
    assert listing["Condition"]["StringLike"]["s3:prefix"] == [
        "projects/churn/train",
        "projects/churn/train/*",
        "projects/churn/output",
        "projects/churn/output/*",
    ]
    # KMS and VPC statements appear only when asked for.
    plain = json.dumps(rk.sagemaker.execution_policy(s3=DATA).to_dict())
    assert "kms:" not in plain and "ec2:" not in plain and "ecr:" not in plain


def test_simulate_the_job_reaches_its_prefixes_and_nothing_else() -> None:
    policy = rk.sagemaker.execution_policy(s3=DATA, region="us-east-1", account="123456789012")
    allowed = {
        ("s3:GetObject", "arn:aws:s3:::churn-data/projects/churn/train/part-0.csv"): True,
        ("s3:PutObject", "arn:aws:s3:::churn-data/projects/churn/output/model.tar.gz"): True,
        (
            "logs:PutLogEvents",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:log-stream:x",
        ): True,
        ("s3:GetObject", "arn:aws:s3:::churn-data/projects/payroll/2026.csv"): False,
        ("s3:PutObject", "arn:aws:s3:::other-bucket/projects/churn/train/x"): False,
        ("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream:y"): False,
        ("iam:PassRole", "arn:aws:iam::123456789012:role/admin"): False,
        ("s3:ListAllMyBuckets", "*"): False,
    }
    for (action, resource), expected in allowed.items():
        assert rk.simulate(action, resource, identity=[policy]).allowed is expected, (action, resource)
    listing = "arn:aws:s3:::churn-data"
    assert rk.simulate(
        "s3:ListBucket", listing, identity=[policy], context={"s3:prefix": "projects/churn/train/"}
    ).allowed
    assert not rk.simulate("s3:ListBucket", listing, identity=[policy], context={"s3:prefix": "projects/"}).allowed
    metrics = {"cloudwatch:namespace": "/aws/sagemaker/TrainingJobs"}
    assert rk.simulate("cloudwatch:PutMetricData", "*", identity=[policy], context=metrics).allowed
    assert not rk.simulate(
        "cloudwatch:PutMetricData", "*", identity=[policy], context={"cloudwatch:namespace": "Custom"}
    ).allowed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"s3": []}, "must not be empty"),
        ({"s3": ["s3://Not_A_Bucket/x"]}, "not an S3 bucket name"),
        ({"s3": ["s3://bucket/train/*"]}, "plain prefix"),
        ({"s3": DATA, "account": "42"}, "12-digit"),
        ({"s3": DATA, "kms_keys": ["k1"]}, "give its ARN"),
        ({"s3": DATA, "ecr_repositories": ["Bad Repo"]}, "not an ECR repository"),
    ],
)
def test_bad_inputs_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rk.sagemaker.execution_policy(**kwargs)


def test_execution_role_on_the_sandbox(client: rk.Client, sandbox: Sandbox, tmp_path: Path) -> None:
    me = client.whoami()
    change = client.sagemaker_execution_role(s3=DATA, allow=[me.arn], tags={"team": "ml"})
    assert change.created and change.role is not None
    role = client.get_role("rolekit-sagemaker-execution")
    assert role.trust_policy == rk.Policy.trust(services="sagemaker.amazonaws.com", aws=me.arn)
    assert list(role.inline_policies) == ["rolekit-sagemaker-execution"] and role.tags == {"team": "ml"}
    assert role.attached_policies == []
    again = client.sagemaker_execution_role(s3=DATA, allow=[me.arn], tags={"team": "ml"})
    assert not again.changed and again.changes == []
    wider = client.sagemaker_execution_role(s3=[*DATA, "s3://churn-data/shared"], allow=[me.arn], tags={"team": "ml"})
    assert wider.changes == ["put inline policy rolekit-sagemaker-execution on rolekit-sagemaker-execution"]

    # A training job with that role, through boto3's SageMaker client on the sandbox.
    sm = sandbox.boto3_client("sagemaker")
    sm.create_training_job(
        TrainingJobName="churn-1",
        RoleArn=change.role.arn,
        AlgorithmSpecification={
            "TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/t:1",
            "TrainingInputMode": "File",
        },
        InputDataConfig=[
            {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": DATA[0] + "/"}}}
        ],
        OutputDataConfig={"S3OutputPath": DATA[1] + "/"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )
    described = sm.describe_training_job(TrainingJobName="churn-1")
    assert described["RoleArn"] == change.role.arn and described["TrainingJobStatus"] in ("InProgress", "Completed")

    # The local AWS takes any role ARN for a job, so the role's own permissions are checked as the
    # job would use them: boto3 under the assumed role (the sandbox enforces identity policies).
    from botocore.exceptions import ClientError

    admin_s3 = sandbox.boto3_client("s3")
    admin_s3.create_bucket(Bucket="churn-data")
    admin_s3.put_object(Bucket="churn-data", Key="projects/churn/train/part-0.csv", Body=b"a,b\n1,2\n")
    admin_s3.put_object(Bucket="churn-data", Key="payroll/2026.csv", Body=b"secret")
    creds = client.assume_role(change.role.arn, wait=30)
    s3 = creds.boto3_session(region=sandbox.region).client("s3", endpoint_url=sandbox.endpoint_url)
    body = s3.get_object(Bucket="churn-data", Key="projects/churn/train/part-0.csv")["Body"].read()
    assert body == b"a,b\n1,2\n", "the job reads its input"
    s3.put_object(Bucket="churn-data", Key="projects/churn/output/model.tar.gz", Body=b"model")
    for denied in (
        lambda: s3.get_object(Bucket="churn-data", Key="payroll/2026.csv"),
        lambda: s3.put_object(Bucket="churn-data", Key="payroll/2027.csv", Body=b"x"),
        lambda: s3.create_bucket(Bucket="another-bucket"),
    ):
        with pytest.raises(ClientError) as info:
            denied()
        assert info.value.response["Error"]["Code"] == "AccessDenied"


def test_execution_role_discovery(client: rk.Client, sandbox: Sandbox, tmp_path: Path) -> None:
    arn = client.sagemaker_execution_role("discovered-role", s3=DATA, allow=[client.whoami().arn]).role.arn
    missing = tmp_path / "no-such-file.json"
    # A user outside SageMaker: a clear error that says what to do.
    with pytest.raises(rk.RolekitError, match=r"not a role.*sagemaker_execution_role\(s3="):
        client.execution_role(metadata_path=str(missing))

    # Inside a notebook instance: its metadata names it; DescribeNotebookInstance gives the role.
    sm = sandbox.boto3_client("sagemaker")
    sm.create_notebook_instance(NotebookInstanceName="nb-1", InstanceType="ml.t3.medium", RoleArn=arn)
    meta = tmp_path / "resource-metadata.json"
    meta.write_text(
        json.dumps(
            {"ResourceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb-1", "ResourceName": "nb-1"}
        )
    )
    assert client.execution_role(metadata_path=str(meta)) == arn

    # In Studio: the domain's default role (moto has no user profiles; the lookup falls back to the domain).
    domain = sm.create_domain(
        DomainName="d",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": arn},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
    )["DomainArn"].split("/")[-1]
    meta.write_text(json.dumps({"DomainId": domain, "UserProfileName": "ana"}))
    assert client.execution_role(metadata_path=str(meta)) == arn

    # As the role itself (an assumed-role session), the answer is that role.
    as_role = rk.Client(credentials=client.assume_role("discovered-role", wait=30), endpoint_url=sandbox.endpoint_url)
    assert as_role.execution_role(metadata_path=str(missing)) == arn
