"""The ``rolekit`` command.

Exit codes: 0 success; 1 a negative answer (findings with errors, a denied request); 2 a usage
error; 3 an error while working (AWS, sandbox, files). Errors are one line on stderr; ``--debug``
shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any, Callable, Optional

from .exceptions import RolekitError

EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3


def _client(args: argparse.Namespace) -> Any:
    from ._rolekit import Client

    return Client(profile=args.profile, region=args.region, endpoint_url=args.endpoint_url)


def _cmd_whoami(args: argparse.Namespace) -> int:
    me = _client(args).whoami()
    if args.format == "json":
        print(
            json.dumps(
                {
                    "Account": me.account,
                    "Arn": me.arn,
                    "UserId": me.user_id,
                    "Kind": me.kind,
                    "RoleArn": me.role_arn,
                    "SessionName": me.session_name,
                },
                indent=2,
            )
        )
    else:
        print(f"{me.kind} {me.arn}")
        if me.role_arn:
            print(f"role {me.role_arn}")
    return EXIT_OK


def _named_files(items: Optional[Sequence[str]], what: str) -> dict[str, bytes]:
    """`NAME=FILE` arguments as {name: the document's bytes}."""
    from .exceptions import InvalidArgument

    out: dict[str, bytes] = {}
    for item in items or []:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise InvalidArgument(f"{what} takes NAME=FILE, got {_shown(item)!r}")
        out[name] = _read(path)
    return out


def _cmd_role_ensure(args: argparse.Namespace) -> int:
    client = _client(args)
    call = client.plan_role if args.plan else client.ensure_role
    change = call(
        args.name,
        _read(args.trust),
        description=args.description,
        path=args.path,
        max_session_duration=args.max_session_duration,
        managed_policies=args.managed or None,
        inline_policies=_named_files(args.policy, "--policy") or None,
    )
    if args.format == "json":
        print(json.dumps({"created": change.created, "changed": change.changed, "changes": change.changes}, indent=2))
    else:
        for line in change.changes or ["no change"]:
            print(("would " if args.plan and change.changes else "") + line)
    return EXIT_OK


def _cmd_role_show(args: argparse.Namespace) -> int:
    role = _client(args).get_role(args.name)
    shown = {
        "RoleName": role.name,
        "Arn": role.arn,
        "Path": role.path,
        "Description": role.description,
        "MaxSessionDuration": role.max_session_duration,
        "PermissionsBoundary": role.permissions_boundary,
        "Tags": role.tags,
        "AttachedPolicies": role.attached_policies,
        "InlinePolicies": sorted(role.inline_policies),
        "AssumeRolePolicyDocument": role.trust_policy.to_dict(),
    }
    if args.format == "json":
        print(json.dumps(shown, indent=2, default=str))
    else:
        for key, value in shown.items():
            text = json.dumps(value) if isinstance(value, (dict, list)) else "(none)" if value is None else value
            print(_shown(f"{key}: {text}"))
    return EXIT_OK


def _cmd_role_delete(args: argparse.Namespace) -> int:
    for line in _client(args).delete_role(args.name, force=args.force):
        print(line)
    return EXIT_OK


def _cmd_policy_put(args: argparse.Namespace) -> int:
    managed = _client(args).put_policy(args.name, _read(args.file), description=args.description, path=args.path)
    if args.format == "json":
        print(json.dumps({"Arn": managed.arn, "VersionId": managed.version_id, "Changed": managed.changed}))
    else:
        print(f"{'put' if managed.changed else 'unchanged'} {managed.arn} ({managed.version_id})")
    return EXIT_OK


#: The most rolekit reads of one input file (IAM's largest document is 10,240 characters; a policy
#: file of megabytes is a mistake, and /dev/zero must not fill the memory).
MAX_INPUT = 10 * 1024 * 1024


def _read(path: str) -> bytes:
    """A file's bytes, or standard input's for `-`: at most MAX_INPUT, else an error that names the
    file. They are policies, decoded by rolekit's parser, which says where a byte is not UTF-8 (and
    that a file is UTF-16) and passes over a byte-order mark."""
    from .exceptions import InvalidArgument

    if path == "-":
        data = sys.stdin.buffer.read(MAX_INPUT + 1)
    else:
        with open(path, "rb") as f:
            data = f.read(MAX_INPUT + 1)
    if len(data) > MAX_INPUT:
        raise InvalidArgument(f"{_named(path)} is larger than {MAX_INPUT // (1024 * 1024)} MB; rolekit reads no more")
    return data


def _named(path: str) -> str:
    """How a message names an input file (``-`` is standard input)."""
    return "standard input" if path == "-" else _shown(path)


def _shown(text: object) -> str:
    """`text` safe for a terminal: control characters (escape sequences, carriage returns, NULs)
    from input files are shown escaped, never sent to the terminal raw."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in s)


def _finding_dict(path: str, f: Any) -> dict[str, Any]:
    return {
        "file": path,
        "line": f.line,
        "column": f.column,
        "severity": f.severity,
        "code": f.code,
        "message": f.message,
        "path": list(f.path),
        "suggestion": f.suggestion,
        "iam_rejects": f.iam_rejects,
        "iam_message": f.iam_message,
    }


def _sarif(results: list[dict[str, Any]]) -> dict[str, Any]:
    level = {"error": "error", "security_warning": "warning", "warning": "warning", "suggestion": "note"}
    from . import __version__

    return {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "rolekit",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/rolekit/",
                    }
                },
                "results": [
                    {
                        "ruleId": r["code"],
                        "level": level.get(r["severity"], "warning"),
                        "message": {
                            "text": r["message"] + (f" (suggestion: {r['suggestion']})" if r["suggestion"] else "")
                        },
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": r["file"]},
                                    "region": {"startLine": r["line"] or 1, "startColumn": r["column"] or 1},
                                }
                            }
                        ],
                    }
                    for r in results
                ],
            }
        ],
    }


def _policy_paths(given: Sequence[str]) -> list[str]:
    """The files `lint` checks: each file as given, and for a folder every ``*.json`` below it
    (hidden folders skipped), in a stable order; a folder with none is an error, not a silent pass."""
    import os

    from .exceptions import InvalidArgument

    paths: list[str] = []
    for path in given:
        if path == "-" or not os.path.isdir(path):
            paths.append(path)
            continue
        found: list[str] = []
        for top, dirs, names in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # not walked at all (.git, .venv)
            found += (os.path.join(top, name) for name in names if name.endswith(".json"))
        found.sort()
        if not found:
            raise InvalidArgument(f"{_shown(path)} is a folder with no .json file in it")
        paths += found
    return paths


def _cmd_lint(args: argparse.Namespace) -> int:
    from ._rolekit import Policy
    from .exceptions import PolicyError

    results: list[dict[str, Any]] = []
    open_trust = False
    files = _policy_paths(args.files)
    for path in files:
        try:
            policy = Policy.from_json(_read(path))
            kind = args.kind or policy.detect_kind()
            if args.kind is None and kind != "identity":
                print(f"{_shown(path)}: checked as a {kind} policy (detected; --kind chooses)", file=sys.stderr)
            findings: list[Any] = list(policy.validate(kind=kind, inline=args.inline, managed=args.managed))
            open_trust |= kind == "trust" and any(f.code == "OPEN_PRINCIPAL" for f in findings)
        except PolicyError as e:
            findings = list(e.findings)
        results += [_finding_dict(path, f) for f in findings]
    if args.format == "json":
        print(json.dumps(results, indent=2))
    elif args.format == "sarif":
        print(json.dumps(_sarif(results), indent=2))
    else:
        for r in results:
            where = (
                f"{r['file']}:{r['line']}:{r['column']}"
                if r["line"]
                else f"{r['file']}:{'.'.join(map(str, r['path']))}"
            )
            sug = f" (suggestion: {r['suggestion']})" if r["suggestion"] else ""
            print(_shown(f"{where}: {r['severity']} {r['code']}: {r['message']}{sug}").replace("\n", "\\n"))
        errors = sum(r["severity"] == "error" for r in results)
        print(f"{len(files)} file(s), {len(results)} finding(s), {errors} error(s)", file=sys.stderr)
    failing = {"error"} | ({"security_warning", "warning"} if args.strict else set())
    if open_trust and not args.allow_open:
        print(
            'rolekit: a trust policy lets anyone assume the role (Principal "*" with no condition); '
            "--allow-open accepts that",
            file=sys.stderr,
        )
        return EXIT_NEGATIVE
    return EXIT_NEGATIVE if any(r["severity"] in failing for r in results) else EXIT_OK


class _Leveled(argparse.Action):
    """``--scp FILE`` adds to the current level of the organization; ``--scp-level`` starts the next
    one (root first): ``--scp root.json --scp-level --scp ou.json`` is ``[[root], [ou]]``."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: Any = None
    ) -> None:
        levels: list[list[str]] = getattr(namespace, self.dest, None) or []
        if values is None or values == []:  # the -level flag
            if levels:
                levels.append([])
        else:
            if not levels:
                levels.append([])
            levels[-1].append(values)
        setattr(namespace, self.dest, levels)


