"""The IPython extension: ``%load_ext rolekit``.

Magics:

- ``%rolekit whoami``: who the configured credentials belong to.
- ``%rolekit simulate ACTION [RESOURCE] --policy NAME [--policy NAME ...] [--context key=value ...]
  [--scp NAME ... --scp-level --scp NAME ...] [--rcp NAME ...] [--endpoint-policy NAME]
  [--resource-account ID] [--management-account]``: the decision and its explanation for policies
  held in notebook variables, in an organization when SCPs / RCPs are given.
- ``%rolekit why``: rolekit's diagnosis of the last AccessDenied a cell raised. After any cell
  that fails with AccessDenied (boto3's or rolekit's), the diagnosis is shown below the traceback:
  AWS's message is parsed for the caller, action and resource, rolekit reads what it may (the
  caller's policies, the bucket's or key's policy) and says which policy and statement decides,
  and the fix; or one line saying what it could not read.
- ``%%rolekit_policy [--kind trust] [--name VAR] [--inline]``: validate the cell's JSON and show the
  findings; ``--name`` stores the Policy in a variable.

Rich display comes from the objects themselves (``_repr_html_``): policies, reports, findings,
decisions, roles, role changes, identities and (masked) credentials.
"""

from __future__ import annotations

import argparse
import re
import shlex
from typing import Any, Optional

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from ._rolekit import POLICY_KINDS, Client, Policy, simulate
from .exceptions import PolicyError, RolekitError


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting the kernel."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        raise UsageError(message)


class UsageError(ValueError):
    """A magic was called with the wrong arguments."""


def _policy_parser() -> _Parser:
    p = _Parser(prog="%%rolekit_policy", add_help=False)
    p.add_argument("--kind", default="identity", choices=POLICY_KINDS)
    p.add_argument("--name", help="store the Policy in this variable")
    p.add_argument("--inline", action="store_true")
    return p


def _simulate_parser() -> _Parser:
    p = _Parser(prog="%rolekit simulate", add_help=False)
    p.add_argument("action")
    p.add_argument("resource", nargs="?", default="*")
    p.add_argument("--policy", action="append", required=True, help="a notebook variable holding a policy")
    p.add_argument("--principal")
    p.add_argument("--context", action="append", default=[], metavar="KEY=VALUE")
    from .cli import _Leveled

    p.add_argument("--scp", dest="scps", action=_Leveled, help="a variable holding an SCP (current level)")
    p.add_argument("--scp-level", dest="scps", action=_Leveled, nargs=0, help="start the next level of SCPs")
    p.add_argument("--rcp", dest="rcps", action=_Leveled, help="a variable holding an RCP (current level)")
    p.add_argument("--rcp-level", dest="rcps", action=_Leveled, nargs=0, help="start the next level of RCPs")
    p.add_argument("--endpoint-policy", help="a variable holding a VPC endpoint policy")
    p.add_argument("--resource-account")
    p.add_argument("--management-account", action="store_true")
    return p


#: AWS's access-denied messages: "User: ARN is not authorized to perform: ACTION [on resource: ARN]
#: [because no <type> policy allows the ACTION action | with an explicit deny in a <type> policy[: ARN]]"
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html), and the
#: older "... not authorized to perform ACTION on resource ARN" some services still send.
_DENIED = re.compile(
    r"(?:User|Principal): (?P<principal>\S+) is not authorized to perform:? (?P<action>[\w-]+:[\w*-]+)"
    r"(?: on (?:resource:? )?\"?(?P<resource>[^\s\"]+?)\"?)?"
    r"(?:\s+(?P<why>(?:because|with) [^\n]*?))?\.?(?:\s*$|\s*\(|\s*\[|\s+Encoded)",
    re.IGNORECASE,
)
_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}

#: The last access-denied error a cell raised (for ``%rolekit why``).
_last_denial: Optional[BaseException] = None


def parse_denial(message: str) -> Optional[dict[str, str]]:
    """The principal, action, resource and AWS's reason in an access-denied message, or None."""
    m = _DENIED.search(message.strip())
    if m is None:
        return None
    found = {k: (v or "").rstrip(".") for k, v in m.groupdict().items()}
    found["resource"] = found["resource"] or "*"
    return found


def _denied(error: BaseException) -> bool:
    from .exceptions import AccessDenied

    if isinstance(error, AccessDenied):
        return True
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in _DENIED_CODES


