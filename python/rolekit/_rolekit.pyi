"""Type stubs for rolekit's native module (``rolekit._rolekit``), written by hand and checked by stubtest."""

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Optional, Union, final

__version__: str
POLICY_KINDS: list[str]
__all__ = [
    "POLICY_KINDS",
    "_SecretStream",
    "_html_table",
    "_known_secrets",
    "_mask_secrets",
    "_register_secret",
    "_secret_values",
    "_panic_selftest",
    "AsyncClient",
    "AwsManaged",
    "Client",
    "Credentials",
    "Decision",
    "Diagnosis",
    "Finding",
    "Fleet",
    "FleetPlan",
    "Identity",
    "ManagedPolicy",
    "Plan",
    "Policy",
    "Problem",
    "Report",
    "Role",
    "RoleChange",
    "RoleSpec",
    "Statement",
    "__version__",
    "aws_managed",
    "catalog_action",
    "check_value",
    "catalog_actions",
    "catalog_date",
    "simulate",
    "sagemaker_execution_policy",
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
    def ca_bundle(self) -> Optional[Path]:
        """The CA bundle of the client that assumed these credentials (None: the system's store)."""
    @property
    def expiration(self) -> Optional[datetime]:
        """When temporary credentials expire (an aware datetime in UTC)."""
    @property
    def role_arn(self) -> Optional[str]: ...
    @property
    def assumed_role_arn(self) -> Optional[str]: ...
    def to_env(self) -> dict[str, str]:
        """AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and (when present) AWS_SESSION_TOKEN, in a dict
        whose repr and str mask the values (rolekit's ``SecretEnv``)."""
    @property
    def refreshable(self) -> bool:
        """Whether refresh() can renew these credentials (they came from assume_role)."""
    def refresh(self) -> Credentials:
        """New credentials from assuming the same role again (a callable mfa_token is asked again)."""
    def credential_process_json(self) -> str:
        """What the AWS CLI's credential_process expects (Version 1)."""
    def client(
        self,
        region: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        timeout: Optional[float] = None,
        retries: Optional[int] = None,
        retry_mode: str = "standard",
    ) -> Client:
        """A Client signed with these credentials; assume_role's renew themselves before expiry."""
    def boto3_session(self, region: Optional[str] = None) -> Any:
        """A boto3 Session over these credentials, refreshed through rolekit before they expire."""
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
        ca_bundle: Union[str, os.PathLike[str], None] = None,
    ) -> Client: ...
    @property
    def endpoint(self) -> str:
        """Where requests go: the endpoint URL, or ``AWS (region)``."""
    @property
    def ca_bundle(self) -> Optional[Path]:
        """The CA bundle trusted (the argument, AWS_CA_BUNDLE, the profile's ca_bundle), or None."""
    def whoami(self) -> Identity:
        """Who the credentials belong to (``sts:GetCallerIdentity``)."""
    def get_role(self, name: str) -> Role:
        """A role with its attached and inline policies and tags; NoSuchEntity when missing."""
    def list_roles(self, path_prefix: Optional[str] = None) -> list[tuple[str, str, str]]:
        """(name, arn, path) of every role under path_prefix."""
    def plan_role(
        self,
        name: str,
        trust: _PolicyLike,
        *,
        description: Optional[str] = None,
        path: str = "/",
        max_session_duration: Optional[int] = None,
        permissions_boundary: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        managed_policies: Optional[Sequence[_ManagedRef]] = None,
        inline_policies: Optional[Mapping[str, _PolicyLike]] = None,
        exclusive: bool = False,
    ) -> RoleChange:
        """The changes ensure_role would make; nothing is applied."""
    def ensure_role(
        self,
        name: str,
        trust: _PolicyLike,
        *,
        description: Optional[str] = None,
        path: str = "/",
        max_session_duration: Optional[int] = None,
        permissions_boundary: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        managed_policies: Optional[Sequence[_ManagedRef]] = None,
        inline_policies: Optional[Mapping[str, _PolicyLike]] = None,
        exclusive: bool = False,
    ) -> RoleChange:
        """Create the role or update only what differs; documents are validated first (PolicyError)."""
    def delete_role(self, name: str, *, force: bool = False) -> list[str]:
        """Empty and delete the role; UnsafeOperation for a recently used or protected role without force."""
    def put_policy(
        self, name: str, policy: _PolicyLike, *, description: Optional[str] = None, path: str = "/"
    ) -> ManagedPolicy:
        """Create a managed policy, or a new default version when it differs (oldest pruned at five)."""
    def delete_policy(self, policy: _ManagedRef) -> list[str]:
        """Delete a customer managed policy (old versions first); UnsafeOperation while attached."""
    def attach_policy(self, role: str, policy: _ManagedRef) -> str:
        """Attach a managed policy; returns its ARN."""
    def detach_policy(self, role: str, policy: _ManagedRef) -> str:
        """Detach a managed policy; returns its ARN."""
    def put_inline_policy(self, role: str, name: str, policy: _PolicyLike) -> None:
        """Put an inline policy on a role (validated first)."""
    def delete_inline_policy(self, role: str, name: str) -> None: ...
    def assume_role(
        self,
        role: str,
        *,
        session_name: Optional[str] = None,
        duration: int = 3600,
        external_id: Optional[str] = None,
        mfa_serial: Optional[str] = None,
        mfa_token: Optional[Union[str, Callable[[], str]]] = None,
        policy: Optional[_PolicyLike] = None,
        policy_arns: Optional[Sequence[str]] = None,
        tags: Optional[Mapping[str, str]] = None,
        transitive_tag_keys: Optional[Sequence[str]] = None,
        source_identity: Optional[str] = None,
        wait: Optional[float] = None,
    ) -> Credentials:
        """Assume a role (name or ARN). wait=N retries AccessDenied for N seconds, then NotAssumable."""
    def wait_until_assumable(self, role: str, timeout: float = 60.0) -> bool:
        """Block until the role can be assumed; NotAssumable after timeout."""
    def plan(self, spec: RoleSpec) -> Plan:
        """What applying ``spec`` would write in this account, and what drifted; nothing is written."""
    def apply(self, spec: RoleSpec) -> Plan:
        """Apply ``spec`` in this account (policies, then roles); re-applying changes nothing."""
    def diagnose_assume(
        self,
        role: str,
        *,
        session_name: Optional[str] = None,
        external_id: Optional[str] = None,
        source_identity: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
    ) -> Diagnosis:
        """Why this caller can or cannot assume ``role``: its own policies and the role's trust policy, decided."""
    def diagnose_request(self, action: str, resource: str) -> Diagnosis:
        """Why one request by this caller is or is not allowed (its policies, bucket and key policies)."""
    def sagemaker_check(
        self,
        role: str,
        *,
        inputs: Union[str, Iterable[str], None] = None,
        output: Optional[str] = None,
        image: Optional[str] = None,
        kms_keys: Union[str, Iterable[str], None] = None,
        vpc: Any = None,
        job: str = "training",
        job_name: Optional[str] = None,
        scps: Optional[Sequence[Sequence[_PolicyLike]]] = None,
        management_account: bool = False,
    ) -> Diagnosis:
        """Check everything a SageMaker job needs before it starts, on its exact resources."""
    def sagemaker_execution_role(
        self,
        name: str = "rolekit-sagemaker-execution",
        *,
        s3: Union[str, Iterable[str]],
        ecr_repositories: Union[str, Iterable[str], None] = None,
        kms_keys: Union[str, Iterable[str], None] = None,
        vpc: bool = False,
        allow: Union[str, Iterable[str], None] = None,
        region: Optional[str] = None,
        account: Optional[str] = None,
        description: Optional[str] = None,
        path: str = "/",
        max_session_duration: Optional[int] = None,
        permissions_boundary: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        managed_policies: Optional[Iterable[_ManagedRef]] = None,
    ) -> RoleChange:
        """A least-privilege SageMaker execution role (trust: SageMaker and ``allow``); idempotent."""
    def execution_role(self, *, metadata_path: Union[str, os.PathLike[str], None] = None) -> str:
        """The role ARN for a SageMaker job: the notebook's or Studio user's, else the caller's role."""

