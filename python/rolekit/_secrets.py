"""Secrets kept off the screen: what this process knows as secret, and masking text with it.

The matcher is rolekit's native one (``rolekit_aws::secrets``): one pass finds every run of 12 or
more consecutive characters of any known secret, also JSON-escaped, URL-encoded, HTML-escaped,
base64 (any alignment) or folded across lines, and replaces it with ``****`` (plus the secret's
last four characters when the run is the secret's end, as rolekit's reprs show it). Secrets
rolekit obtains or signs with are known to it by themselves; this module adds what the Python
side sees:

- :func:`register`: values (botocore's credentials, the sandbox's key);
- :func:`learn`: the secret fields of a response body or log text (``SecretAccessKey``,
  ``secretAccessKey``, ``SessionToken``, ``accessToken`` ...) before anyone prints it;
- :func:`refresh`: every environment variable whose name marks a secret, and every key in the
  shared credentials and config files and botocore's SSO / CLI caches, re-read when they change.

On top of the known values, :func:`mask` also masks anything shaped like an STS session token and
any value written next to a secret's name (``aws_secret_access_key = ...``), known or not.

:func:`guard_session` makes a Jupyter kernel's session mask every message it sends; the rolekit
kernel installs it at start, ``%load_ext rolekit`` in any IPython kernel installs it too (see
SECURITY.md for what each promises).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from pathlib import Path
from typing import Any, Optional

from ._rolekit import _known_secrets, _mask_secrets, _register_secret, _SecretStream

__all__ = [
    "guard_session",
    "hook_botocore",
    "install_log_guard",
    "known",
    "learn",
    "mask",
    "mask_content",
    "refresh",
    "register",
]

_LOCK = threading.Lock()

# Session tokens STS (and moto) hand out begin with these base64 prefixes.
_TOKEN = r"(?:FwoGZXIvYXdz|FQoGZXIvYXdz|IQoJb3JpZ2lu|IQoDYXdz|AQoDYXdz)[A-Za-z0-9/+=]{40,}"
# Field names whose value is a secret, as AWS's answers (XML, JSON), botocore's dicts, the
# profile files and the environment write them.
_FIELDS = (
    "SecretAccessKey|SecretKey|secretAccessKey|SessionToken|sessionToken|accessToken|refreshToken|"
    "idToken|clientSecret|ServicePassword|SecretString|aws_secret_access_key|aws_session_token|"
    "aws_security_token|secret_access_key|session_token|secret_key|AWS_SECRET_ACCESS_KEY|AWS_SECRET_KEY|"
    "AWS_SESSION_TOKEN|AWS_SECURITY_TOKEN|AWS_CONTAINER_AUTHORIZATION_TOKEN|X-Amz-Security-Token"
)
# A secret next to its name: XML elements, JSON / dict items, INI lines, environment assignments.
_NAMED = (
    rf"(?P<name><(?:{_FIELDS})>\s*|"
    rf"[\"']?(?:{_FIELDS})[\"']?\s*[:=]\s*b?[\"']?)"
    r"(?P<value>[A-Za-z0-9/+=_.~-]{16,})"
)
_PATTERN = re.compile(rf"{_NAMED}|(?P<token>{_TOKEN})")
_MASK = "****"


def register(*values: Optional[str], pin: bool = False, expires: Optional[float] = None) -> None:
    """Remember secret values so that :func:`mask` hides them wherever they appear. ``pin``
    keeps a value for good (long-term keys); ``expires`` (seconds since the epoch) keeps it at
    least until then; others are kept until ten thousand newer ones have been seen."""
    for v in values:
        if isinstance(v, str) and v:
            _register_secret(v, expires, pin)


def learn(text: str) -> None:
    """Register every secret written next to its name in ``text`` (a response body about to be
    parsed and logged, a log line, a cache file)."""
    if not text:
        return
    for m in _PATTERN.finditer(text):
        value = m.group("value") or m.group("token")
        register(value)


def known() -> list[str]:
    """The known secrets, masked (for ``%rolekit secrets``)."""
    return list(_known_secrets())


def _tail(value: str) -> str:
    return _MASK + value[-4:]


def _replace(m: re.Match[str]) -> str:
    value = m.group("value")
    if value is not None:
        if value.startswith(_MASK):
            return m.group(0)
        return m.group("name") + _tail(value)
    return _tail(m.group(0))


class SecretEnv(dict[str, str]):
    """What ``Credentials.to_env()`` returns: a plain dict to hand on (``subprocess.run(env=...)``,
    ``os.environ.update(...)``) that shows no secret when printed, logged or left as a notebook
    cell's value: every value masked, the access key id to its last four characters."""

    def __repr__(self) -> str:
        shown = {k: _tail(v) if k == "AWS_ACCESS_KEY_ID" else _MASK for k, v in self.items()}
        return f"SecretEnv({shown!r})"

    __str__ = __repr__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer would otherwise print the items of a dict subclass."""
        printer.text(repr(self))


def mask(text: str) -> str:
    """``text`` with every run of a known secret, every session-token-shaped string and every
    named secret value masked. Text without secrets comes back unchanged (the same object)."""
    if not text or not isinstance(text, str):
        return text
    # Shapes first: a known secret may share its first characters with an unknown token (every
    # STS token starts alike), and masking those would hide the token's shape.
    out = _mask_secrets(_PATTERN.sub(_replace, text))
    return text if out == text else out


def mask_content(value: Any, depth: int = 0) -> Any:
    """``value`` with every string masked, in dicts (keys too), lists and tuples, and bytes that
    hold text; containers are copied only when something changed."""
    if isinstance(value, str):
        return mask(value)
    if depth > 64:
        return value
    if isinstance(value, dict):
        out = {mask_content(k, depth + 1): mask_content(v, depth + 1) for k, v in value.items()}
        same = len(out) == len(value) and all(k in value and out[k] is value[k] for k in out)
        return value if same else out
    if isinstance(value, (list, tuple)):
        items = [mask_content(v, depth + 1) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        text = raw.decode("latin-1")
        masked = mask(text)
        return value if masked is text else masked.encode("latin-1", "replace")
    return value


# --- where secrets come from ------------------------------------------------------------------

# An environment variable whose name says it holds a secret (and not where to find one).
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|CREDENTIAL|AUTH", re.IGNORECASE)
_NOT_SECRET_NAME = re.compile(r"(_FILE|_PATH|_DIR|_URI|_URL|_ENDPOINT|_ARN|_ID|_NAME|_TYPE|_MODE)$", re.IGNORECASE)
_ENV_SEEN: dict[str, str] = {}
_FILES_SEEN: dict[str, tuple[float, int]] = {}
_FILES_CHECKED = 0.0
_MAX_FILE = 1 << 20
_MAX_CACHE_FILES = 200


def _environment() -> None:
    for name, value in list(os.environ.items()):
        if _ENV_SEEN.get(name) == value:
            continue
        _ENV_SEEN[name] = value
        if _SECRET_NAME.search(name) and not _NOT_SECRET_NAME.search(name) and len(value) >= 8:
            register(value, pin=True)
        elif name.startswith("AWS_"):
            learn(f"{name}={value}")


def _aws_files() -> list[Path]:
    home = Path(os.path.expanduser("~"))
    files = [
        Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials"),
        Path(os.environ.get("AWS_CONFIG_FILE") or home / ".aws" / "config"),
    ]
    for cache in (home / ".aws" / "sso" / "cache", home / ".aws" / "cli" / "cache"):
        try:
            files += sorted(cache.glob("*.json"))[:_MAX_CACHE_FILES]
        except OSError:
            pass
    return files


def _read_file(path: Path) -> None:
    try:
        st = path.stat()
    except OSError:
        return
    stamp = (st.st_mtime, st.st_size)
    if _FILES_SEEN.get(str(path)) == stamp:
        return
    _FILES_SEEN[str(path)] = stamp
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read(_MAX_FILE)
    except OSError:
        return
    for m in _PATTERN.finditer(text):
        value = m.group("value") or m.group("token")
        register(value, pin=True)


def refresh(files_every: float = 1.0) -> None:
    """Learn the secrets of the environment (every call: a dictionary scan) and of the AWS
    profile and cache files (at most every ``files_every`` seconds: a ``stat`` each, a read when
    one changed)."""
    global _FILES_CHECKED
    with _LOCK:
        _environment()
        now = time.monotonic()
        if now - _FILES_CHECKED >= files_every:
            _FILES_CHECKED = now
            for path in _aws_files():
                _read_file(path)


def _register_from_response(parsed: Any, depth: int = 0) -> None:
    """Remember every secret field of a parsed botocore response (STS, SSO, Cognito, IAM ...)."""
    if depth > 8:
        return
    if isinstance(parsed, dict):
        for key, value in parsed.items():
            if isinstance(value, str) and isinstance(key, str) and re.fullmatch(_FIELDS, key):
                register(value)
            elif isinstance(value, (dict, list)):
                _register_from_response(value, depth + 1)
    elif isinstance(parsed, list):
        for item in parsed:
            _register_from_response(item, depth + 1)


def hook_botocore() -> None:
    """Learn the secrets botocore handles in this process: every response body before botocore
    parses (and DEBUG-logs) it, every parsed response, and every set of credentials it signs
    with. Idempotent; nothing when botocore is not installed."""
    try:
        import botocore.credentials
        import botocore.parsers
    except ImportError:
        return
    parse = botocore.parsers.ResponseParser.parse
    if getattr(parse, "_rolekit", False):
        return

    def parse_and_learn(self: Any, response: Any, shape: Any) -> Any:
        body = response.get("body") if isinstance(response, dict) else None
        if isinstance(body, (bytes, bytearray)):
            learn(bytes(body[:_MAX_FILE]).decode("utf-8", "replace"))
        parsed = parse(self, response, shape)
        _register_from_response(parsed)
        return parsed

    parse_and_learn._rolekit = True  # type: ignore[attr-defined]
    botocore.parsers.ResponseParser.parse = parse_and_learn  # type: ignore[method-assign]

    for cls in (botocore.credentials.Credentials, botocore.credentials.RefreshableCredentials):
        frozen = cls.get_frozen_credentials

        def get_frozen(self: Any, _frozen: Any = frozen) -> Any:
            creds = _frozen(self)
            register(creds.secret_key, creds.token)
            return creds

        cls.get_frozen_credentials = get_frozen  # type: ignore[method-assign]


# --- where text leaves the process ------------------------------------------------------------

_GUARD_INSTALLED = False


def install_log_guard() -> None:
    """Mask secrets in every log record of this process (botocore's DEBUG logs print request
    headers and response bodies, session tokens included), tracebacks included: the record's
    message when it is made, and every formatter's output. Installed once."""
    global _GUARD_INSTALLED
    with _LOCK:
        if _GUARD_INSTALLED:
            return
        _GUARD_INSTALLED = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's business, not ours
            return record
        learn(message)
        masked = mask(message)
        if masked is not message:
            record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(factory)
    fmt = logging.Formatter.format
    exc = logging.Formatter.formatException
    stack = logging.Formatter.formatStack

    def format_masked(self: logging.Formatter, record: logging.LogRecord) -> str:
        return mask(fmt(self, record))

    def exception_masked(self: logging.Formatter, ei: Any) -> str:
        return mask(exc(self, ei))

    def stack_masked(self: logging.Formatter, stack_info: str) -> str:
        return mask(stack(self, stack_info))

    logging.Formatter.format = format_masked  # type: ignore[method-assign]
    logging.Formatter.formatException = exception_masked  # type: ignore[method-assign]
    logging.Formatter.formatStack = stack_masked  # type: ignore[method-assign]


