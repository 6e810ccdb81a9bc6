"""The command line: lint and simulate offline, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rolekit", *args], capture_output=True, text=True, input=stdin, timeout=120
    )


def test_lint_reports_file_line_column_and_exits_1() -> None:
    out = run("lint", str(FIXTURES / "seed_basic_s3.json"))
    assert out.returncode == 1
    assert f"{FIXTURES / 'seed_basic_s3.json'}:7:21: error INVALID_ACTION" in out.stdout
    assert "suggestion: s3:ListAllMyBuckets" in out.stdout


def test_lint_clean_file_and_stdin() -> None:
    good = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}'
    out = run("lint", "-", stdin=good)
    assert out.returncode == 0 and out.stdout == ""
    wide = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}'
    assert run("lint", "-", stdin=wide).returncode == 0
    assert run("lint", "--strict", "-", stdin=wide).returncode == 1


def test_lint_json_sarif_and_invalid_json() -> None:
    out = run("lint", "--format", "json", "-", stdin='{"Version": ')
    assert out.returncode == 1
    (finding,) = json.loads(out.stdout)
    assert finding["code"] == "INVALID_JSON" and finding["line"] == 1
    sarif = json.loads(run("lint", "--format", "sarif", str(FIXTURES / "seed_basic_s3.json")).stdout)
    results = sarif["runs"][0]["results"]
    assert results[0]["ruleId"] == "INVALID_ACTION"
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 21}


def test_lint_trust_kind() -> None:
    trust = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}'
    out = run("lint", "--kind", "trust", "-", stdin=trust)
    assert out.returncode == 1 and "MISSING_PRINCIPAL" in out.stdout


def test_simulate_exit_codes(tmp_path: Path) -> None:
    policy = tmp_path / "p.json"
    policy.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",'
        ' "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}'
    )
    ok = run(
        "simulate", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", str(policy), "--context", "aws:SourceIp=10.1.2.3"
    )
    assert ok.returncode == 0 and ok.stdout.startswith("ALLOWED")
    no = run("simulate", "s3:GetObject", "arn:aws:s3:::b/k", "--policy", str(policy), "--format", "json")
    assert no.returncode == 1
    assert json.loads(no.stdout)["decision"] == "implicit_deny"


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    out = run("lint", str(tmp_path / "missing.json"))
    assert out.returncode == 3
    assert out.stderr.startswith("rolekit: error: FileNotFoundError") and "Traceback" not in out.stderr
    bad = run("simulate", "s3:GetObject", "--context", "novalue")
    assert bad.returncode == 3 and "key=value" in bad.stderr
    assert run("nonsense").returncode == 2
