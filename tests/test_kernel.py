"""The rolekit Jupyter kernel: installed as a kernelspec, run by nbclient, and no secret in any output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest
from conftest import KERNEL_NAME as NAME
from notebook_claims import capture_cell, check_claims, check_secrets
from runcli import rolekit_cli

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return rolekit_cli(*args, env=env, timeout=60)


def test_install_uninstall_round_trip(tmp_path: Path) -> None:
    env = dict(os.environ, JUPYTER_DATA_DIR=str(tmp_path))
    done = cli("kernel", "install", "--user", "--name", "rk-roundtrip", env=env)
    assert done.returncode == 0, done.stderr
    spec = json.loads((tmp_path / "kernels" / "rk-roundtrip" / "kernel.json").read_text())
    assert spec["display_name"] == "Python 3 (rolekit)"
    assert spec["argv"][:3] == [sys.executable, "-m", "rolekit.kernel"] and "{connection_file}" in spec["argv"]
    # What Jupyter itself finds (the kernel picker's source), in a fresh process with that data folder.
    find = "import json, jupyter_client.kernelspec as k; print(json.dumps(k.KernelSpecManager().find_kernel_specs()))"
    listed = subprocess.run([sys.executable, "-c", find], capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0, listed.stderr
    found = json.loads(listed.stdout)
    assert Path(found["rk-roundtrip"]) == tmp_path / "kernels" / "rk-roundtrip", found
    assert cli("kernel", "uninstall", "--name", "rk-roundtrip", env=env).returncode == 0
    assert not (tmp_path / "kernels" / "rk-roundtrip").exists()
    assert cli("kernel", "uninstall", "--name", "rk-roundtrip", env=env).returncode == 1


LEAKY_CELLS = [
    # The kernel started a sandbox (no credentials here): boto3 and rolekit both use it.
    "import boto3, json, os\nc = rk.Client()\nme = c.whoami()\n"
    "c.ensure_role('kernel-role', rk.Policy.trust(aws=me.arn))\n"
    "arn = c.get_role('kernel-role').arn",
    "resp = boto3.client('sts').assume_role(RoleArn=arn, RoleSessionName='leaky')\nprint(resp)",
    "resp['Credentials']",
    "rc = c.assume_role('kernel-role')\nprint('rolekit gave', rc.secret_access_key)\nrc.session_token",
    "creds = resp['Credentials']\n"
    "open(SECRETS, 'w').write(json.dumps([creds['SecretAccessKey'], creds['SessionToken'], "
    "os.environ['AWS_SECRET_ACCESS_KEY'], rc.secret_access_key, rc.session_token]))",
    "os.environ",
    "print(dict(os.environ))",
    "path = os.path.join(os.path.dirname(SECRETS), 'credentials')\n"
    "open(path, 'w').write(f\"[leaky]\\naws_access_key_id = {creds['AccessKeyId']}\\n"
    "aws_secret_access_key = {creds['SecretAccessKey']}\\naws_session_token = {creds['SessionToken']}\\n\")\n"
    "print(open(path).read())",
    "from IPython.display import HTML, display\n"
    "display(HTML(f\"<table><tr><th>key</th><th>note</th></tr><tr><td>{creds['SecretAccessKey']}</td>"
    '<td>keep-me-intact</td></tr></table>"))',
    "import sys\nprint('to stderr', creds['SessionToken'], file=sys.stderr)",
    "%rolekit secrets",
    "raise RuntimeError(f\"oops: {creds['SecretAccessKey']} and {creds['SessionToken']}\")",
]


def outputs_text(nb: object) -> list[str]:
    texts: list[str] = []
    for cell in nb.cells:  # type: ignore[attr-defined]
        for out in cell.get("outputs", []):
            texts.append(out.get("text", ""))
            for value in out.get("data", {}).values():
                texts.append(value if isinstance(value, str) else json.dumps(value))
            texts += [out.get("evalue", ""), *out.get("traceback", [])]
    return texts


@pytest.mark.timeout(300)
def test_kernel_masks_every_secret(kernel_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROLEKIT_SANDBOX", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    secrets_file = tmp_path / "secrets.json"
    cells = [f"SECRETS = {str(secrets_file)!r}", *LEAKY_CELLS]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.cells[-1].metadata["tags"] = ["raises-exception"]
    client = nbclient.NotebookClient(nb, kernel_name=NAME, timeout=120, resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    secrets = json.loads(secrets_file.read_text())
    assert len(secrets) == 5 and all(len(s) >= 20 for s in secrets)
    texts = outputs_text(nb)
    joined = "\n".join(texts)
    for s in secrets:
        assert s not in joined, "an output shows a secret"
        assert "****" + s[-4:] in joined, "the secret is masked, keeping its last four characters"
    # Everything else is intact: the notice, the role, the table's other cells, the error's type.
    assert "embedded sandbox" in joined
    assert "arn:aws:sts::123456789012:assumed-role/kernel-role/leaky" in joined
    assert "keep-me-intact" in joined and "<table>" in joined
    assert "RuntimeError" in joined and "oops: ****" in joined
    assert "AccessKeyId" in joined and "to stderr ****" in joined


@pytest.mark.timeout(600)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tutorial_notebooks_run_under_the_kernel(
    kernel_home: Path, path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLEKIT_SANDBOX", "1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    nb = nbformat.read(path, as_version=4)
    captured = tmp_path / "secrets.json"
    nb.cells.append(nbformat.v4.new_code_cell(capture_cell(captured)))
    client = nbclient.NotebookClient(nb, kernel_name=NAME, timeout=120, resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    texts = outputs_text(nb)
    assert "embedded sandbox" in "\n".join(texts)
    check_claims(path.name, texts)
    check_secrets(path.name, texts, captured)
    # On the sandbox nothing of the tutorial's is written under HOME (IPython's own state only).
    written = {p.relative_to(home).parts[0] for p in home.rglob("*")}
    assert written <= {".ipython", ".jupyter", ".local", ".cache"}, written
    assert not (tmp_path / "config").exists(), "the profile went to a scratch file, not AWS_CONFIG_FILE"


@pytest.mark.timeout(300)
def test_a_role_the_tutorial_did_not_create_stays_as_it_was_under_the_kernel(
    kernel_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel's sandbox already has a basic-role the tutorials did not create (no tag): notebook
    01 refuses to change it (UnsafeOperation in the cell that would), and it stays as it was."""
    monkeypatch.setenv("ROLEKIT_SANDBOX", "1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    mine = (
        "import rolekit as _rk\n_c = _rk.Client()\n"
        "_c.ensure_role('basic-role', _rk.Policy.trust(services='ec2.amazonaws.com'), description='mine')\n"
        "_before = _c.get_role('basic-role')"
    )
    check = (
        "_after = _c.get_role('basic-role')\n"
        "print('UNCHANGED' if (_after.trust_policy, _after.description, _after.tags) == "
        "(_before.trust_policy, _before.description, _before.tags) else 'CHANGED')"
    )
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    nb.cells = [nbformat.v4.new_code_cell(mine), *nb.cells, nbformat.v4.new_code_cell(check)]
    client = nbclient.NotebookClient(
        nb, kernel_name=NAME, timeout=120, allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    joined = "\n".join(outputs_text(nb))
    assert "UnsafeOperation" in joined and "no rolekit tutorial created it" in joined
    assert "UNCHANGED" in joined and "CHANGED\n" not in joined.replace("UNCHANGED", "")


@pytest.mark.timeout(120)
def test_no_sandbox_when_told(kernel_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ROLEKIT_SANDBOX=0: no credentials, and the kernel still starts no sandbox."""
    monkeypatch.setenv("ROLEKIT_SANDBOX", "0")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import os\nprint(os.environ.get('AWS_ENDPOINT_URL'), type(rk).__name__)")]
    )
    nbclient.NotebookClient(nb, kernel_name=NAME, timeout=60, resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(outputs_text(nb))
    assert text.strip() == "None module" and "sandbox" not in text
