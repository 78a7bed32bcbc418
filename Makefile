# Latchkey — the two commands a fresh machine needs:
#   make run    install what building and running the app needs, build, and start it
#   make test   install what the tests need too, and run every test (a timed table at the end)
# The quick loop before each commit: make check (fmt, clippy, unit tests; minutes).
# Longer jobs: make bench, make soak, make fuzz (see README).

SHELL := /bin/bash
CARGO_DESKTOP := cargo build -p latchkey-desktop -p latchkey-tray --features latchkey-desktop/custom-protocol
DESKTOP_BIN := target/debug/latchkey-desktop
XVFB := xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp'

.PHONY: run test check test-other-systems test-windows check-macos setup setup-app ui desktop cli test-gates test-ui test-engine test-e2e screenshots package package-windows test-package soak fuzz test-fuzz bench

# What the app needs (system libraries, the UI's packages); `setup` adds the test servers,
# WebDriver, the Secret Service and the cross toolchain.
setup-app:
	@scripts/setup.sh app

setup:
	@scripts/setup.sh test

ui: setup-app
	npm --prefix ui run build --silent

desktop: ui
	$(CARGO_DESKTOP)

cli:
	cargo build -p latchkey-cli

run: desktop cli
	$(DESKTOP_BIN)

# Each stage timed; the table (target/test-times.txt) and a check that no process the
# tests started is still running end the run (scripts/test-all).
TEST_STAGES := test-ui test-gates test-engine test-e2e test-package test-fuzz test-other-systems
test: setup
	@scripts/test-all $(TEST_STAGES)

# The quick loop: formatting, clippy, and the unit tests of the engine, the IPC contract
# and the UI — no servers, no windows, no keyring.
check:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --no-deps -- -D warnings
	cargo clippy -p latchkey-engine --lib --no-deps --features fuzzing,testing -- -D warnings
	cargo test -q -p latchkey-engine -p latchkey-ipc --lib
	npm --prefix ui test --silent

# Windows and macOS from this Linux machine (docs/platforms.md): Windows builds run under
# Wine, macOS is type-checked. Cross builds are cached in ~/.cache/latchkey.
test-other-systems: test-windows check-macos
test-windows: setup
	scripts/test-windows
check-macos: setup
	scripts/check-macos

# Before any test: formatting, clippy with warnings as errors (the workspace denies
# `unsafe` but where an allow says why), an engine that pulls in no terminal or GUI crate,
# the engine's door kept narrow (no `pub` that nothing outside reaches), and the GitHub
# workflows linted (actionlint, zizmor).
test-gates:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --no-deps -- -D warnings
	cargo clippy -p latchkey-engine --lib --no-deps --features fuzzing,testing -- -D warnings
	scripts/check-engine-deps.sh
	scripts/check-workflows

test-ui:
	npm --prefix ui run check --silent
	npm --prefix ui run build --silent
	npm --prefix ui test --silent

# The crash soak (hundreds of kill -9 during keyring calls) and the tests that freeze the
# keyring daemon get a keyring session of their own, one test at a time, so whatever they
# do to the daemon cannot reach the other tests.
test-engine:
	tests/support/with-keyring cargo test -p latchkey-engine -p latchkey-ipc -p latchkey-cli -p latchkey-tray --no-fail-fast -- --skip crash_soak:: --skip keyring_frozen::
	tests/support/with-keyring cargo test -p latchkey-cli --test integration -- --test-threads=1 crash_soak:: keyring_frozen::

test-e2e: desktop
	cargo test -q -p latchkey-desktop --lib
	NO_AT_BRIDGE=1 LATCHKEY_DESKTOP_BIN=$(CURDIR)/$(DESKTOP_BIN) $(XVFB) cargo test -p latchkey-e2e --no-fail-fast -- --test-threads=1

# Screenshots for docs/, taken from the real app: the wizard and list (wizard.rs), and
# every failure state a person can meet (journeys.rs and agate.rs, named fail-*).
screenshots: desktop
	NO_AT_BRIDGE=1 LATCHKEY_DESKTOP_BIN=$(CURDIR)/$(DESKTOP_BIN) LATCHKEY_SCREENSHOTS=$(CURDIR)/docs/screenshots \
		$(XVFB) cargo test -p latchkey-e2e --test wizard -- --test-threads=1 wizard_manual_registration
	NO_AT_BRIDGE=1 LATCHKEY_DESKTOP_BIN=$(CURDIR)/$(DESKTOP_BIN) LATCHKEY_SCREENSHOTS=$(CURDIR)/docs/screenshots \
		$(XVFB) cargo test -p latchkey-e2e --test journeys -- --test-threads=1
	NO_AT_BRIDGE=1 LATCHKEY_DESKTOP_BIN=$(CURDIR)/$(DESKTOP_BIN) LATCHKEY_SCREENSHOTS=$(CURDIR)/docs/screenshots \
		$(XVFB) cargo test -p latchkey-e2e --test agate -- --test-threads=1

# The .deb and the .rpm (Tauri bundler; the .rpm for Fedora and RHEL, its dependencies as
# Fedora names them): the desktop app, the lean tray, the `latchkey` CLI on PATH, its man
# page and completions, the latchkey:// scheme handler. Written to
# target/release/bundle/{deb,rpm}/.
TAURI := $(CURDIR)/ui/node_modules/.bin/tauri
package: setup-app
	npm --prefix ui run build --silent
	cargo build --release -p latchkey-cli -p latchkey-tray
	scripts/package-files target/release
	cd src-tauri && TAURI_APP_PATH=$(CURDIR)/src-tauri TAURI_FRONTEND_PATH=$(CURDIR)/ui CI=true $(TAURI) build --bundles deb,rpm

# The Windows installer, from this machine (offline): the release programs cross-built for
# Windows and packed by makensis with packaging/windows/installer.nsi. Prints its path last.
package-windows: setup
	@scripts/package-windows release

# The test run checks a .deb and an .rpm of the debug build it already has (the same
# bundler, config and files as `make package`, without a second, optimised build).
test-package: desktop cli
	cargo build -p latchkey-tray
	scripts/package-files target/debug
	cd src-tauri && TAURI_APP_PATH=$(CURDIR)/src-tauri TAURI_FRONTEND_PATH=$(CURDIR)/ui CI=true \
		$(TAURI) bundle --debug --bundles deb,rpm --config ../packaging/debug-build.json
	scripts/test-package.sh target/debug/bundle

# Every benchmark beside its peer (oidc-agent), tables rewritten in BENCHMARKS.md.
bench: setup
	scripts/bench.sh

# The long crash-safety soak: kill -9 during 1,000 refreshes (the test suite runs 200).
soak: setup
	LATCHKEY_SOAK_CYCLES=1000 tests/support/with-keyring cargo test -p latchkey-cli --test integration crash_soak:: -- --nocapture

# Fuzz the parsers: 15 s per target in the test run, an hour each with `make fuzz`.
test-fuzz:
	scripts/fuzz.sh 15

fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-3600} scripts/fuzz.sh
