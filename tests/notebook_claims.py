"""What each tutorial notebook teaches, as output that must appear when it runs, and the secrets a
run made, captured from the kernel itself. Shared by the plain-kernel and rolekit-kernel runs.

A notebook whose denial never happens, whose JSON error has no position, or whose policy is not
versioned fails here, even though its cells catch and print.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

#: Per notebook: (what the claim is, a regex the outputs must match).
CLAIMS: dict[str, list[tuple[str, str]]] = {
    "01-iam-role.ipynb": [
        ("the trust policy is valid", r"Report\(trust policy: 0 errors"),
        ("ensure_role creates the role", r"\['create role basic-role'\]"),
        ("running it again changes nothing", r"RoleChange\(created=False, changed=False, changes=\[\]\)"),
        ("the role reads back", r"Role\(name='basic-role', arn='arn:aws:iam::\d{12}:role/basic-role'\)"),
    ],
    "02-policies.ipynb": [
        ("the tutorial's policy has its two errors", r"Report\(identity policy: 2 errors"),
        ("s3:ListBuckets is named with its fix", r"\('INVALID_ACTION', 's3:ListAllMyBuckets'\)"),
        ("arn:aws:s3::: fits no resource type", r"RESOURCE_MATCHES_NO_TYPE"),
        ("the JSON error has its line and column", r"line 1, column 41\n+1 41"),
        ("the fixed policy is clean", r"Report\(identity policy: 0 errors, 0 security warnings"),
        ("a new document is a new version", r"^'v2'$"),
        ("back to the first document: a third version", r"^'v3'$"),
    ],
    "03-assume-role.ipynb": [
        ("simulate() allows what the policy grants", r"Decision\('allow', action='s3:ListAllMyBuckets'"),
        ("simulate() predicts the denial", r"DENIED \(implicit deny\): nothing allows s3:ListBucket"),
        ("the credentials print no secret", r"Credentials\(access_key_id='\*\*\*\*\w{4}'"),
        ("ListBuckets works under the role", r"\['aws-use-case-churn'\]"),
        ("the denial simulate() predicted happens", r"^AccessDenied - as simulate\(\) predicted$"),
        ("the profile is written", r"\[profile basic-role\]\nrole_arn = arn:aws:iam::\d{12}:role/basic-role"),
    ],
    "04-sagemaker-training.ipynb": [
        ("the execution policy is clean", r"Report\(identity policy: 0 errors, 0 security warnings"),
        ("the role is created with its inline policy", r"'create role sagemaker-execution'"),
        ("the job reaches its data", r"allow +s3:GetObject +arn:aws:s3:::rolekit-tutorial-data/churn/train/"),
        ("the job writes its output", r"allow +s3:PutObject +arn:aws:s3:::rolekit-tutorial-data/churn/output/"),
        ("and nothing else", r"implicit_deny +s3:GetObject +arn:aws:s3:::rolekit-tutorial-data/payroll/"),
        ("no PassRole for the job's role", r"implicit_deny +iam:PassRole"),
        ("a user is not a role", r"no execution role: the caller is arn:aws:iam::\d{12}:user/"),
    ],
}

#: A last cell appended to each run: every secret the kernel holds, written where the test reads it
#: (every secret the kernel knows, and the process's own keys, e.g. the sandbox's admin key).
CAPTURE = (
    "import json as _j, os as _o\n"
    "from rolekit import _rolekit as _r\n"
    "_issued = _r._secret_values()\n"
    "_env = [_o.environ.get(k) for k in ('AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN')]\n"
    "open({path!r}, 'w').write(_j.dumps([s for s in [*_issued, *_env] if s]))"
)


def capture_cell(path: Path) -> str:
    """The source of the capture cell, writing to ``path``."""
    return CAPTURE.format(path=str(path))


def check_claims(name: str, texts: list[str]) -> None:
    """Every claim of notebook ``name`` shows in its outputs."""
    # Each output, and all of them joined: two prints of a cell may arrive as two stream outputs.
    candidates = [*texts, "\n".join(texts)]
    missing = [what for what, pattern in CLAIMS[name] if not any(re.search(pattern, t, re.M) for t in candidates)]
    assert not missing, f"{name}: what it teaches did not happen: {missing}"


def check_secrets(name: str, texts: list[str], captured: Path) -> None:
    """No secret the kernel held shows in any output, whole or its first or last 16 characters."""
    secrets = json.loads(captured.read_text())
    assert secrets, f"{name}: the kernel held no secret, so the scan would prove nothing"
    joined = "\n".join(texts)
    for s in secrets:
        for piece in (s, s[:16], s[-16:]):
            assert piece not in joined, f"{name}: an output shows (part of) a secret the kernel held"
