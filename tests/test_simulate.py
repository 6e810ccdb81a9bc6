"""simulate(): IAM's evaluation logic offline, through the Python face."""

from __future__ import annotations

import pytest
import rolekit as rk

LIST_ALL = rk.Policy([rk.Statement.allow("s3:ListAllMyBuckets", "*", sid="ListAll")])


def test_the_tutorial_prediction() -> None:
    ok = rk.simulate("s3:ListAllMyBuckets", "*", identity=[LIST_ALL])
    assert ok.allowed and ok.decision == "allow" and bool(ok)
    assert ok.matched == [
        {"policy": "identity[0]", "statement": 0, "sid": "ListAll", "effect": "Allow", "line": None, "column": None}
    ]
    denied = rk.simulate("s3:ListBucket", "arn:aws:s3:::aws-use-case-churn", identity=[LIST_ALL])
    assert not denied.allowed and denied.decision == "implicit_deny"
    text = denied.explain()
    assert "implicit deny" in text and '"ListAll"' in text and "s3:ListBucket" in text
    assert "DENIED" in denied._repr_html_()


def test_the_seed_mistake_is_named_in_the_explanation() -> None:
    # The tutorial asked for s3:ListBuckets, which no request to AWS has: whatever the verdict, the
    # explanation says so and names the action meant, before the statements.
    lines = rk.simulate("s3:ListBuckets", identity=[LIST_ALL]).explain().splitlines()
    assert lines[0].startswith("DENIED") and "did you mean s3:ListAllMyBuckets?" in lines[1], lines
    everything = rk.Policy([rk.Statement.allow("s3:*", "*")])
    allowed = rk.simulate("s3:ListBuckets", identity=[everything])
    assert allowed.allowed and "is not an action of Amazon S3" in allowed.explain()
    assert "Note:" not in rk.simulate("s3:ListAllMyBuckets", identity=[LIST_ALL]).explain()


def test_an_s3_uri_asked_about_is_named_with_its_arn() -> None:
    # Data scientists think in s3:// URIs; a policy names ARNs. The decision says which is which.
    data = rk.Policy([rk.Statement.allow("s3:GetObject", "arn:aws:s3:::ml-data/*")])
    text = rk.simulate("s3:GetObject", "s3://ml-data/train.csv", identity=[data]).explain()
    assert "is an S3 URI, not an ARN (suggestion: arn:aws:s3:::ml-data/train.csv)" in text, text
    assert rk.simulate("s3:GetObject", "arn:aws:s3:::ml-data/train.csv", identity=[data]).allowed


def test_missing_context_names_the_keys_aws_would_have_set() -> None:
    # A time-limited grant: AWS puts aws:CurrentTime in every request; offline it is the caller's
    # to give, and the decision says which keys it lacked instead of a silent implicit deny.
    until = rk.Policy(
        [
            rk.Statement.allow(
                "s3:GetObject", "*", conditions={"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}
            )
        ]
    )
    bare = rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=[until])
    assert not bare.allowed and bare.missing_context == ["aws:CurrentTime"]
    assert "context lacks aws:CurrentTime" in bare.explain()
    given = rk.simulate(
        "s3:GetObject", "arn:aws:s3:::b/k", identity=[until], context={"aws:CurrentTime": "2026-12-03T10:00:00Z"}
    )
    assert given.allowed and given.missing_context == [] and "lacks" not in given.explain()
    # Keys of statements for other actions are not asked for.
    assert rk.simulate("s3:PutObject", "arn:aws:s3:::b/k", identity=[until]).missing_context == []


