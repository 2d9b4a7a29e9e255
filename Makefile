# Quill's front door. `make run` and `make test` do all the set-up on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
SYSTEM_PACKAGES := libopenblas-dev libinotifytools0-dev libsqlite3-dev libxml2-dev pkg-config python3 python3-pip
# Independent validators the tests run on Quill's outputs (FHIR R4 models, an HL7 v2 parser).
PYTHON_TEST_PACKAGES := fhir.resources hl7
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps pydeps build release test run bench clean

# Installs the Debian packages Quill links against, only those still missing.
deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Debian's own Python refuses pip installs into the system (PEP 668) unless told; a pyenv or venv Python does not.
pydeps: deps
	@python3 -c "import fhir.resources, hl7" 2>/dev/null || python3 -m pip install -q $(PYTHON_TEST_PACKAGES) \
	  || python3 -m pip install -q --break-system-packages $(PYTHON_TEST_PACKAGES)

test: deps pydeps
	$(SWIFT) test

# Release build, benchmark model (written once, ~3.5 GB, never committed), numbers into docs/PERFORMANCE.md.
bench: deps
	bash bench/run.sh

# The daemon on the embedded demo model, with this checkout as its state root: drop files into inbox/
# (`cp examples/* inbox/`), read outbox/. Stops on Ctrl-C (SIGINT/SIGTERM finish or re-queue the job in hand).
run: release
	@mkdir -p inbox && cp examples/discharge-note.txt examples/visit-dialogue.txt inbox/
	.build/release/quill serve --state . --model models/demo


clean:
	rm -rf .build

# A short run of every fuzz target (FUZZ_SECONDS each, default 20) for CI: exits non-zero on a finding.
.PHONY: fuzz-smoke
fuzz-smoke:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-20} bash fuzz/run.sh