def _check_request(action: str, resource: str) -> None:
    """What simulate is asked about, checked by the validator before the decision: an action that
    does not exist (with the nearest real one) or a malformed ARN is said on stderr, since IAM
    would never see such a request. (A malformed action is refused by simulate itself.)"""
    from ._rolekit import Policy

    probe = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
    for f in Policy.from_json(probe).validate():
        said_by_simulate = f.iam_rejects and f.path[-1:] == ("Action",)  # simulate refuses it itself
        if f.severity in ("error", "warning") and f.path[-1:] in (("Action",), ("Resource",)) and not said_by_simulate:
            what = "the action" if f.path[-1] == "Action" else "the resource"
            print(_shown(f"rolekit: {what} asked about: {f.code}: {f.message}"), file=sys.stderr)


def _policy_files(given: list[tuple[str, str]]) -> dict[str, Any]:
    """The policy files a command was given, each read and parsed once (standard input and a pipe
    such as ``<(...)`` can be read only once), and validated as the kind it is given as: errors on
    stderr with their file:line:column, before the decision (a statement IAM would reject decides
    nothing). A file that is not a policy at all stops the command, its problems named the same way."""
    from ._rolekit import Policy
    from .exceptions import PolicyError

    policies: dict[str, Any] = {}
    for path, kind in given:
        if path not in policies:
            try:
                policies[path] = Policy.from_json(_read(path))
            except PolicyError as e:
                _print_errors(path, e.findings)
                raise PolicyError(f"{_named(path)} is not a policy rolekit can read", findings=e.findings) from None
        _print_errors(path, policies[path].validate(kind=kind))
    return policies


