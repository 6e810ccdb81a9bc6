"""Proxies as botocore applies them, through a real proxy process (proxy.py from PyPI) started here:
HTTP_PROXY (absolute-form requests) and HTTPS_PROXY (CONNECT tunnels) with basic auth from the
URL, NO_PROXY bypasses, and a proxy that refuses or cannot be reached named in the error (host and
port, never the password), never a silent direct connection. boto3 runs side by side on the same
settings.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rolekit as rk
import trustme
from rolekit.sandbox import Sandbox
from tlsfront import TlsFront

USER, PASSWORD = "ana", "s3cret-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ProxyProcess:
    """proxy.py on a free port with basic auth; its access log tells which requests it carried."""

    def __init__(self, log: Path, cert: Path | None = None, key: Path | None = None) -> None:
        self.port = free_port()
        self.log = log
        self.out = log.open("w")
        self.scheme = "https" if cert else "http"
        tls = ("--cert-file", str(cert), "--key-file", str(key)) if cert else ()
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", str(self.port)),
                *("--num-acceptors", "1", "--num-workers", "1", "--threaded", "--basic-auth", f"{USER}:{PASSWORD}"),
                *tls,
            ],
            stdout=self.out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"proxy.py did not start: {log.read_text()}")

    def url(self, password: str = PASSWORD) -> str:
        return f"{self.scheme}://{USER}:{password}@127.0.0.1:{self.port}"

    def carried(self) -> str:
        """The access log so far (one line per request or tunnel)."""
        return "\n".join(line for line in self.log.read_text().splitlines() if "access_log" in line)

    def settled(self, what: str, quiet: float = 1.5, wait: float = 15.0) -> int:
        """How many access-log lines hold ``what`` once no new one has come for ``quiet`` s (a
        client may open more than one connection, each logged when it closes)."""
        deadline = time.monotonic() + wait
        last, since = self.carried().count(what), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            n = self.carried().count(what)
            if n != last:
                last, since = n, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return last

    def count(self, what: str, at_least: int = 0, wait: float = 10.0) -> int:
        """How many access-log lines hold ``what``, waiting up to ``wait`` s for ``at_least`` (proxy.py
        writes its access log a moment after the exchange)."""
        deadline = time.monotonic() + wait
        while True:
            n = self.carried().count(what)
            if n >= at_least or time.monotonic() > deadline:
                return n
            time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.out.close()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyProcess]:
    p = ProxyProcess(tmp_path_factory.mktemp("proxy") / "proxy.log")
    yield p
    p.stop()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))


def in_a_process(code: str, sandbox: Sandbox, **env: str) -> str:
    """Run ``code`` in a fresh interpreter (its connections close when it ends, and proxy.py writes
    its access log then) with the sandbox's variables and ``env``; its output."""
    import os

    full = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and "proxy" not in k.lower()}
    full.update(sandbox.env(), AWS_CONFIG_FILE=os.devnull, **env)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


ROLEKIT_CALLS = """
import rolekit as rk
c = rk.Client()
me = c.whoami()                                   # the SDK's request path
c.ensure_role("proxied-role", rk.Policy.trust(aws=me.arn))
print(c.get_role("proxied-role").name)            # rolekit's own requests
"""
BOTO3_CALL = "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])"


def test_http_requests_go_through_the_proxy_as_with_boto3(sandbox: Sandbox, proxy: ProxyProcess) -> None:
    post = f"POST 127.0.0.1:{sandbox.endpoint_url.rsplit(':', 1)[1]}/"
    before = proxy.settled(post)
    assert in_a_process(ROLEKIT_CALLS, sandbox, HTTP_PROXY=proxy.url()).strip() == "proxied-role"
    # proxy.py logs a line per connection (kept open across requests), when it closes.
    proxy.count(post, at_least=before + 1)
    carried = proxy.settled(post)
    assert carried > before, proxy.carried()[-2000:]
    # boto3 on the same setting goes the same way.
    assert in_a_process(BOTO3_CALL, sandbox, HTTP_PROXY=proxy.url()).strip() == "123456789012"
    proxy.count(post, at_least=carried + 1)
    through = proxy.settled(post)
    assert through > carried, proxy.carried()[-2000:]
    # NO_PROXY (host, or a CIDR range): straight to the endpoint, for both.
    for bypass in ("localhost,127.0.0.1", "10.0.0.0/8, 127.0.0.0/8"):
        in_a_process(ROLEKIT_CALLS, sandbox, HTTP_PROXY=proxy.url(), no_proxy=bypass)
    in_a_process(BOTO3_CALL, sandbox, HTTP_PROXY=proxy.url(), NO_PROXY="127.0.0.1")
    assert proxy.settled(post) == through, "NO_PROXY requests must not reach the proxy"


