"""``rolekit demo``: the seed tutorial, end to end, narrated, on an embedded sandbox.

Each step prints a line or two. The sandbox is started and stopped here; with ``--aws`` the same
steps run against the configured AWS account, after asking before any write.
"""

from __future__ import annotations

import sys
from typing import Any


def _say(text: str) -> None:
    print(text, flush=True)


def _steps(client: Any) -> None:
    _say("1. Who am I? (sts:GetCallerIdentity)")
    me = client.whoami()
    _say(f"   {me.kind} {me.arn} in account {me.account}")


def run(*, aws: bool = False, assume_yes: bool = False) -> int:
    """Run the demo; returns the exit code."""
    from ._rolekit import Client

    if aws:
        if not assume_yes and not _confirm("This demo creates and deletes IAM resources in your AWS account."):
            _say("Nothing was done.")
            return 1
        _steps(Client())
        return 0
    from .sandbox import Sandbox

    _say("rolekit demo: no AWS account is touched; a local sandbox (moto's server) plays IAM and STS.")
    with Sandbox() as sb:
        _say(f"   sandbox at {sb.endpoint_url}, IAM enforcement on, signed in as the sandbox's admin user")
        _steps(sb.client())
    _say("Done: the sandbox is stopped and nothing is left behind.")
    return 0


def _confirm(what: str) -> bool:
    if not sys.stdin.isatty():
        _say(f"{what} Re-run with --yes to confirm (stdin is not a terminal).")
        return False
    answer = input(f"{what} Continue? [y/N] ")
    return answer.strip().lower() in {"y", "yes"}
