#!/usr/bin/env bash
# make bench: every benchmark of BENCHMARKS.md in one run, each beside its peer where it
# has one, then the tables in BENCHMARKS.md are rewritten from the results
# (scripts/bench/report.py). Exits non-zero only if something could not be measured.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
need=()
for pair in hyperfine:hyperfine oidc-gen:oidc-agent-cli oidc-agent:oidc-agent-cli valgrind:valgrind; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  $SUDO apt-get update -qq && $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

mkdir -p target/bench
XVFB=(xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp')

say "release builds"
npm --prefix ui run build --silent
cargo build --release -p latchkey-cli -p latchkey-desktop -p latchkey-tray --features latchkey-desktop/custom-protocol
cargo build --profile profiling -p latchkey-cli   # the same with symbols, for the profiles

say "latchkey token vs oidc-token; tray idle; cold start"
NO_AT_BRIDGE=1 "${XVFB[@]}" tests/support/with-keyring cargo bench --bench processes

say "the window's own latencies (the release app driven through WebDriver)"
cargo build -p latchkey-cli   # the tests' harness signs in with the debug CLI
NO_AT_BRIDGE=1 LATCHKEY_E2E_LOG="info,latchkey_engine::oauth::http=debug" \
  LATCHKEY_DESKTOP_BIN="$PWD/target/release/latchkey-desktop" LATCHKEY_TRAY_BIN="$PWD/target/release/latchkey-tray" \
  "${XVFB[@]}" cargo bench -p latchkey-e2e --bench window

say "callback to token stored"
tests/support/with-keyring cargo bench --bench sign_in

say "renewal schedule at scale"
cargo bench --bench schedule | tee target/bench/schedule.log

say "sizes"
make --no-print-directory package >/dev/null
ls -l target/release/latchkey target/release/latchkey-tray target/release/latchkey-desktop target/release/bundle/deb/*.deb | tee target/bench/sizes.log

say "writing BENCHMARKS.md"
python3 scripts/bench/report.py