def test_https_goes_through_a_connect_tunnel(
    sandbox: Sandbox, proxy: ProxyProcess, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    front = TlsFront(int(sandbox.endpoint_url.rsplit(":", 1)[1]), ca.issue_cert("127.0.0.1"))
    try:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url())
        client = rk.Client(endpoint_url=front.url, credentials=sandbox.credentials, ca_bundle=ca_file)
        assert client.whoami().account == "123456789012"
        creds = client.assume_role("proxied-role", wait=10)
        sts = creds.boto3_session(region="us-east-1").client("sts", endpoint_url=front.url)
        assert ":assumed-role/proxied-role/" in sts.get_caller_identity()["Arn"]
        tunnels = proxy.count(f"CONNECT 127.0.0.1:{front.url.rsplit(':', 1)[1]}", at_least=2)
        assert tunnels >= 2, proxy.carried()[-2000:]  # rolekit's and boto3's
    finally:
        front.close()


def test_a_refusing_proxy_is_named_without_its_password(
    sandbox: Sandbox, proxy: ProxyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "wrong-password-xyz"
    for variable, endpoint in (("HTTPS_PROXY", "https://127.0.0.1:1"), ("HTTP_PROXY", sandbox.endpoint_url)):
        monkeypatch.setenv(variable, proxy.url(password=wrong))
        client = rk.Client(endpoint_url=endpoint, credentials=sandbox.credentials, retries=3)
        for call in (client.whoami, lambda c=client: c.get_role("proxied-role")):
            with pytest.raises(rk.ProxyError) as info:
                call()
            text = str(info.value)
            assert f"http://127.0.0.1:{proxy.port}" in text and variable in text and "407" in text, text
            assert wrong not in text and USER not in info.value.problem.replace("user and password", "")
            assert not info.value.retry_safe
        monkeypatch.delenv(variable)


def test_an_unreachable_proxy_is_an_error_not_a_direct_connection(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = free_port()
    monkeypatch.setenv("http_proxy", f"http://{USER}:{PASSWORD}@127.0.0.1:{dead}")
    client = rk.Client(endpoint_url=sandbox.endpoint_url, credentials=sandbox.credentials, retries=0)
    with pytest.raises(rk.ProxyError) as info:
        client.whoami()
    text = str(info.value)
    assert f"could not reach the proxy http://127.0.0.1:{dead} (from http_proxy)" in text, text
    assert PASSWORD not in text and info.value.retry_safe
    monkeypatch.setenv("http_proxy", "socks5://127.0.0.1:1080")
    with pytest.raises(rk.RolekitError, match="socks5"):
        rk.Client(endpoint_url=sandbox.endpoint_url, credentials=sandbox.credentials)


def test_an_https_proxy_is_reached_over_tls(sandbox: Sandbox, tmp_path: Path) -> None:
    """``HTTPS_PROXY=https://...`` (a proxy that itself speaks TLS, as botocore supports): rolekit
    talks TLS to the proxy, trusting the same CAs as for endpoints (AWS_CA_BUNDLE here), then
    tunnels through it to an https endpoint, or sends plain-HTTP requests inside it."""
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    leaf = ca.issue_cert("127.0.0.1")
    cert, key = tmp_path / "proxy.pem", tmp_path / "proxy.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    tls_proxy = ProxyProcess(tmp_path / "tls-proxy.log", cert, key)
    front = TlsFront(int(sandbox.endpoint_url.rsplit(":", 1)[1]), ca.issue_cert("127.0.0.1"))
    try:
        assert tls_proxy.url().startswith("https://")
        code = ROLEKIT_CALLS.replace("rk.Client()", f"rk.Client(endpoint_url={front.url!r})")
        out = in_a_process(code, sandbox, HTTPS_PROXY=tls_proxy.url(), AWS_CA_BUNDLE=str(bundle))
        assert out.strip() == "proxied-role"
        assert tls_proxy.count(f"CONNECT 127.0.0.1:{front.url.rsplit(':', 1)[1]}", at_least=1) >= 1
        # plain http inside the TLS connection to the proxy
        out = in_a_process(ROLEKIT_CALLS, sandbox, HTTP_PROXY=tls_proxy.url(), AWS_CA_BUNDLE=str(bundle))
        assert out.strip() == "proxied-role"
        assert tls_proxy.count(f"POST 127.0.0.1:{sandbox.endpoint_url.rsplit(':', 1)[1]}/", at_least=1) >= 1
        # a proxy whose certificate is not trusted is a TlsError, not a silent direct connection
        failing = "import rolekit as rk\ntry:\n    rk.Client().whoami()\nexcept rk.TlsError as e:\n    print('tls', e)"
        out = in_a_process(failing, sandbox, HTTP_PROXY=tls_proxy.url())
        assert out.startswith("tls ") and PASSWORD not in out, out
    finally:
        front.close()
        tls_proxy.stop()