def test_explicit_deny_and_positions() -> None:
    text = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"}
  ]
}"""
    d = rk.simulate("s3:DeleteObject", "arn:aws:s3:::b/k", identity=text)
    assert d.decision == "explicit_deny"
    assert d.matched[0]["sid"] == "NoDelete" and d.matched[0]["line"] == 5
    assert "explicit Deny overrides" in d.explain()


def test_boundary_session_and_resource_policy() -> None:
    everything = rk.Policy([rk.Statement.allow("s3:*", "*")])
    read_only = rk.Policy([rk.Statement.allow("s3:GetObject", "*")])
    assert rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=everything, boundary=read_only).allowed
    limited = rk.simulate("s3:PutObject", "arn:aws:s3:::b/k", identity=everything, boundary=read_only)
    assert not limited.allowed and "permissions boundary does not" in limited.explain()
    assert not rk.simulate("s3:PutObject", "arn:aws:s3:::b/k", identity=everything, session=read_only).allowed
    user = "arn:aws:iam::111122223333:user/bob"
    bucket = rk.Policy([rk.Statement.allow("s3:GetObject", "arn:aws:s3:::b/*", principal={"AWS": user})])
    assert rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", resource_policy=bucket, principal=user).allowed
    other = rk.simulate(
        "s3:GetObject", "arn:aws:s3:::b/k", resource_policy=bucket, principal=user.replace("bob", "eve")
    )
    assert not other.allowed and "Principal does not name" in other.explain()


def test_trust_policy_as_resource_policy() -> None:
    user = "arn:aws:iam::123456789012:user/hongshan"
    trust = rk.Policy.trust(services="sagemaker.amazonaws.com", aws=user)
    role = "arn:aws:iam::123456789012:role/basic-role"
    assert rk.simulate("sts:AssumeRole", role, resource_policy=trust, principal=user).allowed
    assert rk.simulate("sts:AssumeRole", role, resource_policy=trust, principal="sagemaker.amazonaws.com").allowed
    assert not rk.simulate("sts:AssumeRole", role, resource_policy=trust, principal="ec2.amazonaws.com").allowed


def test_context_conditions() -> None:
    p = rk.Policy([rk.Statement.allow("s3:GetObject", "*", conditions={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})])
    assert rk.simulate("s3:GetObject", "x", identity=p, context={"aws:SourceIp": "10.0.0.1"}).allowed
    assert not rk.simulate("s3:GetObject", "x", identity=p, context={"aws:SourceIp": "192.168.0.1"}).allowed
    tags = rk.Policy(
        [
            rk.Statement.allow(
                "ec2:CreateTags", "*", conditions={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}
            )
        ]
    )
    assert rk.simulate("ec2:CreateTags", identity=tags, context={"aws:TagKeys": ["a"]}).allowed
    assert not rk.simulate("ec2:CreateTags", identity=tags, context={"aws:TagKeys": ["a", "c"]}).allowed
    mfa = rk.Policy([rk.Statement.allow("iam:*", "*", conditions={"Bool": {"aws:MultiFactorAuthPresent": "true"}})])
    assert rk.simulate("iam:GetRole", identity=mfa, context={"aws:MultiFactorAuthPresent": True}).allowed
    with pytest.raises(TypeError, match="context"):
        rk.simulate("iam:GetRole", identity=mfa, context=["nope"])  # type: ignore[arg-type]


def test_simulate_many_and_allows() -> None:
    p = rk.Policy([rk.Statement.allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::data/*")])
    out = rk.simulate_many(
        [
            ("s3:GetObject", "arn:aws:s3:::data/x"),
            ("s3:DeleteObject", "arn:aws:s3:::data/x"),
            {"action": "s3:PutObject", "resource": "arn:aws:s3:::other/x"},
        ],
        identity=[p],
    )
    assert [d.decision for d in out] == ["allow", "implicit_deny", "implicit_deny"]
    assert p.allows("s3:GetObject", "arn:aws:s3:::data/x")
    assert not p.allows("s3:GetObject", "arn:aws:s3:::data")
    with pytest.raises(TypeError):
        rk.simulate_many([42], identity=p)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="action"):
        rk.simulate_many([{"resource": "x"}], identity=p)


def test_no_policies_is_implicit_deny() -> None:
    d = rk.simulate("s3:GetObject", "x")
    assert d.decision == "implicit_deny"
    assert "No policy was given" in d.explain()


ALLOW_ALL = rk.Policy([rk.Statement.allow("*", "*")])
S3_ONLY = rk.Policy([rk.Statement.allow("s3:*", "*")])
ALICE = "arn:aws:iam::111111111111:user/alice"


def test_scps_every_level_must_allow_and_never_grant() -> None:
    org = [[ALLOW_ALL], [S3_ONLY]]  # root, then the account's OU
    ec2 = rk.simulate("ec2:RunInstances", identity=[ALLOW_ALL], scps=org, principal=ALICE)
    assert ec2.decision == "implicit_deny" and ec2.blocked_by == ("scp",)
    assert "level 1" in ec2.explain()
    s3 = rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=[ALLOW_ALL], scps=org, principal=ALICE)
    assert s3.allowed and s3.blocked_by == ()
    assert {m["policy"] for m in s3.matched} == {"identity[0]", "scps[0][0]", "scps[1][0]"}
    assert not rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", scps=org, principal=ALICE).allowed, (
        "an SCP grants nothing"
    )
    managed = rk.simulate("ec2:RunInstances", identity=[ALLOW_ALL], scps=org, principal=ALICE, management_account=True)
    assert managed.allowed, "SCPs do not apply to the management account"
    deny = rk.Policy([rk.Statement.deny("ec2:*", "*")])
    slr = "arn:aws:iam::111111111111:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot"
    assert rk.simulate("ec2:RunInstances", identity=[ALLOW_ALL], scps=[[ALLOW_ALL, deny]], principal=slr).allowed
    explicit = rk.simulate("ec2:RunInstances", identity=[ALLOW_ALL], scps=[[ALLOW_ALL, deny]], principal=ALICE)
    assert explicit.decision == "explicit_deny" and explicit.blocked_by == ("scp",)
    with pytest.raises(rk.InvalidArgumentType, match="list of levels"):
        rk.simulate("s3:GetObject", scps=[ALLOW_ALL])  # type: ignore[list-item]


def test_rcps_endpoint_policies_and_the_resource_account() -> None:
    perimeter = rk.Policy.from_json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}},
                }
            ],
        }
    )
    outside = rk.simulate(
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        identity=[ALLOW_ALL],
        rcps=[[perimeter]],
        principal=ALICE,
        context={"aws:PrincipalOrgID": "o-other"},
    )
    assert outside.decision == "explicit_deny" and outside.blocked_by == ("rcp",)
    endpoint = rk.Policy.from_json(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    put = rk.simulate("s3:PutObject", "arn:aws:s3:::b/k", identity=[ALLOW_ALL], endpoint_policy=endpoint)
    assert put.blocked_by == ("endpoint",) and "endpoint policy" in put.explain()
    assert rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=[ALLOW_ALL], endpoint_policy=endpoint).allowed
    other = rk.simulate(
        "s3:GetObject", "arn:aws:s3:::b/k", identity=[ALLOW_ALL], principal=ALICE, resource_account="999999999999"
    )
    assert other.blocked_by == ("resource",), "someone else's bucket needs its bucket policy too"
    with pytest.raises(rk.InvalidArgument, match="12-digit"):
        rk.simulate("s3:GetObject", resource_account="nope")
    whoami = rk.simulate("sts:GetCallerIdentity", identity=[rk.Policy([rk.Statement.deny("*", "*")])])
    assert whoami.allowed, "GetCallerIdentity needs no permission and cannot be denied"
    public = rk.Policy.from_json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
            ],
        }
    )
    assert rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", resource_policy=public, principal="*").allowed
    assert not rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=[ALLOW_ALL], principal="*").allowed


def test_rules_of_awss_own_decide_before_any_policy() -> None:
    """GetCallerIdentity needs no permission; a service-linked role cannot be changed by a customer's
    policy, however broad (STS API reference; IAM User Guide, service-linked roles)."""
    deny_all = rk.Policy([rk.Statement.deny("*", "*")])
    who = rk.simulate("sts:GetCallerIdentity", "*", identity=[deny_all])
    assert who.allowed and who.blocked_by == ()
    assert who.rule is not None and "GetCallerIdentity" in who.rule and "https://docs.aws.amazon.com/" in who.rule
    assert "rule of AWS's own" in who.explain()

    admin = rk.Policy([rk.Statement.allow("iam:*", "*")])
    slr = "arn:aws:iam::111122223333:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMaker"
    changed = rk.simulate("iam:DeleteRolePolicy", slr, identity=[admin])
    assert changed.decision == "explicit_deny" and changed.rule is not None and "service-linked" in changed.rule
    # Reading it is the policies' business: no rule, and the admin policy allows it.
    read = rk.simulate("iam:GetRole", slr, identity=[admin])
    assert read.allowed and read.rule is None


def test_a_context_changed_between_calls_is_read_again() -> None:
    """The same dict passed again is converted once; any change to it, in place or not, is seen."""
    only_ana = rk.Policy(
        [rk.Statement.allow("s3:GetObject", "*", conditions={"StringEquals": {"aws:username": "ana"}})]
    )

    def allowed(ctx: dict[str, object]) -> bool:
        return rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=[only_ana], context=ctx).allowed

    ctx: dict[str, object] = {"aws:username": "ana", "aws:SecureTransport": True}
    assert allowed(ctx) and allowed(ctx)
    ctx["aws:username"] = "bob"
    assert not allowed(ctx)
    ctx["aws:username"] = "".join(["an", "a"])  # another str object, the same text
    assert allowed(ctx)
    names = ["bob"]
    ctx["aws:username"] = names
    assert not allowed(ctx)
    names[0] = "ana"  # a list changed in place
    assert allowed(ctx)
    del ctx["aws:username"]
    assert not allowed(ctx)
    assert allowed({"aws:username": "ana"}) and not allowed({}) and not allowed({"aws:username": "bob"})


def test_arguments_of_the_wrong_type_are_named() -> None:
    with pytest.raises(rk.InvalidArgumentType, match="action must be a str, not int"):
        rk.simulate(3)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidArgument, match="resource is not text"):
        rk.simulate("s3:GetObject", "arn:aws:s3:::b/\udcff")
    with pytest.raises(rk.InvalidArgumentType, match="each key of context must be a str"):
        rk.simulate("s3:GetObject", context={1: "x"})  # type: ignore[dict-item]
    assert rk.simulate("s3:GetObject", None, identity=[LIST_ALL]).resource == "*"  # type: ignore[arg-type]


def test_an_action_that_is_not_service_colon_action_is_refused() -> None:
    """No AWS request has the action "s3" or "": a typo must not be decided (an allow of "*"
    would allow it, an allow of s3:* would deny it, and neither says why)."""
    everything = rk.Policy([rk.Statement.allow("*", "*")])
    for bad, says in [("", "no service prefix"), ("s3GetObject", "no service prefix"), ("s3:", "both parts")]:
        with pytest.raises(rk.InvalidArgument, match=says):
            rk.simulate(bad, identity=everything)
        with pytest.raises(rk.InvalidArgument, match=says):
            rk.simulate_many([(bad, "*")], identity=everything)
        with pytest.raises(rk.InvalidArgument, match=says):
            everything.allows(bad)
    assert rk.simulate("s3:GetObject", identity=everything).allowed


def test_the_resource_account_comes_from_the_resource() -> None:
    """aws:ResourceAccount is in every request (reference_policies_condition-keys.html): from the
    resource's ARN, else resource_account= (an S3 ARN names no account); context= overrides it."""
    mine = rk.Policy(
        [rk.Statement.allow("*", "*", conditions={"StringEquals": {"aws:ResourceAccount": "111122223333"}})]
    )
    role = "arn:aws:iam::111122223333:role/x"
    assert rk.simulate("iam:GetRole", role, identity=mine).allowed
    assert not rk.simulate("iam:GetRole", "arn:aws:iam::444455556666:role/x", identity=mine).allowed
    assert not rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=mine).allowed
    assert rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=mine, resource_account="111122223333").allowed
    assert not rk.simulate("iam:GetRole", role, identity=mine, context={"aws:ResourceAccount": "444455556666"}).allowed
    many = rk.simulate_many([("iam:GetRole", role), ("iam:GetRole", "arn:aws:iam::444455556666:role/x")], identity=mine)
    assert [d.allowed for d in many] == [True, False]


