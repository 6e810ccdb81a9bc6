"""The foundation: the package imports, a client talks to the sandbox, errors are typed, secrets stay hidden."""

from __future__ import annotations

import asyncio
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rolekit as rk
from rolekit.sandbox import ADMIN_USER, Sandbox
from runcli import rolekit_cli


def test_whoami_sync(client: rk.Client, sandbox: Sandbox) -> None:
    me = client.whoami()
    assert me.kind == "user"
    assert me.arn.endswith(f":user/{ADMIN_USER}")
    assert me.account.isdigit() and len(me.account) == 12
    assert me.name == ADMIN_USER
    assert me.role_arn is None
    assert ADMIN_USER in repr(me) and "<table" in me._repr_html_()
    assert client.endpoint == sandbox.endpoint_url


def test_whoami_async(sandbox: Sandbox) -> None:
    aclient = rk.AsyncClient(endpoint_url=sandbox.endpoint_url, credentials=sandbox.credentials)

    async def both() -> list[rk.Identity]:
        return list(await asyncio.gather(aclient.whoami(), aclient.whoami()))

    first, second = asyncio.run(both())
    assert first == second
    assert first.arn.endswith(f":user/{ADMIN_USER}")


def test_async_client_outside_a_loop_says_what_to_do(sandbox: Sandbox) -> None:
    aclient = rk.AsyncClient(endpoint_url=sandbox.endpoint_url, credentials=sandbox.credentials)
    with pytest.raises(RuntimeError, match="running event loop"):
        aclient.whoami()


def test_environment_variables_configure_the_client(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, isolated_aws_env: Path
) -> None:
    for k, v in sandbox.env().items():
        monkeypatch.setenv(k, v)
    me = rk.Client().whoami()  # AWS_ENDPOINT_URL + AWS_ACCESS_KEY_ID/SECRET, as the AWS CLI reads them
    assert me.arn.endswith(f":user/{ADMIN_USER}")


def test_profile_from_shared_files(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, isolated_aws_env: Path) -> None:
    creds = sandbox.credentials
    (isolated_aws_env / "credentials").write_text(
        f"[teach]\naws_access_key_id = {creds.access_key_id}\naws_secret_access_key = {creds.secret_access_key}\n"
    )
    (isolated_aws_env / "config").write_text(
        f"[profile teach]\nregion = eu-west-1\nendpoint_url = {sandbox.endpoint_url}\n"
    )
    me = rk.Client(profile="teach").whoami()
    assert me.name == ADMIN_USER
    monkeypatch.setenv("AWS_PROFILE", "teach")
    assert rk.Client().whoami() == me
    # A profile that is not there is an error naming it, as in the AWS CLI, never other credentials.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_access_key)
    with pytest.raises(rk.RolekitError, match=r"the config profile \(nope\) could not be found"):
        rk.Client(profile="nope", endpoint_url=sandbox.endpoint_url)
    env = {k: v for k, v in os.environ.items()} | {"AWS_ENDPOINT_URL": sandbox.endpoint_url}
    out = rolekit_cli("whoami", "--profile", "nope", env=env, timeout=60)
    assert out.returncode == 3 and "config profile (nope) could not be found" in out.stderr, out.stderr


def test_a_shared_file_that_does_not_parse_is_named_with_its_line(sandbox: Sandbox, isolated_aws_env: Path) -> None:
    """A hand-edited credentials file with a broken line: the error says which file and line, and
    never the secret written on it."""
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    (isolated_aws_env / "credentials").write_text(
        f"[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key {secret}\n"
    )
    with pytest.raises(rk.InvalidCredentials) as info:
        rk.Client(endpoint_url=sandbox.endpoint_url, retries=0).whoami()
    text = str(info.value)
    where = f"{isolated_aws_env / 'credentials'} on line 3: Expected an '=' sign defining a property"
    assert where in text and secret not in text, text


def test_dead_endpoint_is_an_endpoint_error_within_seconds() -> None:
    start = time.monotonic()
    with pytest.raises(rk.EndpointError) as info:
        rk.Client(
            endpoint_url="http://127.0.0.1:9", credentials={"access_key_id": "AKID", "secret_access_key": "s"}
        ).whoami()
    elapsed = time.monotonic() - start
    assert elapsed < 10, elapsed
    err = info.value
    assert err.endpoint == "http://127.0.0.1:9"
    assert err.operation == "GetCallerIdentity"
    assert "refused" in err.cause.lower()
    assert isinstance(err, rk.RolekitError)


