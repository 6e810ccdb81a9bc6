"""Client-side cost of AWS calls against the sandbox, rolekit vs boto3, in one run.

- CPU per call: N role reads and N/2 AssumeRole calls on a warm client; process CPU time of this
  process (all its threads: rolekit's tokio workers included); the server is another process.
  rolekit and boto3 rounds alternate, and the ratio is the median of the rounds' ratios: the
  machine is shared and its speed drifts within a run.
- Bulk: 100 x ensure_role with a trust policy and an inline permission policy: rolekit's
  AsyncClient, concurrent and bounded, against boto3 doing the same create-if-missing (and
  put-if-different) sequentially; wall time. Then the same 100 again, when nothing changes. Then
  the creating case again through a proxy (tests/faultproxy.py, a process of its own) that holds
  every request BENCH_LATENCY seconds (25 ms) before it reaches the sandbox: a network's round trip,
  which loopback does not have and which concurrency exists to overlap.
- Proxied: the CPU per role read again with both clients going through a real forward proxy
  (proxy.py from PyPI, its own process) named by HTTP_PROXY, as behind a corporate proxy.
Goals: <= 0.1x boto3's CPU per call (direct and proxied); <= 0.3x its wall time for the bulk case.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import rolekit as rk
from common import median, publish
from rolekit.sandbox import Sandbox

N = int(os.environ.get("BENCH_CALLS", "200"))
BULK = int(os.environ.get("BENCH_BULK", "100"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
LATENCY = float(os.environ.get("BENCH_LATENCY", "0.025"))


@contextlib.contextmanager
def latency_proxy(upstream: str, latency: float) -> Iterator[str]:
    """tests/faultproxy.py in a process of its own, delaying every request by ``latency`` s."""
    script = Path(__file__).resolve().parent.parent / "tests" / "faultproxy.py"
    args = [sys.executable, str(script), upstream, "--rate", "1", "--faults", "slow", "--slow", str(latency)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=10)


@contextlib.contextmanager
def forward_proxy() -> Iterator[str]:
    """proxy.py (a real forward proxy) in a process of its own, on a free port; its URL."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", str(port)]
    args += ["--num-acceptors", "1", "--num-workers", "1", "--threaded", "--log-level", "WARNING"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def server_cpu(pid: int | None) -> float:
    """CPU seconds the sandbox's server process has used (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def cpu_per_call(ours, theirs, n: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Process CPU seconds per call of ``ours`` and ``theirs``, measured in alternating rounds so
    that both see the same machine (it is shared and its speed drifts): the median per call of
    each, and the median of the rounds' ratios."""
    ours()
    theirs()
    mine: list[float] = []
    other: list[float] = []
    for _ in range(ROUNDS):
        for fn, samples in ((ours, mine), (theirs, other)):
            start = time.process_time()
            for _ in range(n):
                fn()
            samples.append((time.process_time() - start) / n)
    return median(mine), median(other), median([a / b for a, b in zip(mine, other)])


def main() -> None:
    """Run the benchmark and record it."""

    with Sandbox() as sb:
        client = sb.client()
        me = client.whoami()
        trust = rk.Policy.trust(services="sagemaker.amazonaws.com", aws=me.arn)
        client.ensure_role("bench-role", trust)
        iam = sb.boto3_client("iam")
        sts = sb.boto3_client("sts")
        role_arn = client.get_role("bench-role").arn

        def b3_role_read() -> None:
            # The same whole-role read rolekit's get_role makes: the role (with its tags), its
            # attached and its inline policies.
            iam.get_role(RoleName="bench-role")
            iam.list_attached_role_policies(RoleName="bench-role")
            iam.list_role_policies(RoleName="bench-role")

        rk_get, b3_get, get_ratio = cpu_per_call(lambda: client.get_role("bench-role"), b3_role_read, N)
        rk_assume, b3_assume, assume_ratio = cpu_per_call(
            lambda: client.assume_role(role_arn, session_name="bench"),
            lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="bench"),
            N // 2,
        )

        # Behind a proxy: both clients read HTTP_PROXY (rolekit when the client is made, botocore
        # at each request); both keep their connections to the proxy open.
        with forward_proxy() as proxy_url:
            os.environ["HTTP_PROXY"] = proxy_url
            try:
                proxied = sb.client()
                proxied_iam = sb.boto3_client("iam")

                def b3_proxied_read() -> None:
                    proxied_iam.get_role(RoleName="bench-role")
                    proxied_iam.list_attached_role_policies(RoleName="bench-role")
                    proxied_iam.list_role_policies(RoleName="bench-role")

                rk_proxied, b3_proxied, proxied_ratio = cpu_per_call(
                    lambda: proxied.get_role("bench-role"), b3_proxied_read, N // 2
                )
            finally:
                del os.environ["HTTP_PROXY"]

        aclient = rk.AsyncClient(endpoint_url=sb.endpoint_url, credentials=sb.credentials)
        document = trust.to_json()
        read = rk.Policy([rk.Statement.allow("s3:GetObject", "arn:aws:s3:::bench-data/*", sid="Read")])
        read_doc = read.to_json()

        async def bulk_rolekit(prefix: str) -> None:
            gate = asyncio.Semaphore(16)

            async def one(i: int) -> None:
                async with gate:
                    await aclient.ensure_role(f"{prefix}-{i}", trust, inline_policies={"read": read})

            await asyncio.gather(*(one(i) for i in range(BULK)))

        def bulk_boto3(iam, prefix: str) -> None:  # type: ignore[no-untyped-def]
            for i in range(BULK):
                name = f"{prefix}-{i}"
                try:
                    current = iam.get_role(RoleName=name)["Role"]
                    if current["AssumeRolePolicyDocument"] != json.loads(document):
                        iam.update_assume_role_policy(RoleName=name, PolicyDocument=document)
                    try:
                        inline = iam.get_role_policy(RoleName=name, PolicyName="read")["PolicyDocument"]
                    except iam.exceptions.NoSuchEntityException:
                        inline = None
                    if inline != json.loads(read_doc):
                        iam.put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=read_doc)
                except iam.exceptions.NoSuchEntityException:
                    iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)
                    iam.put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=read_doc)

        server_pid = sb._proc.pid if sb._proc is not None else None
        busy: dict[str, float] = {}

        def timed(fn, key: str = "") -> float:  # type: ignore[no-untyped-def]
            cpu = server_cpu(server_pid)
            start = time.perf_counter()
            fn()
            wall = time.perf_counter() - start
            if key:
                busy[key] = (server_cpu(server_pid) - cpu) / wall
            return wall

        rk_bulk = timed(lambda: asyncio.run(bulk_rolekit("rk-bulk")), "rolekit")
        b3_bulk = timed(lambda: bulk_boto3(iam, "b3-bulk"), "boto3")
        rk_again = timed(lambda: asyncio.run(bulk_rolekit("rk-bulk")))
        b3_again = timed(lambda: bulk_boto3(iam, "b3-bulk"))

        # The same with a network between client and server: every request waits LATENCY
        # seconds in a proxy (its own process) before reaching the sandbox, as a request to IAM
        # crosses a real network. This is what concurrency is for.
        with latency_proxy(sb.endpoint_url, LATENCY) as url:
            aclient = rk.AsyncClient(endpoint_url=url, credentials=sb.credentials)
            far_iam = sb.boto3_client("iam", endpoint_url=url)
            rk_far = timed(lambda: asyncio.run(bulk_rolekit("rk-far")))
            b3_far = timed(lambda: bulk_boto3(far_iam, "b3-far"))

    body = [
        f"Against the sandbox (moto's server, another process). CPU: {ROUNDS} alternating rounds (rolekit, boto3) of {N} role reads / "
        f"{N // 2} AssumeRole calls on a warm client. Bulk: {BULK} x ensure_role.",
        "",
        "| measure | rolekit | boto3 | ratio (rolekit / boto3) |",
        "|---|---|---|---|",
        f"| CPU per role read (ms) | {rk_get * 1e3:.3f} | {b3_get * 1e3:.3f} | {get_ratio:.2f} |",
        f"| CPU per AssumeRole (ms) | {rk_assume * 1e3:.3f} | {b3_assume * 1e3:.3f} | {assume_ratio:.2f} |",
        f"| CPU per role read through an HTTP proxy (ms) | {rk_proxied * 1e3:.3f} | {b3_proxied * 1e3:.3f} | "
        f"{proxied_ratio:.2f} |",
        f"| {BULK} x ensure_role + inline policy, creating, wall (s) | {rk_bulk:.2f} (AsyncClient, 16 at a time) | {b3_bulk:.2f} (sequential) | {rk_bulk / b3_bulk:.2f} |",
        f"| the same again, nothing to change, wall (s) | {rk_again:.2f} | {b3_again:.2f} | {rk_again / b3_again:.2f} |",
        f"| {BULK} x ensure_role + inline policy, creating, {LATENCY * 1e3:.0f} ms network latency, wall (s) | "
        f"{rk_far:.2f} | {b3_far:.2f} | {rk_far / b3_far:.2f} |",
        "",
        "A role read is the same three requests on both sides: GetRole (which carries the tags), "
        "ListAttachedRolePolicies, ListRolePolicies. The sandbox keeps HTTP/1.1 connections open between "
        "requests, as AWS's endpoints do, and both clients reuse them. The bulk case makes the same requests on "
        "both sides when creating (GetRole, CreateRole, PutRolePolicy); when the role exists, rolekit's plan reads "
        "the whole role (attached and inline policies too), boto3's loop only the two things it compares. "
        "On loopback the bulk wall time is bounded by the sandbox server, one Python process: concurrency cannot "
        f"make moto answer faster (the server was busy {busy.get('rolekit', float('nan')):.0%} of a core during "
        f"rolekit's creating run, {busy.get('boto3', float('nan')):.0%} during boto3's; the GIL caps it near 100 %). "
        "With a network's latency between client and server (the last row: every request "
        "held in a proxy process before it reaches the sandbox), the requests rolekit overlaps are the time boto3 "
        "waits for one after another.",
    ]
    publish("AWS calls (bench/calls.py)", body)


if __name__ == "__main__":
    main()
