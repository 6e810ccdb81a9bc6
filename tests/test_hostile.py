"""Hostile input to every entry point that takes data: the answer is a value or a typed error
(a specific subclass of RolekitError) — never a panic, a hang, a crash or an untyped exception.
"""

from __future__ import annotations

import asyncio
import math
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rolekit as rk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rolekit import profiles
from runcli import rolekit_cli

TYPED = rk.RolekitError
KINDS = ["identity", "trust", "resource", "boundary", "scp", "session"]
PANIC = "internal error in rolekit"
#: Letters, digits and the punctuation a profile name may hold (the first 64 fit a role name too).
PROFILE_CHARS = string.ascii_letters + string.digits + "_.@+/:-"


def assert_typed(error: BaseException) -> None:
    """A caught error is one of rolekit's specific classes, never the base class a Rust panic becomes."""
    assert isinstance(error, rk.RolekitError), f"untyped {type(error).__name__}: {error}"
    assert type(error) is not rk.RolekitError, f"a bare RolekitError (a panic?): {error}"
    assert PANIC not in str(error), f"a Rust panic reached Python: {error}"


KEYS = st.sampled_from(
    [
        "Version",
        "Statement",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "Condition",
        "Sid",
    ]
) | st.text(max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["2012-10-17", "Allow", "Deny", "*", "s3:Get*", "arn:aws:s3:::b/*", "${aws:username}", "*?*?*?"])
    | st.text(max_size=40)
)
POLICY_LIKE = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=5), max_leaves=40
)


