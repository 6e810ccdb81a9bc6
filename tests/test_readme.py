"""The README's Python example, run as written, top to bottom, in an empty folder with an empty HOME:
it must succeed and write nothing outside that folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.timeout(300)
def test_the_use_example_runs_as_written(tmp_path: Path) -> None:
    block = re.search(r"## Use\n.*?```python\n(.*?)```", README.read_text(), re.S)
    assert block is not None, "the README has a Use example"
    folder, home = tmp_path / "work", tmp_path / "home"
    folder.mkdir()
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(home), AWS_EC2_METADATA_DISABLED="true")
    done = subprocess.run(
        [sys.executable, "-c", block.group(1)], cwd=folder, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # What its comments say it prints, it prints.
    assert "5:16: error INVALID_ACTION: s3:ListBuckets is not an action of Amazon S3" in done.stdout
    assert "['create role basic-role']" in done.stdout and "implicit_deny False" in done.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["aws-config", "policy.json"]
    assert "[profile basic-role]" in (folder / "aws-config").read_text()
    assert list(home.rglob("*")) == [], "nothing written under HOME"


def test_the_role_spec_example_is_a_valid_spec() -> None:
    """The README's TOML spec loads as written (the CloudFormation round trip of such a spec is
    test_fleet's)."""
    import rolekit as rk

    block = re.search(r"```toml\n(.*?)```", README.read_text(), re.S)
    assert block is not None, "the README has a spec example"
    spec = rk.RoleSpec.from_toml(block.group(1))
    assert [r["name"] for r in spec.roles] == ["sagemaker-churn"] and [p["name"] for p in spec.policies] == [
        "data-access"
    ]
    assert "AWS::IAM::Role" in spec.to_cloudformation()
