"""Child process behind :class:`rolekit.sandbox.Sandbox`: moto's server on 127.0.0.1, with
AssumeRole refusing roles that do not exist and callers their trust policy does not allow.

It prints ``READY <port>`` once listening and exits when its standard input closes, so that a
sandbox whose parent dies (a killed kernel, a crashed test run) never leaves a server behind.

moto's application is served by waitress, which keeps HTTP/1.1 connections open between
requests as AWS's own endpoints do. moto's bundled server (werkzeug's development server) closes
the connection after every answer, so every client, boto3 and rolekit alike, would pay a TCP
connect and close per request that it never pays against AWS. Without waitress installed, the
bundled server is used.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from typing import Any, Callable

# Requests are handled by moto under the GIL; a few threads keep one slow request (a policy
# simulation, a large list) from holding up the others without adding contention.
_THREADS = 8


def _serve_waitress(port: int) -> tuple[int, Callable[[], None]] | None:
    """Start waitress on ``port``; ``(bound port, stop)``, or None when waitress is missing."""
    try:
        from waitress.server import create_server
    except ImportError:
        return None
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    logging.getLogger("waitress").setLevel(logging.ERROR)
    app = DomainDispatcherApplication(create_backend_app)
    server = create_server(app, host="127.0.0.1", port=port, threads=_THREADS, ident="moto")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return int(server.effective_port), server.close


def _serve_werkzeug(port: int) -> tuple[int, Callable[[], None]]:
    """moto's own threaded server (one connection per request)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _, bound = server.get_host_and_port()
    return bound, server.stop


_ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _enforce_trust_policies() -> None:
    """AssumeRole as AWS decides it, where moto does not: a role that does not exist cannot be
    assumed, and the role's trust policy must allow the caller, decided by rolekit's own
    evaluator (moto lets anyone assume any ARN). The caller's identity policies are moto's to
    enforce (with ``enforce_iam``); here only the trust policy is asked, with the caller's
    identity taken as allowing."""
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.responses import TokenResponse as STSResponse

    import rolekit as rk

    original = STSResponse.assume_role

    def refuse(caller: str, role_arn: str, why: str) -> STSClientError:
        error = STSClientError(
            "AccessDenied",
            f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
        )
        logging.getLogger("rolekit.sandbox").info("AssumeRole refused: %s", why)
        return error

    def assume_role(self: STSResponse) -> Any:
        role_arn = self._get_param("RoleArn") or ""
        try:
            _, caller, caller_account = self.backend.get_caller_identity(self.get_access_key(), self.region)
        except Exception:  # moto decides who the caller is; without one, it answers itself
            return original(self)
        parts = role_arn.split(":", 5)
        account = parts[4] if len(parts) == 6 else ""
        role = None
        # By name: role names are unique in an account, and an ARN without the role's path names it too.
        name = role_arn.rsplit("/", 1)[-1]
        if account in iam_backends and ":role/" in role_arn:
            for partition_backend in iam_backends[account].values():
                role = next((r for r in partition_backend.roles.values() if r.name == name), None)
                if role is not None:
                    break
        if role is None:
            raise refuse(caller, role_arn, "no such role")
        context = {
            "aws:PrincipalArn": caller,
            "aws:PrincipalAccount": caller_account,
            "sts:RoleSessionName": self._get_param("RoleSessionName") or "",
        }
        if self._get_param("ExternalId"):
            context["sts:ExternalId"] = self._get_param("ExternalId")
        if self._get_param("SerialNumber") and self._get_param("TokenCode"):
            context["aws:MultiFactorAuthPresent"] = "true"
        trust = role.assume_role_policy_document
        decision = rk.simulate(
            "sts:AssumeRole", role_arn, identity=[_ALLOW_ALL], resource_policy=trust, principal=caller, context=context
        )
        if not decision.allowed:
            raise refuse(caller, role_arn, decision.explain())
        return original(self)

    STSResponse.assume_role = assume_role  # type: ignore[method-assign]
    # moto's own trust check (exact principals only: it refuses a trust naming the caller's
    # account, which AWS accepts) gives way to the one above; moto still checks the caller's
    # identity policies for sts:AssumeRole.
    from moto.iam.access_control import IAMRequestBase

    IAMRequestBase._check_role_trust_relationship = lambda self, role_arn: True  # type: ignore[method-assign]


