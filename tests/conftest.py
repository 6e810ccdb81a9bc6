"""Shared fixtures: every test module gets a fresh sandbox (moto's server over HTTP).

The suite runs against the installed wheel, never the source tree; the first check below makes
sure of it.
"""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from runcli import rolekit_cli

# No test may reach real AWS or instance metadata, whatever the machine's environment says.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _var in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_var, None)
os.environ.setdefault("AWS_REGION", "us-east-1")

import rolekit  # noqa: E402
from rolekit.sandbox import Sandbox  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    installed = Path(rolekit.__file__).resolve()
    if os.environ.get("ROLEKIT_ALLOW_SOURCE_TREE") != "1":
        site = Path(sysconfig.get_paths()["purelib"]).resolve()
        assert site in installed.parents, f"tests must run against the installed wheel, not {installed}"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """A fresh, enforcing sandbox for the test module."""
    with Sandbox() as sb:
        yield sb


@pytest.fixture(scope="module")
def client(sandbox: Sandbox) -> rolekit.Client:
    """A rolekit Client signed as the sandbox's admin user."""
    return sandbox.client()


@pytest.fixture
def isolated_aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty shared config and credentials files, so the default chain sees nothing of the machine's."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return tmp_path


#: The rolekit kernel's name in the tests' own Jupyter data folder.
KERNEL_NAME = "rolekit-test"


@pytest.fixture(scope="module")
def kernel_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The rolekit kernel installed (--user) into a temporary Jupyter data folder, for the module."""
    home = tmp_path_factory.mktemp("jupyter")
    env = dict(os.environ, JUPYTER_DATA_DIR=str(home))
    done = rolekit_cli("kernel", "install", "--user", "--name", KERNEL_NAME, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    saved = os.environ.get("JUPYTER_DATA_DIR")
    os.environ["JUPYTER_DATA_DIR"] = str(home)
    yield home
    if saved is None:
        os.environ.pop("JUPYTER_DATA_DIR", None)
    else:
        os.environ["JUPYTER_DATA_DIR"] = saved
