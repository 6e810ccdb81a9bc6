"""The tutorial notebooks, executed by a real Jupyter kernel on an embedded sandbox.

A cell error fails the test, and so does a teaching claim that does not show in the outputs
(tests/notebook_claims.py), any secret the kernel held (captured from the kernel after the run),
and anything that looks like a secret: an access key id, a 40-character secret access key, or a
long base64 session token.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbclient
import nbformat
import pytest
from notebook_claims import capture_cell, check_claims, check_secrets

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
SECRET_PATTERNS = [
    re.compile(r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"),
    # A secret key's 40 characters, also right after "=" (NAME=secret, export NAME=secret).
    re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"),
    re.compile(r"[A-Za-z0-9/+=]{100,}"),
]


def output_texts(nb: object) -> list[str]:
    texts = []
    for cell in nb.cells:  # type: ignore[attr-defined]
        for out in cell.get("outputs", []):
            texts.append(out.get("text", ""))
            for value in out.get("data", {}).values():
                texts.append(value if isinstance(value, str) else str(value))
            texts.extend(out.get("traceback", []))
    return texts


def test_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01-iam-role.ipynb",
        "02-policies.ipynb",
        "03-assume-role.ipynb",
        "04-sagemaker-training.ipynb",
    ]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_without_errors_or_secrets(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLEKIT_SANDBOX", "1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    nb = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), "committed with outputs"
    captured = tmp_path / "secrets.json"
    nb.cells.append(nbformat.v4.new_code_cell(capture_cell(captured)))
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    texts = output_texts(nb)
    joined = "\n".join(texts)
    assert "embedded sandbox" in joined, "the notebook says it uses the sandbox"
    check_claims(path.name, texts)
    check_secrets(path.name, texts, captured)
    for pattern in SECRET_PATTERNS:
        hits = [m.group(0) for t in texts for m in pattern.finditer(t)]
        assert hits == [], f"{path.name}: output looks like a secret: {hits[:3]}"


def test_the_scan_catches_real_secrets(client: object, sandbox: object) -> None:
    import rolekit as rk

    secret = sandbox.credentials.secret_access_key  # type: ignore[attr-defined]
    key_id = sandbox.credentials.access_key_id  # type: ignore[attr-defined]
    for shown in (
        f"x {secret} y",
        f"AWS_SECRET_ACCESS_KEY={secret}",
        f"export AWS_SECRET_ACCESS_KEY={secret}",
        f"key={secret}",
        f"aws_secret_access_key = {secret}",
        f"{{'SecretAccessKey': '{secret}'}}",
    ):
        assert any(p.search(shown) for p in SECRET_PATTERNS), shown
    assert any(p.search(f"'{key_id}'") for p in SECRET_PATTERNS)
    assert isinstance(client, rk.Client)
    client.ensure_role("scan-role", rk.Policy.trust(aws=client.whoami().arn))
    creds = client.assume_role("scan-role")
    assert creds.session_token and any(p.search(creds.session_token) for p in SECRET_PATTERNS)


def _run_as_on_a_real_account(
    path: Path, sandbox: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cleanup: bool, **env: str
) -> tuple[list[str], object]:
    """Run a notebook against an account the kernel does not know to be a sandbox (the test's own,
    reached through AWS_ENDPOINT_URL and keys, as a real account is), with a temporary HOME."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    for key, value in {
        **sandbox.env(),  # type: ignore[attr-defined]
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "ROLEKIT_SANDBOX": "0",
        **env,
    }.items():
        monkeypatch.setenv(key, value)
    nb = nbformat.read(path, as_version=4)
    if cleanup:
        nb.cells[-1].source = nb.cells[-1].source.replace("CLEANUP = False", "CLEANUP = True")
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    )
    error: object = None
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as e:
        error = e
    return output_texts(nb), error


@pytest.mark.timeout(600)
def test_on_a_real_account_the_notebooks_use_names_of_their_own_and_clean_up_only_when_told(
    sandbox: object, client: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rolekit as rk

    assert isinstance(client, rk.Client)
    mine = rk.Policy.trust(services="ec2.amazonaws.com")
    client.ensure_role("basic-role", mine, description="my own role")
    before = client.get_role("basic-role")
    nb03 = NOTEBOOKS[2]
    texts, error = _run_as_on_a_real_account(nb03, sandbox, tmp_path, monkeypatch, cleanup=False)
    joined = "\n".join(texts)
    assert error is None, error
    assert "Using AWS (" in joined and "embedded sandbox" not in joined
    names = [r[0] for r in client.list_roles()]
    assert "rolekit-tutorial-basic-role" in names, "the tutorial's own name"
    assert "On a real account: set CLEANUP = True" in joined and "role rolekit-tutorial-basic-role" in joined
    assert "rolekit-tutorial-basic-role" in [r[0] for r in client.list_roles()], "nothing removed without CLEANUP"
    assert "[profile rolekit-tutorial-basic-role]" in (tmp_path / "config").read_text()
    # Run again, with CLEANUP = True: exactly what it created goes (the role it re-found is its own).
    texts, error = _run_as_on_a_real_account(nb03, sandbox, tmp_path, monkeypatch, cleanup=True)
    assert error is None, error
    names = [r[0] for r in client.list_roles()]
    assert "rolekit-tutorial-basic-role" not in names and "basic-role" in names
    assert "rolekit-tutorial-basic-role" not in (tmp_path / "config").read_text()
    after = client.get_role("basic-role")
    assert (after.trust_policy, after.description) == (before.trust_policy, before.description), "my role untouched"
    # Under HOME only IPython's and Jupyter's own state: no ~/.aws, nothing of the tutorial's.
    written = {p.relative_to(tmp_path / "home").parts[0] for p in (tmp_path / "home").rglob("*")}
    assert written <= {".ipython", ".jupyter", ".local", ".cache"}, written


@pytest.mark.timeout(300)
def test_a_role_the_tutorials_did_not_create_is_never_changed(
    sandbox: object, client: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rolekit as rk

    assert isinstance(client, rk.Client)
    client.ensure_role("basic-role", rk.Policy.trust(services="ec2.amazonaws.com"), description="my own role")
    before = client.get_role("basic-role")
    _texts, error = _run_as_on_a_real_account(
        NOTEBOOKS[0], sandbox, tmp_path, monkeypatch, cleanup=True, ROLEKIT_TUTORIAL_PREFIX=""
    )
    assert error is not None and "UnsafeOperation" in str(error) and "no rolekit tutorial created it" in str(error)
    after = client.get_role("basic-role")
    assert (after.trust_policy, after.description, after.tags) == (before.trust_policy, before.description, before.tags)
