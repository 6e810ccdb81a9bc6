"""Masking secrets in text: the values rolekit knows, and anything shaped like one.

Used by the logging guard (installed when rolekit hands secrets to boto3 or starts a sandbox) and
by the rolekit Jupyter kernel, which passes everything it sends to the front end through
:func:`mask`. A mask keeps the last four characters (``****Ab3d``), as rolekit's reprs do.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Optional

__all__ = ["install_log_guard", "known", "mask", "register"]

_LOCK = threading.Lock()
# Registered values: pinned ones are never dropped; the others are kept oldest first.
_PINNED: set[str] = set()
_RECENT: OrderedDict[str, None] = OrderedDict()
_MIN_LENGTH = 8
# Unpinned values kept at most: every AssumeRole registers a secret key, and a notebook that
# assumes roles in a loop must not grow the pattern (and the cost of every mask) without end.
# Temporary credentials expire within hours; the oldest are dropped first.
_MAX_UNPINNED = 256

# Session tokens STS (and moto) hand out begin with these base64 prefixes.
_TOKEN = r"(?:FwoGZXIvYXdz|FQoGZXIvYXdz|IQoJb3JpZ2lu|IQoDYXdz|AQoDYXdz)[A-Za-z0-9/+=]{40,}"
# A secret next to its name: XML elements, JSON / dict items, INI lines, environment assignments.
_NAMED = (
    r"(?P<name><(?:SecretAccessKey|SessionToken)>|"
    r"[\"']?(?:SecretAccessKey|SessionToken|aws_secret_access_key|aws_session_token|secret_access_key|"
    r"session_token|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_SECURITY_TOKEN|X-Amz-Security-Token)[\"']?"
    r"\s*[:=]\s*b?[\"']?)"
    r"(?P<value>[A-Za-z0-9/+=]{16,})"
)


_ISSUED_FN: Optional[Callable[[Optional[int]], tuple[int, Optional[list[str]]]]] = None


def _issued(known_generation: Optional[int] = None) -> tuple[int, Optional[list[str]]]:
    """The secrets rolekit's native module has handed out (AssumeRole), which it keeps itself,
    with their generation; the values are None when the generation is ``known_generation``."""
    global _ISSUED_FN
    if _ISSUED_FN is None:  # looked up once: mask() asks at every call
        try:
            from ._rolekit import _issued_secrets
        except ImportError:  # the native module is not built (a source checkout): nothing issued
            return 0, None
        _ISSUED_FN = _issued_secrets
    return _ISSUED_FN(known_generation)


def _values() -> list[str]:
    """Every secret to mask by value: pinned, registered, and issued by rolekit (minus those that
    the token shape masks anyway)."""
    issued = [v for v in _issued()[1] or [] if len(v) >= _MIN_LENGTH and not _TOKEN_SHAPE.fullmatch(v)]
    return list(dict.fromkeys([*_PINNED, *_RECENT, *issued]))


def _compile() -> re.Pattern[str]:
    """One alternation, so that masking is a single pass over the text: known values (longest
    first), then named values, then token shapes."""
    parts = [re.escape(v) for v in sorted(_values(), key=len, reverse=True)]
    known = f"(?P<known>{'|'.join(parts)})|" if parts else ""
    return re.compile(f"{known}{_NAMED}|(?P<token>{_TOKEN})")


_TOKEN_SHAPE = re.compile(_TOKEN)
_PATTERN: re.Pattern[str] = _compile()
_ISSUED_SEEN = _issued()[0]  # the native module's generation _PATTERN was built with


def _tail(value: str) -> str:
    return "****" + value[-4:]


def _replace(m: re.Match[str]) -> str:
    if m.group("value") is not None:
        return m.group("name") + _tail(m.group("value"))
    return _tail(m.group(0))


_DIRTY = False


def register(*values: Optional[str], pin: bool = False) -> None:
    """Remember secret values so that :func:`mask` hides them wherever they appear. Session
    tokens of STS's shape are masked by shape and not stored; ``pin`` keeps a value for good
    (long-term keys), others are dropped oldest first past 256. Constant time per value: every
    AssumeRole calls this."""
    global _DIRTY
    for v in values:
        if not isinstance(v, str) or len(v) < _MIN_LENGTH or v in _PINNED or (v in _RECENT and not pin):
            continue  # not a secret, or known already (pinned if it has to be)
        if v not in _RECENT and _TOKEN_SHAPE.fullmatch(v):
            continue  # masked by its shape
        with _LOCK:
            if pin:
                _PINNED.add(v)
                _RECENT.pop(v, None)
            else:
                _RECENT[v] = None
                if len(_RECENT) > _MAX_UNPINNED:
                    _RECENT.popitem(last=False)
            _DIRTY = True


def _pattern() -> re.Pattern[str]:
    """The masking pattern, rebuilt once after registrations rather than at each one."""
    global _PATTERN, _DIRTY, _ISSUED_SEEN
    generation, changed = _issued(_ISSUED_SEEN)
    if _DIRTY or changed is not None:
        with _LOCK:
            _ISSUED_SEEN = generation
            _PATTERN = _compile()
            _DIRTY = False
    return _PATTERN


def known() -> list[str]:
    """The registered secrets, masked (for ``%rolekit secrets``)."""
    with _LOCK:
        return sorted(_tail(v) for v in _values())


def mask(text: str) -> str:
    """``text`` with every known secret, every session-token-shaped string and every named secret
    value replaced by its mask, in one pass. Text without secrets comes back unchanged (the same
    object)."""
    if not text:
        return text
    out = _pattern().sub(_replace, text)
    return text if out == text else out


def mask_all(items: Iterable[str]) -> list[str]:
    """:func:`mask` over several strings."""
    return [mask(s) for s in items]


_GUARD_INSTALLED = False


def install_log_guard() -> None:
    """Mask secrets in every log record of this process (botocore's DEBUG logs print request
    headers and response bodies, session tokens included). Installed once; cheap when no record
    holds a secret."""
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
        masked = mask(message)
        if masked is not message:
            record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(factory)
