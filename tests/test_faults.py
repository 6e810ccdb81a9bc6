"""The tutorial flow through a fault-injecting proxy (dropped connections, 500, Throttling, slow
answers) in front of the sandbox: it ends in the same state as without faults, with no duplicate
policy version and no orphaned role; errors that surface are typed and say a retry is safe.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator

import pytest
import rolekit as rk
from faultproxy import FaultProxy
from rolekit.sandbox import Sandbox

PATH = "/faults/"
DOCS = [
    rk.Policy([rk.Statement.allow("s3:ListAllMyBuckets", "*", sid="ListAll")]),
    rk.Policy([rk.Statement.allow(["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "*", sid="ListAll")]),
]


@pytest.fixture
def fresh() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        sb.boto3_client("s3").create_bucket(Bucket="aws-use-case-churn")
        yield sb


def tutorial_flow(c: rk.Client, sb: Sandbox, proxy: FaultProxy, doc: rk.Policy) -> None:
    """The seed tutorial: role (trust: me and SageMaker), policy, attach, assume, use through boto3."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    me = c.whoami()
    trust = rk.Policy.trust(services="sagemaker.amazonaws.com", aws=me.arn)
    c.ensure_role("fault-role", trust, path=PATH, description="tutorial role")
    policy = c.put_policy("fault-policy", doc)
    c.attach_policy("fault-role", policy)
    creds = c.assume_role("fault-role", wait=20)
    s3 = boto3.Session(**{k.lower(): v for k, v in creds.to_env().items()}, region_name="us-east-1").client(
        "s3", endpoint_url=proxy.url, config=Config(retries={"max_attempts": 10, "mode": "standard"})
    )
    assert "aws-use-case-churn" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as denied:
        s3.list_objects(Bucket="aws-use-case-churn")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"


#: IAM's writes in the tutorial flow: at least one of them must be faulted for a run to prove anything.
WRITES = frozenset(
    {
        "CreateRole",
        "UpdateAssumeRolePolicy",
        "UpdateRole",
        "CreatePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "AttachRolePolicy",
    }
)


class Versions:
    """What the policy's version list must be: one more for each put of a document that differs from
    the default, never more than five (the oldest is deleted first). A faulted put that is retried
    must not add one."""

    def __init__(self) -> None:
        self.count = 0
        self.default: rk.Policy | None = None

    def put(self, doc: rk.Policy) -> int:
        if doc != self.default:
            self.count = min(self.count + 1, 5)
            self.default = doc
        return self.count


def check_state(sb: Sandbox, doc: rk.Policy, versions_expected: int) -> None:
    """Read directly (no proxy): one role, the trust and attachment asked for, exactly the versions
    the puts made (no duplicate from a retried write)."""
    direct = sb.client()
    assert [r[0] for r in direct.list_roles(path_prefix=PATH)] == ["fault-role"]
    role = direct.get_role("fault-role")
    assert role.trust_policy == rk.Policy.trust(services="sagemaker.amazonaws.com", aws=direct.whoami().arn)
    assert role.description == "tutorial role" and role.path == PATH
    iam = sb.boto3_client("iam")
    arn = f"arn:aws:iam::{direct.whoami().account}:policy/fault-policy"
    assert role.attached_policies == [arn]
    versions = sorted(iam.list_policy_versions(PolicyArn=arn)["Versions"], key=lambda v: v["CreateDate"])
    docs = [
        rk.Policy.from_json(
            iam.get_policy_version(PolicyArn=arn, VersionId=v["VersionId"])["PolicyVersion"]["Document"]
        )
        for v in versions
    ]
    assert len(versions) == versions_expected, [v["VersionId"] for v in versions]
    assert all(a != b for a, b in zip(docs, docs[1:])), "a duplicate policy version"
    default = next(d for d, v in zip(docs, versions) if v["IsDefaultVersion"])
    assert default == doc