def _print_errors(path: str, findings: Iterable[Any]) -> None:
    """The error findings of the file `path` on stderr, each with its file:line:column."""
    for f in findings:
        if f.severity == "error":
            r = _finding_dict(path, f)
            where = f"{r['file']}:{r['line']}:{r['column']}" if r["line"] else r["file"]
            print(_shown(f"rolekit: {where}: {r['severity']} {r['code']}: {r['message']}"), file=sys.stderr)


def _cmd_simulate(args: argparse.Namespace) -> int:
    from ._rolekit import simulate
    from .exceptions import InvalidArgument

    context: dict[str, list[str]] = {}
    for item in args.context or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidArgument(f"--context takes key=value, got {item!r}")
        context.setdefault(key, []).append(value)
    _check_request(args.action, args.resource)
    scps, rcps = args.scps or [], args.rcps or []
    given = [(p, "identity") for p in args.policy or []]
    given += [(p, k) for p, k in ((args.resource_policy, "resource"), (args.boundary, "boundary")) if p]
    given += [(args.session, "session")] if args.session else []
    given += [(p, "scp") for level in scps for p in level] + [(p, "rcp") for level in rcps for p in level]
    given += [(args.endpoint_policy, "endpoint")] if args.endpoint_policy else []
    read = _policy_files(given)
    one = lambda path: read[path] if path else None  # noqa: E731 (an optional file's policy)
    d = simulate(
        args.action,
        args.resource,
        identity=[read[p] for p in args.policy or []],
        resource_policy=one(args.resource_policy),
        boundary=one(args.boundary),
        session=one(args.session),
        principal=args.principal,
        context=context,
        scps=[[read[p] for p in level] for level in scps] or None,
        rcps=[[read[p] for p in level] for level in rcps] or None,
        endpoint_policy=one(args.endpoint_policy),
        resource_account=args.resource_account,
        management_account=args.management_account,
    )
    if args.format == "json":
        print(
            json.dumps(
                {
                    "decision": d.decision,
                    "allowed": d.allowed,
                    "blocked_by": list(d.blocked_by),
                    "matched": d.matched,
                    "missing_context": d.missing_context,
                    "explanation": d.explain().splitlines(),
                },
                indent=2,
            )
        )
    else:
        print(_shown(d.explain()))
    return EXIT_OK if d.allowed else EXIT_NEGATIVE


def _print_diagnosis(d: Any, fmt: str) -> int:
    """A diagnosis as text (one problem a line, each fix below it) or JSON; exit 0 ok, 1 problems."""
    if fmt == "json":
        print(_shown(json.dumps(d.to_dict(), indent=2)))
    else:
        print(_shown(str(d)))
        for p in d.problems:
            if p.fix is None:
                continue
            fix = p.fix if isinstance(p.fix, str) else p.fix.to_json()
            where = f" to {p.fix_target}" if p.fix_target else ""
            print(_shown(f"fix ({p.action}){where}: {fix}"))
        policy = d.fix_policy()
        if policy is not None:
            print("fix_policy (add to the role):")
            print(policy.to_json(indent=2))
    return EXIT_OK if d.ok else EXIT_NEGATIVE


def _cmd_check_assume(args: argparse.Namespace) -> int:
    d = _client(args).diagnose_assume(
        args.role,
        session_name=args.session_name,
        external_id=args.external_id,
        source_identity=args.source_identity,
    )
    return _print_diagnosis(d, args.format)


def _cmd_check_sagemaker(args: argparse.Namespace) -> int:
    read = _policy_files([(p, "scp") for level in args.scps or [] for p in level])
    d = _client(args).sagemaker_check(
        args.role,
        inputs=args.input or [],
        output=args.output,
        image=args.image,
        kms_keys=args.kms_key or [],
        vpc=args.vpc,
        job=args.job,
        job_name=args.job_name,
        scps=[[read[p] for p in level] for level in args.scps or []] or None,
        management_account=args.management_account,
    )
    return _print_diagnosis(d, args.format)


def _fleet_or_client(args: argparse.Namespace) -> tuple[Any, Any]:
    """The fleet the options name (``--accounts`` / ``--organization``), or the client alone."""
    from ._rolekit import Fleet

    client = _client(args)
    accounts = [a.strip() for a in (args.accounts or "").split(",") if a.strip()]
    if args.organization or accounts:
        fleet = Fleet(
            accounts=accounts or None,
            organization=args.organization,
            ou=args.ou,
            role=args.role,
            external_id=args.external_id,
            concurrency=args.concurrency,
            client=client,
        )
        return fleet, client
    return None, client


def _plans(result: Any) -> list[Any]:
    return list(result) if hasattr(result, "counts") else [result]