def explain_denial(error: BaseException, client: Any = None) -> str:
    """rolekit's diagnosis of an access-denied error, as text: the cause and the fix, or one line
    saying what rolekit could not read or parse."""
    diagnosis = getattr(error, "diagnosis", None)
    if diagnosis is None:
        response = getattr(error, "response", None)
        message = response.get("Error", {}).get("Message", "") if isinstance(response, dict) else ""
        found = parse_denial(message or str(error))
        if found is None:
            return (
                "rolekit: AWS's message does not say which action and resource were refused, so rolekit cannot "
                "diagnose it (S3 often answers a bare 'Access Denied')."
            )
        try:
            diagnosis = (client or Client()).diagnose_request(found["action"], found["resource"])
        except RolekitError as e:
            return f"rolekit: could not diagnose {found['action']} on {found['resource']}: {e}"
        if found["why"]:
            diagnosis_text = f"AWS says: {found['why']}.\n{diagnosis}"
        else:
            diagnosis_text = str(diagnosis)
    else:
        diagnosis_text = str(diagnosis)
    lines = [f"rolekit: why denied: {diagnosis_text}"]
    for p in getattr(diagnosis, "problems", []):
        if p.fix is not None:
            fix = p.fix if isinstance(p.fix, str) else p.fix.to_json()
            where = f" to {p.fix_target}" if p.fix_target else ""
            lines.append(f"fix{where}: {fix}")
    return "\n".join(lines)


def _after_cell(result: Any) -> None:
    """After a cell that failed with AccessDenied (boto3's or rolekit's): the diagnosis below the traceback."""
    global _last_denial
    error = getattr(result, "error_in_exec", None)
    if error is None or not _denied(error):
        return
    _last_denial = error
    print(explain_denial(error))


@magics_class
class RolekitMagics(Magics):
    """``%rolekit`` and ``%%rolekit_policy``."""

    def _lookup(self, name: str) -> Any:
        ns = self.shell.user_ns if self.shell is not None else {}
        if name not in ns:
            raise UsageError(f"no variable named {name!r} in the notebook")
        return ns[name]

    @line_magic
    def rolekit(self, line: str) -> Any:
        """``%rolekit whoami``, ``%rolekit simulate ACTION [RESOURCE] --policy NAME`` or
        ``%rolekit secrets`` (which secrets are being masked, masked; there is no unmask)."""
        words = shlex.split(line)
        if not words:
            raise UsageError(
                "usage: %rolekit whoami | %rolekit simulate ACTION [RESOURCE] --policy NAME | %rolekit secrets"
                " | %rolekit why"
            )
        command, rest = words[0], words[1:]
        if command == "whoami":
            return Client().whoami()
        if command == "why":
            if _last_denial is None:
                print("rolekit: no cell has failed with AccessDenied in this session")
                return None
            print(explain_denial(_last_denial))
            return None
        if command == "simulate":
            args = _simulate_parser().parse_args(rest)
            context: dict[str, list[str]] = {}
            for item in args.context:
                key, sep, value = item.partition("=")
                if not sep:
                    raise UsageError(f"--context takes key=value, got {item!r}")
                context.setdefault(key, []).append(value)
            policies = [self._lookup(n) for n in args.policy]
            return simulate(
                args.action,
                args.resource,
                identity=policies,
                principal=args.principal,
                context=context,
                scps=[[self._lookup(n) for n in level] for level in args.scps or []] or None,
                rcps=[[self._lookup(n) for n in level] for level in args.rcps or []] or None,
                endpoint_policy=self._lookup(args.endpoint_policy) if args.endpoint_policy else None,
                resource_account=args.resource_account,
                management_account=args.management_account,
            )
        if command == "secrets":
            from . import _secrets

            known = _secrets.known()
            if not known:
                print("no secrets registered for masking in this process")
            for masked in known:
                print(masked)
            return None
        raise UsageError(f"unknown %rolekit command {command!r}: use whoami, simulate, secrets or why")

    @cell_magic
    def rolekit_policy(self, line: str, cell: str) -> Any:
        """Validate the cell's JSON policy and show the findings."""
        args = _policy_parser().parse_args(shlex.split(line))
        try:
            policy = Policy.from_json(cell)
        except PolicyError as e:
            print(f"{e}")
            return None
        if args.name:
            if not args.name.isidentifier():
                raise UsageError(f"--name must be a Python identifier, got {args.name!r}")
            if self.shell is not None:
                self.shell.user_ns[args.name] = policy
        return policy.validate(kind=args.kind, inline=args.inline)


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics and guard what the kernel shows (called by ``%load_ext rolekit``).

    In a Jupyter kernel (ipykernel) the kernel's session masks everything it sends from now on,
    as the rolekit kernel's does from its start (see SECURITY.md); in every IPython, log records
    and tracebacks are masked and botocore's secrets are learnt."""
    from . import _secrets

    _secrets.install_log_guard()
    _secrets.hook_botocore()
    _secrets.refresh(files_every=0)
    kernel = getattr(ipython, "kernel", None)
    session = getattr(kernel, "session", None)
    if session is not None and hasattr(session, "send"):
        _secrets.guard_session(session)
    ipython.register_magics(RolekitMagics)
    ipython.events.register("post_run_cell", _after_cell)


__all__ = ["RolekitError", "RolekitMagics", "UsageError", "load_ipython_extension"]
