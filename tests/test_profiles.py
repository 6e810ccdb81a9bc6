"""The config writer: byte-for-byte preservation, atomic writes, modes, locks, refusals."""

from __future__ import annotations

import configparser
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rolekit import ProfileError, profiles

ARN = "arn:aws:iam::123456789012:role/ds"

# A config file as people have them: comments, an SSO session, nested s3 settings, odd spacing,
# a tab, a key with no spaces, CRLF line endings, a byte that is not UTF-8, no newline at the end.
REAL_WORLD = (
    b"# my AWS config\r\n"
    b"[default]\r\n"
    b"region=eu-west-1\r\n"
    b"output = json   \r\n"
    b"s3 =\r\n"
    b"    max_concurrent_requests = 20\r\n"
    b"\r\n"
    b";   old style comment\r\n"
    b"[sso-session corp]\r\n"
    b"sso_start_url = https://corp.awsapps.com/start\r\n"
    b"sso_region = us-east-1\r\n"
    b"sso_registration_scopes = sso:account:access\r\n"
    b"\r\n"
    b"[profile  dev ]   # two spaces, trailing comment\r\n"
    b"sso_session = corp\r\n"
    b"sso_account_id = 111122223333\r\n"
    b"sso_role_name = Caf\xe9Admin\r\n"
    b"\tunknown_key = kept\r\n"
    b"[services my-services]\r\n"
    b"s3 =\r\n"
    b"  endpoint_url = http://localhost:4566"
)


def write(path: Path, data: bytes, mode: int = 0o600) -> Path:
    path.write_bytes(data)
    path.chmod(mode)
    return path


def test_add_then_remove_restores_every_byte(tmp_path: Path) -> None:
    cfg = write(tmp_path / "config", REAL_WORLD, 0o640)
    change = profiles.add("ds", role_arn=ARN, source_profile="dev", region="us-east-1", path=cfg)
    assert change.action == "created" and change.changed
    after = cfg.read_bytes()
    # Everything that was there is still there, untouched; the new section uses the file's CRLF.
    assert after.startswith(REAL_WORLD + b"\r\n")
    assert after.endswith(
        b"[profile ds]\r\nrole_arn = " + ARN.encode() + b"\r\nsource_profile = dev\r\nregion = us-east-1\r\n"
    )
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640
    assert profiles.get("ds", cfg) == {"role_arn": ARN, "source_profile": "dev", "region": "us-east-1"}
    assert profiles.names(cfg) == ["default", "dev", "ds"]
    # The result is a config file the AWS tools can parse.
    parser = configparser.RawConfigParser()
    parser.read_string(after.decode("utf-8", errors="replace"))
    assert parser["profile ds"]["role_arn"] == ARN
    assert profiles.remove("ds", path=cfg).action == "removed"
    assert cfg.read_bytes() == REAL_WORLD + b"\r\n"


def test_identical_add_does_not_write_and_different_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    profiles.add("ds", role_arn=ARN, source_profile="default", path=cfg)
    before = cfg.read_bytes()
    os.utime(cfg, (1_000_000, 1_000_000))
    assert profiles.add("ds", role_arn=ARN, source_profile="default", path=cfg).action == "unchanged"
    assert cfg.stat().st_mtime == 1_000_000
    with pytest.raises(ProfileError, match=r"config:1: profile 'ds' exists and differs in mfa_serial.*force"):
        profiles.add("ds", role_arn=ARN, source_profile="default", mfa_serial="arn:aws:iam::1:mfa/me", path=cfg)
    assert cfg.read_bytes() == before and cfg.stat().st_mtime == 1_000_000


def test_force_rewrites_keys_in_place_and_keeps_comments(tmp_path: Path) -> None:
    original = textwrap.dedent(
        """\
        [profile ds]
        # the data science role, ask Ana before changing
        role_arn = arn:aws:iam::123456789012:role/old
        credential_process = /usr/bin/get-creds
          --verbose
        region = eu-west-1

        # next section
        [profile other]
        region = us-west-2
        """
    )
    cfg = tmp_path / "config"
    cfg.write_text(original)
    change = profiles.add("ds", role_arn=ARN, source_profile="other", region="eu-west-1", force=True, path=cfg)
    assert change.action == "updated"
    assert cfg.read_text() == textwrap.dedent(
        f"""\
        [profile ds]
        # the data science role, ask Ana before changing
        role_arn = {ARN}
        region = eu-west-1
        source_profile = other

        # next section
        [profile other]
        region = us-west-2
        """
    )


def test_new_file_and_folder_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "home" / ".aws" / "config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    change = profiles.add("default", role_arn=ARN, credential_source="Environment")
    assert change.path == cfg and cfg.read_text() == f"[default]\nrole_arn = {ARN}\ncredential_source = Environment\n"
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.parent.stat().st_mode) == 0o700