# --- generated by scripts/gen_stub.py from Client above: do not edit by hand ---
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
        ca_bundle: Union[str, os.PathLike[str], None] = None,
    ) -> AsyncClient: ...
    @property
    def endpoint(self) -> str:
        """Where requests go: the endpoint URL, or ``AWS (region)``."""
    @property
    def ca_bundle(self) -> Optional[Path]:
        """The CA bundle trusted (the argument, AWS_CA_BUNDLE, the profile's ca_bundle), or None."""
    async def whoami(self) -> Identity:
        """Who the credentials belong to (``sts:GetCallerIdentity``)."""
    async def get_role(self, name: str) -> Role:
        """A role with its attached and inline policies and tags; NoSuchEntity when missing."""
    async def list_roles(self, path_prefix: Optional[str] = None) -> list[tuple[str, str, str]]:
        """(name, arn, path) of every role under path_prefix."""
    async def plan_role(
        self,
        name: str,
        trust: _PolicyLike,
        *,
        description: Optional[str] = None,
        path: str = "/",
        max_session_duration: Optional[int] = None,
        permissions_boundary: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        managed_policies: Optional[Sequence[_ManagedRef]] = None,
        inline_policies: Optional[Mapping[str, _PolicyLike]] = None,
        exclusive: bool = False,
    ) -> RoleChange:
        """The changes ensure_role would make; nothing is applied."""
    async def ensure_role(
        self,
        name: str,
        trust: _PolicyLike,
        *,
        description: Optional[str] = None,
        path: str = "/",
        max_session_duration: Optional[int] = None,
        permissions_boundary: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        managed_policies: Optional[Sequence[_ManagedRef]] = None,
        inline_policies: Optional[Mapping[str, _PolicyLike]] = None,
        exclusive: bool = False,
    ) -> RoleChange:
        """Create the role or update only what differs; documents are validated first (PolicyError)."""
    async def delete_role(self, name: str, *, force: bool = False) -> list[str]:
        """Empty and delete the role; UnsafeOperation for a recently used or protected role without force."""
    async def put_policy(
        self, name: str, policy: _PolicyLike, *, description: Optional[str] = None, path: str = "/"
    ) -> ManagedPolicy:
        """Create a managed policy, or a new default version when it differs (oldest pruned at five)."""
    async def delete_policy(self, policy: _ManagedRef) -> list[str]:
        """Delete a customer managed policy (old versions first); UnsafeOperation while attached."""
    async def attach_policy(self, role: str, policy: _ManagedRef) -> str:
        """Attach a managed policy; returns its ARN."""
    async def detach_policy(self, role: str, policy: _ManagedRef) -> str:
        """Detach a managed policy; returns its ARN."""
    async def put_inline_policy(self, role: str, name: str, policy: _PolicyLike) -> None:
        """Put an inline policy on a role (validated first)."""
    async def delete_inline_policy(self, role: str, name: str) -> None: ...
    async def assume_role(
        self,
        role: str,
        *,
        session_name: Optional[str] = None,
        duration: int = 3600,
        external_id: Optional[str] = None,
        mfa_serial: Optional[str] = None,
        mfa_token: Optional[Union[str, Callable[[], str]]] = None,
        policy: Optional[_PolicyLike] = None,
        policy_arns: Optional[Sequence[str]] = None,
        tags: Optional[Mapping[str, str]] = None,
        transitive_tag_keys: Optional[Sequence[str]] = None,
        source_identity: Optional[str] = None,
        wait: Optional[float] = None,
    ) -> Credentials:
        """Assume a role (name or ARN). wait=N retries AccessDenied for N seconds, then NotAssumable."""
    async def wait_until_assumable(self, role: str, timeout: float = 60.0) -> bool:
        """Block until the role can be assumed; NotAssumable after timeout."""
    async def plan(self, spec: RoleSpec) -> Plan:
        """What applying ``spec`` would write in this account, and what drifted; nothing is written."""
    async def apply(self, spec: RoleSpec) -> Plan:
        """Apply ``spec`` in this account (policies, then roles); re-applying changes nothing."""
    async def diagnose_assume(
        self,
        role: str,
        *,
        session_name: Optional[str] = None,
        external_id: Optional[str] = None,
        source_identity: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
    ) -> Diagnosis:
        """Why this caller can or cannot assume ``role``: its own policies and the role's trust policy, decided."""
    async def diagnose_request(self, action: str, resource: str) -> Diagnosis:
        """Why one request by this caller is or is not allowed (its policies, bucket and key policies)."""
    async def sagemaker_check(
        self,
        role: str,
        *,
        inputs: Union[str, Iterable[str], None] = None,
        output: Optional[str] = None,
        image: Optional[str] = None,
        kms_keys: Union[str, Iterable[str], None] = None,
        vpc: Any = None,
        job: str = "training",
        job_name: Optional[str] = None,
        scps: Optional[Sequence[Sequence[_PolicyLike]]] = None,
        management_account: bool = False,
    ) -> Diagnosis:
        """Check everything a SageMaker job needs before it starts, on its exact resources."""
    async def sagemaker_execution_role(
        self,
        name: str = "rolekit-sagemaker-execution",
        *,
        s3: Union[str, Iterable[str]],
        ecr_repositories: Union[str, Iterable[str], None] = None,
        kms_keys: Union[str, Iterable[str], None] = None,
        vpc: bool = False,
        allow: Union[str, Iterable[str], None] = None,
        region: Optional[str] = None,
        account: Optional[str] = None,
        description: Optional[str] = None,
        path: str = "/",
        max_session_duration: Optional[int] = None,
        permissions_boundary: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        managed_policies: Optional[Iterable[_ManagedRef]] = None,
    ) -> RoleChange:
        """A least-privilege SageMaker execution role (trust: SageMaker and ``allow``); idempotent."""
    async def execution_role(self, *, metadata_path: Union[str, os.PathLike[str], None] = None) -> str:
        """The role ARN for a SageMaker job: the notebook's or Studio user's, else the caller's role."""