def _print_plans(plans: list[Any], fmt: str) -> None:
    if fmt == "json":
        print(
            json.dumps({"in_sync": all(p.in_sync for p in plans), "accounts": [p.to_dict() for p in plans]}, indent=2)
        )
    else:
        for p in plans:
            print(_shown(str(p)))


def _cmd_plan(args: argparse.Namespace) -> int:
    from ._rolekit import RoleSpec

    spec = RoleSpec.load(args.spec)
    fleet, client = _fleet_or_client(args)
    plans = _plans(fleet.plan(spec) if fleet is not None else client.plan(spec))
    _print_plans(plans, args.format)
    if any(p.status in ("unreachable", "denied", "failed") for p in plans):
        return EXIT_FAILURE
    return EXIT_OK if all(p.in_sync for p in plans) else EXIT_NEGATIVE


def _cmd_apply(args: argparse.Namespace) -> int:
    from ._rolekit import RoleSpec

    spec = RoleSpec.load(args.spec)
    fleet, client = _fleet_or_client(args)
    plans = _plans(fleet.plan(spec) if fleet is not None else client.plan(spec))
    due = [p for p in plans if p.status in ("changes", "drift")]
    if not due:
        _print_plans(plans, args.format)
        return EXIT_OK
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "rolekit: error: apply writes to AWS; run it on a terminal to confirm, or pass --yes",
                file=sys.stderr,
            )
            return EXIT_FAILURE
        _print_plans(due, "text")
        answer = input(f"apply to {len(due)} account(s)? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("rolekit: nothing applied", file=sys.stderr)
            return EXIT_NEGATIVE
    done = _plans(fleet.apply(spec, max_failures=args.max_failures) if fleet is not None else client.apply(spec))
    _print_plans(done, args.format)
    return EXIT_FAILURE if any(p.status in ("unreachable", "denied", "failed", "skipped") for p in done) else EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from ._rolekit import RoleSpec

    print(RoleSpec.load(args.spec).to_cloudformation(), end="")
    return EXIT_OK


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from .sandbox import Sandbox

    with Sandbox(enforce_iam=not args.no_enforce) as sb:
        env = sb.env()
        if args.format == "json":
            print(json.dumps(env, indent=2), flush=True)
        else:
            print("# rolekit sandbox: moto's server on 127.0.0.1, IAM enforcement", "off" if args.no_enforce else "on")
            print("# paste these lines into another shell; Ctrl-C here stops the sandbox")
            for k, v in env.items():
                print(f"export {k}={v}")
            sys.stdout.flush()
        try:
            while sb.running:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run

    return run(aws=args.aws, assume_yes=args.yes)


def _assume(args: argparse.Namespace) -> Any:
    """Assume ``args.role`` with the options shared by ``assume`` and ``exec``."""
    mfa_token: Any = args.mfa_token
    if args.mfa_serial and mfa_token is None:
        import getpass

        def mfa_token() -> str:
            return getpass.getpass(f"MFA code for {args.mfa_serial}: ")

    return _client(args).assume_role(
        args.role,
        session_name=args.session_name,
        duration=args.duration,
        external_id=args.external_id,
        mfa_serial=args.mfa_serial,
        mfa_token=mfa_token,
        source_identity=args.source_identity,
        wait=args.wait,
    )


def _expiry(creds: Any) -> Optional[str]:
    exp = creds.expiration
    return exp.isoformat().replace("+00:00", "Z") if exp is not None else None


def _cmd_assume(args: argparse.Namespace) -> int:
    import shlex

    creds = _assume(args)
    if args.format == "env":
        variables = dict(creds.to_env())
        expiry = _expiry(creds)
        if expiry:
            variables["AWS_CREDENTIAL_EXPIRATION"] = expiry
        for k, v in variables.items():
            print(f"export {k}={shlex.quote(v)}")
    elif args.format == "credential-process":
        print(creds.credential_process_json())
    elif args.format == "json":
        out = {
            "Credentials": {
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key,
                "SessionToken": creds.session_token,
                "Expiration": _expiry(creds),
            },
            "AssumedRoleUser": {"Arn": creds.assumed_role_arn},
            "RoleArn": creds.role_arn,
        }
        print(json.dumps(out, indent=2))
    else:
        print(f"assumed {creds.assumed_role_arn}")
        print(f"credentials {creds}")
        print(
            "# secrets not shown; use --format env | json | credential-process to print them,"
            " or `rolekit exec ROLE -- COMMAND` to run a command with them",
            file=sys.stderr,
        )
    return EXIT_OK


def _cmd_exec(args: argparse.Namespace) -> int:
    import os
    import subprocess

    command = list(args.command)
    if not command:
        print("rolekit: error: exec needs a command after --, e.g. rolekit exec ROLE -- aws s3 ls", file=sys.stderr)
        return EXIT_USAGE
    creds = _assume(args)
    env = dict(os.environ)
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        env.pop(var, None)
    env.update(creds.to_env())
    expiry = _expiry(creds)
    if expiry:
        env["AWS_CREDENTIAL_EXPIRATION"] = expiry
    if args.region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = args.region
    try:
        done = subprocess.run(command, env=env)
    except FileNotFoundError:
        print(f"rolekit: error: command not found: {command[0]}", file=sys.stderr)
        return 127
    except PermissionError:
        print(f"rolekit: error: command not executable: {command[0]}", file=sys.stderr)
        return 126
    return done.returncode if done.returncode >= 0 else 128 - done.returncode


def _cmd_profile_add(args: argparse.Namespace) -> int:
    from . import profiles

    change = profiles.add(
        args.name,
        role_arn=args.role_arn,
        source_profile=args.source_profile,
        credential_source=args.credential_source,
        mfa_serial=args.mfa_serial,
        external_id=args.external_id,
        role_session_name=args.session_name,
        duration_seconds=args.duration_seconds,
        region=args.region,
        force=args.force,
    )
    return _print_profile_change(args, change)


def _cmd_profile_remove(args: argparse.Namespace) -> int:
    from . import profiles

    change = profiles.remove(args.name, force=args.force)
    return _print_profile_change(args, change)


def _cmd_profile_list(args: argparse.Namespace) -> int:
    from . import profiles

    found = profiles.names()
    if args.format == "json":
        print(json.dumps(found))
    else:
        for name in found:
            print(name)
    return EXIT_OK


def _print_profile_change(args: argparse.Namespace, change: Any) -> int:
    for w in change.warnings:
        print(f"rolekit: warning: {w}", file=sys.stderr)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "profile": change.name,
                    "file": str(change.path),
                    "action": change.action,
                    "settings": dict(change.settings),
                },
                indent=2,
            )
        )
    elif change.action == "absent":
        print(f"no profile {change.name!r} in {change.path}", file=sys.stderr)
    else:
        print(f"{change.action} profile {change.name!r} in {change.path}")
    return EXIT_NEGATIVE if change.action == "absent" else EXIT_OK


