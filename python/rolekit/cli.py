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
    common.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    common.add_argument("--debug", action="store_true", help="show tracebacks")

    p = argparse.ArgumentParser(prog="rolekit", description="IAM roles, safely: policies, roles, assume-role.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"rolekit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("whoami", parents=[common], help="who the current credentials belong to")
    s.set_defaults(func=_cmd_whoami)

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
