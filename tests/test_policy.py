"""The policy face: parsing with positions, semantic equality, builders, validation, the catalog."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
import rolekit as rk

FIXTURES = Path(__file__).parent / "fixtures"


def test_seed_policy_findings_with_positions() -> None:
    text = (FIXTURES / "seed_basic_s3.json").read_text()
    report = rk.Policy.from_json(text).validate()
    assert not report.ok
    by_code = {f.code: f for f in report}
    action = by_code["INVALID_ACTION"]
    assert action.suggestion == "s3:ListAllMyBuckets"
    assert action.path == ("Statement", 0, "Action", 0)
    assert (action.line, action.column) == (7, 21)
    assert action.severity == "error"
    assert action.iam_rejects is False
    resource = by_code["RESOURCE_MATCHES_NO_TYPE"]
    assert resource.path == ("Statement", 0, "Resource", 0)
    assert resource.line == 10
    assert "bucket" in resource.message
    assert "INVALID_ACTION" in str(report) and "7:21" in str(report)


def test_fixed_seed_policy_is_clean() -> None:
    p = rk.Policy([rk.Statement.allow(["s3:ListAllMyBuckets"], ["*"], sid="ListAll")])
    report = p.validate()
    assert report.ok and len(report) == 0


def test_invalid_json_raises_policy_error_with_location() -> None:
    with pytest.raises(rk.PolicyError) as info:
        rk.Policy.from_json('{\n  "Version": "2012-10-17",\n  "Statement": [\n}')
    err = info.value
    assert isinstance(err, ValueError)
    (finding,) = err.findings
    assert finding.code == "INVALID_JSON"
    assert (finding.line, finding.column) == (4, 1)
    assert finding.iam_message == "This policy contains invalid Json"


def test_invalid_utf8_and_nan_are_policy_errors() -> None:
    with pytest.raises(rk.PolicyError) as info:
        rk.Policy.from_json(b'{"Version": "\xff"}')
    assert info.value.findings[0].column == 14
    with pytest.raises(rk.PolicyError):
        rk.Policy.from_json({"Version": float("nan")})
    with pytest.raises(TypeError):
        rk.Policy.from_json({"Version": object()})


def test_semantic_equality() -> None:
    a = rk.Policy.from_json(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        }
    )
    b = rk.Policy.from_json(
        '{"Statement": [{"Resource": ["arn:aws:s3:::b/*"], "Effect": "Allow", "Action": ["S3:GetObject"]}],'
        ' "Version": "2012-10-17"}'
    )
    c = rk.Policy.from_json(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::B/*"},
        }
    )
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert a != "not a policy"


def test_round_trip_keeps_everything() -> None:
    doc = {
        "Version": "2012-10-17",
        "Id": "x",
        "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Unknown": [1, 2.5, None]}
        ],
    }
    p = rk.Policy.from_json(doc)
    assert p.to_dict() == doc
    assert json.loads(p.to_json()) == doc
    assert json.loads(p.to_json(indent=4)) == doc
    assert "\n    " in p.to_json(indent=4)
    assert pickle.loads(pickle.dumps(p)) == p
    assert p.version == "2012-10-17" and p.id == "x"
    assert [s.sid for s in p.statements] == ["A"]


def test_trust_builder_and_validation() -> None:
    t = rk.Policy.trust(services=["sagemaker.amazonaws.com"], aws=["arn:aws:iam::123456789012:user/hongshan"])
    d = t.to_dict()
    assert d["Statement"][0]["Principal"] == {
        "AWS": "arn:aws:iam::123456789012:user/hongshan",
        "Service": "sagemaker.amazonaws.com",
    }
    assert t.validate(kind="trust").ok
    # The same document as an identity policy is wrong: identity policies name no principal.
    identity = t.validate(kind="identity")
    assert {f.code for f in identity.errors} >= {"PRINCIPAL_NOT_ALLOWED", "MISSING_RESOURCE"}
    ext = rk.Policy.trust(aws="123456789012", external_id="abc")
    assert ext.to_dict()["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": "abc"}}
    assert ext.validate(kind="trust").ok
    with pytest.raises(ValueError, match="at least one"):
        rk.Policy.trust()


def test_statement_builders() -> None:
    s = rk.Statement.deny(
        "s3:DeleteObject", "arn:aws:s3:::b/*", sid="NoDelete", conditions={"Bool": {"aws:SecureTransport": "false"}}
    )
    assert s.effect == "Deny" and s.sid == "NoDelete"
    assert s.to_dict()["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert rk.Statement.allow(["a:B", "c:D"], "*") == rk.Statement.allow(["c:D", "a:B"], ["*"])
    with pytest.raises(ValueError, match="empty"):
        rk.Statement.allow([], "*")
    with pytest.raises(TypeError):
        rk.Statement.allow(42, "*")  # type: ignore[arg-type]


def test_validate_kinds_and_report_api() -> None:
    p = rk.Policy([rk.Statement.allow("iam:PassRole", "*")])
    r = p.validate("identity")
    assert r.ok  # security warnings are not errors
    assert [f.code for f in r.warnings] == ["PASS_ROLE_WITH_STAR_IN_RESOURCE"]
    assert r[0].severity == "security_warning" and r[-1] is not None
    with pytest.raises(IndexError):
        r[5]
    assert r.kind == "identity"
    assert "<table" in r._repr_html_() and "PASS_ROLE" in r._repr_html_()
    with pytest.raises(ValueError, match="kind must be"):
        p.validate("nope")
    for kind in ("identity", "trust", "resource", "boundary", "scp", "session"):
        assert p.validate(kind).kind == kind


def test_dict_input_has_no_positions() -> None:
    r = rk.Policy.from_json(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBuckets", "Resource": "*"}]}
    ).validate()
    assert r[0].line is None and r[0].path == ("Statement", 0, "Action")


def test_iam_rejects_carries_iams_message() -> None:
    r = rk.Policy.from_json(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}]}'
    ).validate()
    assert r.iam_rejects
    assert r[0].iam_message == "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."


def test_catalog() -> None:
    assert len(rk.catalog_date()) == 10 and rk.catalog.date() == rk.catalog_date()
    got = rk.catalog.actions("s3:GetObjectV*")
    assert "s3:GetObjectVersion" in got and all(a.startswith("s3:GetObjectV") for a in got)
    assert rk.catalog.action("S3:LISTBUCKET")["name"] == "s3:ListBucket"
    assert rk.catalog.action("s3:ListBuckets") is None


def test_policy_html_and_repr() -> None:
    p = rk.Policy([rk.Statement.allow("s3:GetObject", "arn:aws:s3:::b/*")])
    assert p._repr_html_().startswith('<div class="rolekit"><b>Policy</b>') and "<pre" in p._repr_html_()
    assert "s3:GetObject" in repr(p)


def test_rich_display_summarises_and_folds_long_policies() -> None:
    """A notebook shows a policy as one line per statement, then the document, folded when long;
    ProfileChange and ManagedPolicy have displays too; table cells carry their own alignment."""
    from pathlib import Path

    from rolekit.profiles import ProfileChange

    short = rk.Policy(
        [rk.Statement.allow(["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:Tag"], "arn:aws:s3:::b/*")]
    )
    html = short._repr_html_()
    assert "<b>Allow</b> <code>s3:GetObject, s3:PutObject, s3:ListBucket (+1 more)</code> on arn:aws:s3:::b/*" in html
    assert "<details>" not in html
    long = rk.Policy([rk.Statement.allow(f"s3:GetObject{i}", "*") for i in range(10)])
    assert "<details><summary>the document (" in long._repr_html_()
    change = ProfileChange("ds", Path("/tmp/config"), "created", {"role_arn": "arn:aws:iam::1:role/x"})._repr_html_()
    assert "<caption" in change and "ProfileChange" in change and "text-align:left" in change
    assert "<td>" not in change and "arn:aws:iam::1:role/x" in change
    empty = ProfileChange("ds", Path("/tmp/config"), "removed", {})._repr_html_()
    assert "<i>(none)</i>" not in empty  # no empty rows are made up
    from rolekit.sandbox import Sandbox

    stopped = Sandbox()._repr_html_()
    assert "Sandbox (moto)" in stopped and "stopped" in stopped


def test_a_whole_document_given_as_statements_is_refused_with_the_way_out() -> None:
    """Text, bytes and dicts iterate (characters, keys): Policy() must not make statements of them."""
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    for wrong in (json.dumps(document), json.dumps(document).encode(), document):
        with pytest.raises(rk.InvalidArgument, match=r"Policy\.from_json") as caught:
            rk.Policy(wrong)  # type: ignore[arg-type]
        assert isinstance(caught.value, ValueError) and type(wrong).__name__ in str(caught.value)
        assert rk.Policy.from_json(wrong).validate().ok
    assert rk.Policy(document["Statement"]).validate().ok


def test_text_that_is_a_file_name_or_an_arn_says_what_a_policy_is() -> None:
    # A frequent first try: the path of the policy file, or the managed policy's ARN.
    with pytest.raises(rk.PolicyError) as path:
        rk.Policy.from_json("policies/read.json")
    assert 'pathlib.Path("policies/read.json").read_text()' in str(path.value)
    with pytest.raises(rk.PolicyError) as arn:
        rk.simulate("s3:GetObject", identity=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])
    assert "is an ARN" in str(arn.value) and "argument 'identity'" in str(arn.value)
    with pytest.raises(rk.PolicyError) as other:
        rk.Policy.from_json('{"Version": ')
    assert "looks like" not in str(other.value) and "ARN" not in str(other.value)


def test_trust_refuses_principals_iam_would() -> None:
    # services=["sagemaker"] built a document IAM refuses ("Invalid principal in policy"); the
    # builder now says so at once, with the service principal meant.
    with pytest.raises(rk.InvalidArgument) as bare:
        rk.Policy.trust(services=["sagemaker"])
    assert '"sagemaker.amazonaws.com"' in str(bare.value)
    with pytest.raises(rk.InvalidArgument, match="wildcard"):
        rk.Policy.trust(aws=["arn:aws:iam::123456789012:role/ml-*"])
    assert rk.Policy.trust(services="sagemaker.amazonaws.com").validate(kind="trust").ok
