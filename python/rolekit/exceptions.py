"""The exceptions rolekit raises. Defined here, raised from Rust through one conversion.

(No `typing` import here: it would add ~15 ms to `import rolekit`.)

Every exception is a :class:`RolekitError`. AWS errors carry the fields a botocore ``ClientError``
has (``e.response["Error"]["Code"]`` works), and never a secret.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "AwsError",
    "ConnectionProblem",
    "EndpointError",
    "EntityAlreadyExists",
    "ExpiredToken",
    "InvalidArgument",
    "InvalidArgumentType",
    "InputLimitExceeded",
    "InvalidCredentials",
    "LimitExceeded",
    "MalformedPolicy",
    "NoSuchEntity",
    "NotAssumable",
    "PolicyError",
    "ProfileError",
    "ProxyError",
    "RolekitError",
    "SandboxError",
    "SpecError",
    "Throttled",
    "TlsError",
    "UnsafeOperation",
]


class RolekitError(Exception):
    """Base class of every error rolekit raises.

    ``retry_safe`` says whether running the same call again may succeed as it is (throttling, a
    5xx answer, an endpoint that did not answer). rolekit's writes converge, so a retry never
    duplicates what an earlier attempt did.
    """

    retry_safe: bool = False

    def __str__(self) -> str:
        # An argument that could not be read is named in a note ("while processing 'name'"), by
        # PyO3 for the arguments it reads and by rolekit for policies; the message says it first.
        message = super().__str__()
        for note in getattr(self, "__notes__", ()):
            if isinstance(note, str) and note.startswith("while processing '") and note.endswith("'"):
                name = note[len("while processing '") : -1]
                if not message.startswith((name, f"argument {name!r}")):
                    return f"argument {name!r}: {message}"
        return message


class PolicyError(RolekitError, ValueError):
    """A policy document could not be read or has errors; ``findings`` says what and where."""

    def __init__(self, message: str, *, findings: list[object] | None = None) -> None:
        super().__init__(message)
        self.findings: list[object] = list(findings or [])


class InvalidArgument(RolekitError, ValueError):
    """An argument rolekit was given is not valid (a range, a name's syntax, a missing field).

    Raised before anything is sent to AWS; the message names the argument and the rule.
    """


class InvalidArgumentType(InvalidArgument, TypeError):
    """An argument of the wrong type (a dict where a list was expected, ...). Also a ``TypeError``.

    Every parameter of rolekit's functions and methods raises it for a wrong type, never a bare
    ``TypeError``; on Python 3.11 and later the message starts with the argument's name
    (``argument 'name': 'int' object is not an instance of 'str'``).
    """


class SpecError(InvalidArgument):
    """A role spec has problems: ``problems`` lists each as (file, line, column, message), all at
    once; nothing was sent to AWS."""

    def __init__(self, message: str, *, problems: list[tuple[str, int, int, str]] | None = None) -> None:
        super().__init__(message)
        self.problems: list[tuple[str, int, int, str]] = list(problems or [])


class InputLimitExceeded(InvalidArgument):
    """The input made rolekit meet one of its own bounds on work (a decision that would take
    seconds, a policy variable expanding to gigabytes, a file larger than rolekit reads); the
    message says which. Raised instead of running unbounded."""


class AwsError(RolekitError):
    """An error answered by AWS (or the sandbox), shaped like botocore's ``ClientError``."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "Unknown",
        aws_message: str | None = None,
        operation: str = "",
        request_id: str | None = None,
        status: int | None = None,
        retry_safe: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = aws_message if aws_message is not None else message
        self.operation = operation
        self.request_id = request_id
        self.status = status
        self.retry_safe = retry_safe

    @property
    def response(self) -> dict[str, dict[str, object]]:
        """The error as botocore presents it: ``{"Error": {"Code", "Message"}, "ResponseMetadata": {...}}``."""
        return {
            "Error": {"Code": self.code, "Message": self.message},
            "ResponseMetadata": {"RequestId": self.request_id, "HTTPStatusCode": self.status},
        }

    @property
    def operation_name(self) -> str:
        """botocore's name for :attr:`operation`."""
        return self.operation


class AccessDenied(AwsError):
    """The caller is not allowed to do this.

    ``diagnosis``: for an AssumeRole rolekit refused, rolekit's :class:`rolekit.Diagnosis` of it
    (which policy and statement decides, and the fix), read after the refusal; None otherwise.
    """

    diagnosis: object = None


class NoSuchEntity(AwsError):
    """The role, policy or user does not exist."""


class EntityAlreadyExists(AwsError):
    """The entity exists already."""


class MalformedPolicy(AwsError):
    """AWS rejected a policy document."""


class LimitExceeded(AwsError):
    """An IAM quota was reached (e.g. five versions of a managed policy)."""


class Throttled(AwsError):
    """AWS throttled the request even after retries; safe to retry later."""


class InvalidCredentials(AwsError):
    """The credentials are missing, unknown or wrong."""


class ExpiredToken(AwsError):
    """The session token has expired."""


class EndpointError(RolekitError):
    """The endpoint could not be reached or did not answer in time."""

    def __init__(
        self, message: str, *, endpoint: str = "", operation: str = "", cause: str = "", retry_safe: bool = True
    ) -> None:
        super().__init__(message)
        self.retry_safe = retry_safe
        self.endpoint = endpoint
        self.operation = operation
        self.cause = cause


class ConnectionProblem(RolekitError):
    """The network between rolekit and AWS refused the request (a TLS certificate, a proxy);
    ``endpoint``, ``operation`` and ``problem`` say where and what, never a secret."""

    def __init__(
        self, message: str, *, endpoint: str = "", operation: str = "", problem: str = "", retry_safe: bool = False
    ) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.operation = operation
        self.problem = problem
        self.retry_safe = retry_safe


class TlsError(ConnectionProblem):
    """The endpoint's TLS certificate was refused (issuer unknown, expired, another name) or the CA
    bundle is unusable. Never retried: the message says which setting adds a CA (``AWS_CA_BUNDLE``,
    the profile's ``ca_bundle``, ``Client(ca_bundle=...)``)."""


class ProxyError(ConnectionProblem):
    """The proxy (``HTTPS_PROXY`` / ``HTTP_PROXY``) could not be reached or refused the request; the
    message names the proxy and the variable it came from, never its password. ``retry_safe`` when
    it was unreachable or answered 5xx; not after a refusal (407, 403)."""


class NotAssumable(RolekitError):
    """A role could not be assumed before the wait ran out; the message says why.

    ``diagnosis``: rolekit's :class:`rolekit.Diagnosis` of the refusal (None when it could not run).
    """

    diagnosis: object = None


class UnsafeOperation(RolekitError):
    """rolekit refused a destructive operation; the message says why and how to force it."""


class ProfileError(RolekitError, ValueError):
    """A profile could not be written or removed: bad values, an existing different profile, a held lock."""


class SandboxError(RolekitError):
    """The sandbox could not start (moto missing, port trouble) or was used while stopped."""
