"""Attacks on the kernel's masking, run through a real kernel, every message scanned.

Each attack is a cell a curious user or a hostile snippet could run: secrets the kernel never
observed itself (another profile's key, an environment variable set before it started), secrets
printed in pieces, one character at a time, from a subprocess, in another form (JSON-escaped,
URL-encoded, base64 at each alignment, folded, split by ``<wbr>`` or ``&#x2F;``), as dict keys or
display metadata, in tracebacks and log records, in botocore's DEBUG log before the answer is
parsed, after hundreds of AssumeRole calls, and in a history reply.

Every message the kernel sends (IOPub, the execute replies, the history reply) is scanned with the
rule: no run of 12 characters of any secret the kernel knew, in any of its forms, in any string of
the message (keys and metadata included), nor once white space, ``|``, ``<wbr>`` and zero-width
characters are removed and HTML entities decoded.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import secrets
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import KERNEL_NAME
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

RUN = 12


def forms(secret: str) -> list[str]:
    """The ways a secret can be written that the rule covers."""
    out = [secret, secret.replace("/", "\\/"), urllib.parse.quote(secret, safe=""), urllib.parse.quote(secret)]
    raw = secret.encode()
    for align in range(3):
        encoded = base64.b64encode(b"\0" * align + raw).decode()
        stable = encoded[-(-8 * align // 6) : 8 * (align + len(raw)) // 6]
        out += [stable, stable.replace("+", "-").replace("/", "_")]
    return [f for f in out if len(f) >= RUN]


def grams(values: list[str]) -> set[str]:
    return {f[i : i + RUN] for v in values for f in forms(v) for i in range(len(f) - RUN + 1)}


def strings(obj: Any) -> Iterator[str]:
    """Every string in a message: values, keys, nested."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from strings(v)
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        yield bytes(obj).decode("latin-1")


_SQUEEZE = re.compile(r"\s|<wbr\s*/?>|[|\u200b-\u200d\u2060\ufeff]|\x1b\[[0-9;]*[A-Za-z]")


def leaks(message: Any, known: set[str]) -> list[str]:
    """The runs of a secret that ``message`` shows."""
    found = []
    for text in strings(message):
        for view in {text, _SQUEEZE.sub("", text), html.unescape(_SQUEEZE.sub("", text))}:
            for i in range(len(view) - RUN + 1):
                if view[i : i + RUN] in known:
                    found.append(view[max(0, i - 20) : i + 40])
                    break
    return found


class Kernel:
    """A kernel started by jupyter_client, and every message it sent."""

    def __init__(self, name: str, env: dict[str, str], cwd: Path) -> None:
        self.manager = KernelManager(kernel_name=name)
        self.manager.start_kernel(env=env, cwd=str(cwd))
        self.client: BlockingKernelClient = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)
        self.messages: list[dict[str, Any]] = []

    def run(self, code: str, timeout: float = 120) -> list[dict[str, Any]]:
        """Execute ``code``; the IOPub messages it caused, then its reply."""
        msg_id = self.client.execute(code, store_history=True, allow_stdin=False)
        mine: list[dict[str, Any]] = []
        while True:
            msg = self.client.get_iopub_msg(timeout=timeout)
            self.messages.append(msg)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            mine.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        while True:
            reply = self.client.get_shell_msg(timeout=timeout)
            self.messages.append(reply)
            if reply["parent_header"].get("msg_id") == msg_id:
                mine.append(reply)
                return mine

    def history(self) -> dict[str, Any]:
        msg_id = self.client.history(raw=True, output=True, hist_access_type="tail", n=1000)
        while True:
            reply = self.client.get_shell_msg(timeout=60)
            self.messages.append(reply)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def shown(messages: list[dict[str, Any]]) -> str:
    return "\n".join(s for m in messages for s in strings([m["content"], m.get("metadata", {})]))


