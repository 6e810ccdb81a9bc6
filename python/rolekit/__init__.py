"""rolekit: IAM roles for notebooks and scripts.

Write and check policies offline, create or update roles safely, assume them, and get credentials
that work with boto3. The core is Rust; this package is its thin Python face.

    import rolekit as rk
    me = rk.Client().whoami()
"""

from __future__ import annotations

from . import catalog
from ._rolekit import (
    AsyncClient,
    AwsManaged,
    Client,
    Credentials,
    Decision,
    Diagnosis,
    Finding,
    Fleet,
    FleetPlan,
    Identity,
    ManagedPolicy,
    Plan,
    Policy,
    Problem,
    Report,
    Role,
    RoleChange,
    RoleSpec,
    Statement,
    __version__,
    aws_managed,
    simulate,
    simulate_many,
)
from ._rolekit import catalog_date as catalog_date
from .exceptions import (
    AccessDenied,
    AwsError,
    ConnectionProblem,
    EndpointError,
    EntityAlreadyExists,
    ExpiredToken,
    InputLimitExceeded,
    InvalidArgument,
    InvalidArgumentType,
    InvalidCredentials,
    LimitExceeded,
    MalformedPolicy,
    NoSuchEntity,
    NotAssumable,
    PolicyError,
    ProfileError,
    ProxyError,
    RolekitError,
    SandboxError,
    SpecError,
    Throttled,
    TlsError,
    UnsafeOperation,
)

__all__ = [
    "AccessDenied",
    "AsyncClient",
    "AwsManaged",
    "AwsError",
    "Client",
    "ConnectionProblem",
    "Credentials",
    "Decision",
    "Diagnosis",
    "Fleet",
    "FleetPlan",
    "Finding",
    "EndpointError",
    "EntityAlreadyExists",
    "ExpiredToken",
    "InputLimitExceeded",
    "Identity",
    "InvalidArgument",
    "InvalidArgumentType",
    "InvalidCredentials",
    "LimitExceeded",
    "ManagedPolicy",
    "MalformedPolicy",
    "NoSuchEntity",
    "NotAssumable",
    "Plan",
    "Policy",
    "Problem",
    "PolicyError",
    "ProfileError",
    "ProxyError",
    "Report",
    "Role",
    "RoleChange",
    "RoleSpec",
    "RolekitError",
    "SandboxError",
    "SpecError",
    "Statement",
    "Throttled",
    "TlsError",
    "UnsafeOperation",
    "__version__",
    "aws_managed",
    "catalog",
    "catalog_date",
    "profiles",
    "sagemaker",
    "simulate",
    "simulate_many",
]


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext rolekit``: register the magics (see rolekit.ipython)."""
    from .ipython import load_ipython_extension as load

    load(ipython)


_LAZY = ("profiles", "sagemaker")


def __getattr__(name: str) -> object:
    """``rolekit.profiles`` and ``rolekit.sagemaker`` load on first use (they keep ``import rolekit`` fast)."""
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
