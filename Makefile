# Everything a developer or CI needs. `make test` and `make demo` work on a fresh Debian machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYDEPS := $(VENV)/.installed
NODEDEPS := node_modules/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: install test unit synth demo bench bench-deps debian-tools sandbox-up sandbox-status sandbox-down clean

install: $(PYDEPS) $(NODEDEPS)

$(PYDEPS): requirements.txt requirements-dev.txt pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements.txt -r requirements-dev.txt
	$(VENV)/bin/pip install -q --no-deps -e .
	@# Byte-compile our own packages once: with PYTHONDONTWRITEBYTECODE set (as on these machines) every
	@# command would otherwise recompile them at start-up. cdk.json runs the app as `python -O`, which reads
	@# only .opt-1.pyc files: compile those too, and the CDK's packages the app imports (aws_cdk's __init__ alone
	@# is 2.3 MB of source: about 1 s of every synth without them; 15 s once here, in parallel).
	$(PY) -m compileall -q -o 0 -o 1 ecr_spec ecr_constructs image_pipeline ecr_sandbox
	$(PY) -m compileall -q -j 0 -o 1 $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/{aws_cdk,cdk_nag,constructs,jsii} >/dev/null
	touch $@

$(NODEDEPS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: install debian-tools
	$(PY) -m pytest

unit: install
	$(PY) -m pytest tests/unit

synth: install
	cdk synth --quiet

demo: install
	$(PY) examples/demo.py

BENCHDEPS := $(VENV)/.bench-installed

$(BENCHDEPS): requirements-bench.txt $(PYDEPS)
	$(VENV)/bin/pip install -q -r requirements-bench.txt
	touch $@

# Debian tools the end-to-end tests use as independent clients of the sandbox (skopeo, curl; benchmarks/fanout.py's
# baseline is skopeo too): installed when missing, as root; otherwise one line naming them.
DEBIAN_TOOLS := skopeo curl
debian-tools:
	@missing=""; for tool in $(DEBIAN_TOOLS); do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "error: missing:$$missing: run \`sudo apt-get install -y$$missing\` (make installs them when run as root)"; exit 1; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null; } \
			|| { echo "error: \`apt-get install -y$$missing\` failed; run it to see why"; exit 1; }; \
	fi

bench-deps: install $(BENCHDEPS) debian-tools

bench: bench-deps
	$(PY) benchmarks/synth.py
	$(PY) benchmarks/publish.py
	$(PY) benchmarks/fanout.py
	$(PY) benchmarks/memory.py

sandbox-up: install
	$(PY) -m ecr_sandbox up

sandbox-status: install
	$(PY) -m ecr_sandbox status

sandbox-down: install
	$(PY) -m ecr_sandbox down

clean:
	rm -rf cdk.out .pytest_cache