def _cmd_kernel(args: argparse.Namespace) -> int:
    from . import kernel

    if args.action == "install":
        where = kernel.install(user=args.user, sys_prefix=args.sys_prefix, name=args.name)
        print(f"installed kernel {args.name!r} ({kernel.DISPLAY_NAME}) in {where}")
        return EXIT_OK
    try:
        where = kernel.uninstall(args.name)
    except KeyError:
        print(f"rolekit: no kernel named {args.name!r} is installed", file=sys.stderr)
        return EXIT_NEGATIVE
    print(f"removed kernel {args.name!r} from {where}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    from ._rolekit import POLICY_KINDS

    # The global options work before or after the command (`rolekit --debug whoami` and
    # `rolekit whoami --debug`): the command's copies default to SUPPRESS, so that an option given
    # before the command is not overwritten by the command's default; `_globals` fills the rest.
    quiet = argparse.SUPPRESS
    base = argparse.ArgumentParser(add_help=False)
    base.add_argument("--debug", action="store_true", default=quiet, help="show tracebacks")
    aws = argparse.ArgumentParser(add_help=False)
    aws.add_argument("--profile", default=quiet, help="AWS profile (default: AWS_PROFILE or 'default')")
    aws.add_argument("--region", default=quiet, help="AWS region (default: AWS_REGION, then the profile)")
    aws.add_argument(
        "--endpoint-url", default=quiet, help="send requests here instead of AWS (default: AWS_ENDPOINT_URL)"
    )

    def group(name: str, help: str) -> Any:
        """A command with actions of its own (`rolekit role ensure`), each required."""
        actions = sub.add_parser(name, help=help).add_subparsers(dest=f"{name}_command", metavar="ACTION")
        actions.required = True
        return actions

    def formats(parser: argparse.ArgumentParser, *choices: str, default: str = "text") -> None:
        parser.add_argument("--format", choices=choices, default=quiet, help=f"output format (default: {default})")
        parser.set_defaults(format_default=default, format_choices=choices)

    def assume_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("role", help="a role name (in the caller's account) or a role ARN")
        parser.add_argument("--duration", type=int, default=3600, help="seconds the credentials last (default 3600)")
        parser.add_argument("--session-name", help="the role session name (default: derived from the caller)")
        parser.add_argument("--external-id", help="the external id the role's trust policy asks for")
        parser.add_argument("--mfa-serial", help="the MFA device ARN; the code is asked on the terminal")
        parser.add_argument("--mfa-token", help=argparse.SUPPRESS)
        parser.add_argument("--source-identity", help="a source identity recorded in CloudTrail")
        parser.add_argument(
            "--wait", type=float, default=None, metavar="SECONDS", help="retry AccessDenied this long (new roles)"
        )

    def scp_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--scp", dest="scps", action=_Leveled, metavar="FILE", help="an SCP at the current level (repeatable)"
        )
        parser.add_argument(
            "--scp-level", dest="scps", action=_Leveled, nargs=0, help="start the next level of SCPs (root first)"
        )
        parser.add_argument(
            "--management-account", action="store_true", help="the caller is in the management account (no SCPs)"
        )

    p = argparse.ArgumentParser(prog="rolekit", description="IAM roles, safely: policies, roles, assume-role.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"rolekit {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks (also after the command)")
    p.add_argument("--format", help="output format (also after the command; each command says which)")
    p.add_argument("--profile", help="AWS profile (also after the command)")
    p.add_argument("--region", help="AWS region (also after the command)")
    p.add_argument("--endpoint-url", help="send requests here instead of AWS (also after the command)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("whoami", parents=[base, aws], help="who the current credentials belong to")
    formats(s, "text", "json")
    s.set_defaults(func=_cmd_whoami)

    rsub = group("role", "create or update, show and delete roles")
    s = rsub.add_parser("ensure", parents=[base, aws], help="create the role, or change only what differs")
    formats(s, "text", "json")
    s.add_argument("name")
    s.add_argument("--trust", required=True, metavar="FILE", help="the trust policy (JSON)")
    s.add_argument("--policy", action="append", metavar="NAME=FILE", help="an inline policy (repeatable)")
    s.add_argument("--managed", action="append", metavar="ARN|NAME", help="a managed policy to attach (repeatable)")
    s.add_argument("--description")
    s.add_argument("--path", default="/")
    s.add_argument("--max-session-duration", type=int, metavar="SECONDS")
    s.add_argument("--plan", action="store_true", help="say what would change; change nothing")
    s.set_defaults(func=_cmd_role_ensure)
    s = rsub.add_parser("show", parents=[base, aws], help="a role with its policies and tags")
    formats(s, "text", "json")
    s.add_argument("name")
    s.set_defaults(func=_cmd_role_show)
    s = rsub.add_parser("delete", parents=[base, aws], help="empty and delete a role (refuses a recently used one)")
    formats(s, "text")
    s.add_argument("name")
    s.add_argument("--force", action="store_true", help="delete even a recently used or protected role")
    s.set_defaults(func=_cmd_role_delete)
    polsub = group("policy", "customer managed policies")
    s = polsub.add_parser("put", parents=[base, aws], help="create a policy, or a new default version")
    formats(s, "text", "json")
    s.add_argument("name")
    s.add_argument("file", metavar="FILE")
    s.add_argument("--description")
    s.add_argument("--path", default="/")
    s.set_defaults(func=_cmd_policy_put)

    s = sub.add_parser("lint", parents=[base], help="check policy files offline (findings with file:line:column)")
    formats(s, "text", "json", "sarif")
    s.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="policy JSON files, or folders (every .json below them); - reads standard input",
    )
    s.add_argument(
        "--kind",
        choices=POLICY_KINDS,
        help="the kind of policy (default: detected from the document: trust, resource or identity)",
    )
    s.add_argument("--allow-open", action="store_true", help="accept a trust policy that anyone may assume (exit 0)")
    s.add_argument("--inline", action="store_true", help="an inline role policy (10,240-character limit)")
    s.add_argument(
        "--managed",
        action="store_true",
        help="a customer managed policy (CreatePolicy: 6,144 characters, Version 2012-10-17)",
    )
    s.add_argument("--strict", action="store_true", help="exit 1 on warnings and security warnings too")
    s.set_defaults(func=_cmd_lint)

    s = sub.add_parser("simulate", parents=[base], help="decide a request offline with IAM's logic")
    formats(s, "text", "json")
    s.add_argument("action")
    s.add_argument("resource", nargs="?", default="*")
    s.add_argument("--policy", action="append", metavar="FILE", help="an identity policy (repeatable)")
    s.add_argument("--resource-policy", metavar="FILE")
    s.add_argument("--boundary", metavar="FILE")
    s.add_argument("--session", metavar="FILE")
    s.add_argument("--principal", help="the caller: an ARN, an account id or a service principal")
    s.add_argument("--context", action="append", metavar="KEY=VALUE", help="a condition key (repeatable)")
    scp_options(s)
    s.add_argument(
        "--rcp", dest="rcps", action=_Leveled, metavar="FILE", help="an RCP at the current level (repeatable)"
    )
    s.add_argument("--rcp-level", dest="rcps", action=_Leveled, nargs=0, help="start the next level of RCPs")
    s.add_argument("--endpoint-policy", metavar="FILE", help="the VPC endpoint policy the request passes through")
    s.add_argument("--resource-account", metavar="ID", help="the account owning the resource (S3 ARNs do not say)")
    s.set_defaults(func=_cmd_simulate)

    def fleet_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("spec", help="the role spec (TOML)")
        parser.add_argument("--accounts", metavar="ID,...", help="these accounts (each through --role)")
        parser.add_argument("--organization", action="store_true", help="every active account of the organization")
        parser.add_argument("--ou", help="with --organization: the accounts under this OU")
        parser.add_argument("--role", default="OrganizationAccountAccessRole", help="the role assumed in each account")
        parser.add_argument("--external-id")
        parser.add_argument("--concurrency", type=int, default=16, help="accounts at once (default 16)")

    s = sub.add_parser("plan", parents=[base, aws], help="what applying a role spec would change (and drift)")
    formats(s, "text", "json")
    fleet_options(s)
    s.set_defaults(func=_cmd_plan)
    s = sub.add_parser("apply", parents=[base, aws], help="apply a role spec (asks first unless --yes)")
    formats(s, "text", "json")
    fleet_options(s)
    s.add_argument("--yes", action="store_true", help="apply without asking")
    s.add_argument("--max-failures", type=int, default=0, help="accounts that may fail before no new one starts")
    s.set_defaults(func=_cmd_apply)
    s = sub.add_parser("export", parents=[base], help="a role spec as a CloudFormation template")
    formats(s, "cloudformation", default="cloudformation")
    s.add_argument("spec", help="the role spec (TOML)")
    s.set_defaults(func=_cmd_export)

    csub = group("check", "why denied: diagnose an assume-role, check a SageMaker job before it runs")
    s = csub.add_parser("assume", parents=[base, aws], help="why this caller can or cannot assume ROLE")
    formats(s, "text", "json")
    s.add_argument("role", help="a role name (in the caller's account) or a role ARN")
    s.add_argument("--session-name")
    s.add_argument("--external-id")
    s.add_argument("--source-identity")
    s.set_defaults(func=_cmd_check_assume)
    s = csub.add_parser("sagemaker", parents=[base, aws], help="everything a SageMaker job needs, before it starts")
    formats(s, "text", "json")
    s.add_argument("role_given", nargs="?", metavar="ROLE", help="the execution role (name or ARN), or --role")
    s.add_argument("--role", help="the execution role (name or ARN)")
    s.add_argument("--input", action="append", metavar="S3URI", help="an input prefix (repeatable)")
    s.add_argument("--output", metavar="S3URI", help="the output prefix")
    s.add_argument("--image", metavar="URI", help="the ECR image URI")
    s.add_argument("--kms-key", action="append", metavar="ARN", help="a KMS key the job uses (repeatable)")
    s.add_argument("--vpc", action="store_true", help="the job runs in a VPC")
    s.add_argument("--job", default="training", choices=["training", "processing", "transform", "endpoint"])
    s.add_argument("--job-name", help="the job's name (its ARN is what the caller's policies see)")
    scp_options(s)
    s.set_defaults(func=_cmd_check_sagemaker)

    s = sub.add_parser("assume", parents=[base, aws], help="assume a role and print its credentials")
    formats(s, "text", "env", "json", "credential-process")
    assume_options(s)
    s.set_defaults(func=_cmd_assume)

    s = sub.add_parser(
        "exec",
        parents=[base, aws],
        help="run a command with a role's credentials",
        usage="rolekit exec ROLE [options] -- COMMAND [ARG ...]",
    )
    formats(s, "text")
    assume_options(s)
    s.add_argument("command", nargs="*", help="the command and its arguments, after --")
    s.set_defaults(func=_cmd_exec)

    psub = group("profile", "role profiles in the AWS config file (AWS_CONFIG_FILE honoured)")
    s = psub.add_parser("add", parents=[base], help="write a role profile")
    formats(s, "text", "json")
    s.add_argument("name")
    s.add_argument("--role-arn", required=True)
    src = s.add_mutually_exclusive_group(required=True)
    src.add_argument("--source-profile", help="the profile whose credentials assume the role")
    src.add_argument("--credential-source", choices=["Environment", "Ec2InstanceMetadata", "EcsContainer"])
    s.add_argument("--mfa-serial")
    s.add_argument("--external-id")
    s.add_argument("--session-name", help="role_session_name")
    s.add_argument("--region")
    s.add_argument("--duration-seconds", type=int)
    s.add_argument("--force", action="store_true", help="overwrite a different existing profile")
    s.set_defaults(func=_cmd_profile_add)
    s = psub.add_parser("remove", parents=[base], help="remove a profile")
    formats(s, "text", "json")
    s.add_argument("name")
    s.add_argument("--force", action="store_true", help="remove a profile that holds more than a role's keys")
    s.set_defaults(func=_cmd_profile_remove)
    s = psub.add_parser("list", parents=[base], help="the profiles in the config file")
    formats(s, "text", "json")
    s.set_defaults(func=_cmd_profile_list)

    s = sub.add_parser("kernel", parents=[base], help="install or remove the rolekit Jupyter kernel")
    formats(s, "text")
    s.add_argument("action", choices=["install", "uninstall"])
    s.add_argument("--name", default="rolekit", help="the kernelspec name (default: rolekit)")
    where = s.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="into the user's Jupyter data folder")
    where.add_argument("--sys-prefix", action="store_true", help="into this Python environment")
    s.set_defaults(func=_cmd_kernel)

    s = sub.add_parser("sandbox", parents=[base], help="run a local AWS (moto) and print its exports")
    formats(s, "text", "json")
    s.add_argument("--no-enforce", action="store_true", help="accept any credentials (no IAM enforcement)")
    s.set_defaults(func=_cmd_sandbox)

    s = sub.add_parser("demo", parents=[base], help="the IAM-role tutorial, end to end, on a local sandbox")
    formats(s, "text")
    s.add_argument("--aws", action="store_true", help="run against real AWS (asks before any write)")
    s.add_argument("--yes", action="store_true", help="with --aws: do not ask before writing")
    s.set_defaults(func=_cmd_demo)

    s = sub.add_parser(
        "completion",
        help='print a shell completion script: eval "$(rolekit completion bash)" (or zsh) in your shell\'s rc file',
    )
    s.add_argument("shell", choices=["bash", "zsh"])
    s.set_defaults(func=lambda args: _cmd_completion(p, args))
    return p


def _words(parser: argparse.ArgumentParser) -> tuple[list[str], dict[str, argparse.ArgumentParser]]:
    """A parser's option strings and its commands (name -> parser)."""
    options: list[str] = []
    commands: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            commands.update(action.choices)
        else:
            options += [o for o in action.option_strings if o.startswith("--")]
            if action.choices and not action.option_strings:
                commands.update({str(c): parser for c in action.choices})  # positional choices: kernel's action
    return options, commands


def _cmd_completion(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Completion from the parser itself, so it never falls behind the commands: the first word
    completes commands and global options, the second a group's actions, then each command's
    options (and file names)."""
    top_options, commands = _words(parser)
    cases, nested_cases = [], []
    for name, sub in commands.items():
        options, actions = _words(sub)
        nested = [a for a, p in actions.items() if p is not sub]
        words = " ".join([*options, *(a for a, p in actions.items() if p is sub)])
        cases.append(f'    "{name}") words="{words}"; actions="{" ".join(nested)}";;')
        for action, action_parser in actions.items():
            if action_parser is not sub:
                nested_cases.append(f'    "{name} {action}") words="{" ".join(_words(action_parser)[0])}";;')
    script = f"""_rolekit() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" words="" actions="" key="${{COMP_WORDS[1]}}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "{" ".join([*commands, *top_options])}" -- "$cur")); return
  fi
  case "$key" in
{chr(10).join(cases)}
  esac
  if [[ -n "$actions" && $COMP_CWORD -eq 2 ]]; then
    COMPREPLY=($(compgen -W "$actions" -- "$cur")); return
  fi
  if [[ -n "$actions" ]]; then
    key="${{COMP_WORDS[1]}} ${{COMP_WORDS[2]}}"
    case "$key" in
{chr(10).join(nested_cases)}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  [[ "$cur" != -* ]] && COMPREPLY+=($(compgen -f -- "$cur"))
}}
complete -F _rolekit rolekit
"""
    if args.shell == "zsh":
        script = "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script
    print(script)
    return EXIT_OK


def _split_exec(argv: list[str]) -> tuple[list[str], Optional[list[str]]]:
    """`exec`'s own arguments and, after the first `--`, the command: options may come before or
    after ROLE (`rolekit exec ROLE --region X -- cmd`), and nothing after `--` is rolekit's."""
    if "--" in argv:
        cut = argv.index("--")
        if "exec" in argv[:cut]:
            return argv[:cut], argv[cut + 1 :]
    return argv, None


