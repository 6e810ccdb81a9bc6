"""Write the tutorial notebooks (notebooks/*.ipynb) from the cell lists below, without outputs.

Run after editing a notebook's cells here: ``python scripts/make_notebooks.py``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parent.parent / "notebooks"

SETUP = """import rolekit as rk
from rolekit.notebook import connect

iam = connect()  # real AWS when credentials resolve; otherwise an embedded sandbox, said in one line"""

NOTEBOOKS = {
    "01-iam-role.ipynb": [
        (
            "md",
            "# IAM roles\n\nAn IAM role is an identity with permissions that someone — a user, or a service such as "
            "SageMaker — *assumes*. Two policies define it:\n\n1. the **trust policy**: who may assume it (its *principals*);\n"
            "2. the **permission policies**: what it may do once assumed.",
        ),
        ("code", SETUP),
        ("md", "## Who am I?"),
        ("code", "me = iam.whoami()\nme"),
        ("md", "## The trust policy\n\nYou, and SageMaker, may assume the role. rolekit checks it offline first."),
        (
            "code",
            'trust = rk.Policy.trust(services="sagemaker.amazonaws.com", aws=me.arn)\ntrust.validate(kind="trust")',
        ),
        (
            "md",
            "## Create the role\n\n`ensure_role` creates the role, or updates only what differs. Nothing is deleted and re-created.",
        ),
        (
            "code",
            'change = iam.ensure_role("basic-role", trust, description="execution role for the tutorials")\nchange.changes',
        ),
        ("md", "Run it again: nothing to do."),
        (
            "code",
            'again = iam.ensure_role("basic-role", trust, description="execution role for the tutorials")\nassert not again.changed\nagain',
        ),
        ("code", 'iam.get_role("basic-role")'),
    ],
    "02-policies.ipynb": [
        (
            "md",
            "# Permission policies\n\nThe original tutorial's policy had mistakes that AWS only reported as "
            "`MalformedPolicyDocument: Syntax errors in policy`, or not at all. rolekit finds them offline, with where and why.",
        ),
        ("code", SETUP),
        (
            "code",
            'tutorial = {\n    "Version": "2012-10-17",\n    "Statement": [{"Effect": "Allow", "Action": ["s3:ListBuckets"], '
            '"Resource": ["arn:aws:s3:::"]}],\n}\nreport = rk.Policy.from_json(tutorial).validate()\nreport',
        ),
        ("code", "assert not report.ok\n[(f.code, f.suggestion) for f in report]"),
        ("md", "A malformed document is caught too, with a line and column:"),
        (
            "code",
            'try:\n    rk.Policy.from_json(\'{"Version": "2012-10-17", "Statement": [}\')\nexcept rk.PolicyError as e:\n'
            "    print(e)\n    print(e.findings[0].line, e.findings[0].column)",
        ),
        (
            "md",
            "## The fixed policy, put and versioned\n\n`put_policy` validates first; a changed document becomes a new "
            "default version (the policy is never deleted and re-created).",
        ),
        (
            "code",
            'policy = rk.Policy([rk.Statement.allow("s3:ListAllMyBuckets", "*", sid="ListAll")])\npolicy.validate()',
        ),
        ("code", 'managed = iam.put_policy("basic_s3", policy)\nmanaged'),
        (
            "code",
            'wider = rk.Policy([rk.Statement.allow("s3:ListAllMyBuckets", "*", sid="ListAll"),\n'
            '                   rk.Statement.allow("s3:ListBucket", "arn:aws:s3:::aws-use-case-churn", sid="ListChurn")])\n'
            'v2 = iam.put_policy("basic_s3", wider)\nv2.version_id',
        ),
        ("code", 'iam.put_policy("basic_s3", policy).version_id  # back to the first document: a third version'),
    ],
    "03-assume-role.ipynb": [
        (
            "md",
            "# Assume the role\n\nPredict offline what the role may do, assume it (waiting out IAM propagation), "
            "and use its temporary credentials through boto3. The credentials never print their secrets.",
        ),
        ("code", SETUP),
        (
            "code",
            'me = iam.whoami()\ntrust = rk.Policy.trust(services="sagemaker.amazonaws.com", aws=me.arn)\n'
            'policy = rk.Policy([rk.Statement.allow("s3:ListAllMyBuckets", "*", sid="ListAll")])\n'
            'iam.ensure_role("basic-role", trust)\niam.attach_policy("basic-role", iam.put_policy("basic_s3", policy))',
        ),
        ("md", "## Predict first"),
        ("code", 'rk.simulate("s3:ListAllMyBuckets", "*", identity=[policy])'),
        (
            "code",
            'denied = rk.simulate("s3:ListBucket", "arn:aws:s3:::aws-use-case-churn", identity=[policy])\n'
            "print(denied.explain())",
        ),
        ("md", "## Assume it"),
        ("code", 'creds = iam.assume_role("basic-role", wait=30)\ncreds'),
        (
            "code",
            "import boto3\nfrom rolekit.notebook import sandbox\n\n"
            "sb = sandbox()\nendpoint = sb.endpoint_url if sb else None\n"
            "if sb:\n    sb.boto3_client('s3').create_bucket(Bucket='aws-use-case-churn')\n"
            "s3 = creds.boto3_session().client('s3', endpoint_url=endpoint)\n"
            "[b['Name'] for b in s3.list_buckets()['Buckets']]",
        ),
        (
            "code",
            "from botocore.exceptions import ClientError\n\ntry:\n    s3.list_objects(Bucket='aws-use-case-churn')\n"
            "except ClientError as e:\n    print(e.response['Error']['Code'], '- as simulate() predicted')",
        ),
        (
            "md",
            "## A profile for the role\n\nTools outside Python (the AWS CLI, other SDKs) use the role through a profile. "
            "`rk.profiles.add` writes it into the AWS config file, keeping every other line as it was; it refuses to "
            "overwrite a different profile. On the sandbox it writes a scratch file instead of `~/.aws/config`.",
        ),
        (
            "code",
            "import tempfile, os\n"
            "config = os.path.join(tempfile.mkdtemp(), 'config') if sb else None  # None: AWS_CONFIG_FILE or ~/.aws/config\n"
            "role = iam.get_role('basic-role')\n"
            "rk.profiles.add('basic-role', role_arn=role.arn, source_profile='default', path=config)",
        ),
        ("code", "print(open(rk.profiles.config_path(config)).read())"),
        (
            "md",
            "From a shell: `rolekit assume basic-role --format env`, `rolekit exec basic-role -- aws s3 ls`, or "
            "`credential_process = rolekit assume basic-role --format credential-process` in a profile.",
        ),
        ("code", "import json\nsorted(json.loads(creds.credential_process_json()))"),
    ],
    "04-sagemaker-training.ipynb": [
        (
            "md",
            "# A least-privilege SageMaker execution role\n\nSageMaker's quick start attaches `AmazonSageMakerFullAccess` "
            "to a default role. A training job needs much less: its data prefixes, its logs and metrics, its image. "
            "`rk.sagemaker.execution_policy` writes exactly that.",
        ),
        ("code", SETUP),
        (
            "code",
            'DATA = ["s3://rolekit-tutorial-data/churn/train", "s3://rolekit-tutorial-data/churn/output"]\n'
            "policy = rk.sagemaker.execution_policy(s3=DATA)\npolicy",
        ),
        ("md", "No `*` action, no IAM action, no `iam:PassRole` — and nothing for the validator to complain about:"),
        ("code", "report = policy.validate(inline=True)\nassert report.ok and not report.warnings\nreport"),
        (
            "md",
            "## The role\n\nTrust: SageMaker, and you (to try the role from this notebook). The policy goes inline. "
            "Re-running changes nothing.",
        ),
        (
            "code",
            "me = iam.whoami()\n"
            'change = iam.sagemaker_execution_role("rolekit-sagemaker-execution", s3=DATA, allow=[me.arn])\n'
            "change.changes",
        ),
        (
            "code",
            'assert not iam.sagemaker_execution_role("rolekit-sagemaker-execution", s3=DATA, allow=[me.arn]).changed\n'
            "role_arn = change.role.arn\nrole_arn",
        ),
        (
            "md",
            "## What can the job reach?\n\n`simulate()` answers offline with IAM's logic: its data and output, yes; "
            "anything else, no.",
        ),
        (
            "code",
            "checks = [\n"
            '    ("s3:GetObject", "arn:aws:s3:::rolekit-tutorial-data/churn/train/part-0.csv"),\n'
            '    ("s3:PutObject", "arn:aws:s3:::rolekit-tutorial-data/churn/output/model.tar.gz"),\n'
            '    ("s3:GetObject", "arn:aws:s3:::rolekit-tutorial-data/payroll/2026.csv"),\n'
            '    ("s3:PutObject", "arn:aws:s3:::another-bucket/x"),\n'
            '    ("iam:PassRole", role_arn),\n'
            "]\n"
            "decisions = {(a, r): rk.simulate(a, r, identity=[policy]).decision for a, r in checks}\n"
            "for (a, r), d in decisions.items():\n"
            '    print(f"{d:15} {a:14} {r}")\n'
            'assert [d == "allow" for d in decisions.values()] == [True, True, False, False, False]',
        ),
        (
            "md",
            "## A training job with that role\n\nOn the sandbox the job is simulated; on real AWS this cell would launch a "
            "billed training job, so it only does when you set `LAUNCH = True` (with a real image and data).",
        ),
        (
            "code",
            "import time\nimport boto3\nfrom rolekit.notebook import sandbox\n\n"
            "sb = sandbox()\nLAUNCH = sb is not None\n"
            'sm = boto3.client("sagemaker", endpoint_url=sb.endpoint_url if sb else None)\n'
            'job = f"churn-xgboost-{int(time.time())}"\n'
            "if LAUNCH:\n"
            "    sm.create_training_job(\n"
            "        TrainingJobName=job,\n"
            "        RoleArn=role_arn,\n"
            '        AlgorithmSpecification={"TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",\n'
            '                                "TrainingInputMode": "File"},\n'
            '        InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {\n'
            '            "S3DataType": "S3Prefix", "S3Uri": DATA[0] + "/"}}}],\n'
            '        OutputDataConfig={"S3OutputPath": DATA[1] + "/"},\n'
            '        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},\n'
            '        StoppingCondition={"MaxRuntimeInSeconds": 3600},\n'
            "    )\n"
            "    described = sm.describe_training_job(TrainingJobName=job)\n"
            '    print(described["TrainingJobName"], described["TrainingJobStatus"], described["RoleArn"])\n'
            "else:\n"
            '    print("not launched: set LAUNCH = True to start a real (billed) training job")',
        ),
        (
            "md",
            "## Which role should a job use?\n\nInside a SageMaker notebook instance or Studio, `execution_role()` "
            "returns the notebook's own role (as SageMaker's `get_execution_role()` does). Elsewhere it returns the "
            "role you are running as, or explains what to do:",
        ),
        (
            "code",
            "try:\n    print(iam.execution_role())\nexcept rk.RolekitError as e:\n    print(e)",
        ),
        ("md", "From a session of the new role itself, the answer is that role:"),
        (
            "code",
            'as_role = rk.Client(credentials=iam.assume_role("rolekit-sagemaker-execution", wait=30),\n'
            "                    endpoint_url=sb.endpoint_url if sb else None)\n"
            "as_role.execution_role()",
        ),
    ],
}


def main() -> None:
    """Write every notebook."""
    OUT.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(
            cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        )
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{name.split('-')[0]}-{i:02d}"
        nbformat.write(nb, OUT / name)
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