def test_wrong_keys_on_enforcing_sandbox(sandbox: Sandbox) -> None:
    bad = rk.Client(
        endpoint_url=sandbox.endpoint_url,
        credentials={"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "wrong-secret-value"},
    )
    with pytest.raises(rk.InvalidCredentials) as info:
        bad.whoami()
    err = info.value
    assert err.code == "InvalidClientTokenId"
    assert err.operation == "GetCallerIdentity"
    assert err.status == 403
    assert err.response["Error"]["Code"] == "InvalidClientTokenId"
    assert err.request_id
    assert "wrong-secret-value" not in str(err) and "wrong-secret-value" not in repr(err)


def test_no_credentials_is_typed(sandbox: Sandbox, isolated_aws_env: Path) -> None:
    with pytest.raises(rk.InvalidCredentials) as info:
        rk.Client(endpoint_url=sandbox.endpoint_url).whoami()
    assert info.value.code == "NoCredentials"
    assert "credentials" in str(info.value)


def test_secrets_never_in_reprs(sandbox: Sandbox) -> None:
    creds = sandbox.credentials
    secret = creds.secret_access_key
    token_creds = rk.Credentials("AKIAIOSFODNN7EXAMPLE", "s3cr3t-value-xyz", "tok-FwoGZXIvYXdzEXAMPLE")
    for obj in (creds, token_creds, sandbox, sandbox.client(), rk.AsyncClient(endpoint_url=sandbox.endpoint_url)):
        for text in (repr(obj), str(obj), getattr(obj, "_repr_html_", lambda: "")()):
            assert secret not in text
            assert "s3cr3t-value-xyz" not in text
            assert "tok-FwoGZXIvYXdz" not in text
            assert "AKIAIOSFODNN7" not in text
    assert "****MPLE" in repr(token_creds)
    with pytest.raises(TypeError):
        pickle.dumps(token_creds)


def test_credentials_mapping_and_validation() -> None:
    c = rk.Credentials("AKIDEXAMPLE", "secret")
    assert c.to_env() == {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
    with pytest.raises(ValueError, match="must not be empty"):
        rk.Credentials("", "x")
    with pytest.raises(ValueError, match="access_key_id"):
        rk.Client(credentials={"secret_access_key": "x"})
    with pytest.raises(TypeError, match="credentials must be"):
        rk.Client(credentials=42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        rk.Client(timeout=-1)
    with pytest.raises(ValueError, match="retry_mode"):
        rk.Client(retry_mode="sometimes")


def test_errors_hierarchy() -> None:
    assert issubclass(rk.PolicyError, ValueError)
    for cls in (rk.AccessDenied, rk.NoSuchEntity, rk.EntityAlreadyExists, rk.MalformedPolicy, rk.LimitExceeded):
        assert issubclass(cls, rk.AwsError) and issubclass(cls, rk.RolekitError)
    for cls in (rk.Throttled, rk.InvalidCredentials, rk.ExpiredToken):
        assert issubclass(cls, rk.AwsError)


def test_sandbox_leaves_no_process_behind() -> None:
    sb = Sandbox(enforce_iam=False).start()
    proc = sb._proc
    assert proc is not None and sb.running
    sb.stop()
    assert proc.poll() is not None
    assert not sb.running
    with pytest.raises(rk.RolekitError, match="not running"):
        sb.env()


def test_sandbox_dies_with_its_parent(tmp_path: Path) -> None:
    script = (
        "import os, sys\n"
        "from rolekit.sandbox import Sandbox\n"
        "sb = Sandbox(enforce_iam=False).start()\n"
        "print(sb._proc.pid, flush=True)\n"
        "os._exit(0)\n"  # no clean-up: the child must notice on its own
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    pid = int(out.stdout.strip())
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower():
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"sandbox server {pid} outlived its parent")


def test_rolekit_sandbox_command_prints_exports() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "rolekit", "sandbox", "--format", "json"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.strip() == "}":
                break
        import json

        env = json.loads("".join(lines))
        assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        me = rk.Client(
            endpoint_url=env["AWS_ENDPOINT_URL"],
            credentials={"access_key_id": env["AWS_ACCESS_KEY_ID"], "secret_access_key": env["AWS_SECRET_ACCESS_KEY"]},
        ).whoami()
        assert me.name == ADMIN_USER
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        if proc.stdout is not None:
            proc.stdout.close()


def test_demo_runs(tmp_path: Path) -> None:
    out = rolekit_cli("demo", timeout=300)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert f"user arn:aws:iam::123456789012:user/{ADMIN_USER}" in text
    assert "INVALID_ACTION" in text and "s3:ListAllMyBuckets" in text
    assert "RESOURCE_MATCHES_NO_TYPE" in text
    assert "implicit_deny  s3:ListBucket" in text
    assert "create role basic-role" in text and "run again: no change" in text
    assert "ListObjects: AccessDenied, as simulate() predicted" in text
    assert "deleted role basic-role" in text
    assert "deleted policy arn:aws:iam::123456789012:policy/basic_s3" in text
    assert "nothing is left behind (checked: no role, no customer policy)" in text
    assert "SecretAccessKey" not in text and "aws_secret_access_key" not in text


def test_demo_steps_leave_the_account_as_they_found_it(capsys: pytest.CaptureFixture[str]) -> None:
    """The demo's steps on a sandbox the test owns: the role and the policy are gone afterwards, read
    back with boto3, and the demo's own check (left_behind) sees what the test sees."""
    from rolekit import demo

    with Sandbox() as sb:
        iam = sb.boto3_client("iam")
        assert demo.left_behind(sb) == []
        demo._steps(sb.client(), sb)
        roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
        policies = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
        assert (roles, policies) == ([], [])
        assert demo.left_behind(sb) == []
        iam.create_role(RoleName="stray", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')
        assert demo.left_behind(sb) == ["role stray"], "the check must see what is left"
    out = capsys.readouterr().out
    assert "create role basic-role" in out and "deleted role basic-role" in out


def test_hung_server_is_an_endpoint_error(tmp_path: Path) -> None:
    """A server that accepts connections and never answers: the read timeout ends the call."""
    import socket
    import time

    import rolekit as rk

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    port = server.getsockname()[1]
    try:
        client = rk.Client(
            endpoint_url=f"http://127.0.0.1:{port}",
            credentials=rk.Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            timeout=1,
            retries=1,
        )
        start = time.monotonic()
        with pytest.raises(rk.EndpointError) as info:
            client.whoami()
        assert time.monotonic() - start < 15
        assert info.value.retry_safe and "GetCallerIdentity" in str(info.value)
    finally:
        server.close()
