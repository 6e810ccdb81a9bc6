"""Helpers for the tutorial notebooks: connect to AWS, or to an embedded sandbox when there is none.

    import rolekit as rk
    from rolekit.notebook import connect
    iam = connect()

``connect()`` uses the configured AWS credentials when they resolve. When none do (or with
``ROLEKIT_SANDBOX=1``) it starts a local sandbox (moto's server), points this process's AWS
variables at it, and says so in one line. ``ROLEKIT_SANDBOX=0`` never starts one.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

from ._rolekit import Client
from .exceptions import EndpointError, InvalidCredentials

if TYPE_CHECKING:
    from .sandbox import Sandbox

_SANDBOX: Optional[Sandbox] = None


def sandbox() -> Optional[Sandbox]:
    """The sandbox `connect()` started, if any."""
    return _SANDBOX


def connect(region: Optional[str] = None) -> Client:
    """A Client for real AWS when credentials resolve, otherwise for an embedded sandbox."""
    global _SANDBOX
    mode = os.environ.get("ROLEKIT_SANDBOX", "")
    if mode != "1":
        try:
            client = Client(region=region)
            client.whoami()
            print(f"Using AWS ({client.endpoint}).")
            return client
        except (InvalidCredentials, EndpointError):
            if mode == "0":
                raise
    from .sandbox import Sandbox

    if _SANDBOX is None:
        sb = Sandbox(region=region or "us-east-1").start()
        sb.activate()
        _SANDBOX = sb
    sb = _SANDBOX
    print(f"No AWS credentials: using an embedded sandbox (moto) at {sb.endpoint_url}; no real account is touched.")
    return sb.client()