# --- end of the generated part ---

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
    ) -> Statement:
        """An Allow statement. ``resources`` is what a permissions policy's statement must name
        (``"*"`` for every resource): IAM refuses one without, and simulate leaves it out. A trust
        policy's statement names a ``principal`` and no resources."""
    @staticmethod
    def deny(
        actions: _Strings,
        resources: Optional[_Strings] = None,
        *,
        sid: Optional[str] = None,
        conditions: Optional[Mapping[str, Any]] = None,
        principal: Optional[_Json] = None,
    ) -> Statement:
        """A Deny statement; ``resources`` as for :meth:`allow`."""
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
    def validate(self, kind: str = "identity", *, inline: bool = False, managed: bool = False) -> Report:
        """Check the policy: IAM's rules, catalog lint, security warnings.

        kind: one of POLICY_KINDS (identity, trust, resource, boundary, scp, session, rcp,
        endpoint). ``inline``: an inline policy on a role (10,240 characters); ``managed``: a
        customer managed policy as CreatePolicy takes it (6,144 characters, Version 2012-10-17
        required).
        """
    def detect_kind(self) -> str:
        """The kind this document most likely is: "trust", "resource" or "identity"."""
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
    def __iter__(self) -> Iterator[Finding]: ...
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
    def blocked_by(self) -> tuple[str, ...]:
        """The policy types that denied, from ("identity", "resource", "boundary", "session", "scp",
        "rcp", "endpoint"): explicitly, or by not allowing where an allow was needed. Empty when allowed."""
    @property
    def rule(self) -> Optional[str]:
        """The rule of AWS's own that decided whatever the policies say (sts:GetCallerIdentity needs no
        permission, service-linked roles cannot be changed by customers, ...), with the AWS page that
        states it; None when the policies decided."""
    @property
    def matched(self) -> list[dict[str, Any]]:
        """The deciding statements: policy, statement (index), sid, effect, line, column."""
    @property
    def missing_context(self) -> list[str]:
        """The condition keys that statements taking in this action and resource read and the
        request's context lacked (IAM's simulator calls them MissingContextValues): a condition on
        a missing key does not hold, so the decision may differ from AWS's, which sets keys such as
        aws:CurrentTime and aws:SourceIp in every request. Empty when the context had them all."""
    def explain(self) -> str:
        """A few lines: why allowed, what denied, or which statement came closest and why it did not apply."""
    def __bool__(self) -> bool: ...
    def _repr_html_(self) -> str: ...