def check_policy(source: Any) -> None:
    try:
        policy = rk.Policy.from_json(source)
    except rk.PolicyError as e:
        assert isinstance(e, ValueError) and e.findings, "a PolicyError says where"  # noqa: PT017
        assert_typed(e)
        return
    except rk.RolekitError as e:
        assert_typed(e)
        return
    for kind in KINDS:
        report = policy.validate(kind=kind)
        assert all(f.message for f in report)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_from_json_any_text(text: str) -> None:
    check_policy(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_from_json_any_bytes(data: bytes) -> None:
    check_policy(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(POLICY_LIKE)
def test_from_json_any_structure(doc: Any) -> None:
    check_policy(doc)
    check_policy({"Version": "2012-10-17", "Statement": doc})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    action=st.text(max_size=30),
    resource=st.text(max_size=60),
    context=st.dictionaries(st.text(max_size=20), SCALARS | st.lists(SCALARS, max_size=3), max_size=4),
    doc=POLICY_LIKE,
)
def test_simulate_any_request(action: str, resource: str, context: dict[str, Any], doc: Any) -> None:
    policy = {"Version": "2012-10-17", "Statement": [doc] if isinstance(doc, dict) else doc}
    try:
        d = rk.simulate(action, resource, identity=[policy], resource_policy=policy, context=context)
    except rk.RolekitError as e:
        assert_typed(e)
        return
    assert d.decision in ("allow", "explicit_deny", "implicit_deny") and d.explain()


def test_invalid_utf8_is_located() -> None:
    with pytest.raises(rk.PolicyError) as info:
        rk.Policy.from_json(b'{"Version": "2012-10-17",\n "Sid": "\xff"}')
    (finding,) = info.value.findings
    assert (finding.line, finding.column) == (2, 10)


def test_deep_huge_and_odd_inputs() -> None:
    deep_text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(rk.PolicyError, match="nest"):
        rk.Policy.from_json(deep_text)
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(TYPED) as info:
        rk.Policy.from_json({"Version": "2012-10-17", "Statement": deep})
    assert_typed(info.value)
    huge = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "x" * 2_000_000}],
    }
    report = rk.Policy.from_json(huge).validate()
    assert any(f.code == "POLICY_SIZE_EXCEEDED" for f in report)
    many = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": f"S{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b/{i}/*"}
            for i in range(20_000)
        ],
    }
    report = rk.Policy.from_json(many).validate()
    assert [f.code for f in report.errors] == ["POLICY_SIZE_EXCEEDED"], [f.code for f in report.errors]
    for odd in [float("nan"), math.inf, 10**400, object(), {1: 2}, {"Version": {1, 2}}, b"", "", None]:
        with pytest.raises(TYPED) as info:
            rk.Policy.from_json(odd)
        assert_typed(info.value)
    dup = '{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}'
    assert any(
        f.code == "DUPLICATE_KEY" or "duplicate" in f.message.lower() for f in rk.Policy.from_json(dup).validate()
    )


def test_pathological_wildcards_are_fast_enough_to_finish() -> None:
    pattern = "*?" * 2_000 + "x"
    policy = rk.Policy([rk.Statement.allow("s3:GetObject", f"arn:aws:s3:::{pattern}")])
    assert not rk.simulate("s3:GetObject", "arn:aws:s3:::" + "a" * 50_000, identity=[policy]).allowed
    policy.validate()


@pytest.mark.parametrize("path", ["compute", "blocking", "async"])
def test_a_rust_panic_is_an_internal_error(path: str) -> None:
    from rolekit import _rolekit

    async def run() -> Any:
        return await _rolekit._panic_selftest(path)

    def call() -> Any:
        return asyncio.run(run()) if path == "async" else _rolekit._panic_selftest(path)

    with pytest.raises(rk.RolekitError, match=r"internal error in rolekit: deliberate panic.*please report"):
        call()


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200))
def test_cli_lint_any_file(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("lint") / "p.json"
    path.write_bytes(data)
    out = rolekit_cli("lint", str(path), timeout=60)
    assert out.returncode in (0, 1, 3) and "Traceback" not in out.stderr
    assert PANIC not in out.stderr and PANIC not in out.stdout, out.stderr


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    # Any text, and (as often) values a profile may hold, so that writes happen and are read back.
    name=st.text(max_size=20) | st.text(alphabet=PROFILE_CHARS, min_size=1, max_size=20),
    arn=st.text(max_size=40)
    | st.builds("arn:aws:iam::123456789012:role/{}".format, st.text(alphabet=PROFILE_CHARS[:64], min_size=1)),
    source=st.text(max_size=10) | st.text(alphabet=PROFILE_CHARS, min_size=1, max_size=10),
    region=st.none() | st.text(max_size=12) | st.sampled_from(["us-east-1", "eu-central-2", "us-gov-west-1"]),
)
def test_profile_writer_any_values(tmp_path: Path, name: str, arn: str, source: str, region: str | None) -> None:
    cfg = tmp_path / "config"
    cfg.write_text("# mine\n[default]\nregion = us-east-1\n")
    before = cfg.read_bytes()
    try:
        profiles.add(name, role_arn=arn, source_profile=source, region=region, path=cfg, force=True)
    except rk.ProfileError:
        assert cfg.read_bytes() == before
        return
    text = cfg.read_text()
    assert text.startswith("# mine\n[default]\nregion = us-east-1\n")
    expected = {"role_arn": arn, "source_profile": source, **({} if region is None else {"region": region})}
    assert profiles.get(name, cfg) == expected
    profiles.remove(name, path=cfg)
    assert cfg.read_bytes() == before


def test_magics_with_hostile_cells() -> None:
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "rolekit")
    for cell in ["", "{", "\xff\x00", "[" * 10_000, '{"Version": 1e999}', "null", '{"Statement": "x"}']:
        result = shell.run_cell(f"%%rolekit_policy --kind trust\n{cell}")
        error = result.error_in_exec
        if error is not None and not isinstance(error, UsageError):
            assert_typed(error)
    result = shell.run_cell("%rolekit simulate s3:GetObject --policy no_such_variable")
    assert isinstance(result.error_in_exec, ValueError) and "no_such_variable" in str(result.error_in_exec)


def test_an_endpoint_that_is_not_aws_is_named_in_plain_words() -> None:
    """A wrong endpoint_url (a web server's HTML page): a typed error that says where, the HTTP
    status and the content type, on one line and without the SDK's debug dumps; no secret in it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            page = b"<html>\n<body>Not   Found</body>\n</html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    secret = "s3cr3t-" + "x" * 33
    try:
        client = rk.Client(endpoint_url=url, credentials={"access_key_id": "AKIAEXAMPLE", "secret_access_key": secret})
        with pytest.raises(rk.AwsError) as err:
            client.whoami()
    finally:
        server.shutdown()
        server.server_close()
    text = str(err.value)
    assert f"{url} did not answer like AWS (HTTP 404, text/html)" in text, text
    assert "<body>Not Found</body>" in text and "\n" not in text, text
    assert "ServiceError {" not in text and secret not in text, text


# Each case runs in a child process, which reports its outcome, its time and its peak memory.
BOUNDED = {
    "a policy variable repeated 20,000 times, a 20 kB context value": (
        "doc = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject',\n"
        "       'Resource': 'arn:aws:s3:::b/' + '${aws:username}' * 20000}]}\n"
        "outcome(lambda: rk.simulate('s3:GetObject', 'arn:aws:s3:::b/x', identity=[doc],\n"
        "                             context={'aws:username': 'u' * 20000}))"
    ),
    "ForAnyValue:StringLike, 20,000 prefix patterns against 20,000 values": (
        "cond = {'ForAnyValue:StringLike': {'aws:TagKeys': [f'team-{i}-*' for i in range(20000)]}}\n"
        "doc = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*',\n"
        "       'Condition': cond}]}\n"
        "outcome(lambda: rk.simulate('s3:GetObject', identity=[doc],\n"
        "                             context={'aws:TagKeys': [f'other-{i}-x' for i in range(20000)]}))"
    ),
    "ForAnyValue:StringLike, 20,000 infix patterns against 20,000 values": (
        "cond = {'ForAnyValue:StringLike': {'aws:TagKeys': [f'*team-{i}-*' for i in range(20000)]}}\n"
        "doc = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*',\n"
        "       'Condition': cond}]}\n"
        "outcome(lambda: rk.simulate('s3:GetObject', identity=[doc],\n"
        "                             context={'aws:TagKeys': [f'other-{i}-x' * 20 for i in range(20000)]}))"
    ),
    "one long wildcard resource against a long ARN": (
        "doc = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject',\n"
        "       'Resource': 'arn:aws:s3:::b/' + 'a*' * 1_000_000 + 'c'}]}\n"
        "outcome(lambda: rk.simulate('s3:GetObject', 'arn:aws:s3:::b/' + 'a' * 4_000_000 + 'b', identity=[doc]))"
    ),
}

CHILD = """
import json, resource, sys, time
import rolekit as rk

def outcome(call):
    started = time.perf_counter()
    try:
        result = str(call().allowed)
    except rk.InputLimitExceeded as e:
        result = 'limit: ' + str(e)
    except rk.RolekitError as e:
        result = 'error: ' + type(e).__name__ + ': ' + str(e)[:200]
    seconds = time.perf_counter() - started
    # The peak of this process's own address space (VmHWM starts afresh at exec): ru_maxrss would
    # carry over the parent's, and pytest's own process can be hundreds of MB by then.
    try:
        with open('/proc/self/status') as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith('VmHWM:')) * 1024
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({'result': result, 'seconds': seconds, 'peak': peak}))
"""


@pytest.mark.parametrize("case", list(BOUNDED), ids=lambda c: c.split(",")[0].replace(" ", "-")[:40])
def test_bounded_work_on_hostile_policies(case: str) -> None:
    """Any input finishes (a decision, or InputLimitExceeded naming the limit) in bounded time and
    memory; the figures here are generous (a noisy machine), the speed itself is benchmarked."""
    done = subprocess.run([sys.executable, "-c", CHILD + BOUNDED[case]], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = __import__("json").loads(done.stdout.strip().splitlines()[-1])
    assert not report["result"].startswith("error:"), report
    if report["result"].startswith("limit:"):
        assert "rolekit stops there" in report["result"], report
    assert report["seconds"] < 10, report
    assert report["peak"] < 500 * 2**20, report