def test_the_keys_aws_derives_from_the_caller() -> None:
    """A real request carries aws:username, aws:PrincipalArn, aws:PrincipalAccount... of its caller
    (reference_policies_variables.html): given the principal, simulate decides as AWS would."""
    home = rk.Policy([rk.Statement.allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")])
    ana = "arn:aws:iam::111122223333:user/team/ana"
    assert rk.simulate("s3:GetObject", "arn:aws:s3:::home/ana/notes", identity=home, principal=ana).allowed
    assert not rk.simulate("s3:GetObject", "arn:aws:s3:::home/bo/notes", identity=home, principal=ana).allowed
    # A role session has no aws:username: the variable matches nothing.
    session = "arn:aws:sts::111122223333:assumed-role/ds/ana"
    no_name = rk.simulate("s3:GetObject", "arn:aws:s3:::home/ana/notes", identity=home, principal=session)
    assert not no_name.allowed
    assert "${aws:username} is not in the request, so the pattern matches nothing" in no_name.explain()
    not_hers = rk.simulate("s3:GetObject", "arn:aws:s3:::home/bo/notes", identity=home, principal=ana)
    assert '(${aws:username} is "ana")' in not_hers.explain()
    # The session's account and role, as conditions read them.
    own_account = rk.Policy(
        [
            rk.Statement.allow(
                "s3:GetObject",
                "*",
                conditions={
                    "StringEquals": {"aws:PrincipalAccount": "111122223333", "aws:PrincipalType": "AssumedRole"},
                    "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ds"},
                },
            )
        ]
    )
    assert rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=own_account, principal=session).allowed
    other = "arn:aws:sts::444455556666:assumed-role/ds/ana"
    assert not rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=own_account, principal=other).allowed
    # What the context says wins: a role with a path, which a session ARN does not show.
    with_path = {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/teams/ds"}
    assert not rk.simulate(
        "s3:GetObject", "arn:aws:s3:::b/k", identity=own_account, principal=session, context=with_path
    ).allowed
    # Without a principal nothing is derived.
    assert not rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=own_account).allowed


