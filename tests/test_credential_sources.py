"""Credentials from where SageMaker puts them, kept working as the network settings grew: the
container credentials endpoint (Studio, ECS) and instance metadata with IMDSv2 (notebook
instances), each served here by a small local server, with a proxy configured that must not be
used for them (botocore never proxies these endpoints).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import rolekit as rk
from rolekit.sandbox import Sandbox

WHOAMI = "import rolekit as rk; print(rk.Client().whoami().arn)"


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def temporary(client: rk.Client) -> dict[str, str]:
    """Temporary credentials of a role, as a credential endpoint hands them out."""
    client.ensure_role("served-role", rk.Policy.trust(aws=client.whoami().arn))
    creds = client.assume_role("served-role", wait=10)
    assert creds.expiration is not None
    return {
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "Token": creds.session_token or "",
        "Expiration": creds.expiration.isoformat().replace("+00:00", "Z"),
    }


@contextlib.contextmanager
def serve(routes: dict[tuple[str, str], tuple[int, str]], seen: list[str]) -> Iterator[str]:
    """A local credential endpoint answering ``routes``; every request noted in ``seen``."""

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            seen.append(f"{self.command} {self.path} token={self.headers.get('x-aws-ec2-metadata-token')}")
            status, body = routes.get((self.command, self.path.split("?")[0]), (404, "not found"))
            data = body.encode()
            self.send_response(status)
            if self.path == "/latest/api/token":  # IMDSv2: the token's lifetime comes with it
                self.send_header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run(sandbox: Sandbox, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and "proxy" not in k.lower()}
    base.update(
        AWS_ENDPOINT_URL=sandbox.endpoint_url,
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        # Every request would go to a proxy that is not there, except those NO_PROXY exempts (the
        # sandbox) and the credential endpoints, which are never proxied.
        HTTP_PROXY=f"http://127.0.0.1:{dead_port()}",
        NO_PROXY="127.0.0.1",
        **env,
    )
    return subprocess.run([sys.executable, "-c", WHOAMI], capture_output=True, text=True, env=base, timeout=120)


def test_container_credentials(sandbox: Sandbox, temporary: dict[str, str]) -> None:
    seen: list[str] = []
    routes = {("GET", "/creds"): (200, json.dumps(temporary))}
    with serve(routes, seen) as url:
        out = run(sandbox, AWS_CONTAINER_CREDENTIALS_FULL_URI=f"{url}/creds")
        assert out.returncode == 0, out.stderr
        assert ":assumed-role/served-role/" in out.stdout
        assert any(s.startswith("GET /creds") for s in seen), seen


def test_instance_metadata_v2(sandbox: Sandbox, temporary: dict[str, str]) -> None:
    seen: list[str] = []
    document = json.dumps({"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": temporary["Expiration"], **temporary})
    routes = {
        ("PUT", "/latest/api/token"): (200, "imds-session-token"),
        ("GET", "/latest/meta-data/iam/security-credentials/"): (200, "served-role"),
        ("GET", "/latest/meta-data/iam/security-credentials/served-role"): (200, document),
        ("GET", "/latest/meta-data/iam/security-credentials-extended/"): (200, "served-role"),
        ("GET", "/latest/meta-data/iam/security-credentials-extended/served-role"): (200, document),
    }
    with serve(routes, seen) as url:
        out = run(sandbox, AWS_EC2_METADATA_SERVICE_ENDPOINT=url, AWS_EC2_METADATA_DISABLED="false")
        assert out.returncode == 0, out.stderr
        assert ":assumed-role/served-role/" in out.stdout
        assert seen[0].startswith("PUT /latest/api/token"), seen
        reads = [s for s in seen if s.startswith("GET /latest/meta-data/iam/")]
        assert reads and all(s.endswith("token=imds-session-token") for s in reads), seen
