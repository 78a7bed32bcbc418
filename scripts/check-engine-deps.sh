#!/usr/bin/env bash
# The engine and the lean tray must build without a GUI toolkit or webview (the tray runs
# all day in a few MB; the engine runs on headless servers), and the engine without the
# CLI's argument parser. Fails naming the crate and the path that brought it in.
set -euo pipefail
cd "$(dirname "$0")/.."
gui='^(tauri|tauri-[a-z-]+|wry|tao|gtk|gtk-sys|gdk|gdk-sys|gdkx11|webkit2gtk|webkit2gtk-sys|javascriptcore-rs|cairo-rs|pango|atk|soup3|libappindicator|muda|tray-icon)$'
fail=0
check() { # PACKAGE PATTERN WHAT
  local found
  found=$(cargo tree -p "$1" -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u | grep -E "$2" || true)
  if [ -n "$found" ]; then
    for crate in $found; do
      echo "check-engine-deps: $1 depends on $crate ($3); the path:" >&2
      cargo tree -p "$1" -e normal -i "$crate" --depth 6 >&2 || true
    done
    fail=1
  fi
}
check latchkey-engine "$gui" "a GUI crate"
check latchkey-engine '^(clap|clap_builder|clap_complete|clap_mangen)$' "the CLI's argument parser"
check latchkey-tray "$gui" "a GUI crate"
check latchkey-tray '^(clap|clap_builder)$' "the CLI's argument parser"
exit $fail