@final
class Problem:
    """One finding of a diagnosis: a denied request (``kind == "denied"``) or what rolekit could not read."""

    @property
    def kind(self) -> str: ...
    @property
    def party(self) -> Optional[str]:
        """ "caller", "service" or "role"."""
    @property
    def principal(self) -> Optional[str]: ...
    @property
    def action(self) -> Optional[str]: ...
    @property
    def resource(self) -> Optional[str]: ...
    @property
    def purpose(self) -> Optional[str]: ...
    @property
    def doc(self) -> Optional[str]: ...
    @property
    def decision(self) -> Optional[Decision]: ...
    @property
    def cause(self) -> str:
        """Which policy and statement decides it, in one sentence."""
    @property
    def fix(self) -> Union[Policy, str, None]:
        """The statement to add (a Policy), or what to change, or None."""
    @property
    def fix_target(self) -> Optional[str]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Diagnosis:
    """The outcome of ``Client.diagnose_assume`` / ``Client.sagemaker_check``."""

    @property
    def ok(self) -> bool:
        """Every request allowed, everything needed read."""
    @property
    def subject(self) -> str: ...
    @property
    def problems(self) -> list[Problem]: ...
    @property
    def passed(self) -> list[dict[str, str]]: ...
    @property
    def notes(self) -> list[str]: ...
    @property
    def timings(self) -> dict[str, float]:
        """Seconds the reads took and the offline decisions after them."""
    def fix_policy(self) -> Optional[Policy]:
        """The smallest Policy that, added to the role, clears the role's problems."""
    def to_dict(self) -> dict[str, Any]: ...
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
    scps: Optional[Sequence[Sequence[_PolicyLike]]] = None,
    rcps: Optional[Sequence[Sequence[_PolicyLike]]] = None,
    endpoint_policy: Optional[_PolicyLike] = None,
    resource_account: Optional[str] = None,
    management_account: bool = False,
) -> Decision:
    """Decide one request offline with IAM's evaluation logic.

    ``scps``: the service control policies in force, one list per level of the organization from
    the root down to the account (every level must allow; they never grant; they do not apply to
    the management account, ``management_account=True``, nor to service-linked roles or a service
    principal acting on its own). ``rcps``: resource control policies, same shape; AWS attaches
    ``RCPFullAWSAccess`` at every level, so only their Deny statements matter (pass your own RCPs
    only); they apply to the services AWS lists (S3, STS, KMS, SQS, Secrets Manager, ECR, DynamoDB,
    CloudWatch Logs, ...; not EC2, IAM, Lambda or SageMaker). ``endpoint_policy``: a
    VPC endpoint policy the request passes through (it must allow; it never grants).
    ``resource_account``: the account owning the resource when its ARN does not say (S3).
    ``principal="*"``: an anonymous caller. ``sts:GetCallerIdentity`` is always allowed.
    An action that is not ``service:Action`` (``"s3"``, ``"s3:"``) raises InvalidArgument.
    The context keys AWS derives from the caller (``aws:username``, ``aws:PrincipalArn``,
    ``aws:PrincipalAccount``, ``aws:PrincipalType``, ...) come from ``principal``, and
    ``aws:ResourceAccount`` from the resource's ARN (or ``resource_account``), where ``context``
    does not set them.
    """

