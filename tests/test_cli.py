"""The command line: lint and simulate offline, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import rolekit
from rolekit.sandbox import Sandbox
from runcli import rolekit_cli

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return rolekit_cli(*args, stdin=stdin)


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


def test_lint_a_folder(tmp_path: Path) -> None:
    (tmp_path / "team" / ".git").mkdir(parents=True)
    (tmp_path / "team" / "seed.json").write_text((FIXTURES / "seed_basic_s3.json").read_text())
    (tmp_path / "team" / ".git" / "broken.json").write_text("{")  # hidden folders are not read
    (tmp_path / "notes.txt").write_text("not a policy")
    good = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    (tmp_path / "a.json").write_text(good)
    out = run("lint", "--format", "json", str(tmp_path))
    assert out.returncode == 1, out.stderr
    assert {f["file"] for f in json.loads(out.stdout)} == {str(tmp_path / "team" / "seed.json")}
    assert "2 file(s)" in run("lint", str(tmp_path)).stderr
    (tmp_path / "empty").mkdir()
    empty = run("lint", str(tmp_path / "empty"))
    assert empty.returncode == 3 and "no .json file" in empty.stderr


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


# --- on the sandbox: assume, exec, profiles ------------------------------------------------------


@pytest.fixture(scope="module")
def cli_role(sandbox: Sandbox) -> str:
    c = sandbox.client()
    me = c.whoami()
    change = c.ensure_role("cli-role", rolekit.Policy.trust(aws=[me.arn]))
    c.wait_until_assumable("cli-role", timeout=30)
    return change.role.arn


def sandbox_env(sandbox: Sandbox, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(sandbox.env())
    env["AWS_CONFIG_FILE"] = str(tmp_path / "config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "credentials")
    env.update(extra)
    return env


def run_env(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return rolekit_cli(*args, env=env)


def caller_arn(env: dict[str, str]) -> str:
    code = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_whoami_json(sandbox: Sandbox, tmp_path: Path) -> None:
    out = run_env(sandbox_env(sandbox, tmp_path), "whoami", "--format", "json")
    assert out.returncode == 0
    assert json.loads(out.stdout)["Arn"] == sandbox.client().whoami().arn


def test_assume_formats(sandbox: Sandbox, cli_role: str, tmp_path: Path) -> None:
    env = sandbox_env(sandbox, tmp_path)
    secret = env["AWS_SECRET_ACCESS_KEY"]
    text = run_env(env, "assume", "cli-role")
    assert text.returncode == 0 and "assumed-role/cli-role/" in text.stdout
    assert "AWS_SECRET_ACCESS_KEY" not in text.stdout and "--format env" in text.stderr

    exports = run_env(env, "assume", "cli-role", "--format", "env", "--duration", "900")
    assert exports.returncode == 0
    variables = dict(shlex.split(line)[1].split("=", 1) for line in exports.stdout.splitlines())
    assert set(variables) == {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
    }
    assert variables["AWS_SECRET_ACCESS_KEY"] != secret
    assert "assumed-role/cli-role/" in caller_arn({**env, **variables})

    as_json = json.loads(run_env(env, "assume", cli_role, "--format", "json", "--session-name", "nb-1").stdout)
    assert as_json["AssumedRoleUser"]["Arn"].endswith("assumed-role/cli-role/nb-1")
    assert as_json["Credentials"]["Expiration"].endswith("Z")

    # credential-process output is what the AWS tools expect: botocore runs it through a profile.
    (tmp_path / "credentials").write_text(
        f"[admin]\naws_access_key_id = {env['AWS_ACCESS_KEY_ID']}\naws_secret_access_key = {secret}\n"
    )
    command = f"{shlex.quote(sys.executable)} -m rolekit assume cli-role --profile admin --format credential-process"
    (tmp_path / "config").write_text(f"[profile viaprocess]\ncredential_process = {command}\n")
    profile_env = {k: v for k, v in env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    assert "assumed-role/cli-role/" in caller_arn({**profile_env, "AWS_PROFILE": "viaprocess"})

    missing = run_env(env, "assume", "no such role")
    assert missing.returncode == 3 and missing.stderr.count("\n") == 1 and "contains ' '" in missing.stderr
    assert secret not in missing.stderr + text.stdout + text.stderr


def test_exec_runs_the_command_with_the_role(sandbox: Sandbox, cli_role: str, tmp_path: Path) -> None:
    env = sandbox_env(sandbox, tmp_path, AWS_PROFILE="leftover")
    code = (
        "import os, sys, boto3; assert 'AWS_PROFILE' not in os.environ;"
        " print(boto3.client('sts').get_caller_identity()['Arn']); sys.exit(7)"
    )
    out = run_env(env, "exec", "cli-role", "--", sys.executable, "-c", code)
    assert out.returncode == 7 and "assumed-role/cli-role/" in out.stdout
    assert run_env(env, "exec", "cli-role", "--", "no-such-command-xyz").returncode == 127
    assert run_env(env, "exec", "cli-role").returncode == 2
    # Options after ROLE are exec's own; everything after -- is the command's, options included.
    region = "import os; print(os.environ['AWS_REGION'], os.environ['AWS_DEFAULT_REGION'])"
    out = run_env(env, "exec", "cli-role", "--region", "eu-west-3", "--", sys.executable, "-c", region, "--region", "x")
    assert out.returncode == 0 and out.stdout.split() == ["eu-west-3", "eu-west-3"], out.stderr


def test_lint_detects_a_trust_policy_and_refuses_an_open_one() -> None:
    trust = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    )
    out = run("lint", "-", stdin=trust)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "checked as a trust policy (detected; --kind chooses)" in out.stderr
    assert "MISSING_RESOURCE" not in out.stdout and "PRINCIPAL_NOT_ALLOWED" not in out.stdout
    assert "MISSING_RESOURCE" in run("lint", "--kind", "identity", "-", stdin=trust).stdout
    open_trust = trust.replace('{"Service": "sagemaker.amazonaws.com"}', '{"AWS": "*"}')
    refused = run("lint", "-", stdin=open_trust)
    assert refused.returncode == 1 and "OPEN_PRINCIPAL" in refused.stdout and "--allow-open" in refused.stderr
    assert run("lint", "--allow-open", "-", stdin=open_trust).returncode == 0
    conditioned = open_trust.replace(
        '"Action": "sts:AssumeRole"}',
        '"Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x1"}}}',
    )
    assert run("lint", "-", stdin=conditioned).returncode == 0


def test_input_files_cannot_flood_or_drive_the_terminal(tmp_path: Path) -> None:
    """Control characters from a policy file are shown escaped; a huge input is refused at a fixed size."""
    hostile = tmp_path / "p.json"
    hostile.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get\\u001b[2J\\u0007", '
        '"Resource": "*"}]}'
    )
    out = run("lint", str(hostile))
    assert out.returncode == 1 and "\x1b" not in out.stdout + out.stderr and "\a" not in out.stdout
    assert "\\x1b[2J\\x07" in out.stdout, out.stdout
    big = tmp_path / "big.json"
    big.write_text("[" + " " * (11 * 1024 * 1024) + "]")
    out = run("lint", str(big))
    assert out.returncode == 3 and "larger than 10 MB" in out.stderr, out.stderr
    out = run("lint", "/dev/zero")
    assert out.returncode == 3 and "larger than 10 MB" in out.stderr, out.stderr


def test_the_tutorial_in_a_terminal(sandbox: Sandbox, tmp_path: Path) -> None:
    """role ensure / show / delete and policy put: the seed tutorial without Python."""
    env = sandbox_env(sandbox, tmp_path)
    me = sandbox.client().whoami().arn
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(json.loads(rk_trust(me))))
    read = tmp_path / "read.json"
    read.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Sid": "ListAll", "Effect": "Allow", '
        '"Action": "s3:ListAllMyBuckets", "Resource": "*"}]}'
    )
    wrong = tmp_path / "wrong.json"
    wrong.write_text(read.read_text().replace("s3:ListAllMyBuckets", "s3:ListBuckets"))

    put = run_env(env, "policy", "put", "term_s3", str(read))
    assert put.returncode == 0 and put.stdout.startswith("put arn:aws:iam::123456789012:policy/term_s3 (v1)"), (
        put.stderr
    )
    refused = run_env(env, "policy", "put", "term_s3", str(wrong))
    assert refused.returncode == 3 and "INVALID_ACTION" in refused.stderr and "nothing was sent" in refused.stderr
    plan = run_env(env, "role", "ensure", "term-role", "--trust", str(trust), "--managed", "term_s3", "--plan")
    assert plan.returncode == 0 and "would create role term-role" in plan.stdout, plan.stderr
    assert run_env(env, "role", "show", "term-role").returncode == 3, "a plan changes nothing"
    made = run_env(
        env, "role", "ensure", "term-role", "--trust", str(trust), "--managed", "term_s3", "--policy", f"read={read}"
    )
    assert made.returncode == 0 and "create role term-role" in made.stdout, made.stderr
    again = run_env(
        env, "role", "ensure", "term-role", "--trust", str(trust), "--managed", "term_s3", "--policy", f"read={read}"
    )
    assert again.stdout.strip() == "no change", again.stdout
    shown = json.loads(run_env(env, "role", "show", "term-role", "--format", "json").stdout)
    assert shown["AttachedPolicies"] == ["arn:aws:iam::123456789012:policy/term_s3"]
    assert shown["InlinePolicies"] == ["read"] and shown["AssumeRolePolicyDocument"]["Statement"]
    gone = run_env(env, "role", "delete", "term-role")
    assert gone.returncode == 0 and "deleted role term-role" in gone.stdout, gone.stderr


def rk_trust(arn: str) -> str:
    import rolekit

    return rolekit.Policy.trust(aws=arn).to_json()


def test_profile_commands_write_a_profile_that_works(sandbox: Sandbox, cli_role: str, tmp_path: Path) -> None:
    env = sandbox_env(sandbox, tmp_path)
    (tmp_path / "credentials").write_text(
        f"[admin]\naws_access_key_id = {env['AWS_ACCESS_KEY_ID']}\naws_secret_access_key = {env['AWS_SECRET_ACCESS_KEY']}\n"
    )
    (tmp_path / "config").write_text("# keep me\n[default]\nregion = us-east-1\n")
    args = ("profile", "add", "ds", "--role-arn", cli_role, "--source-profile", "admin", "--duration-seconds", "900")
    added = run_env(env, *args)
    assert added.returncode == 0 and added.stdout.startswith("created profile 'ds'")
    assert run_env(env, *args, "--format", "json").stdout.count('"unchanged"') == 1
    refused = run_env(env, "profile", "add", "ds", "--role-arn", cli_role, "--source-profile", "default")
    assert refused.returncode == 3 and "--force" in refused.stderr
    assert json.loads(run_env(env, "profile", "list", "--format", "json").stdout) == ["default", "ds"]

    # The written profile resolves through boto3 and through rolekit's own Client.
    profile_env = {k: v for k, v in env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    profile_env["AWS_PROFILE"] = "ds"
    assert "assumed-role/cli-role/" in caller_arn(profile_env)
    who = run_env(profile_env, "whoami", "--format", "json")
    assert who.returncode == 0 and json.loads(who.stdout)["RoleArn"] == cli_role

    assert run_env(env, "profile", "remove", "ds").returncode == 0
    assert (tmp_path / "config").read_text() == "# keep me\n[default]\nregion = us-east-1\n"
    assert run_env(env, "profile", "remove", "ds").returncode == 1
    assert run_env(env, "profile", "add", "x", "--role-arn", cli_role).returncode == 2  # no source: usage error


def test_demo_aws_asks_first_and_cleans_up(sandbox: Sandbox, tmp_path: Path) -> None:
    """`rolekit demo --aws` against an account (the sandbox standing in for one)."""
    env = sandbox_env(sandbox, tmp_path)
    direct = sandbox.client()
    refused = rolekit_cli("demo", "--aws", env=env)
    assert refused.returncode == 1 and "Nothing was done" in refused.stdout
    assert "account 123456789012" in refused.stdout and "--yes" in refused.stdout
    assert not [r for r in direct.list_roles() if r[0].startswith("rolekit-demo")]

    done = run_env(env, "demo", "--aws", "--yes")
    assert done.returncode == 0, done.stderr
    assert (
        "create role rolekit-demo-basic-role" in done.stdout and "deleted role rolekit-demo-basic-role" in done.stdout
    )
    assert "deleted policy arn:aws:iam::123456789012:policy/rolekit-demo-basic_s3" in done.stdout
    assert not [r for r in direct.list_roles() if r[0].startswith("rolekit-demo")]
    with pytest.raises(rolekit.NoSuchEntity):
        direct.delete_policy("arn:aws:iam::123456789012:policy/rolekit-demo-basic_s3")

    # A role of that name that the demo did not create is never touched.
    direct.ensure_role("rolekit-demo-basic-role", rolekit.Policy.trust(services="sagemaker.amazonaws.com"))
    kept = run_env(env, "demo", "--aws", "--yes")
    assert kept.returncode == 1 and "leaves it alone" in kept.stdout
    assert direct.get_role("rolekit-demo-basic-role").name == "rolekit-demo-basic-role"


def test_delete_policy_refuses_while_attached(sandbox: Sandbox) -> None:
    c = sandbox.client()
    c.ensure_role("holder", rolekit.Policy.trust(services="sagemaker.amazonaws.com"))
    p = c.put_policy("held", rolekit.Policy([rolekit.Statement.allow("s3:ListAllMyBuckets", "*")]))
    c.put_policy("held", rolekit.Policy([rolekit.Statement.allow("s3:GetBucketLocation", "*")]))
    c.attach_policy("holder", p)
    with pytest.raises(rolekit.UnsafeOperation, match="attached to 1"):
        c.delete_policy(p)
    c.detach_policy("holder", p)
    assert c.delete_policy("held") == ["deleted version v1", f"deleted policy {p.arn}"]


def test_a_missing_extra_is_one_line_with_the_fix(tmp_path: Path) -> None:
    """Without ipykernel (hidden here by a stub that refuses to import), `rolekit kernel install`
    says what to install instead of printing a traceback."""
    blocker = tmp_path / "ipykernel"
    blocker.mkdir()
    (blocker / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'ipykernel'\", name='ipykernel')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(tmp_path), JUPYTER_DATA_DIR=str(tmp_path / "jupyter"))
    out = rolekit_cli("kernel", "install", "--user", env=env, timeout=60)
    assert out.returncode == 3 and "Traceback" not in out.stderr
    assert "pip install 'rolekit[notebook]'" in out.stderr and out.stderr.count("\n") == 1


def test_simulate_in_an_organization(tmp_path: Path) -> None:
    allow_all = tmp_path / "all.json"
    allow_all.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    )
    s3_only = tmp_path / "s3.json"
    s3_only.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
    )
    base = ("simulate", "--policy", str(allow_all), "--scp", str(allow_all), "--scp-level", "--scp", str(s3_only))
    denied = run(*base, "ec2:RunInstances", "--format", "json")
    assert denied.returncode == 1, denied.stderr
    out = json.loads(denied.stdout)
    assert out["decision"] == "implicit_deny" and out["blocked_by"] == ["scp"] and out["missing_context"] == []
    assert any("level 1" in line for line in out["explanation"])
    assert run(*base, "s3:GetObject", "arn:aws:s3:::b/k").returncode == 0
    assert run(*base, "ec2:RunInstances", "--management-account").returncode == 0
    endpoint = run("simulate", "--policy", str(allow_all), "--endpoint-policy", str(s3_only), "ec2:RunInstances")
    assert endpoint.returncode == 1 and "endpoint" in endpoint.stdout


def test_global_options_before_or_after_the_command(tmp_path: Path) -> None:
    before = run("--format", "json", "--debug", "simulate", "s3:GetObject")
    after = run("simulate", "s3:GetObject", "--format", "json", "--debug")
    assert before.returncode == after.returncode == 1
    assert json.loads(before.stdout)["decision"] == json.loads(after.stdout)["decision"] == "implicit_deny"
    wrong = run("--format", "sarif", "simulate", "s3:GetObject")
    assert wrong.returncode == 2 and "not one of this command's" in wrong.stderr
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("rolekit ")


def test_simulate_checks_what_it_is_asked_and_given(tmp_path: Path) -> None:
    policy = tmp_path / "p.json"
    policy.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBuckets", "Resource": "*"}]}'
    )
    out = run("simulate", "s3:ListBuckets", "arn:aws:s3::b", "--policy", str(policy))
    assert "the action asked about: INVALID_ACTION" in out.stderr and "s3:ListAllMyBuckets" in out.stderr
    assert "the resource asked about: INCOMPLETE_ARN" in out.stderr  # IAM accepts it; it names nothing
    assert f"{policy}:1:71: error INVALID_ACTION" in out.stderr, out.stderr
    clean = run("simulate", "s3:ListAllMyBuckets")
    assert clean.stderr == ""
    typo = run("simulate", "s3GetObject", "--policy", str(policy))
    assert typo.returncode == 3 and typo.stdout == ""  # refused, not decided
    assert typo.stderr.count("has no service prefix") == 1, typo.stderr


def test_simulate_reads_each_policy_once_and_checks_every_kind(tmp_path: Path) -> None:
    # Standard input (and a pipe such as <(...)) can be read only once: the policy given as `-` is
    # both checked and decided with.
    allow = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    piped = run("simulate", "s3:GetObject", "--policy", "-", stdin=allow)
    assert piped.returncode == 0 and piped.stdout.startswith("ALLOWED"), piped.stderr
    broken = run("simulate", "s3:GetObject", "--policy", "-", stdin='{"Version": ')
    assert broken.returncode == 3 and "-:1:" in broken.stderr and "standard input is not a policy" in broken.stderr
    # RCPs and endpoint policies are checked as their kind too, with file:line:column.
    rcp = tmp_path / "rcp.json"
    rcp.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "111111111111"}, '
        '"Action": "s3:PutObject", "Resource": "*"}]}'
    )
    endpoint = tmp_path / "endpoint.json"
    endpoint.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
    )
    out = run(
        "simulate", "s3:GetObject", "--policy", "-", "--rcp", str(rcp), "--endpoint-policy", str(endpoint), stdin=allow
    )
    assert f"{rcp}:1:" in out.stderr and "error RCP_PRINCIPAL" in out.stderr, out.stderr
    assert f"{endpoint}:1:" in out.stderr and "error MISSING_PRINCIPAL" in out.stderr, out.stderr


def test_files_that_are_not_utf8_are_named_and_located(tmp_path: Path) -> None:
    doc = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    windows = tmp_path / "utf16.json"
    windows.write_bytes(doc.encode("utf-16"))  # what PowerShell's > writes
    latin = tmp_path / "latin1.json"
    latin.write_bytes(b'{\n  "Sid": "caf\xe9"}')
    out = run("lint", str(windows), str(latin))  # one bad file does not stop the others
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert f"{windows}:1:1: error" in out.stdout and "UTF-16" in out.stdout, out.stdout
    assert f"{latin}:2:14: error" in out.stdout and "byte 0xe9 is not UTF-8" in out.stdout, out.stdout
    given = run("simulate", "s3:GetObject", "--policy", str(latin))
    assert given.returncode == 3 and f"{latin}:2:14: error" in given.stderr, given.stderr
    assert f"{latin} is not a policy" in given.stderr, given.stderr
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + doc.encode())  # a UTF-8 byte-order mark, as Notepad may write
    assert run("lint", str(bom)).returncode == 0
    assert run("simulate", "s3:GetObject", "--policy", "-", stdin="\ufeff" + doc).returncode == 0


def test_check_sagemaker_needs_one_role() -> None:
    none = run("check", "sagemaker", "--input", "s3://b/x")
    assert none.returncode == 2 and "needs the execution role" in none.stderr, none.stderr
    two = run("check", "sagemaker", "a-role", "--role", "b-role")
    assert two.returncode == 2 and "two roles given" in two.stderr, two.stderr


def test_errors_give_shell_advice(tmp_path: Path) -> None:
    env = {
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
    }
    out = run_env({**os.environ, **env}, "whoami")
    assert out.returncode == 3 and "--profile NAME" in out.stderr and "credentials=" not in out.stderr, out.stderr
    keys = {"AWS_ACCESS_KEY_ID": "AKIAX", "AWS_SECRET_ACCESS_KEY": "x" * 20}
    dead = run_env({**os.environ, **env, **keys}, "--endpoint-url", "http://127.0.0.1:9", "whoami")
    assert "is the sandbox still running?" in dead.stderr, dead.stderr


def test_completion_scripts_complete_commands_actions_and_options(tmp_path: Path) -> None:
    bash = run("completion", "bash")
    assert bash.returncode == 0 and "complete -F _rolekit rolekit" in bash.stdout
    script = tmp_path / "rolekit.bash"
    script.write_text(bash.stdout)
    probe = (
        f"source {script}\n"
        't() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _rolekit; echo "${COMPREPLY[*]}"; }\n'
        "t rolekit ro; t rolekit role en; t rolekit role ensure --tr; t rolekit lint --ki; t rolekit --deb\n"
    )
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
    assert done.stdout.splitlines() == ["role", "ensure", "--trust", "--kind", "--debug"], done.stdout + done.stderr
    zsh = run("completion", "zsh")
    assert zsh.stdout.startswith("autoload -U +X compinit") and "bashcompinit" in zsh.stdout
