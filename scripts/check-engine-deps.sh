#!/usr/bin/env bash
# The engine and the lean tray must build without a GUI toolkit or webview (the tray runs
# all day in a few MB; the engine runs on headless servers), and the engine without the
# CLI's argument parser; and nothing in the workspace with a compiled-in CA bundle.
# Fails naming the crate and the path that brought it in.
set -euo pipefail
cd "$(dirname "$0")/.."
gui='^(tauri|tauri-[a-z-]+|wry|tao|gtk|gtk-sys|gdk|gdk-sys|gdkx11|webkit2gtk|webkit2gtk-sys|javascriptcore-rs|cairo-rs|pango|atk|soup3|libappindicator|muda|tray-icon)$'
fail=0
# On Windows and macOS the tray draws its icon with tray-icon and tao, which call the
# system's own tray and menu API: a GUI crate, but still no webview.
webview='^(tauri|tauri-runtime[a-z-]*|tauri-plugin[a-z-]*|tauri-build|wry|webview2-com|webview2-com-sys|webkit2gtk|webkit2gtk-sys|objc2-web-kit)$'
check() { # PACKAGE PATTERN WHAT [TARGET]
  local found target=${4:-}
  local flags=(-p "$1" -e normal)
  [ -n "$target" ] && flags+=(--target "$target")
  found=$(cargo tree "${flags[@]}" --prefix none --format '{p}' | awk '{print $1}' | sort -u | grep -E "$2" || true)
  if [ -n "$found" ]; then
    for crate in $found; do
      echo "check-engine-deps: $1 ${target:+(for $target) }depends on $crate ($3); the path:" >&2
      cargo tree "${flags[@]}" -i "$crate" --depth 6 >&2 || true
    done
    fail=1
  fi
}
check latchkey-engine "$gui" "a GUI crate"
check latchkey-engine '^(clap|clap_builder|clap_complete|clap_mangen)$' "the CLI's argument parser"
check latchkey-tray "$gui" "a GUI crate"
check latchkey-tray '^(clap|clap_builder)$' "the CLI's argument parser"
# Trust is the system's CA store (SECURITY.md): no compiled-in root bundle in anything
# the workspace builds — features unify, so a test crate asking for one would put it in
# the CLI and the app too.
if cargo tree --workspace -e normal -i webpki-roots >/dev/null 2>&1; then
  echo "check-engine-deps: the workspace builds webpki-roots (a compiled-in CA bundle); the path:" >&2
  cargo tree --workspace -e normal,features -i webpki-roots --depth 6 >&2 || true
  fail=1
fi
for target in x86_64-pc-windows-msvc aarch64-apple-darwin; do
  check latchkey-engine "$gui" "a GUI crate" "$target"
  check latchkey-tray "$webview" "a webview" "$target"
done
exit $fail