def _idempotent_attachments() -> None:
    """Attaching a policy that is already attached changes nothing in AWS; moto counts it again,
    so that after one detach the policy still looks attached and cannot be deleted."""
    from moto.iam.models import ManagedPolicy

    attach = ManagedPolicy.attach_to

    def attach_to(self: Any, obj: Any) -> None:
        if self.arn not in obj.managed_policies:
            attach(self, obj)

    ManagedPolicy.attach_to = attach_to  # type: ignore[method-assign]


def _organization_access_roles() -> None:
    """An account created in an organization gets OrganizationAccountAccessRole with the
    AdministratorAccess policy attached, as AWS makes it
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html);
    moto creates the role with its trust policy only, so that nothing can be done through it."""
    from moto.iam.models import iam_backends
    from moto.organizations.models import FakeAccount

    created = FakeAccount.__init__

    def init(self: Any, organization: Any, **kwargs: Any) -> None:
        created(self, organization, **kwargs)
        role = kwargs.get("RoleName", "OrganizationAccountAccessRole")
        iam = iam_backends[self.id]["global"]
        try:
            iam.attach_role_policy("arn:aws:iam::aws:policy/AdministratorAccess", role)
        except Exception:  # the managed policy not loaded in this moto: the same permissions inline
            document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
            iam.put_role_policy(role, "AdministratorAccess", document)

    FakeAccount.__init__ = init  # type: ignore[method-assign]


def _shared_aws_managed_policies() -> None:
    """Every account moto creates builds its ~1,400 AWS managed policies anew from moto's JSON:
    the whole file parsed again and every document written out again, about 20 MB an account, so
    that an organization of 1,000 accounts (bench/fleet.py) outgrows a 24 GiB machine. The
    documents are the same in every account, as in AWS: parse once, write each document once, and
    let every account's policy objects (their own attachment counts and versions) share the text."""
    from datetime import datetime

    from moto.iam import models
    from moto.settings import load_iam_aws_managed_policies

    shared: dict[str, tuple[dict[str, Any], str, datetime, datetime]] = {}

    def init_aws_policies(self: Any) -> list[Any]:
        if not load_iam_aws_managed_policies():
            return []
        if not shared:
            for name, data in json.loads(models.aws_managed_policies_data).items():
                created = datetime.fromisoformat(data["CreateDate"])
                updated = datetime.fromisoformat(data["UpdateDate"])
                shared[name] = (data, json.dumps(data.get("Document")), created, updated)
        return [
            models.AWSManagedPolicy(  # type: ignore[abstract]  # moto builds them so too (from_data)
                name,
                account_id=self.account_id,
                region=self.region_name,
                default_version_id=data.get("DefaultVersionId"),
                path=data.get("Path"),
                document=document,
                create_date=created,
                update_date=updated,
            )
            for name, (data, document, created, updated) in shared.items()
        ]

    models.IAMBackend._init_aws_policies = init_aws_policies  # type: ignore[method-assign]


def _cloudformation_role_policies() -> None:
    """A CloudFormation AWS::IAM::Role attaches its ManagedPolicyArns and stores its inline
    Policies as documents, as AWS does; moto ignores the first and keeps the second as Python
    objects (GetRolePolicy then answers their repr)."""
    from moto.iam.models import Role, iam_backends
    from moto.utilities.utils import get_partition

    create = Role.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create_with_policies(
        cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        for inline in cloudformation_json.get("Properties", {}).get("Policies", []):
            if not isinstance(inline.get("PolicyDocument"), str):
                inline["PolicyDocument"] = json.dumps(inline["PolicyDocument"])
        role = create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        backend = iam_backends[account_id][get_partition(region_name)]
        for arn in cloudformation_json.get("Properties", {}).get("ManagedPolicyArns", []):
            backend.attach_role_policy(arn, role.name)
        return role

    Role.create_from_cloudformation_json = classmethod(create_with_policies)  # type: ignore[method-assign,assignment]


def main() -> int:
    """Serve until standard input reaches end of file."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if os.environ.get("ROLEKIT_SANDBOX_TRUST", "1") != "0":
        _enforce_trust_policies()
    _idempotent_attachments()
    _organization_access_roles()
    _shared_aws_managed_policies()
    _cloudformation_role_policies()
    bound, stop = _serve_waitress(port) or _serve_werkzeug(port)
    sys.stdout.write(f"READY {bound}\n")
    sys.stdout.flush()
    try:
        while sys.stdin.read(4096):
            pass
    except (OSError, KeyboardInterrupt):
        pass
    stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