def _shell_advice(text: str, error: BaseException) -> str:
    """An error's advice as a shell user takes it: options, not Python arguments; and a local
    endpoint that does not answer is most likely a sandbox that stopped."""
    from .exceptions import EndpointError

    text = text.replace("or pass credentials=...", "or pass --profile NAME")
    if isinstance(error, EndpointError) and any(h in text for h in ("//127.0.0.1:", "//localhost:", "//[::1]:")):
        text += (
            " (a local endpoint: is the sandbox still running? `rolekit sandbox` starts one and prints the "
            "variables that point here)"
        )
    return text


def _globals(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A global option given before the command stands; the command's format default fills in;
    a format the command does not have is a usage error (exit 2), as after the command."""
    choices = getattr(args, "format_choices", None)
    if getattr(args, "format", None) is None:
        args.format = getattr(args, "format_default", "text")
    elif choices is not None and args.format not in choices:
        parser.error(f"--format {args.format!r} is not one of this command's: {', '.join(choices)}")
    if hasattr(args, "role_given"):  # check sagemaker: the role as `ROLE` (as check assume) or `--role ROLE`
        if args.role_given and args.role and args.role_given != args.role:
            parser.error(f"two roles given: {args.role_given!r} and --role {args.role!r}")
        args.role = args.role or args.role_given
        if not args.role:
            parser.error("check sagemaker needs the execution role: rolekit check sagemaker ROLE ...")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    own, command = _split_exec(list(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(own)
        _globals(parser, args)
    except SystemExit as e:  # argparse: --help, --version, usage errors
        return int(e.code) if isinstance(e.code, int) else EXIT_USAGE
    if command is not None:
        args.command = [*args.command, *command] if args.command else command
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        print("rolekit: interrupted", file=sys.stderr)
        return 130
    except ImportError as e:  # an optional extra is missing (moto for the sandbox, ipykernel, boto3)
        if getattr(args, "debug", False):
            raise
        extra = {"moto": "sandbox", "ipykernel": "notebook", "jupyter_client": "notebook", "boto3": "boto3"}
        hint = extra.get((e.name or "").split(".")[0])
        more = f"; install it with: pip install 'rolekit[{hint}]'" if hint else ""
        print(f"rolekit: error: {e}{more}", file=sys.stderr)
        return EXIT_FAILURE
    except (RolekitError, OSError, ValueError, TypeError) as e:
        if getattr(args, "debug", False):
            raise
        text = _shell_advice(f"rolekit: error: {type(e).__name__}: {e}", e)
        print(_shown(text).replace("\n", " "), file=sys.stderr)
        diagnosis = getattr(e, "diagnosis", None)
        for p in getattr(diagnosis, "problems", []):
            if p.fix is not None:
                fix = p.fix if isinstance(p.fix, str) else p.fix.to_json()
                where = f" to {p.fix_target}" if p.fix_target else ""
                print(_shown(f"rolekit: fix{where}: {fix}"), file=sys.stderr)
        return EXIT_FAILURE
