"""``rolekit demo``: the seed tutorial, end to end, narrated, on an embedded sandbox.

Each step prints a line or two; findings and decisions are shown as small tables. The sandbox is
started and stopped here; with ``--aws`` the same steps run against the configured AWS account,
after asking before any write. Secrets are never printed: credentials show as their repr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, Optional

ROLE = "basic-role"
POLICY = "basic_s3"
# On a real account the demo uses names of its own, so that it can never touch the tutorial's role.
AWS_ROLE = "rolekit-demo-basic-role"
AWS_POLICY = "rolekit-demo-basic_s3"
BUCKET = "aws-use-case-churn"

# The tutorial's own permission policy, mistakes included.
TUTORIAL_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:ListBuckets"], "Resource": ["arn:aws:s3:::"]}],
}


def _say(text: str = "") -> None:
    print(text, flush=True)


def _table(rows: Sequence[tuple[object, ...]], header: tuple[str, ...]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    _say("   " + line)
    _say("   " + "  ".join("-" * w for w in widths))
    for r in rows:
        _say("   " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def _findings(report: Any) -> None:
    if len(report) == 0:
        _say("   no findings")
        return
    rows = []
    for f in report:
        where = f"{f.line}:{f.column}" if f.line else ".".join(str(p) for p in f.path)
        rows.append((f.severity, f.code, where))
    _table(rows, ("severity", "code", "where"))
    for f in report:
        _say(f"   - {f.code}: {f.message}")
        if f.suggestion:
            _say(f"     suggestion: {f.suggestion}")


def _steps(client: Any, sandbox: Optional[Any], role: str = ROLE, policy_name: str = POLICY) -> None:
    import rolekit as rk

    _say("1. Who am I? (sts:GetCallerIdentity)")
    me = client.whoami()
    _say(f"   {me.kind} {me.arn} in account {me.account}")

    _say("2. The trust policy: who may assume the role (you, and SageMaker).")
    trust = rk.Policy.trust(services="sagemaker.amazonaws.com", aws=me.arn)
    _findings(trust.validate(kind="trust"))

    _say("3. The tutorial's permission policy, checked offline before AWS sees it:")
    _findings(rk.Policy.from_json(TUTORIAL_POLICY).validate())
    policy = rk.Policy([rk.Statement.allow("s3:ListAllMyBuckets", "*", sid="ListAll")])
    _say("   fixed: Allow s3:ListAllMyBuckets on *  ->  " + ("ok" if policy.validate().ok else "still wrong"))

    _say("4. What will the role be allowed to do? (simulated offline)")
    for action, resource in (("s3:ListAllMyBuckets", "*"), ("s3:ListBucket", f"arn:aws:s3:::{BUCKET}")):
        d = rk.simulate(action, resource, identity=[policy])
        _say(f"   {d.decision:<14} {action} on {resource}")
    _say("   " + rk.simulate("s3:ListBucket", f"arn:aws:s3:::{BUCKET}", identity=[policy]).explain().splitlines()[-1])

    _say(f"5. Create the role {role} (ensure_role: create, or update only what differs).")
    change = client.ensure_role(role, trust, description="rolekit demo: the tutorial's execution role")
    _say(f"   {'; '.join(change.changes) or 'no change'}")
    again = client.ensure_role(role, trust, description="rolekit demo: the tutorial's execution role")
    _say(f"   run again: {'no change' if not again.changed else '; '.join(again.changes)}")

    _say(f"6. Put the policy {policy_name} (versioned, never deleted and re-created) and attach it.")
    managed = client.put_policy(policy_name, policy)
    client.attach_policy(role, managed)
    _say(f"   {managed.arn} ({managed.version_id}) attached to {role}")

    _say("7. Assume the role (waiting out IAM propagation if needed).")
    creds = client.assume_role(role, wait=30)
    _say(f"   {creds!r}")

    if sandbox is not None:
        _say("8. Use the credentials through boto3, as the tutorial does.")
        sandbox.boto3_client("s3").create_bucket(Bucket=BUCKET)
        s3 = creds.boto3_session(region=sandbox.region).client("s3", endpoint_url=sandbox.endpoint_url)
        names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        _say(f"   ListBuckets: allowed, {len(names)} bucket(s): {', '.join(names)}")
        try:
            s3.list_objects(Bucket=BUCKET)
            _say("   ListObjects: allowed (unexpected!)")
        except Exception as e:  # botocore's ClientError
            code = getattr(e, "response", {}).get("Error", {}).get("Code", type(e).__name__)
            _say(f"   ListObjects: {code}, as simulate() predicted")

    _say("9. Clean up.")
    client.detach_policy(role, managed)
    done = client.delete_role(role, force=True)
    _say(f"   {'; '.join(done)} (force: the role was just used, which delete_role otherwise refuses)")
    _say(f"   {'; '.join(client.delete_policy(managed))}")


def run(*, aws: bool = False, assume_yes: bool = False) -> int:
    """Run the demo; returns the exit code."""
    from ._rolekit import Client

    if aws:
        from .exceptions import NoSuchEntity

        client = Client()
        me = client.whoami()  # reads only, until the user says yes
        role, policy = AWS_ROLE, AWS_POLICY
        try:
            client.get_role(role)
            _say(f"The role {role} exists already in account {me.account}; the demo leaves it alone. Nothing was done.")
            return 1
        except NoSuchEntity:
            pass
        what = (
            f"This demo creates, then deletes, the IAM role {role} and the policy {policy} in AWS account "
            f"{me.account} (as {me.arn}, via {client.endpoint})."
        )
        if not assume_yes and not _confirm(what):
            _say("Nothing was done.")
            return 1
        _steps(client, None, role, policy)
        return 0
    from .sandbox import Sandbox

    _say("rolekit demo: no AWS account is touched; a local sandbox (moto's server) plays IAM, STS and S3.")
    with Sandbox() as sb:
        _say(f"   sandbox at {sb.endpoint_url}, IAM enforcement on, signed in as the sandbox's admin user")
        _steps(sb.client(), sb)
        left = left_behind(sb)
    if left:
        _say(f"Done, but the account still holds: {', '.join(left)}")
        return 1
    _say("Done: the sandbox is stopped and nothing is left behind (checked: no role, no customer policy).")
    return 0


def left_behind(sb: Any) -> list[str]:
    """The roles and customer managed policies still in the sandbox's account (read, not assumed)."""
    iam = sb.boto3_client("iam")
    roles = [f"role {r['RoleName']}" for r in iam.list_roles()["Roles"]]
    policies = [f"policy {p['PolicyName']}" for p in iam.list_policies(Scope="Local")["Policies"]]
    return roles + policies


def _confirm(what: str) -> bool:
    if not sys.stdin.isatty():
        _say(f"{what} Re-run with --yes to confirm (stdin is not a terminal).")
        return False
    answer = input(f"{what} Continue? [y/N] ")
    return answer.strip().lower() in {"y", "yes"}
