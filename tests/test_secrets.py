"""A walk over every public object that can hold credentials: no secret access key or session
token in a repr, a str, HTML, an exception (message or .response), a DEBUG log record or CLI output.
"""

from __future__ import annotations

import logging
import os
import pickle
import secrets
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import rolekit as rk
from rolekit import _secrets
from rolekit.sandbox import Sandbox
from runcli import rolekit_cli


def shown(obj: Any) -> str:
    """Everything a user or a notebook can see of an object."""
    parts = [repr(obj), str(obj)]
    html = getattr(obj, "_repr_html_", None)
    if callable(html):
        parts.append(html())
    if isinstance(obj, BaseException):
        parts += [str(a) for a in obj.args]
        for attr in ("response", "message", "cause", "findings"):
            if hasattr(obj, attr):
                parts.append(repr(getattr(obj, attr)))
    return "\n".join(parts)


def test_nothing_shows_a_secret(sandbox: Sandbox, client: rk.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    me = client.whoami()
    client.ensure_role("secret-walk", rk.Policy.trust(aws=me.arn))
    creds = client.assume_role("secret-walk", wait=10)
    admin = sandbox.credentials
    secrets = [creds.secret_access_key, creds.session_token, admin.secret_access_key]
    assert all(s and len(s) >= 16 for s in secrets)
    # Handed out by rolekit's native module, masked by value from then on.
    key = creds.secret_access_key
    assert _secrets.mask(f"key={key}!") == f"key=****{key[-4:]}!"
    assert "****" + key[-4:] in _secrets.known()

    objects: list[Any] = [creds, admin, client, creds.client(), me, sandbox, creds.client().whoami()]
    # Errors made with these credentials: a wrong secret, a dead endpoint, an AWS refusal.
    wrong = rk.Client(
        endpoint_url=sandbox.endpoint_url, credentials=rk.Credentials(admin.access_key_id, creds.secret_access_key)
    )
    with pytest.raises(rk.RolekitError) as bad_secret:
        wrong.whoami()
    dead = rk.Client(endpoint_url="http://127.0.0.1:9", credentials=creds, timeout=2, retries=0)
    with pytest.raises(rk.EndpointError) as unreachable:
        dead.whoami()
    with pytest.raises(rk.AccessDenied) as refused:
        creds.client().get_role("secret-walk")
    objects += [bad_secret.value, unreachable.value, refused.value]
    # boto3 through rolekit's session, with botocore logging at DEBUG.
    s3 = creds.boto3_session(region="us-east-1").client("s3", endpoint_url=sandbox.endpoint_url)
    with pytest.raises(Exception, match="AccessDenied"):
        s3.list_buckets()

    for obj in objects:
        text = shown(obj)
        for s in secrets:
            assert s not in text, f"{type(obj).__name__} shows a secret"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "botocore" in " ".join(r.name for r in caplog.records), "botocore did log at DEBUG"
    for s in secrets:
        assert s not in logged, "a DEBUG log record holds a secret"
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(creds)


def test_the_cli_shows_none_of_its_own_secrets(sandbox: Sandbox, client: rk.Client, tmp_path: Any) -> None:
    """`rolekit exec` assumes the role in the CLI's own process and hands the new credentials to its
    command, which writes them where this test reads them: those exact values, and the sandbox's
    long-term key, must appear nowhere in what rolekit itself printed (with --debug logging on).
    `rolekit assume` (text) gets credentials of its own: nothing of a secret's shape is printed."""
    client.ensure_role("secret-walk-cli", rk.Policy.trust(aws=client.whoami().arn))
    client.assume_role("secret-walk-cli", wait=10)  # converged before the CLI tries
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | sandbox.env()
    dump = tmp_path / "handed.txt"
    write = (
        "import os, sys; open(sys.argv[1], 'w').write("
        "os.environ['AWS_SECRET_ACCESS_KEY'] + '\\n' + os.environ['AWS_SESSION_TOKEN'])"
    )
    out = rolekit_cli(
        "exec", "--debug", "secret-walk-cli", "--", sys.executable, "-c", write, str(dump), env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    handed = dump.read_text().split("\n")
    assert len(handed) == 2 and all(len(h) >= 16 for h in handed), "the command got the CLI's own secrets"
    assert handed[0] != sandbox.env()["AWS_SECRET_ACCESS_KEY"]
    for s in [*handed, sandbox.env()["AWS_SECRET_ACCESS_KEY"]]:
        assert s not in out.stdout + out.stderr, "rolekit exec printed a secret it obtained"

    out = rolekit_cli("assume", "secret-walk-cli", env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "assumed arn:aws:sts::" in out.stdout
    assert sandbox.env()["AWS_SECRET_ACCESS_KEY"] not in out.stdout + out.stderr
    # The secret key (40 characters of base64) and a session token never appear, whatever their value.
    import re

    assert not re.search(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])", out.stdout + out.stderr), (
        out.stdout
    )
    assert "SessionToken" not in out.stdout and "AWS_SESSION_TOKEN=" not in out.stdout


def test_mask_keeps_everything_else() -> None:
    _secrets.register("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    text = "key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here"
    assert _secrets.mask(text) == "key ****EKEY here"
    token = "IQoJb3JpZ2luX2VjEXAMPLE" + "A" * 80
    assert _secrets.mask(f"[{token}]") == "[****AAAA]"
    assert _secrets.mask("<SecretAccessKey>abcdEFGH1234ijklMNOP</SecretAccessKey>") == (
        "<SecretAccessKey>****MNOP</SecretAccessKey>"
    )
    assert _secrets.mask("AWS_SESSION_TOKEN=abcdEFGH1234ijklMNOPqrst") == "AWS_SESSION_TOKEN=****qrst"
    plain = "arn:aws:iam::123456789012:role/ds allowed s3:GetObject"
    assert _secrets.mask(plain) is plain
    assert "****EKEY" in _secrets.known()


def test_known_secrets_stay_known_while_they_are_valid() -> None:
    """A notebook assuming roles in a loop registers a secret key per call: none is forgotten
    while it is valid (the oldest of a thousand included), and pinned long-term keys stay."""
    pinned = "PinnedLongTermSecretKey0123456789abcdefgh"
    _secrets.register(pinned)  # first seen unpinned (botocore's hook), then pinned (kernel start)
    _secrets.register(pinned, pin=True)
    rolling = [secrets.token_urlsafe(30) for _ in range(1000)]  # random: no two share 12 characters
    for value in rolling:
        _secrets.register(value, expires=time.time() + 3600)
    known = _secrets.known()
    assert "****" + pinned[-4:] in known
    assert _secrets.mask(f"x {pinned} y") == f"x ****{pinned[-4:]} y"
    assert _secrets.mask(f"x {rolling[-1]} y") == f"x ****{rolling[-1][-4:]} y"
    assert _secrets.mask(f"x {rolling[0]} y") == f"x ****{rolling[0][-4:]} y", "the oldest is still known"
    # A session token of STS's shape is masked by its shape, known or not.
    token = "FQoGZXIvYXdz" + "B" * 300
    assert _secrets.mask(token) == "****BBBB"


class _Echo(BaseHTTPRequestHandler):
    """An endpoint that echoes the whole request (headers and body) into its error answer, as
    some proxies and misconfigured gateways do: as an AWS error document, or as a plain page."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("latin-1")
        # the token header first, so that even a page quoted in part shows it
        headers = sorted(self.headers.items(), key=lambda kv: "security-token" not in kv[0].lower())
        echoed = "\n".join(f"{k}: {v}" for k, v in headers) + f"\n{self.requestline}\n{body}"
        if "page" in self.path:
            data, kind = f"<html><body><pre>{echoed}</pre></body></html>".encode(), "text/html"
        else:
            escaped = echoed.replace("&", "&amp;").replace("<", "&lt;")
            data = (
                f"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidRequest</Code><Message>{escaped}"
                "</Message></Error><RequestId>echo-1</RequestId></ErrorResponse>"
            ).encode()
            kind = "text/xml"
        self.send_response(400)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _runs(text: str, secret: str, run: int = 12) -> list[str]:
    return [secret[i : i + run] for i in range(len(secret) - run + 1) if secret[i : i + run] in text]


@pytest.mark.parametrize("path", ["/", "/page"], ids=["aws-error", "html-page"])
def test_an_endpoint_echoing_the_request_shows_no_secret(path: str, tmp_path: Any) -> None:
    """The signed request carries the session token (and the signature, never the secret key):
    an endpoint that echoes it back must not put it into rolekit's error, its .response or the
    CLI's stderr."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    key, token = secrets.token_urlsafe(30), "IQoJb3JpZ2luX2Vj" + secrets.token_urlsafe(300)
    try:
        client = rk.Client(endpoint_url=url, credentials=rk.Credentials("ASIAECHOEXAMPLE00001", key, token), retries=0)
        with pytest.raises(rk.RolekitError) as caught:
            client.whoami()
        seen = shown(caught.value)
        assert "X-Amz-Security-Token" in seen or "x-amz-security-token" in seen.lower(), "the echo reached the error"
        assert not _runs(seen, token) and not _runs(seen, key), seen
        env = dict(
            os.environ,
            AWS_ACCESS_KEY_ID="ASIAECHOEXAMPLE00002",
            AWS_SECRET_ACCESS_KEY=secrets.token_urlsafe(30),
            AWS_SESSION_TOKEN="IQoJb3JpZ2luX2Vj" + secrets.token_urlsafe(300),
            AWS_ENDPOINT_URL=url,
        )
        out = rolekit_cli("whoami", env=env, timeout=60)
        assert out.returncode != 0
        assert "security-token" in out.stderr.lower(), out.stderr
        assert not _runs(out.stdout + out.stderr, env["AWS_SESSION_TOKEN"]), out.stderr
    finally:
        server.shutdown()


def test_the_environment_handed_out_shows_no_secret(
    client: rk.Client, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """to_env() is the one place the secret leaves as plain values: printed, logged, pretty-printed
    or left as a cell's value it shows none; handed to a process it is the real thing."""
    from IPython.lib.pretty import pretty

    me = client.whoami()
    client.ensure_role("secret-env", rk.Policy.trust(aws=me.arn))
    creds = client.assume_role("secret-env", wait=10)
    env = creds.to_env()
    assert isinstance(env, dict) and set(env) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    assert env["AWS_SECRET_ACCESS_KEY"] == creds.secret_access_key and env["AWS_SESSION_TOKEN"] == creds.session_token
    caplog.set_level(logging.INFO)
    logging.getLogger("user-code").info("env: %s / %r", env, env)
    seen = [repr(env), str(env), f"{env}", pretty(env), caplog.text]
    for text in seen:
        assert creds.secret_access_key not in text and str(creds.session_token) not in text, text
        assert "AWS_SECRET_ACCESS_KEY" in text and "****" in text
    assert f"'****{creds.access_key_id[-4:]}'" in repr(env)
    # A child process gets the values themselves.
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ['AWS_SECRET_ACCESS_KEY'] == os.environ['EXPECTED'])"],
        env={**os.environ, **env, "EXPECTED": creds.secret_access_key},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.stdout.strip() == "True", child.stderr
