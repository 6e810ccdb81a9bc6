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