def test_derived_keys_follow_each_request_of_a_batch() -> None:
    """simulate_many: each request's own principal, called again and again in any order."""
    home = rk.Policy([rk.Statement.allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")])
    users = [f"arn:aws:iam::111122223333:user/u{i}" for i in range(4)]
    requests = [
        {"action": "s3:GetObject", "resource": f"arn:aws:s3:::home/u{j}/x", "principal": users[i]}
        for i in range(4)
        for j in range(4)
    ]
    for _ in range(2):
        got = [d.allowed for d in rk.simulate_many(requests, identity=home)]
        assert got == [i == j for i in range(4) for j in range(4)]
    # One call after another, alternating callers on the same context.
    ctx = {"aws:SourceIp": "10.0.0.1"}
    for i in [0, 1, 0, 2, 2, 1]:
        for j in range(3):
            d = rk.simulate("s3:GetObject", f"arn:aws:s3:::home/u{j}/x", identity=home, principal=users[i], context=ctx)
            assert d.allowed == (i == j), (i, j)


def test_a_service_principal_is_an_aws_service() -> None:
    """A bucket policy's common guard: only AWS services, or only callers in the organization."""
    bucket = rk.Policy(
        [
            rk.Statement.allow(
                "s3:PutObject",
                "arn:aws:s3:::logs/*",
                principal="*",
                conditions={"Bool": {"aws:PrincipalIsAWSService": "true"}},
            )
        ]
    )
    common = {"resource_policy": bucket, "resource_account": "111122223333"}
    service = rk.simulate("s3:PutObject", "arn:aws:s3:::logs/x", principal="logging.s3.amazonaws.com", **common)
    assert service.allowed
    user = rk.simulate("s3:PutObject", "arn:aws:s3:::logs/x", principal="arn:aws:iam::111122223333:user/u", **common)
    assert not user.allowed


def test_a_statement_iam_refuses_decides_nothing_and_says_why() -> None:
    # A statement built without resources is a trust policy's (no Resource); in an identity policy
    # IAM refuses it, so it allows nothing, and the explanation says which statement and why.
    bare = rk.Policy([rk.Statement.allow("s3:GetObject", sid="Read")])
    d = rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=[bare])
    assert not d.allowed
    assert 'statement "Read"' in d.explain() and "neither Resource nor NotResource" in d.explain()
    # A typo in a condition operator no longer leaves the statement allowing unconditionally.
    typo = rk.Policy.from_json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "*",
                    "Condition": {"StringEqual": {"aws:PrincipalTag/team": "ml"}},
                }
            ],
        }
    )
    d = rk.simulate("s3:GetObject", "arn:aws:s3:::b/k", identity=[typo], context={"aws:PrincipalTag/team": "ml"})
    assert not d.allowed and '"StringEqual" is not a condition operator' in d.explain()
    # The same statement as a trust policy's is fine: trust policies have no Resource.
    trust = rk.Policy([rk.Statement.allow("sts:AssumeRole", principal={"Service": "sagemaker.amazonaws.com"})])
    role = "arn:aws:iam::111122223333:role/r"
    assert rk.simulate("sts:AssumeRole", role, resource_policy=trust, principal="sagemaker.amazonaws.com").allowed
