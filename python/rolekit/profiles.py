"""Role profiles in the AWS shared config file, written safely.

The tutorial asks users to paste a ``[profile ...]`` section into ``~/.aws/config`` by hand. This
module writes it for them::

    import rolekit
    rolekit.profiles.add("ds", role_arn="arn:aws:iam::123456789012:role/ds", source_profile="default")
    rolekit.profiles.remove("ds")

What it promises:

* every other byte of the file stays as it was (comments, order, blank lines, unknown keys, SSO
  sections, line endings, even bytes that are not UTF-8);
* the file is replaced atomically (a temporary file in the same folder, fsync, rename, fsync of the
  folder), so a writer killed at any moment leaves either the old file or the new one;
* the file keeps its mode, or is created 0600 (in a 0700 folder when the folder is new);
* concurrent rolekit writers take turns (an exclusive lock on the folder);
* an existing profile that differs is never overwritten or removed without ``force=True``.

The file is ``AWS_CONFIG_FILE`` when set, else ``~/.aws/config``, as for the AWS CLI and boto3.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from ._args import typed
from ._rolekit import check_value
from .exceptions import InvalidArgument, ProfileError

__all__ = ["ProfileChange", "add", "config_path", "get", "names", "remove"]

#: The keys a role profile written by rolekit may hold, in the order they are written.
ROLE_KEYS = (
    "role_arn",
    "source_profile",
    "credential_source",
    "mfa_serial",
    "external_id",
    "role_session_name",
    "duration_seconds",
    "region",
)
CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")

_HEADER = re.compile(r"^[ \t]*\[([^\]\r\n]*)\][ \t]*(?:[#;].*)?$")
_KEY = re.compile(r"^([^\s=#;\[][^=\r\n]*?)[ \t]*=[ \t]*(.*?)[ \t]*$")
_LOCK_POLL = 0.05


@dataclass(frozen=True)
class ProfileChange:
    """What :func:`add` or :func:`remove` did.

    ``action`` is ``"created"``, ``"updated"``, ``"unchanged"``, ``"removed"`` or ``"absent"`` (remove
    of a profile that was not there); ``settings`` the profile's keys after the call (empty once
    removed); ``warnings`` anything worth knowing that did not stop the write.
    """

    name: str
    path: Path
    action: str
    settings: Mapping[str, str]
    warnings: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the file was written."""
        return self.action in ("created", "updated", "removed")

    def _repr_html_(self) -> str:
        from ._rolekit import _html_table

        rows = [("profile", self.name), ("file", str(self.path)), ("action", self.action)]
        rows += [(key, value) for key, value in self.settings.items()]
        rows += [("warning", w) for w in self.warnings]
        return _html_table("ProfileChange", rows)


def config_path(path: Union[str, os.PathLike[str], None] = None) -> Path:
    """The shared config file: ``path``, else ``AWS_CONFIG_FILE``, else ``~/.aws/config``."""
    typed(path, (str, os.PathLike, type(None)), "path")
    chosen = path if path is not None else os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
    return Path(os.path.expanduser(os.fspath(chosen)))


# --- reading -----------------------------------------------------------------------------------


@dataclass
class _Section:
    profile: Optional[str]  # the profile it configures, None for sso-session, services, ...
    start: int  # index of the header line
    end: int  # index after its last key or continuation line


def _section_profile(header: str) -> Optional[str]:
    words = header.split()
    if words == ["default"]:
        return "default"
    if len(words) == 2 and words[0] == "profile":
        return words[1]
    return None


def _sections(lines: list[str]) -> list[_Section]:
    out: list[_Section] = []
    for i, line in enumerate(lines):
        text = line.rstrip("\r\n").lstrip("\ufeff") if i == 0 else line.rstrip("\r\n")
        m = _HEADER.match(text)
        if m:
            out.append(_Section(_section_profile(m.group(1)), i, i + 1))
        elif out and text.strip() and not text.lstrip().startswith(("#", ";")):
            out[-1].end = i + 1
    return out