def _message_type(msg_or_type: Any) -> str:
    if isinstance(msg_or_type, str):
        return msg_or_type
    if isinstance(msg_or_type, dict):
        return str(msg_or_type.get("header", {}).get("msg_type", msg_or_type.get("msg_type", "")))
    return ""


def guard_session(session: Any) -> bool:
    """Make a Jupyter session (``jupyter_client.session.Session``) mask everything it sends:
    content (every MIME type, dict keys, tuples: history replies, comm messages), metadata and
    buffers; streams across message boundaries. Idempotent; False when it was guarded already."""
    send = session.send
    if getattr(send, "_rolekit", False):
        return False
    streams: dict[str, Any] = {}

    def send_masked(stream: Any, msg_or_type: Any, content: Any = None, *args: Any, **kwargs: Any) -> Any:
        refresh()
        kind = _message_type(msg_or_type)
        if isinstance(msg_or_type, dict) and "content" in msg_or_type:
            msg_or_type = {
                **msg_or_type,
                "content": _masked_content(kind, msg_or_type["content"], streams),
                "metadata": mask_content(msg_or_type.get("metadata", {})),
            }
        if content is not None:
            content = _masked_content(kind, content, streams)
        args = tuple(mask_content(a) if i >= 2 else a for i, a in enumerate(args))  # buffers, track, ...
        for key in ("metadata", "buffers"):
            if kwargs.get(key) is not None:
                kwargs[key] = mask_content(kwargs[key])
        return send(stream, msg_or_type, content, *args, **kwargs)

    send_masked._rolekit = True  # type: ignore[attr-defined]
    session.send = send_masked
    return True


def _masked_content(kind: str, content: Any, streams: dict[str, Any]) -> Any:
    if kind == "stream" and isinstance(content, dict) and isinstance(content.get("text"), str):
        name = str(content.get("name", "stdout"))
        masker = streams.get(name)
        if masker is None:
            masker = streams[name] = _SecretStream()
        text = masker.push(_PATTERN.sub(_replace, content["text"]))
        return {**content, "text": text} if text != content["text"] else content
    return mask_content(content)
