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
from collections.abc import Sequence
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


def _read(path: str) -> str:
    """A file's text, or standard input for `-`."""
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as f:
        return f.read()


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


def _cmd_lint(args: argparse.Namespace) -> int:
    from ._rolekit import Policy
    from .exceptions import PolicyError

    results: list[dict[str, Any]] = []
    for path in args.files:
        try:
            report = Policy.from_json(_read(path)).validate(kind=args.kind, inline=args.inline)
            findings = list(report)
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
            print(f"{where}: {r['severity']} {r['code']}: {r['message']}{sug}")
        errors = sum(r["severity"] == "error" for r in results)
        print(f"{len(args.files)} file(s), {len(results)} finding(s), {errors} error(s)", file=sys.stderr)
    failing = {"error"} | ({"security_warning", "warning"} if args.strict else set())
    return EXIT_NEGATIVE if any(r["severity"] in failing for r in results) else EXIT_OK


def _cmd_simulate(args: argparse.Namespace) -> int:
    from ._rolekit import simulate

    context: dict[str, list[str]] = {}
    for item in args.context or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--context takes key=value, got {item!r}")
        context.setdefault(key, []).append(value)
    d = simulate(
        args.action,
        args.resource,
        identity=[_read(p) for p in args.policy or []],
        resource_policy=_read(args.resource_policy) if args.resource_policy else None,
        boundary=_read(args.boundary) if args.boundary else None,
        session=_read(args.session) if args.session else None,
        principal=args.principal,
        context=context,
    )
    if args.format == "json":
        print(
            json.dumps(
                {
                    "decision": d.decision,
                    "allowed": d.allowed,
                    "matched": d.matched,
                    "explanation": d.explain().splitlines(),
                },
                indent=2,
            )
        )
    else:
        print(d.explain())
    return EXIT_OK if d.allowed else EXIT_NEGATIVE


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


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--profile", help="AWS profile (default: AWS_PROFILE or 'default')")
    common.add_argument("--region", help="AWS region (default: AWS_REGION, then the profile)")
    common.add_argument("--endpoint-url", help="send requests here instead of AWS (default: AWS_ENDPOINT_URL)")
    common.add_argument("--format", choices=["text", "json", "sarif"], default="text", help="output format")
    common.add_argument("--debug", action="store_true", help="show tracebacks")

    p = argparse.ArgumentParser(prog="rolekit", description="IAM roles, safely: policies, roles, assume-role.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"rolekit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("whoami", parents=[common], help="who the current credentials belong to")
    s.set_defaults(func=_cmd_whoami)

    s = sub.add_parser("lint", parents=[common], help="check policy files offline (findings with file:line:column)")
    s.add_argument("files", nargs="+", metavar="FILE", help="policy JSON files; - reads standard input")
    s.add_argument(
        "--kind", default="identity", choices=["identity", "trust", "resource", "boundary", "scp", "session"]
    )
    s.add_argument("--inline", action="store_true", help="an inline role policy (10,240-character limit)")
    s.add_argument("--strict", action="store_true", help="exit 1 on warnings and security warnings too")
    s.set_defaults(func=_cmd_lint)

    s = sub.add_parser("simulate", parents=[common], help="decide a request offline with IAM's logic")
    s.add_argument("action")
    s.add_argument("resource", nargs="?", default="*")
    s.add_argument("--policy", action="append", metavar="FILE", help="an identity policy (repeatable)")
    s.add_argument("--resource-policy", metavar="FILE")
    s.add_argument("--boundary", metavar="FILE")
    s.add_argument("--session", metavar="FILE")
    s.add_argument("--principal", help="the caller: an ARN, an account id or a service principal")
    s.add_argument("--context", action="append", metavar="KEY=VALUE", help="a condition key (repeatable)")
    s.set_defaults(func=_cmd_simulate)

    s = sub.add_parser("sandbox", parents=[common], help="run a local AWS (moto) and print its exports")
    s.add_argument("--no-enforce", action="store_true", help="accept any credentials (no IAM enforcement)")
    s.set_defaults(func=_cmd_sandbox)

    s = sub.add_parser("demo", parents=[common], help="the IAM-role tutorial, end to end, on a local sandbox")
    s.add_argument("--aws", action="store_true", help="run against real AWS (asks before any write)")
    s.add_argument("--yes", action="store_true", help="with --aws: do not ask before writing")
    s.set_defaults(func=_cmd_demo)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help, --version, usage errors
        return int(e.code) if isinstance(e.code, int) else EXIT_USAGE
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        print("rolekit: interrupted", file=sys.stderr)
        return 130
    except (RolekitError, OSError, ValueError, TypeError) as e:
        if getattr(args, "debug", False):
            raise
        print(f"rolekit: error: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAILURE
