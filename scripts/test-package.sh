#!/usr/bin/env bash
# test-package.sh [DIR]   check the .deb in DIR (default target/release/bundle/deb, where
# `make package` writes it; `make test` passes its debug bundle): metadata, files, the
# scheme handler, and that the installed binaries run. Extracts into a temporary root (no
# system changes).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:-target/release/bundle/deb}
deb=$(ls -t "$dir"/*.deb 2>/dev/null | head -n1 || true)
[ -n "$deb" ] || { echo "no .deb under $dir (run make package)"; exit 1; }
echo "package: $deb ($(du -h "$deb" | cut -f1))"
fail=0
passed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }

info=$(dpkg-deb -I "$deb")
files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed -E 's|^\.?/?|/|')
check "declares libwebkit2gtk-4.1" 'grep -q "Depends:.*libwebkit2gtk-4.1-0" <<<"$info"'
check "declares libdbus (keyring)" 'grep -q "Depends:.*libdbus-1-3" <<<"$info"'
check "declares a Secret Service" 'grep -q "Depends:.*gnome-keyring" <<<"$info"'
check "desktop app binary" 'grep -qx "/usr/bin/latchkey-desktop" <<<"$files"'
check "CLI on PATH" 'grep -qx "/usr/bin/latchkey" <<<"$files"'
check "lean tray binary" 'grep -qx "/usr/bin/latchkey-tray" <<<"$files"'
check "recommends notify-send" 'grep -q "Recommends:.*libnotify-bin" <<<"$info"'
check "man page" 'grep -qx "/usr/share/man/man1/latchkey.1.gz" <<<"$files"'
check "bash completion" 'grep -qx "/usr/share/bash-completion/completions/latchkey" <<<"$files"'
check "zsh completion" 'grep -qx "/usr/share/zsh/vendor-completions/_latchkey" <<<"$files"'
check "fish completion" 'grep -qx "/usr/share/fish/vendor_completions.d/latchkey.fish" <<<"$files"'
check "copyright" 'grep -qx "/usr/share/doc/latchkey/copyright" <<<"$files"'
for size in 32x32 64x64 128x128 512x512; do
  check "icon $size" 'grep -q "/usr/share/icons/hicolor/$size.*/apps/latchkey-desktop.png" <<<"$files"'
done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
desktop=$(ls "$root"/usr/share/applications/*.desktop | head -n1)
echo "desktop entry: ${desktop#$root}"
check "desktop entry handles latchkey://" 'grep -q "^MimeType=.*x-scheme-handler/latchkey" "$desktop"'
check "desktop entry passes the URL (%U)" 'grep -q "^Exec=.*%U" "$desktop"'
check "installed CLI runs" '"$root/usr/bin/latchkey" --version | grep -q "^latchkey "'
check "installed tray runs" '"$root/usr/bin/latchkey-tray" --version | grep -q "^latchkey-tray "'
check "tray links no GTK or WebKit" '! ldd "$root/usr/bin/latchkey-tray" | grep -qE "libgtk|libwebkit"'
check "man page is the CLI's" 'zcat "$root/usr/share/man/man1/latchkey.1.gz" | grep -q "^.TH latchkey 1"'

# The installed app resolves latchkey:// from its desktop entry alone (no runtime
# registration): the MIME cache built from the package's applications dir names it.
home=$(mktemp -d)
update-desktop-database "$root/usr/share/applications"
check "scheme resolves to the installed app" \
  'HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local XDG_DATA_DIRS=$root/usr/share xdg-mime query default x-scheme-handler/latchkey | grep -q "$(basename "$desktop")"'
rm -rf "$home"

if command -v lintian >/dev/null; then
  echo "--- lintian (informational) ---"
  lintian --no-tag-display-limit "$deb" 2>&1 | sort | uniq -c | sort -rn | head -20 || true
fi

echo "package: $passed passed, $fail failed"
[ "$fail" -eq 0 ]
