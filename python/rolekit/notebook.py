"""Helpers for the tutorial notebooks: connect to AWS, or to an embedded sandbox when there is none.

    import rolekit as rk
    from rolekit.notebook import connect
    iam = connect()

``connect()`` uses the configured AWS credentials when they resolve. When none do (or with
``ROLEKIT_SANDBOX=1``) it starts a local sandbox (moto's server), points this process's AWS
variables at it, and says so in one line. ``ROLEKIT_SANDBOX=0`` never starts one. When the process
is already pointed at a sandbox (the rolekit kernel's, or one a script activated), that is the one
used: ``sandbox()`` and ``connect()`` agree with the kernel about where the notebook is.

``Tutorial`` keeps a notebook safe on a real account: names of its own (a prefix the user can set),
a refusal to change a role it did not create, and a cleanup cell that removes exactly what it
created, and on a real account only when told to.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional

from ._args import typed
from ._rolekit import Client, ManagedPolicy, RoleChange
from .exceptions import EndpointError, InvalidCredentials, NoSuchEntity, UnsafeOperation

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


#: The tag a tutorial puts on the roles it creates.
TUTORIAL_TAG = "rolekit:tutorial"
#: The variable that sets the prefix of a tutorial's names on a real account.
PREFIX_VARIABLE = "ROLEKIT_TUTORIAL_PREFIX"
DEFAULT_PREFIX = "rolekit-tutorial-"


class Tutorial:
    """The names a tutorial notebook uses, and what it created, for its cleanup cell.

    On the sandbox names are as the tutorial writes them (``basic-role``); on a real account they
    carry a prefix (``ROLEKIT_TUTORIAL_PREFIX``, default ``rolekit-tutorial-``), so that a role of
    yours is never met. :meth:`role` refuses a role of that name that a tutorial did not create
    (it has no ``rolekit:tutorial`` tag) unless ``overwrite=True`` is written in the cell.
    :meth:`created` remembers what a call created; :meth:`cleanup` removes exactly that, at once on
    the sandbox and on a real account only with ``confirm=True``.
    """

    def __init__(self, iam: Client, prefix: Optional[str] = None) -> None:
        typed(iam, Client, "iam")
        typed(prefix, (str, type(None)), "prefix")
        self.iam = iam
        self.on_sandbox = sandbox() is not None
        if self.on_sandbox:
            self.prefix = ""
        else:
            self.prefix = prefix if prefix is not None else os.environ.get(PREFIX_VARIABLE, DEFAULT_PREFIX)
        self.roles: list[str] = []
        self.policies: list[str] = []
        self.profiles: list[tuple[str, Optional[str]]] = []

    @property
    def tags(self) -> dict[str, str]:
        """The tags a tutorial's roles carry (``ensure_role(..., tags=tut.tags)``)."""
        return {TUTORIAL_TAG: "1"}

    def name(self, base: str) -> str:
        """``base`` with this tutorial's prefix."""
        return self.prefix + base

    def role(self, base: str, *, overwrite: bool = False) -> str:
        """The tutorial's name for role ``base``, after checking that changing it is safe: it does
        not exist, or a tutorial created it, or ``overwrite=True``."""
        name = self.name(base)
        try:
            existing = self.iam.get_role(name)
        except NoSuchEntity:
            return name
        if existing.tags.get(TUTORIAL_TAG) == "1" or name in self.roles or overwrite:
            if existing.tags.get(TUTORIAL_TAG) == "1" and name not in self.roles:
                self.roles.append(name)  # a tutorial's own, from an earlier run: this cleanup removes it
            return name
        raise UnsafeOperation(
            f"a role named {name!r} exists and no rolekit tutorial created it (no {TUTORIAL_TAG} tag): the tutorial "
            f"will not change it. Set {PREFIX_VARIABLE} to use other names, or pass overwrite=True in this cell "
            "if it is yours to change."
        )

    def created(self, result: Any) -> Any:
        """Remember what ``result`` (a RoleChange, a ManagedPolicy, a ProfileChange) created, for
        the cleanup cell; returns it unchanged."""
        if isinstance(result, RoleChange):
            role = result.role
            if result.created and role is not None and role.name not in self.roles:
                self.roles.append(role.name)
        elif isinstance(result, ManagedPolicy):
            # Created now, or under the tutorial's own prefix (created by an earlier run).
            ours = (result.changed and result.version_id == "v1") or self._prefixed(result.name)
            if ours and result.arn not in self.policies:
                self.policies.append(result.arn)
        elif hasattr(result, "action") and hasattr(result, "path"):
            ours = result.action == "created" or self._prefixed(result.name)
            if ours and (result.name, str(result.path)) not in self.profiles:
                self.profiles.append((result.name, str(result.path)))
        return result

    def _prefixed(self, name: str) -> bool:
        return bool(self.prefix) and name.startswith(self.prefix)

    def cleanup(self, *, confirm: bool = False) -> list[str]:
        """Remove what this tutorial created (roles, then policies, then profiles); what was done,
        line by line. On a real account nothing happens without ``confirm=True``: the cell says
        what it would remove, so that "Run all" never deletes by surprise."""
        planned = [f"role {r}" for r in self.roles] + [f"policy {p}" for p in self.policies]
        planned += [f"profile {n} in {path}" for n, path in self.profiles]
        if not planned:
            print("nothing to clean up: this notebook created nothing")
            return []
        if not self.on_sandbox and not confirm:
            print("On a real account: set CLEANUP = True and run this cell again to remove: " + "; ".join(planned))
            return []
        from . import profiles

        done: list[str] = []
        for role in self.roles:
            done += self.iam.delete_role(role, force=True)
        for arn in self.policies:
            done += self.iam.delete_policy(arn)
        for name, path in self.profiles:
            done.append(f"{profiles.remove(name, path=path).action} profile {name}")
        self.roles, self.policies, self.profiles = [], [], []
        for line in done:
            print(line)
        return done
