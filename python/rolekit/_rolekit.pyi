"""Type stubs for rolekit's native module (``rolekit._rolekit``), written by hand and checked by stubtest."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Optional, Union, final

__version__: str

_CredentialsLike = Union[Credentials, Mapping[str, Optional[str]]]

@final
class Identity:
    """The caller's identity, from ``sts:GetCallerIdentity``."""

    @property
    def account(self) -> str: ...
    @property
    def arn(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def kind(self) -> str:
        """"user", "assumed-role", "root" or "federated-user"."""
    @property
    def partition(self) -> str: ...
    @property
    def name(self) -> Optional[str]:
        """The user, role or federated user name; None for root."""
    @property
    def role_arn(self) -> Optional[str]:
        """For an assumed-role session: the IAM role ARN behind it, path included where readable."""
    @property
    def session_name(self) -> Optional[str]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def _repr_html_(self) -> str: ...

@final
class Credentials:
    """AWS credentials. repr, str and HTML show the key id's last four characters, never the secret or token."""

    def __new__(
        cls,
        access_key_id: str,
        secret_access_key: str,
        session_token: Optional[str] = None,
        expiration: Optional[datetime] = None,
    ) -> Credentials: ...
    @property
    def access_key_id(self) -> str: ...
    @property
    def secret_access_key(self) -> str: ...
    @property
    def session_token(self) -> Optional[str]: ...
    @property
    def expiration(self) -> Optional[datetime]:
        """When temporary credentials expire (an aware datetime in UTC)."""
    @property
    def role_arn(self) -> Optional[str]: ...
    @property
    def assumed_role_arn(self) -> Optional[str]: ...
    def to_env(self) -> dict[str, str]:
        """AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and (when present) AWS_SESSION_TOKEN."""
    def __eq__(self, other: object) -> bool: ...
    def _repr_html_(self) -> str: ...
    def __reduce__(self) -> Any:
        """Always raises TypeError: credentials are never pickled."""

@final
class Client:
    """A blocking IAM/STS client. Every call releases the GIL while waiting on the network.

    Configuration follows the AWS CLI: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, the shared config
    and credentials files, SSO, web identity, container and instance metadata.
    ``retries`` is the number of retries after the first attempt; ``timeout`` the read timeout in seconds.
    """

    def __new__(
        cls,
        profile: Optional[str] = None,
        region: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        credentials: Optional[_CredentialsLike] = None,
        timeout: Optional[float] = None,
        retries: Optional[int] = None,
        retry_mode: str = "standard",
    ) -> Client: ...
    @property
    def endpoint(self) -> str:
        """Where requests go: the endpoint URL, or ``AWS (region)``."""
    def whoami(self) -> Identity:
        """Who the credentials belong to (``sts:GetCallerIdentity``)."""

@final
class AsyncClient:
    """The asyncio twin of :class:`Client`: the same methods, returning awaitables."""

    def __new__(
        cls,
        profile: Optional[str] = None,
        region: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        credentials: Optional[_CredentialsLike] = None,
        timeout: Optional[float] = None,
        retries: Optional[int] = None,
        retry_mode: str = "standard",
    ) -> AsyncClient: ...
    @property
    def endpoint(self) -> str: ...
    async def whoami(self) -> Identity:
        """Who the credentials belong to (``sts:GetCallerIdentity``)."""
