"""AWS's own answers, byte for byte as IAM and STS send them, read by rolekit and by boto3.

moto's answers are moto's templates. These are written the way the real services answer: the
namespaces, indentation and line breaks between elements, URL-encoded policy documents, XML
entities, RoleLastUsed / Tags / PermissionsBoundary, an empty ``<Description/>``, a session token
with ``/`` and ``+``, errors with ``<Type>`` and the request id after ``<Error>`` (IAM) or inside the
body with a ``x-amzn-RequestId`` header (STS). The server is a real HTTP server; rolekit and boto3
read the same bytes and must agree field by field.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
import rolekit as rk
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},'
    '"Action":"sts:AssumeRole"}]}'
)
INLINE = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}'
)
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example/token+with/slashes=="

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"

ANSWERS: dict[str, tuple[int, str]] = {
    "GetCallerIdentity": (
        200,
        f"""<GetCallerIdentityResponse xmlns="{STS_NS}">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::{ACCOUNT}:user/Alice</Arn>
    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
    <Account>{ACCOUNT}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
""",
    ),
    "AssumeRole": (
        200,
        f"""<AssumeRoleResponse xmlns="{STS_NS}">
  <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:rolekit</AssumedRoleId>
      <Arn>arn:aws:sts::{ACCOUNT}:assumed-role/Test-Role/rolekit</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>{SECRET}</SecretAccessKey>
      <SessionToken>{TOKEN}</SessionToken>
      <Expiration>2030-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
""",
    ),
    "GetRole": (
        200,
        f"""<GetRoleResponse xmlns="{IAM_NS}">
  <GetRoleResult>
    <Role>
      <Path>/application_abc/component_xyz/</Path>
      <Arn>arn:aws:iam::{ACCOUNT}:role/application_abc/component_xyz/Test-Role</Arn>
      <RoleName>Test-Role</RoleName>
      <AssumeRolePolicyDocument>{urllib.parse.quote(TRUST, safe="")}</AssumeRolePolicyDocument>
      <Description>Reads &amp; writes &lt;b&gt; &quot;data&quot;</Description>
      <MaxSessionDuration>7200</MaxSessionDuration>
      <CreateDate>2013-04-18T05:01:58Z</CreateDate>
      <RoleId>AROADBQP57FF2AEXAMPLE</RoleId>
      <PermissionsBoundary>
        <PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType>
        <PermissionsBoundaryArn>arn:aws:iam::{ACCOUNT}:policy/boundary</PermissionsBoundaryArn>
      </PermissionsBoundary>
      <RoleLastUsed>
        <LastUsedDate>2019-11-18T05:01:58Z</LastUsedDate>
        <Region>us-east-1</Region>
      </RoleLastUsed>
      <Tags>
        <member>
          <Key>team</Key>
          <Value>data science</Value>
        </member>
        <member>
          <Key>empty</Key>
          <Value></Value>
        </member>
      </Tags>
    </Role>
  </GetRoleResult>
  <ResponseMetadata>
    <RequestId>df37e965-9967-11e1-a4c3-270EXAMPLE04</RequestId>
  </ResponseMetadata>
</GetRoleResponse>
""",
    ),
    "ListAttachedRolePolicies": (
        200,
        f"""<ListAttachedRolePoliciesResponse xmlns="{IAM_NS}">
  <ListAttachedRolePoliciesResult>
    <AttachedPolicies>
      <member>
        <PolicyName>ReadOnlyAccess</PolicyName>
        <PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn>
      </member>
    </AttachedPolicies>
    <IsTruncated>false</IsTruncated>
  </ListAttachedRolePoliciesResult>
  <ResponseMetadata>
    <RequestId>9a3b490d-c0f6-11e4-99c0-000000000001</RequestId>
  </ResponseMetadata>
</ListAttachedRolePoliciesResponse>
""",
    ),
    "ListRolePolicies": (
        200,
        f"""<ListRolePoliciesResponse xmlns="{IAM_NS}">
  <ListRolePoliciesResult>
    <PolicyNames>
      <member>read-input</member>
    </PolicyNames>
    <IsTruncated>false</IsTruncated>
  </ListRolePoliciesResult>
  <ResponseMetadata>
    <RequestId>8c7e1816-99f0-11e1-a4c3-27EXAMPLE804</RequestId>
  </ResponseMetadata>
</ListRolePoliciesResponse>
""",
    ),
    "GetRolePolicy": (
        200,
        f"""<GetRolePolicyResponse xmlns="{IAM_NS}">
  <GetRolePolicyResult>
    <PolicyName>read-input</PolicyName>
    <RoleName>Test-Role</RoleName>
    <PolicyDocument>{urllib.parse.quote(INLINE, safe="")}</PolicyDocument>
  </GetRolePolicyResult>
  <ResponseMetadata>
    <RequestId>7e7cd8bc-99ef-11e1-a4c3-27EXAMPLE804</RequestId>
  </ResponseMetadata>