@pytest.mark.timeout(300)
def test_lost_create_responses_converge(fresh: Sandbox) -> None:
    """The server acts, the answer is lost, the SDK retries: the retry's EntityAlreadyExists (or a
    second version) must not surface or duplicate anything."""
    rounds = [
        ({"CreateRole", "CreatePolicy"}, 2),
        ({"CreatePolicyVersion"}, 1),
        ({"DeletePolicyVersion"}, 1),
        ({"DeleteRole"}, 1),
    ]
    model = Versions()
    for operations, count in rounds:
        with FaultProxy(
            fresh.endpoint_url, rate=1.0, faults=("drop_after",), operations=frozenset(operations), limit=count
        ) as proxy:
            c = rk.Client(endpoint_url=proxy.url, credentials=fresh.credentials)
            if operations == {"DeleteRole"}:
                c.delete_role("fault-role", force=True)
                assert proxy.injected["drop_after"] == 1
                assert [r[0] for r in fresh.client().list_roles(path_prefix=PATH)] == []
                continue
            if operations == {"DeletePolicyVersion"}:  # five versions: the put must delete one first
                for i in range(5):
                    fresh.client().put_policy("fault-policy", DOCS[i % 2])
                    model.put(DOCS[i % 2])
            tutorial_flow(c, fresh, proxy, DOCS[1])
            assert proxy.injected["drop_after"] == count, f"{operations} not faulted: {proxy.operations}"
            check_state(fresh, DOCS[1], model.put(DOCS[1]))
            # Back to the first document, so that the next round writes a version again.
            fresh.client().put_policy("fault-policy", DOCS[0])
            model.put(DOCS[0])


@pytest.mark.timeout(300)
@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_tutorial_flow_under_faults(fresh: Sandbox, mode: str) -> None:
    """20 % of requests faulted, retries allowed: the flow succeeds and ends where it would have,
    in either retry mode (adaptive's client-side rate limiting engages at the first throttle)."""
    with FaultProxy(fresh.endpoint_url, rate=0.2, seed=5) as proxy:
        c = rk.Client(endpoint_url=proxy.url, credentials=fresh.credentials, retries=8, retry_mode=mode)
        model = Versions()
        for i in range(4):
            tutorial_flow(c, fresh, proxy, DOCS[i % 2])
            check_state(fresh, DOCS[i % 2], model.put(DOCS[i % 2]))
        assert sum(proxy.injected.values()) >= 10, proxy.injected


RUNS = int(os.environ.get("ROLEKIT_FAULT_RUNS", "100"))
assert RUNS >= 1, "ROLEKIT_FAULT_RUNS must be at least 1: an empty run proves nothing"


@pytest.mark.timeout(1200)
def test_hundred_runs_at_twenty_percent(fresh: Sandbox) -> None:
    """The whole flow RUNS times at 20 % faults with default retries. An error may surface (three
    faults in a row); it must be typed and retry-safe, and running the flow again must converge."""
    surfaced: Counter[str] = Counter()
    model = Versions()
    with FaultProxy(fresh.endpoint_url, rate=0.2, seed=2026) as proxy:
        c = rk.Client(endpoint_url=proxy.url, credentials=fresh.credentials)
        for run in range(RUNS):
            doc = DOCS[run % 2]
            for _ in range(10):
                try:
                    tutorial_flow(c, fresh, proxy, doc)
                    break
                except rk.RolekitError as e:
                    assert e.retry_safe, f"run {run}: {type(e).__name__} is not retry-safe: {e}"  # noqa: PT017
                    surfaced[type(e).__name__] += 1
            else:
                pytest.fail(f"run {run} did not converge in 10 attempts")
            check_state(fresh, doc, model.put(doc))
        report = {
            "runs": RUNS,
            "requests": proxy.requests,
            "faults": dict(proxy.injected),
            "surfaced": dict(surfaced),
        }
    print("fault report:", json.dumps(report))
    assert sum(proxy.injected.values()) >= RUNS  # the proxy really did inject (about 20 %)
    missing = [kind for kind in proxy.faults if proxy.injected[kind] == 0]
    assert not missing, f"fault kinds never injected: {missing}"
    assert WRITES & set(proxy.faulted), f"no write was faulted: {dict(proxy.faulted)}"
