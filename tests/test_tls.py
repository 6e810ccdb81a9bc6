"""HTTPS endpoints: which CAs rolekit trusts (botocore's order: the ca_bundle argument, then
AWS_CA_BUNDLE, then the profile's ca_bundle, then the system's store), the same bundle handed to
boto3, and a refused certificate as a TlsError that names the problem and the fix, never retried.

The HTTPS endpoint is the sandbox behind a TLS front whose certificate comes from a CA made by
the test (trustme), as a corporate TLS-inspecting proxy or a private endpoint would present.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import rolekit as rk
import trustme
from botocore.exceptions import SSLError
from rolekit.sandbox import Sandbox
from tlsfront import TlsFront


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def front(sandbox: Sandbox, cert: trustme.LeafCert) -> TlsFront:
    port = int(sandbox.endpoint_url.rsplit(":", 1)[1])
    return TlsFront(port, cert)


@pytest.fixture(scope="module")
def https(sandbox: Sandbox, ca: trustme.CA) -> Iterator[TlsFront]:
    f = front(sandbox, ca.issue_cert("127.0.0.1", "localhost"))
    yield f
    f.close()


@pytest.fixture(autouse=True)
def no_machine_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The machine's own AWS_CA_BUNDLE and profiles stay out of these tests."""
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


def test_a_bundle_argument_is_trusted_and_handed_to_boto3(sandbox: Sandbox, https: TlsFront, ca_file: Path) -> None:
    client = rk.Client(endpoint_url=https.url, credentials=sandbox.credentials, ca_bundle=ca_file)
    assert client.ca_bundle == ca_file
    me = client.whoami()
    assert me.arn.endswith(":user/admin")
    client.ensure_role("tls-role", rk.Policy.trust(aws=me.arn))
    assert client.get_role("tls-role").name == "tls-role"  # the role read: rolekit's own requests
    creds = client.assume_role("tls-role", wait=10)
    assert creds.ca_bundle == ca_file
    # boto3, through the session rolekit hands out, trusts the same CA...
    sts = creds.boto3_session(region="us-east-1").client("sts", endpoint_url=https.url)
    assert ":assumed-role/tls-role/" in sts.get_caller_identity()["Arn"]
    # ... and a plain boto3 client refuses the server, as rolekit does without the bundle.
    plain = boto3.Session(**{k.lower(): v for k, v in creds.to_env().items()}, region_name="us-east-1")
    with pytest.raises(SSLError):
        plain.client("sts", endpoint_url=https.url).get_caller_identity()


def test_an_unknown_issuer_is_a_tls_error_at_once(sandbox: Sandbox, https: TlsFront) -> None:
    before = https.handshakes
    client = rk.Client(endpoint_url=https.url, credentials=sandbox.credentials, retries=5)
    assert client.ca_bundle is None
    for call in (client.whoami, lambda: client.get_role("tls-role")):  # the SDK's path and rolekit's own
        with pytest.raises(rk.TlsError) as info:
            call()
        e = info.value
        assert not e.retry_safe and isinstance(e, rk.RolekitError)
        assert "issuer is unknown" in e.problem and "the system's trusted certificates" in e.problem
        assert "AWS_CA_BUNDLE" in str(e) and "ca_bundle" in str(e), str(e)
        assert "127.0.0.1" in str(e) and sandbox.credentials.secret_access_key not in str(e)
    assert https.handshakes - before == 2, "a refused certificate is not retried"


def test_aws_ca_bundle_then_the_profile_then_the_argument(
    sandbox: Sandbox, https: TlsFront, ca_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_CA_BUNDLE", str(ca_file))
    from_env = rk.Client(endpoint_url=https.url, credentials=sandbox.credentials)
    assert from_env.ca_bundle == ca_file and from_env.whoami().account == "123456789012"
    monkeypatch.delenv("AWS_CA_BUNDLE")

    (tmp_path / "config").write_text(f"[profile tls]\nregion = us-east-1\nca_bundle = {ca_file}\n")
    from_profile = rk.Client(profile="tls", endpoint_url=https.url, credentials=sandbox.credentials)
    assert from_profile.ca_bundle == ca_file and from_profile.whoami().account == "123456789012"

    # The argument comes first: a wrong AWS_CA_BUNDLE does not matter when it is given.
    empty = tmp_path / "empty.pem"
    empty.write_text("no certificate here\n")
    monkeypatch.setenv("AWS_CA_BUNDLE", str(empty))
    assert rk.Client(endpoint_url=https.url, credentials=sandbox.credentials, ca_bundle=ca_file).whoami()
    with pytest.raises(rk.TlsError, match="holds no usable PEM certificate") as info:
        rk.Client(endpoint_url=https.url, credentials=sandbox.credentials).whoami()
    assert "AWS_CA_BUNDLE" in info.value.problem and str(empty) in info.value.problem


@pytest.mark.parametrize(
    ("kind", "problem"),
    [("expired", "it has expired"), ("another name", "it is not for the name 127.0.0.1")],
)
def test_refused_certificates_say_why(sandbox: Sandbox, ca: trustme.CA, ca_file: Path, kind: str, problem: str) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        ca.issue_cert(
            "127.0.0.1", not_before=now - datetime.timedelta(days=30), not_after=now - datetime.timedelta(days=1)
        )
        if kind == "expired"
        else ca.issue_cert("iam.example.test")
    )
    f = front(sandbox, cert)
    try:
        client = rk.Client(endpoint_url=f.url, credentials=sandbox.credentials, ca_bundle=ca_file)
        with pytest.raises(rk.TlsError) as info:
            client.whoami()
        assert problem in info.value.problem, info.value.problem
        # boto3 refuses the same server.
        with pytest.raises(SSLError):
            sandbox.boto3_client("sts", endpoint_url=f.url, verify=str(ca_file)).get_caller_identity()
    finally:
        f.close()


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_an_ipv6_endpoint_as_boto3_reaches_it(sandbox: Sandbox, ca: trustme.CA, ca_file: Path, tls: bool) -> None:
    """An endpoint at an IPv6 literal (``[::1]``): the URL's brackets, the signed Host header and,
    over TLS, a certificate for the IP address all have to be right, for the SDK's clients and for
    rolekit's own requests, as boto3 gets them right."""
    port = int(sandbox.endpoint_url.rsplit(":", 1)[1])
    role = f"v6-{'https' if tls else 'http'}"
    v6 = TlsFront(port, ca.issue_cert("::1") if tls else None, host="::1")
    try:
        assert v6.url.startswith("https://[::1]:" if tls else "http://[::1]:")
        client = rk.Client(endpoint_url=v6.url, credentials=sandbox.credentials, ca_bundle=ca_file if tls else None)
        me = client.whoami()  # STS through the SDK client
        assert me.arn.endswith(":user/admin")
        client.ensure_role(role, rk.Policy.trust(aws=me.arn))
        assert client.get_role(role).name == role  # rolekit's own signed request
        creds = client.assume_role(role, wait=10)
        session = creds.boto3_session(region="us-east-1")
        assert f":assumed-role/{role}/" in session.client("sts", endpoint_url=v6.url).get_caller_identity()["Arn"]
        assert v6.handshakes >= 2, "the requests went through the IPv6 listener"
    finally:
        v6.close()
