"""The IPython extension, through IPython's own machinery (InteractiveShell)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rolekit as rk
from IPython.core.interactiveshell import InteractiveShell
from rolekit.ipython import UsageError
from rolekit.sandbox import Sandbox


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    sh = InteractiveShell.instance()
    sh.run_line_magic("load_ext", "rolekit")
    yield sh
    InteractiveShell.clear_instance()


def test_policy_cell_magic_validates_and_stores(shell: InteractiveShell) -> None:
    cell = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBuckets", "Resource": "*"}]}'
    report = shell.run_cell_magic("rolekit_policy", "--name basic", cell)
    assert isinstance(report, rk.Report) and not report.ok
    assert report[0].code == "INVALID_ACTION" and report[0].line == 1
    assert isinstance(shell.user_ns["basic"], rk.Policy)
    trust = shell.run_cell_magic(
        "rolekit_policy",
        "--kind trust",
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}',
    )
    assert [f.code for f in trust.errors] == ["MISSING_PRINCIPAL"]


def test_simulate_line_magic(shell: InteractiveShell) -> None:
    shell.user_ns["read"] = rk.Policy([rk.Statement.allow("s3:ListAllMyBuckets", "*")])
    d = shell.run_line_magic("rolekit", "simulate s3:ListAllMyBuckets --policy read")
    assert isinstance(d, rk.Decision) and d.allowed
    d = shell.run_line_magic("rolekit", "simulate s3:ListBucket arn:aws:s3:::b --policy read")
    assert d.decision == "implicit_deny"
    with pytest.raises(UsageError, match="no variable"):
        shell.run_line_magic("rolekit", "simulate s3:X --policy missing")
    shell.user_ns["everything"] = rk.Policy([rk.Statement.allow("*", "*")])
    shell.user_ns["s3_only"] = rk.Policy([rk.Statement.allow("s3:*", "*")])
    org = "--policy everything --scp everything --scp-level --scp s3_only"
    d = shell.run_line_magic("rolekit", f"simulate ec2:RunInstances {org}")
    assert d.blocked_by == ("scp",)
    assert shell.run_line_magic("rolekit", f"simulate s3:GetObject arn:aws:s3:::b/k {org}").allowed
    with pytest.raises(UsageError, match="unknown"):
        shell.run_line_magic("rolekit", "frobnicate")


def test_whoami_magic_and_rich_display(
    shell: InteractiveShell, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in sandbox.env().items():
        monkeypatch.setenv(k, v)
    me = shell.run_line_magic("rolekit", "whoami")
    assert isinstance(me, rk.Identity) and me.kind == "user"
    formatter = shell.display_formatter
    data, _ = formatter.format(me)
    assert "text/html" in data and "<table" in data["text/html"]
    creds = sandbox.credentials
    data, _ = formatter.format(creds)
    assert creds.secret_access_key not in data["text/html"] and creds.secret_access_key not in data["text/plain"]
    data, _ = formatter.format(rk.Policy([rk.Statement.allow("s3:GetObject", "*")]))
    assert data["text/html"].startswith('<div class="rolekit"><b>Policy</b>') and "<pre" in data["text/html"]