def _settings(lines: list[str], sec: _Section) -> dict[str, str]:
    """The section's top-level keys (lower-cased) and values; nested blocks are read as their text."""
    values: dict[str, str] = {}
    key: Optional[str] = None
    for line in lines[sec.start + 1 : sec.end]:
        text = line.rstrip("\r\n")
        if not text.strip() or text.lstrip().startswith(("#", ";")):
            continue
        if text[0] in " \t" and key is not None:
            values[key] += "\n" + text.strip()
            continue
        m = _KEY.match(text)
        if m:
            key = m.group(1).strip().lower()
            values[key] = m.group(2)
    return values


def _read(path: Path) -> tuple[list[str], bool]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], False
    except IsADirectoryError:
        raise ProfileError(f"{path} is a folder, not an AWS config file") from None
    # surrogateescape: bytes that are not UTF-8 come back out unchanged.
    return data.decode("utf-8", errors="surrogateescape").splitlines(keepends=True), True


def _find(lines: list[str], path: Path, name: str) -> Optional[_Section]:
    found = [s for s in _sections(lines) if s.profile == name]
    if len(found) > 1:
        where = ", ".join(str(s.start + 1) for s in found)
        raise ProfileError(f"{path}: profile {name!r} is defined more than once (lines {where}); fix it by hand first")
    return found[0] if found else None


def _broken_section(lines: list[str], name: str) -> Optional[_Section]:
    """The section an older rolekit wrote for ``name + "\\n"``: a line ``[profile NAME``, a line
    ``]``, then its keys up to the next header."""
    opener = "[default" if name == "default" else f"[profile {name}"
    for i in range(len(lines) - 1):
        if lines[i].rstrip("\r\n") == opener and lines[i + 1].rstrip("\r\n") == "]":
            end = i + 2
            for j in range(i + 2, len(lines)):
                text = lines[j].rstrip("\r\n")
                if _HEADER.match(text):
                    break
                if text.strip() and not text.lstrip().startswith(("#", ";")):
                    end = j + 1
            return _Section(name + "\n", i, end)
    return None


def names(path: Union[str, os.PathLike[str], None] = None) -> list[str]:
    """The profiles defined in the config file, in file order."""
    lines, _ = _read(config_path(path))
    return [s.profile for s in _sections(lines) if s.profile is not None]


def get(name: str, path: Union[str, os.PathLike[str], None] = None) -> Optional[dict[str, str]]:
    """A profile's settings (keys lower-cased), or None when the file does not define it."""
    typed(name, str, "name")
    target = config_path(path)
    lines, _ = _read(target)
    sec = _find(lines, target, name)
    return _settings(lines, sec) if sec else None


# --- checking ----------------------------------------------------------------------------------


def _rule(rule: str, value: Union[str, int], what: str) -> None:
    """Ask Rust (the one place IAM's and STS's syntax lives) whether ``value`` meets ``rule``."""
    try:
        check_value(rule, value)
    except InvalidArgument as e:
        raise ProfileError(f"{what}: {e}") from None


def _check_name(name: str) -> None:
    _rule("profile_name", name, f"profile name {name!r} is not usable")


def _role_settings(
    role_arn: str,
    source_profile: Optional[str],
    credential_source: Optional[str],
    mfa_serial: Optional[str],
    external_id: Optional[str],
    role_session_name: Optional[str],
    duration_seconds: Optional[int],
    region: Optional[str],
) -> dict[str, str]:
    _rule("role_arn", role_arn, f"role_arn {role_arn!r} is not a role ARN (arn:aws:iam::123456789012:role/NAME)")
    if (source_profile is None) == (credential_source is None):
        raise ProfileError(
            "a role profile needs exactly one of source_profile (the profile whose credentials assume the role)"
            " and credential_source (Environment, Ec2InstanceMetadata or EcsContainer)"
        )
    if source_profile is not None:
        _check_name(source_profile)
    if credential_source is not None and credential_source not in CREDENTIAL_SOURCES:
        raise ProfileError(f"credential_source {credential_source!r} is not one of {', '.join(CREDENTIAL_SOURCES)}")
    if mfa_serial is not None:
        _rule("mfa_serial", mfa_serial, "mfa_serial")
    if external_id is not None:
        _rule("external_id", external_id, "external_id")
    if role_session_name is not None:
        _rule("session_name", role_session_name, "role_session_name")
    if duration_seconds is not None:
        _rule("session_duration", duration_seconds, f"duration_seconds {duration_seconds!r} is outside IAM's range")
    if region is not None:
        _rule("region", region, f"region {region!r} is not a region name like us-east-1")
    given = {
        "role_arn": role_arn,
        "source_profile": source_profile,
        "credential_source": credential_source,
        "mfa_serial": mfa_serial,
        "external_id": external_id,
        "role_session_name": role_session_name,
        "duration_seconds": None if duration_seconds is None else str(duration_seconds),
        "region": region,
    }
    return {k: v for k, v in given.items() if v is not None}


