# Latchkey — the two commands a fresh machine needs:
#   make run    install what is missing, build, and start the desktop app
#   make test   install what is missing and run every test
# Longer jobs: make bench, make soak, make fuzz (see README).

SHELL := /bin/bash
CARGO_DESKTOP := cargo build -p latchkey-desktop -p latchkey-tray --features latchkey-desktop/custom-protocol
DESKTOP_BIN := target/debug/latchkey-desktop
XVFB := xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp'

.PHONY: run test setup ui desktop cli test-gates test-ui test-engine test-e2e screenshots package test-package soak fuzz test-fuzz bench

setup:
	@scripts/setup.sh

ui: setup
	npm --prefix ui run build --silent

desktop: ui
	$(CARGO_DESKTOP)

cli:
	cargo build -p latchkey

run: desktop cli
	$(DESKTOP_BIN)

test: setup
	$(MAKE) --no-print-directory test-ui test-gates test-engine test-e2e test-fuzz test-package

# Before any test: formatting, clippy with warnings as errors (the workspace denies
# `unsafe` but where an allow says why), and an engine that pulls in no terminal or GUI crate.
test-gates:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --no-deps -- -D warnings
	scripts/check-engine-deps.sh

test-ui:
	npm --prefix ui run check --silent
	npm --prefix ui run build --silent
	npm --prefix ui test --silent

# The crash soak (hundreds of kill -9 during keyring calls) gets a keyring session of its
# own, so whatever it does to the daemon cannot reach the other tests.
test-engine:
	tests/support/with-keyring cargo test -p latchkey-engine -p latchkey-ipc -p latchkey -p latchkey-tray --no-fail-fast -- --skip kill_9_during_refresh
	tests/support/with-keyring cargo test -p latchkey --test crash_soak

test-e2e: desktop
	NO_AT_BRIDGE=1 LATCHKEY_DESKTOP_BIN=$(CURDIR)/$(DESKTOP_BIN) $(XVFB) cargo test -p latchkey-e2e --no-fail-fast -- --test-threads=1

# Screenshots for docs/, taken from the real app: the wizard and list (wizard.rs), and
# every failure state a person can meet (journeys.rs, named fail-*).
screenshots: desktop
	NO_AT_BRIDGE=1 LATCHKEY_DESKTOP_BIN=$(CURDIR)/$(DESKTOP_BIN) LATCHKEY_SCREENSHOTS=$(CURDIR)/docs/screenshots \
		$(XVFB) cargo test -p latchkey-e2e --test wizard -- --test-threads=1 wizard_manual_registration
	NO_AT_BRIDGE=1 LATCHKEY_DESKTOP_BIN=$(CURDIR)/$(DESKTOP_BIN) LATCHKEY_SCREENSHOTS=$(CURDIR)/docs/screenshots \
		$(XVFB) cargo test -p latchkey-e2e --test journeys -- --test-threads=1

# The .deb (Tauri bundler): the desktop app, the lean tray, the `latchkey` CLI on PATH, its man page and
# completions, the latchkey:// scheme handler. Written to target/release/bundle/deb/.
TAURI := $(CURDIR)/ui/node_modules/.bin/tauri
package: setup
	npm --prefix ui run build --silent
	cargo build --release -p latchkey -p latchkey-tray
	mkdir -p target/package
	target/release/latchkey man | gzip -n -9 > target/package/latchkey.1.gz
	gzip -n -9 < packaging/changelog > target/package/changelog.gz
	gzip -n -9 < packaging/latchkey-desktop.1 > target/package/latchkey-desktop.1.gz
	target/release/latchkey completions bash > target/package/latchkey.bash
	target/release/latchkey completions zsh > target/package/_latchkey
	target/release/latchkey completions fish > target/package/latchkey.fish
	cd src-tauri && TAURI_APP_PATH=$(CURDIR)/src-tauri TAURI_FRONTEND_PATH=$(CURDIR)/ui CI=true $(TAURI) build --bundles deb

test-package: package
	scripts/test-package.sh

# Every benchmark beside its peer (oidc-agent), tables rewritten in BENCHMARKS.md.
bench: setup
	scripts/bench.sh

# The long crash-safety soak: kill -9 during 1,000 refreshes (the test suite runs 200).
soak: setup
	LATCHKEY_SOAK_CYCLES=1000 tests/support/with-keyring cargo test -p latchkey --test crash_soak -- --nocapture

# Fuzz the parsers: 15 s per target in the test run, an hour each with `make fuzz`.
test-fuzz:
	scripts/fuzz.sh 15

fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-3600} scripts/fuzz.sh
