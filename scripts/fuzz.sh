#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 15), from the committed seeds.
# `make fuzz` runs them for hours: FUZZ_SECONDS=3600 scripts/fuzz.sh.
# cargo-fuzz wants nightly flags; RUSTC_BOOTSTRAP lets the one stable toolchain take them.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${FUZZ_SECONDS:-${1:-15}}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2 --locked --quiet
export RUSTC_BOOTSTRAP=1
# Built outside the clone, so a new clone on this machine rebuilds only Latchkey's crates.
# The test run's 15 s per target is a smoke run: an unoptimised build without ASan takes a
# fraction of the time to build; the long runs (`make fuzz`) use ASan, optimised.
mkdir -p "$HOME/.cache/latchkey"
flags=(--target-dir "$HOME/.cache/latchkey/fuzz-target")
if [ "$seconds" -le 60 ]; then flags+=(--dev --sanitizer none); else flags+=(-O); fi
cargo fuzz build "${flags[@]}"
passed=0
failed=0
for target in $(cargo fuzz list); do
  corpus=$(mktemp -d)
  cp seeds/"$target"/* "$corpus"/
  if cargo fuzz run "${flags[@]}" "$target" "$corpus" -- -max_total_time="$seconds" -print_final_stats=1 >"$corpus.log" 2>&1; then
    echo "ok   $target ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$corpus.log" | grep -o '[0-9]*$') runs in ${seconds}s)"
    passed=$((passed + 1))
  else
    echo "FAIL $target"; tail -40 "$corpus.log"
    failed=$((failed + 1))
  fi
  rm -rf "$corpus" "$corpus.log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