def _source_known(name: str, lines: list[str]) -> bool:
    if any(s.profile == name for s in _sections(lines)):
        return True
    creds = Path(os.path.expanduser(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"))
    try:
        text = creds.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any((m := _HEADER.match(line)) and m.group(1).strip() == name for line in text.splitlines())


# --- writing -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(folder: Path, timeout: float) -> Iterator[None]:
    """An exclusive lock held by rolekit writers of files in ``folder``."""
    deadline = time.monotonic() + timeout
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        lock = folder / ".rolekit-config.lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise ProfileError(
                            f"another process is writing in {folder}; gave up after {timeout:g} s"
                        ) from None
                    time.sleep(_LOCK_POLL)
            yield
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)
        return
    import fcntl

    fd = os.open(folder, os.O_RDONLY)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ProfileError(f"another process is writing in {folder}; gave up after {timeout:g} s") from None
                time.sleep(_LOCK_POLL)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _atomic_write(path: Path, lines: list[str], mode: int) -> None:
    data = "".join(lines).encode("utf-8", errors="surrogateescape")
    # A writer killed earlier (while it held the lock that we now hold) may have left its temporary file.
    for stale in path.parent.glob(f".{path.name}.rolekit-*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.rolekit-", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sys.platform != "win32":
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _newline(lines: list[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def _header(name: str) -> str:
    return "[default]" if name == "default" else f"[profile {name}]"


def _rewrite_section(lines: list[str], sec: _Section, settings: dict[str, str], nl: str) -> list[str]:
    """The section with ``settings``: a key's line replaced in place, new keys after the last, other keys
    (and their continuation lines) dropped; comments and blank lines inside the section stay."""
    body: list[str] = []
    pending = dict(settings)
    skipping = False
    for line in lines[sec.start + 1 : sec.end]:
        text = line.rstrip("\r\n")
        if skipping and text[:1] in (" ", "\t") and text.strip():
            continue  # continuation of a dropped key
        skipping = False
        m = _KEY.match(text)
        if m:
            key = m.group(1).strip().lower()
            if key in pending:
                body.append(f"{key} = {pending.pop(key)}{nl}")
            else:
                skipping = True
            continue
        body.append(line)
    last = max((i for i, line in enumerate(body) if _KEY.match(line.rstrip("\r\n"))), default=-1)
    insert = [f"{k} = {v}{nl}" for k, v in pending.items()]
    body[last + 1 : last + 1] = insert
    return [*lines[: sec.start + 1], *body, *lines[sec.end :]]


def add(
    name: str,
    *,
    role_arn: str,
    source_profile: Optional[str] = None,
    credential_source: Optional[str] = None,
    mfa_serial: Optional[str] = None,
    external_id: Optional[str] = None,
    role_session_name: Optional[str] = None,
    duration_seconds: Optional[int] = None,
    region: Optional[str] = None,
    force: bool = False,
    path: Union[str, os.PathLike[str], None] = None,
    lock_timeout: float = 10.0,
) -> ProfileChange:
    """Write a role profile (``[profile NAME]``) into the shared config file.

    Exactly one of ``source_profile`` and ``credential_source`` says whose credentials assume the
    role. An identical profile is left alone (``action="unchanged"``, no write); a different one is
    refused with :class:`~rolekit.exceptions.ProfileError` unless ``force=True``, which rewrites its
    keys in place (comments inside it stay). Raises ``ProfileError`` on a bad value, naming it.
    """
    typed(name, str, "name")
    typed(role_arn, str, "role_arn")
    optional_text = {
        "source_profile": source_profile,
        "credential_source": credential_source,
        "mfa_serial": mfa_serial,
        "external_id": external_id,
        "role_session_name": role_session_name,
        "region": region,
    }
    for what, value in optional_text.items():
        typed(value, (str, type(None)), what)
    typed(duration_seconds, (int, type(None)), "duration_seconds")
    typed(force, bool, "force")
    typed(lock_timeout, (int, float), "lock_timeout")
    _check_name(name)
    settings = _role_settings(
        role_arn,
        source_profile,
        credential_source,
        mfa_serial,
        external_id,
        role_session_name,
        duration_seconds,
        region,
    )
    target = Path(os.path.realpath(config_path(path)))
    created_folder = not target.parent.exists()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _locked(target.parent, lock_timeout):
        lines, existed = _read(target)
        mode = (target.stat().st_mode & 0o7777) if existed else 0o600
        nl = _newline(lines)
        sec = _find(lines, target, name)
        warnings: list[str] = []
        if source_profile is not None and source_profile != name and not _source_known(source_profile, lines):
            warnings.append(
                f"source profile {source_profile!r} is not in {target} nor in the shared credentials file yet"
            )
        if sec is None:
            new = list(lines)
            if new and not new[-1].endswith(("\n", "\r")):
                new[-1] += nl
            if new and new[-1].strip():
                new.append(nl)
            new.append(_header(name) + nl)
            new += [f"{k} = {v}{nl}" for k, v in settings.items()]
            action = "created"
        else:
            current = _settings(lines, sec)
            if current == settings:
                return ProfileChange(name, target, "unchanged", settings, tuple(warnings))
            if not force:
                differ = sorted(k for k in set(current) | set(settings) if current.get(k) != settings.get(k))
                raise ProfileError(
                    f"{target}:{sec.start + 1}: profile {name!r} exists and differs in {', '.join(differ)};"
                    " pass force=True (--force) to overwrite it"
                )
            new = _rewrite_section(lines, sec, settings, nl)
            action = "updated"
        _atomic_write(target, new, mode)
    if created_folder:
        warnings.append(f"created {target.parent}")
    return ProfileChange(name, target, action, settings, tuple(warnings))


def remove(
    name: str,
    *,
    force: bool = False,
    path: Union[str, os.PathLike[str], None] = None,
    lock_timeout: float = 10.0,
) -> ProfileChange:
    """Remove a profile's section (its header up to its last key) from the shared config file.

    A profile holding anything beyond a role profile's keys (SSO settings, a credential_process,
    keys) was not written by rolekit and is refused without ``force=True``. A profile that is not
    there gives ``action="absent"`` and no write.

    Every section ``add`` ever wrote can be removed: rolekit before 0.3 accepted a name with a
    trailing newline and wrote ``[profile NAME`` and ``]`` on two lines (botocore then fails on
    every profile); ``remove("NAME\n")`` removes that broken section.
    """
    typed(name, str, "name")
    typed(force, bool, "force")
    typed(lock_timeout, (int, float), "lock_timeout")
    legacy = name.endswith("\n") and not name[:-1].endswith(("\n", "\r"))
    _check_name(name[:-1] if legacy else name)
    target = Path(os.path.realpath(config_path(path)))
    if not target.exists():
        return ProfileChange(name, target, "absent", {})
    with _locked(target.parent, lock_timeout):
        lines, _ = _read(target)
        sec = _broken_section(lines, name[:-1]) if legacy else _find(lines, target, name)
        if sec is None:
            return ProfileChange(name, target, "absent", {})
        current = _settings(lines, sec)
        foreign = sorted(k for k in current if k not in ROLE_KEYS)
        if foreign and not force:
            raise ProfileError(
                f"{target}:{sec.start + 1}: profile {name!r} holds more than a role profile ({', '.join(foreign)});"
                " pass force=True (--force) to remove it anyway"
            )
        new = lines[: sec.start] + lines[sec.end :]
        # Drop one blank line left between the previous section and the next one.
        if sec.start < len(new) and sec.start > 0 and not new[sec.start - 1].strip() and not new[sec.start].strip():
            del new[sec.start]
        elif sec.start == len(new) and sec.start > 0 and not new[sec.start - 1].strip():
            del new[sec.start - 1]
        mode = target.stat().st_mode & 0o7777
        _atomic_write(target, new, mode)
    return ProfileChange(name, target, "removed", {})
