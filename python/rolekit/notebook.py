"""Helpers for the tutorial notebooks: connect to AWS, or to an embedded sandbox when there is none.

    import rolekit as rk
    from rolekit.notebook import connect
    iam = connect()

``connect()`` uses the configured AWS credentials when they resolve. When none do (or with
``ROLEKIT_SANDBOX=1``) it starts a local sandbox (moto's server), points this process's AWS
variables at it, and says so in one line. ``ROLEKIT_SANDBOX=0`` never starts one. When the process
is already pointed at a sandbox (the rolekit kernel's, or one a script activated), that is the one
used: ``sandbox()`` and ``connect()`` agree with the kernel about where the notebook is.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

from ._rolekit import Client
from .exceptions import EndpointError, InvalidCredentials

if TYPE_CHECKING:
    from .sandbox import Sandbox


def sandbox() -> Optional[Sandbox]:
    """The sandbox this process is pointed at (the kernel's, or the one `connect()` started), if any."""
    from . import sandbox as _sandbox

    return _sandbox.active()


def connect(region: Optional[str] = None) -> Client:
    """A Client for real AWS when credentials resolve, otherwise for an embedded sandbox."""
    sb = sandbox()
    if sb is not None:
        print(f"Using the embedded sandbox (moto) at {sb.endpoint_url}; no real account is touched.")
        return sb.client()
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

    sb = Sandbox(region=region or "us-east-1").start().activate()
    print(f"No AWS credentials: using an embedded sandbox (moto) at {sb.endpoint_url}; no real account is touched.")
    return sb.client()
