"""Type stubs for rolekit's native module (``rolekit._rolekit``), written by hand and checked by stubtest."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Optional, Union, final

__version__: str
__all__ = [
    "AsyncClient",
    "Client",
    "Credentials",
    "Decision",
    "Finding",
    "Identity",
    "Policy",
    "Report",
    "Statement",
    "__version__",
    "catalog_action",
    "catalog_actions",
    "catalog_date",
    "simulate",
    "simulate_many",
]

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
        """ "user", "assumed-role", "root" or "federated-user"."""
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
    def __eq__(self, value: object, /) -> bool: ...
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
    def __eq__(self, value: object, /) -> bool: ...
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

def catalog_date() -> str:
    """The day (YYYY-MM-DD) AWS's service reference was read for this build."""

def catalog_actions(pattern: str) -> list[str]:
    """Every ``service:Action`` a pattern such as ``s3:Get*`` names."""

def catalog_action(name: str) -> Optional[dict[str, Any]]:
    """One action's service, access level and resource types, or None when unknown."""

_Strings = Union[str, Sequence[str]]
_Json = Any

@final
class Statement:
    """One policy statement."""

    @staticmethod
    def allow(
        actions: _Strings,
        resources: Optional[_Strings] = None,
        *,
        sid: Optional[str] = None,
        conditions: Optional[Mapping[str, Any]] = None,
        principal: Optional[_Json] = None,
    ) -> Statement: ...
    @staticmethod
    def deny(
        actions: _Strings,
        resources: Optional[_Strings] = None,
        *,
        sid: Optional[str] = None,
        conditions: Optional[Mapping[str, Any]] = None,
        principal: Optional[_Json] = None,
    ) -> Statement: ...
    @property
    def effect(self) -> Optional[str]: ...
    @property
    def sid(self) -> Optional[str]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Policy:
    """An IAM policy document. ``==`` is semantic equality (order, single-vs-list, action case)."""

    def __new__(
        cls,
        statements: Sequence[Union[Statement, Mapping[str, Any]]],
        version: str = "2012-10-17",
        id: Optional[str] = None,
    ) -> Policy: ...
    @staticmethod
    def from_json(source: Union[str, bytes, Mapping[str, Any], Policy]) -> Policy:
        """Parse JSON text or a dict. Invalid JSON raises PolicyError whose findings say where."""
    @staticmethod
    def trust(
        services: Optional[_Strings] = None,
        aws: Optional[_Strings] = None,
        federated: Optional[_Strings] = None,
        external_id: Optional[str] = None,
        conditions: Optional[Mapping[str, Any]] = None,
    ) -> Policy:
        """A role trust policy letting the given services, AWS principals or providers assume the role."""
    @property
    def version(self) -> Optional[str]: ...
    @property
    def id(self) -> Optional[str]: ...
    @property
    def statements(self) -> list[Statement]: ...
    def validate(self, kind: str = "identity", *, inline: bool = False) -> Report:
        """Check the policy: IAM's rules, catalog lint, security warnings.

        kind: identity | trust | resource | boundary | scp | session.
        """
    def to_json(self, indent: Optional[int] = None) -> str: ...
    def allows(self, action: str, resource: str = "*", context: Optional[Mapping[str, Any]] = None) -> bool:
        """Whether this policy alone, as an identity policy, allows ``action`` on ``resource``."""
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _repr_html_(self) -> str: ...
    def __reduce__(self) -> Any: ...

@final
class Finding:
    """One problem in a policy, with where it is."""

    @property
    def severity(self) -> str:
        """ "error", "security_warning", "warning" or "suggestion"."""
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def path(self) -> tuple[Union[str, int], ...]: ...
    @property
    def line(self) -> Optional[int]: ...
    @property
    def column(self) -> Optional[int]: ...
    @property
    def suggestion(self) -> Optional[str]: ...
    @property
    def iam_rejects(self) -> bool:
        """Whether IAM's API would refuse the document because of this finding."""
    @property
    def iam_message(self) -> Optional[str]:
        """IAM's own MalformedPolicyDocument message, when it would refuse."""
    def _repr_html_(self) -> str: ...

@final
class Report:
    """The findings of Policy.validate(); iterable and indexable."""

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
    @property
    def errors(self) -> list[Finding]: ...
    @property
    def warnings(self) -> list[Finding]: ...
    @property
    def iam_rejects(self) -> bool: ...
    @property
    def kind(self) -> str: ...
    def __len__(self) -> int: ...
    def __getitem__(self, key: int, /) -> Finding: ...
    def _repr_html_(self) -> str: ...

_PolicyLike = Union[Policy, str, bytes, Mapping[str, Any]]
_Context = Mapping[str, Union[str, bool, Sequence[str]]]

@final
class Decision:
    """The outcome of :func:`simulate`: the verdict, which statements decided, and why."""

    @property
    def decision(self) -> str:
        """ "allow", "explicit_deny" or "implicit_deny"."""
    @property
    def allowed(self) -> bool: ...
    @property
    def action(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def matched(self) -> list[dict[str, Any]]:
        """The deciding statements: policy, statement (index), sid, effect, line, column."""
    def explain(self) -> str:
        """A few lines: why allowed, what denied, or which statement came closest and why it did not apply."""
    def __bool__(self) -> bool: ...
    def _repr_html_(self) -> str: ...

def simulate(
    action: str,
    resource: str = "*",
    *,
    identity: Optional[Union[_PolicyLike, Sequence[_PolicyLike]]] = None,
    resource_policy: Optional[_PolicyLike] = None,
    boundary: Optional[_PolicyLike] = None,
    session: Optional[_PolicyLike] = None,
    principal: Optional[str] = None,
    context: Optional[_Context] = None,
) -> Decision:
    """Decide one request offline with IAM's evaluation logic."""

def simulate_many(
    requests: Iterable[Union[tuple[str, str], Mapping[str, Any]]],
    *,
    identity: Optional[Union[_PolicyLike, Sequence[_PolicyLike]]] = None,
    resource_policy: Optional[_PolicyLike] = None,
    boundary: Optional[_PolicyLike] = None,
    session: Optional[_PolicyLike] = None,
    principal: Optional[str] = None,
    context: Optional[_Context] = None,
) -> list[Decision]:
    """Decide many requests against the same policies in one call."""
