"""A local AWS for tutorials and tests: moto's server on 127.0.0.1, with an admin IAM user.

``Sandbox()`` starts moto's server in a child process on a free port, creates an IAM user
``admin`` with ``AdministratorAccess`` and an access key (like the tutorial's own user), and then,
with ``enforce_iam=True`` (the default), turns IAM enforcement on: from then on every request is
authenticated and checked against the caller's IAM policies, as on AWS.

    with Sandbox() as sb:
        client = sb.client()
        print(client.whoami())

The child process exits when the sandbox stops or when this process dies.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional

from ._args import typed
from .exceptions import SandboxError

if TYPE_CHECKING:
    from ._rolekit import Client, Credentials

__all__ = ["ADMIN_USER", "Sandbox", "SandboxError"]

ADMIN_USER = "admin"
_BOOTSTRAP_CALLS = 3  # CreateUser, AttachUserPolicy, CreateAccessKey: unauthenticated, then enforcement starts
_START_TIMEOUT = 60.0
#: The sandbox this process's AWS variables point at (see :meth:`Sandbox.activate`), if any.
_ACTIVE: Optional[Sandbox] = None


def active() -> Optional[Sandbox]:
    """The sandbox this process is pointed at, whoever started it (the rolekit kernel, ``connect()``,
    ``with Sandbox() as sb: sb.activate()``): the one notion of "am I on a sandbox" every helper asks."""
    return _ACTIVE if _ACTIVE is not None and _ACTIVE.running else None


class Sandbox:
    """moto's server on 127.0.0.1 with an admin user; a context manager.

    Args:
        enforce_iam: authenticate every request after the bootstrap and enforce IAM policies.
        region: the region the sandbox's clients use.
        port: a fixed port, or 0 for a free one.
    """

    def __init__(self, *, enforce_iam: bool = True, region: str = "us-east-1", port: int = 0) -> None:
        typed(enforce_iam, bool, "enforce_iam")
        typed(region, str, "region")
        typed(port, int, "port")
        self.enforce_iam = enforce_iam
        self.region = region
        self._port = port
        self._proc: Optional[subprocess.Popen[str]] = None
        self._log: Optional[Any] = None
        self._key: Optional[tuple[str, str]] = None
        self._saved_env: Optional[dict[str, Optional[str]]] = None
        self.endpoint_url = ""

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Sandbox:
        """Start the server and create the admin user. Returns self."""
        if self._proc is not None:
            return self
        try:
            import moto  # noqa: F401
        except ImportError as e:
            raise SandboxError("the sandbox needs moto's server: pip install 'rolekit[sandbox]'") from e
        env = dict(os.environ)
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        if self.enforce_iam:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(_BOOTSTRAP_CALLS)
        else:
            env.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
        self._log = tempfile.TemporaryFile(mode="w+")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "rolekit._sandbox_server", str(self._port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            text=True,
        )
        try:
            port = self._wait_ready()
            self.endpoint_url = f"http://127.0.0.1:{port}"
            self._bootstrap()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> int:
        assert self._proc is not None and self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], _START_TIMEOUT)
        line = self._proc.stdout.readline() if ready else ""
        if not line.startswith("READY "):
            raise SandboxError(f"moto's server did not start: {self._stderr_tail() or line.strip()!r}")
        return int(line.split()[1])

    def _stderr_tail(self) -> str:
        if self._log is None:
            return ""
        try:
            self._log.seek(0)
            return self._log.read()[-2000:]
        except (OSError, ValueError):
            return ""

    def _bootstrap(self) -> None:
        # boto3 comes with moto; the bootstrap uses it so that rolekit itself is tested, not assumed.
        import boto3

        from . import _secrets

        _secrets.install_log_guard()  # botocore logs the CreateAccessKey answer at DEBUG

        iam = boto3.client(
            "iam",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="bootstrap",  # unauthenticated phase: any value
        )
        iam.create_user(UserName=ADMIN_USER)
        iam.attach_user_policy(UserName=ADMIN_USER, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        key = iam.create_access_key(UserName=ADMIN_USER)["AccessKey"]
        self._key = (key["AccessKeyId"], key["SecretAccessKey"])
        _secrets.register(key["SecretAccessKey"], pin=True)

    def stop(self) -> None:
        """Stop the server (idempotent) and restore any environment :meth:`activate` changed."""
        self.deactivate()
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait(timeout=10)
            finally:
                if proc.stdout is not None:
                    proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: Optional[type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.stop()

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:  # noqa: S110 - best effort at interpreter shutdown
            pass

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    # -- what users need -------------------------------------------------------------------
    def _keys(self) -> tuple[str, str]:
        if self._key is None or not self.running:
            raise SandboxError("the sandbox is not running: use `with Sandbox() as sb:` or call start()")
        return self._key

    @property
    def credentials(self) -> Credentials:
        """The admin user's long-term credentials."""
        from ._rolekit import Credentials

        key_id, secret = self._keys()
        return Credentials(key_id, secret)

    def env(self) -> dict[str, str]:
        """The environment variables that point the AWS CLI, boto3 and rolekit at this sandbox."""
        key_id, secret = self._keys()
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": key_id,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def activate(self) -> Sandbox:
        """Point this process's environment at the sandbox until :meth:`stop` (or :meth:`deactivate`)."""
        global _ACTIVE
        variables = self.env()
        _ACTIVE = self
        if self._saved_env is None:
            self._saved_env = {k: os.environ.get(k) for k in [*variables, "AWS_SESSION_TOKEN", "AWS_PROFILE"]}
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update(variables)
        return self

    def deactivate(self) -> None:
        """Restore the environment variables :meth:`activate` changed."""
        global _ACTIVE
        if _ACTIVE is self:
            _ACTIVE = None
        saved, self._saved_env = self._saved_env, None
        for k, v in (saved or {}).items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def client(self, **kwargs: Any) -> Client:
        """A rolekit ``Client`` signed with the admin user's keys."""
        from ._rolekit import Client

        kwargs.setdefault("endpoint_url", self.endpoint_url)
        kwargs.setdefault("region", self.region)
        kwargs.setdefault("credentials", self.credentials)
        return Client(**kwargs)

    def boto3_client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for ``service`` with the admin user's keys."""
        import boto3

        key_id, secret = self._keys()
        kwargs.setdefault("endpoint_url", self.endpoint_url)
        kwargs.setdefault("region_name", self.region)
        kwargs.setdefault("aws_access_key_id", key_id)
        kwargs.setdefault("aws_secret_access_key", secret)
        return boto3.client(service, **kwargs)

    def __repr__(self) -> str:
        state = self.endpoint_url if self.running else "stopped"
        return f"Sandbox({state}, enforce_iam={self.enforce_iam})"

    def _repr_html_(self) -> str:
        from ._rolekit import _html_table

        return _html_table(
            "Sandbox (moto): a local AWS, no real account",
            [
                ("endpoint", self.endpoint_url if self.running else "stopped"),
                ("region", self.region),
                ("IAM enforced", str(self.enforce_iam)),
                ("active (this process's AWS variables point here)", str(active() is self)),
            ],
        )