@pytest.fixture
def aws_home(tmp_path: Path) -> dict[str, str]:
    """A profile the kernel never uses (``dev``), secrets in the environment before it starts, no
    default credentials (so the kernel starts its sandbox)."""
    creds = tmp_path / "credentials"
    dev = {"key": secrets.token_urlsafe(30), "token": "IQoJb3JpZ2luX2Vj" + secrets.token_urlsafe(200)}
    creds.write_text(
        f"[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {dev['key']}\n"
        f"aws_session_token = {dev['token']}\n"
    )
    (tmp_path / "config").write_text("[profile dev]\nregion = us-east-1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k in ("AWS_REGION",)}
    env.update(
        AWS_SHARED_CREDENTIALS_FILE=str(creds),
        AWS_CONFIG_FILE=str(tmp_path / "config"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_SECRET_KEY=secrets.token_urlsafe(30),
        MY_SERVICE_API_TOKEN=secrets.token_hex(24),
        ROLEKIT_SANDBOX="1",
        DEV_KEY=dev["key"],  # for the cells to print: a name that does not mark a secret
    )
    return env


SETUP = (
    "import os, sys, json, base64, urllib.parse, textwrap, html, logging, configparser, boto3\n"
    "from IPython.display import display, JSON, HTML\n"
    "c = rk.Client(); me = c.whoami(); arn = c.ensure_role('atk', rk.Policy.trust(aws=me.arn)).role.arn\n"
    "rc = c.assume_role('atk', wait=10)\n"
    "k, t = rc.secret_access_key, rc.session_token\n"
    "b = boto3.client('sts').assume_role(RoleArn=arn, RoleSessionName='boto')['Credentials']\n"
    "bk, bt = b['SecretAccessKey'], b['SessionToken']\n"
    "os.environ['BK_VALUE'] = bk"
)

#: (what the attack is, the cell). Each must show a mask and no run of a secret.
ATTACKS = [
    ("another profile's key through boto3", "boto3.Session(profile_name='dev').get_credentials().secret_key"),
    (
        "the credentials file through configparser",
        "cp = configparser.ConfigParser(); cp.read(os.environ['AWS_SHARED_CREDENTIALS_FILE']); print(dict(cp['dev']))",
    ),
    (
        "an environment variable set before start",
        "print(os.environ['AWS_SECRET_KEY'], os.environ['MY_SERVICE_API_TOKEN'])",
    ),
    ("the same key under a name that says nothing", "print(os.environ['DEV_KEY'])"),
    ("halves in two prints", "print(k[:20]); print(k[20:])"),
    ("halves in one message", "print(t[:20] + '\\n' + t[20:])"),
    ("one character at a time", "for ch in t[:120]:\n    print(ch, end='', flush=True)"),
    ("halves from subprocesses", "os.system(f'echo {bk[:20]}'); os.system(f'echo {bk[20:]}')"),
    ("halves from %%bash", "%%bash\necho ${BK_VALUE:0:20}\necho ${BK_VALUE:20}"),
    ("halves from !echo", "!echo {bk[:20]}\n!echo {bk[20:]}"),
    ("JSON with escaped slashes", "print(json.dumps({'k': k, 't': t}).replace('/', '\\\\/'))"),
    ("URL-encoded", "print(urllib.parse.quote(t, safe=''))"),
    (
        "a presigned URL",
        "boto3.Session(aws_access_key_id=rc.access_key_id, aws_secret_access_key=k, aws_session_token=t, "
        "region_name='us-east-1').client('s3').generate_presigned_url('get_object', Params={'Bucket': 'b', 'Key': 'k'})",
    ),
    (
        "base64 at two alignments",
        "print(base64.b64encode(b'x' + k.encode()).decode(), base64.b64encode(b'xy' + t.encode()))",
    ),
    ("base64 in a mime bundle", "display({'image/png': base64.b64encode(b'ab' + bt.encode()).decode()}, raw=True)"),
    ("folded by textwrap", "print(textwrap.fill(t, 10))"),
    ("folded in 10-character lines", "print('\\n'.join(bt[i:i+10] for i in range(0, len(bt), 10)))"),
    ("a dict key in display(JSON)", "display(JSON({k: 'keep-me-intact'}))"),
    ("display metadata", "display({'text/plain': 'keep-me-intact'}, metadata={'note': t}, raw=True)"),
    (
        "HTML with <wbr> and &#x2F;",
        "display(HTML(k[:10] + '<wbr>' + k[10:] + ' ' + html.escape(t).replace('/', '&#x2F;')))",
    ),
    ("a traceback", "raise ValueError(k)"),
    (
        "logging.exception",
        "try:\n    raise RuntimeError(t)\nexcept RuntimeError:\n    logging.getLogger('atk').exception('failed')",
    ),
    (
        "botocore's DEBUG log of an answer before it is parsed",
        "boto3.set_stream_logger('botocore', logging.DEBUG)\n"
        "new = boto3.client('sts').assume_role(RoleArn=arn, RoleSessionName='dbg')['Credentials']\n"
        "boto3.set_stream_logger('botocore', logging.WARNING)\nprint(new['SecretAccessKey'])",
    ),
    (
        "the first of 300 AssumeRole secrets",
        "first = c.assume_role('atk'); many = [c.assume_role('atk') for _ in range(300)]\nprint(first.secret_access_key)",
    ),
]

SILENT = "halves from subprocesses"

CAPTURE = (
    "from rolekit import _rolekit as _r\n"
    "_vals = [*_r._secret_values(), os.environ['AWS_SECRET_KEY'], os.environ['MY_SERVICE_API_TOKEN'], "
    "os.environ['DEV_KEY'], k, t, bk, bt, new['SecretAccessKey'], first.secret_access_key]\n"
    "open(CAPTURED, 'w').write(json.dumps(_vals))"
)


@pytest.mark.timeout(600)
def test_the_kernel_shows_no_run_of_any_secret(kernel_home: Path, tmp_path: Path, aws_home: dict[str, str]) -> None:
    kernel = Kernel(KERNEL_NAME, aws_home, tmp_path)
    try:
        setup = kernel.run(SETUP)
        assert not [m for m in setup if m["msg_type"] == "error"], shown(setup)
        per_attack = {what: kernel.run(code) for what, code in ATTACKS}
        history = kernel.history()
        captured = tmp_path / "captured.json"
        kernel.run(f"CAPTURED = {str(captured)!r}\n{CAPTURE}")
    finally:
        kernel.stop()
    values = json.loads(captured.read_text())
    known = grams([v for v in values if isinstance(v, str) and len(v) >= RUN])
    assert len(values) > 10 and known
    leaked = {}
    for msg in kernel.messages:
        found = leaks([msg["content"], msg.get("metadata", {}), msg.get("buffers", [])], known)
        if found:
            leaked[msg["msg_type"]] = found[:3]
    assert not leaked, f"messages show runs of a secret: {leaked}"
    # Each attack's output was masked, not dropped: a mask shows where the secret was.
    # (os.system writes to the kernel's own file descriptor: ipykernel may or may not forward it.)
    unmasked = {
        what: shown(msgs)[-600:]
        for what, msgs in per_attack.items()
        if "****" not in shown(msgs) and (what != SILENT or any(m["msg_type"] == "stream" for m in msgs))
    }
    assert not unmasked, f"no mask in the output of: {unmasked}"
    everything = shown(kernel.messages)
    assert "keep-me-intact" in everything and "ValueError" in everything and "failed" in everything
    assert history["content"]["status"] == "ok" and history["content"]["history"], "the history reply is empty"


PLAIN_CELLS = [
    ("%load_ext", "%load_ext rolekit"),
    ("environment", "import os, logging\nprint(os.environ['AWS_SECRET_KEY'])"),
    ("profile", "print(open(os.environ['AWS_SHARED_CREDENTIALS_FILE']).read())"),
    ("halves", "s = os.environ['MY_SERVICE_API_TOKEN']\nprint(s[:20]); print(s[20:])"),
    ("traceback", "raise ValueError(os.environ['AWS_SECRET_KEY'])"),
    (
        "logging.exception",
        "try:\n    raise RuntimeError(os.environ['DEV_KEY'])\n"
        "except RuntimeError:\n    logging.getLogger('plain').exception('failed')",
    ),
]


@pytest.mark.timeout(300)
def test_load_ext_in_a_plain_kernel_keeps_what_security_md_promises(tmp_path: Path, aws_home: dict[str, str]) -> None:
    """SECURITY.md: after ``%load_ext rolekit``, a plain ipykernel masks what it sends as the
    rolekit kernel does: outputs, tracebacks, log records."""
    env = dict(aws_home, ROLEKIT_SANDBOX="0")
    kernel = Kernel("python3", env, tmp_path)
    try:
        outputs = {what: kernel.run(code) for what, code in PLAIN_CELLS}
        kernel.history()
    finally:
        kernel.stop()
    values = [env["AWS_SECRET_KEY"], env["MY_SERVICE_API_TOKEN"], env["DEV_KEY"]]
    known = grams(values)
    after_load = [m for m in kernel.messages if m["parent_header"].get("msg_id") not in _ids(outputs["%load_ext"])]
    leaked = [f for m in after_load for f in leaks([m["content"], m.get("metadata", {})], known)]
    assert not leaked, f"shown after %load_ext: {leaked[:3]}"
    for what in ("environment", "profile", "halves", "traceback", "logging.exception"):
        assert "****" in shown(outputs[what]), f"{what}: nothing was masked"


def _ids(messages: list[dict[str, Any]]) -> set[str]:
    return {m["parent_header"].get("msg_id") for m in messages}