def simulate_many(
    requests: Iterable[Union[tuple[str, str], Mapping[str, Any]]],
    *,
    identity: Optional[Union[_PolicyLike, Sequence[_PolicyLike]]] = None,
    resource_policy: Optional[_PolicyLike] = None,
    boundary: Optional[_PolicyLike] = None,
    session: Optional[_PolicyLike] = None,
    principal: Optional[str] = None,
    context: Optional[_Context] = None,
    scps: Optional[Sequence[Sequence[_PolicyLike]]] = None,
    rcps: Optional[Sequence[Sequence[_PolicyLike]]] = None,
    endpoint_policy: Optional[_PolicyLike] = None,
    resource_account: Optional[str] = None,
    management_account: bool = False,
) -> list[Decision]:
    """Decide many requests against the same policies in one call."""

_ManagedRef = Union[ManagedPolicy, AwsManaged, str]

@final
class Role:
    """A role as IAM describes it."""

    @property
    def name(self) -> str: ...
    @property
    def arn(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def role_id(self) -> str: ...
    @property
    def trust_policy(self) -> Policy: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def max_session_duration(self) -> int: ...
    @property
    def permissions_boundary(self) -> Optional[str]: ...
    @property
    def tags(self) -> dict[str, str]: ...
    @property
    def attached_policies(self) -> list[str]:
        """ARNs of the attached managed policies."""
    @property
    def inline_policies(self) -> dict[str, Policy]: ...
    @property
    def created(self) -> Optional[datetime]: ...
    @property
    def last_used(self) -> Optional[datetime]: ...
    def _repr_html_(self) -> str: ...

@final
class RoleChange:
    """What ensure_role / plan_role did or would do."""

    @property
    def created(self) -> bool: ...
    @property
    def changed(self) -> bool: ...
    @property
    def changes(self) -> list[str]: ...
    @property
    def role(self) -> Optional[Role]: ...
    def _repr_html_(self) -> str: ...

@final
class ManagedPolicy:
    """A customer managed policy and its default version."""

    @property
    def arn(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def version_id(self) -> str: ...
    @property
    def changed(self) -> bool:
        """Whether the call that returned it wrote anything."""
    @property
    def document(self) -> Policy: ...
    def _repr_html_(self) -> str: ...

@final
class AwsManaged:
    """An AWS managed policy by name, resolved to its real ARN (and path) when used."""

    @property
    def name(self) -> str: ...

def aws_managed(name: str) -> AwsManaged:
    """Name an AWS managed policy, e.g. aws_managed("AmazonSageMakerFullAccess")."""

def sagemaker_execution_policy(
    *,
    s3: Union[str, Iterable[str]],
    ecr_repositories: Union[str, Iterable[str], None] = None,
    kms_keys: Union[str, Iterable[str], None] = None,
    vpc: bool = False,
    region: Optional[str] = None,
    account: Optional[str] = None,
) -> Policy:
    """A least-privilege SageMaker execution policy (see rolekit.sagemaker.execution_policy)."""

def check_value(rule: str, value: Union[str, int]) -> None:
    """Check ``value`` against one of rolekit's request-shape rules; ``InvalidArgument`` when it fails.

    Rules: ``profile_name``, ``role_arn``, ``role``, ``session_name``, ``external_id``, ``mfa_serial``,
    ``region``, ``session_duration``, ``max_session_duration``.
    """

def _panic_selftest(path: str) -> Any:
    """Panic on purpose in a guarded path ("compute", "blocking", "async"); for rolekit's tests."""

def _html_table(caption: str, rows: list[tuple[str, str]]) -> str:
    """A small two-column table as rolekit's objects show themselves in a notebook."""

def _mask_secrets(text: str) -> str:
    """``text`` with every run of a known secret masked."""

def _register_secret(value: str, expires: Optional[float] = None, pin: bool = False) -> bool:
    """Remember a secret: ``expires`` (seconds since the epoch) keeps it at least until then, ``pin`` for good.
    True when it was new to the registry."""

def _known_secrets() -> list[str]:
    """The known secrets, each masked (``****`` and its last four characters)."""

def _secret_values() -> list[str]:
    """The known secrets themselves, for rolekit's tests, which scan outputs for them (code in the
    process can read them from its credentials anyway)."""

@final
class _SecretStream:
    """A stream (a cell's stdout) masked across the chunks it arrives in."""

    def __new__(cls) -> _SecretStream: ...
    def push(self, chunk: str) -> str:
        """The chunk as it may be shown."""

@final
class RoleSpec:
    """Roles and customer managed policies as code: a TOML spec, loaded and checked."""

    @staticmethod
    def load(path: Union[str, os.PathLike[str]]) -> RoleSpec:
        """Read and check a spec file; every problem at once in one SpecError (file:line:column)."""
    @staticmethod
    def from_toml(text: str, base: Union[str, os.PathLike[str], None] = None) -> RoleSpec:
        """Check a spec given as text; JSON files it names are found under ``base``."""
    @property
    def source(self) -> str: ...
    @property
    def roles(self) -> list[dict[str, Any]]: ...
    @property
    def policies(self) -> list[dict[str, Any]]: ...
    def to_cloudformation(self) -> str:
        """The spec as a CloudFormation template (YAML)."""

@final
class Plan:
    """A spec against one account."""

    @property
    def account(self) -> str: ...
    @property
    def status(self) -> str:
        """ "in sync", "changes", "drift", "unreachable", "denied", "applied", "failed" or "skipped"."""
    @property
    def in_sync(self) -> bool: ...
    @property
    def changes(self) -> list[str]: ...
    @property
    def drift(self) -> list[str]: ...
    @property
    def applied(self) -> list[str]: ...
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def items(self) -> list[dict[str, Any]]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def _repr_html_(self) -> str: ...

@final
class FleetPlan:
    """A spec across accounts: one Plan per account, in account order."""

    @property
    def in_sync(self) -> bool: ...
    @property
    def counts(self) -> dict[str, int]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> Plan: ...
    def __iter__(self) -> Iterator[Plan]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def _repr_html_(self) -> str: ...

@final
class Fleet:
    """One role spec across accounts, each reached by assuming ``role`` in it."""

    def __new__(
        cls,
        *,
        accounts: Optional[list[str]] = None,
        organization: bool = False,
        ou: Optional[str] = None,
        role: str = "OrganizationAccountAccessRole",
        external_id: Optional[str] = None,
        concurrency: int = 16,
        client: Optional[Client] = None,
    ) -> Fleet: ...
    def accounts(self) -> list[str]: ...
    def plan(self, spec: RoleSpec) -> FleetPlan: ...
    def apply(self, spec: RoleSpec, max_failures: int = 0) -> FleetPlan: ...