def test_symlinked_config_writes_its_target(tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles-config", b"[default]\nregion = us-east-1\n")
    link = tmp_path / "config"
    link.symlink_to(real)
    profiles.add("ds", role_arn=ARN, source_profile="default", path=link)
    assert link.is_symlink() and b"[profile ds]" in real.read_bytes()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role_arn": "arn:aws:iam::123:role/x", "source_profile": "a"}, "not a role ARN"),
        ({"role_arn": "arn:aws:s3:::bucket", "source_profile": "a"}, "not a role ARN"),
        ({"role_arn": ARN}, "exactly one of source_profile"),
        ({"role_arn": ARN, "source_profile": "a", "credential_source": "Environment"}, "exactly one"),
        ({"role_arn": ARN, "credential_source": "Laptop"}, "not one of Environment"),
        ({"role_arn": ARN, "source_profile": "a", "duration_seconds": 60}, "outside IAM's range"),
        ({"role_arn": ARN, "source_profile": "a", "region": "mars\nrole_arn = x"}, "not a region"),
        ({"role_arn": ARN + "\n[profile evil]", "source_profile": "a"}, "not a role ARN"),
        ({"role_arn": ARN, "source_profile": "a]"}, "not usable"),
        ({"role_arn": ARN, "source_profile": "a", "external_id": "x"}, "external_id"),
    ],
)
def test_bad_values_are_named_and_nothing_is_written(tmp_path: Path, kwargs: dict, message: str) -> None:
    cfg = tmp_path / "config"
    with pytest.raises(ProfileError, match=message) as info:
        profiles.add("ds", path=cfg, **kwargs)
    assert isinstance(info.value, ValueError)
    assert not cfg.exists()


def test_duplicate_and_foreign_profiles_are_refused(tmp_path: Path) -> None:
    dup = write(tmp_path / "dup", b"[profile ds]\nregion = a\n[profile ds]\nregion = b\n")
    with pytest.raises(ProfileError, match=r"more than once \(lines 1, 3\)"):
        profiles.add("ds", role_arn=ARN, source_profile="x", path=dup)
    cfg = write(tmp_path / "config", REAL_WORLD)
    with pytest.raises(ProfileError, match=r"holds more than a role profile \(sso_account_id"):
        profiles.remove("dev", path=cfg)
    assert cfg.read_bytes() == REAL_WORLD
    assert profiles.remove("nobody", path=cfg).action == "absent"
    assert profiles.remove("dev", path=cfg, force=True).action == "removed"
    assert b"sso_account_id" not in cfg.read_bytes() and b"[sso-session corp]" in cfg.read_bytes()


_KILLED_WRITER = """
import os, signal, sys
from rolekit import profiles
real_fsync = os.fsync
def fsync_then_die(fd):
    real_fsync(fd)
    os.kill(os.getpid(), signal.SIGKILL)   # killed after the new bytes are on disk, before the rename
os.fsync = fsync_then_die
profiles.add("ds", role_arn=sys.argv[2], source_profile="default", path=sys.argv[1])
"""


def test_writer_killed_mid_write_leaves_the_old_file(tmp_path: Path) -> None:
    cfg = write(tmp_path / "config", REAL_WORLD)
    done = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(cfg), ARN], timeout=60)
    assert done.returncode == -9
    assert cfg.read_bytes() == REAL_WORLD
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "config"]
    assert len(leftovers) == 1 and leftovers[0].endswith(".tmp")  # its half-way file, never renamed
    profiles.add("ds", role_arn=ARN, source_profile="default", path=cfg)  # the next writer cleans it up
    assert [p.name for p in tmp_path.iterdir()] == ["config"]


_LOCK_HOLDER = """
import sys, time
from pathlib import Path
from rolekit import profiles
with profiles._locked(Path(sys.argv[1]), 5):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""

_WRITER = """
import sys
from rolekit import profiles
for i in range(15):
    profiles.add(f"{sys.argv[2]}{i}", role_arn="arn:aws:iam::123456789012:role/r", source_profile="x", path=sys.argv[1])
"""


def test_lock_makes_a_second_writer_wait_or_give_up(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    holder = subprocess.Popen(
        [sys.executable, "-c", _LOCK_HOLDER, str(tmp_path), "3"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(ProfileError, match="another process is writing"):
            profiles.add("ds", role_arn=ARN, source_profile="x", path=cfg, lock_timeout=0.3)
        assert not cfg.exists()
    finally:
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    # Two writers at once: every profile of both lands.
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(cfg), prefix]) for prefix in ("a", "b")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    assert sorted(profiles.names(cfg)) == sorted(f"{p}{i}" for p in "ab" for i in range(15))


def test_a_section_an_older_rolekit_wrote_with_a_newline_in_its_name_can_be_removed(tmp_path: Path) -> None:
    """rolekit before 0.3 wrote ``rolekit profile add $'evil\\n'`` as ``[profile evil`` and ``]``;
    botocore then refuses the whole file. Adding such a name is refused now, and removing it
    removes exactly the broken section, after which botocore reads the file again."""
    import botocore.session

    good = f"[default]\nregion = us-east-1\n\n[profile ok]\nrole_arn = {ARN}\nsource_profile = default\n"
    broken = f"[profile evil\n]\nrole_arn = {ARN}\nsource_profile = default\n"
    cfg = write(tmp_path / "config", (good + "\n" + broken).encode(), 0o600)
    with pytest.raises(ProfileError):
        profiles.add("evil\n", role_arn=ARN, source_profile="default", path=cfg)
    session = botocore.session.Session(profile="ok")
    session.set_config_variable("config_file", str(cfg))
    with pytest.raises(Exception):
        session.full_config  # noqa: B018 (the read is what fails)
    assert profiles.remove("evil\n", path=cfg).action == "removed"
    assert cfg.read_text() == good
    session = botocore.session.Session(profile="ok")
    session.set_config_variable("config_file", str(cfg))
    assert session.full_config["profiles"]["ok"]["role_arn"] == ARN
    assert profiles.remove("evil\n", path=cfg).action == "absent"