</GetRolePolicyResponse>
""",
    ),
}

MISSING = (
    404,
    f"""<ErrorResponse xmlns="{IAM_NS}">
  <Error>
    <Type>Sender</Type>
    <Code>NoSuchEntity</Code>
    <Message>The role with name missing-role cannot be found.</Message>
  </Error>
  <RequestId>4c3e1f8a-1b2c-4d5e-8f90-EXAMPLE11111</RequestId>
</ErrorResponse>
""",
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        action = form.get("Action", [""])[0]
        status, body = ANSWERS.get(action, (400, "<ErrorResponse/>"))
        if form.get("RoleName") == ["missing-role"]:
            status, body = MISSING
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        if action in ("GetCallerIdentity", "AssumeRole"):
            self.send_header("x-amzn-RequestId", "01234567-89ab-cdef-0123-456789abcdef")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def aws() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def both(aws: str, monkeypatch: pytest.MonkeyPatch) -> tuple[rk.Client, boto3.Session]:
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    keys = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "not-a-real-secret-key-000"}
    client = rk.Client(endpoint_url=aws, region="us-east-1", credentials=rk.Credentials(*keys.values()), retries=0)
    return client, boto3.Session(**keys, region_name="us-east-1")


def test_sts_answers_read_as_boto3_reads_them(aws: str, both: tuple[rk.Client, boto3.Session]) -> None:
    client, session = both
    sts = session.client("sts", endpoint_url=aws)
    me, theirs = client.whoami(), sts.get_caller_identity()
    assert (me.arn, me.account, me.user_id) == (theirs["Arn"], theirs["Account"], theirs["UserId"])
    assert (me.kind, me.name) == ("user", "Alice")

    creds = client.assume_role(f"arn:aws:iam::{ACCOUNT}:role/Test-Role", session_name="rolekit")
    answer = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/Test-Role", RoleSessionName="rolekit")
    theirs = answer["Credentials"]
    assert creds.access_key_id == theirs["AccessKeyId"]
    assert creds.secret_access_key == theirs["SecretAccessKey"] == SECRET
    assert creds.session_token == theirs["SessionToken"] == TOKEN
    assert creds.expiration == theirs["Expiration"] == datetime(2030, 11, 9, 13, 34, 41, tzinfo=timezone.utc)
    assert creds.assumed_role_arn == answer["AssumedRoleUser"]["Arn"]


def test_iam_role_answers_read_as_boto3_reads_them(aws: str, both: tuple[rk.Client, boto3.Session]) -> None:
    client, session = both
    iam = session.client("iam", endpoint_url=aws)
    role, theirs = client.get_role("Test-Role"), iam.get_role(RoleName="Test-Role")["Role"]
    assert (role.name, role.arn, role.path, role.role_id) == (
        theirs["RoleName"],
        theirs["Arn"],
        theirs["Path"],
        theirs["RoleId"],
    )
    assert role.description == theirs["Description"] == 'Reads & writes <b> "data"'
    assert role.max_session_duration == theirs["MaxSessionDuration"] == 7200
    assert role.created == theirs["CreateDate"]
    assert role.permissions_boundary == theirs["PermissionsBoundary"]["PermissionsBoundaryArn"]
    assert role.tags == {t["Key"]: t["Value"] for t in theirs["Tags"]} == {"team": "data science", "empty": ""}
    # boto3 decodes the URL-encoded trust policy into a dict; rolekit into a Policy.
    assert role.trust_policy.to_dict() == theirs["AssumeRolePolicyDocument"]
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="Test-Role")["AttachedPolicies"]]
    assert role.attached_policies == attached
    inline = iam.get_role_policy(RoleName="Test-Role", PolicyName="read-input")["PolicyDocument"]
    assert {k: p.to_dict() for k, p in role.inline_policies.items()} == {"read-input": inline}


def test_an_iam_error_keeps_aws_code_message_and_request_id(aws: str, both: tuple[rk.Client, boto3.Session]) -> None:
    client, session = both
    with pytest.raises(ClientError) as boto_error:
        session.client("iam", endpoint_url=aws).get_role(RoleName="missing-role")
    with pytest.raises(rk.NoSuchEntity) as ours:
        client.get_role("missing-role")
    theirs = boto_error.value.response
    assert ours.value.response["Error"]["Code"] == theirs["Error"]["Code"] == "NoSuchEntity"
    assert ours.value.response["Error"]["Message"] == theirs["Error"]["Message"]
    assert ours.value.response["ResponseMetadata"]["RequestId"] == theirs["ResponseMetadata"]["RequestId"]
    assert ours.value.request_id == "4c3e1f8a-1b2c-4d5e-8f90-EXAMPLE11111"
    assert "The role with name missing-role cannot be found." in str(ours.value)
