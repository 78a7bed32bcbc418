#!/usr/bin/env bash
# test-package.sh [DIR]   check the .deb and the .rpm under DIR (default
# target/release/bundle, where `make package` writes them; `make test` passes its debug
# bundles): metadata and dependencies, files, the scheme handler, and that the installed
# binaries run. Extracts into temporary roots (no system changes).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:-target/release/bundle}
deb=$(ls -t "$dir"/deb/*.deb 2>/dev/null | head -n1 || true)
rpm=$(ls -t "$dir"/rpm/*.rpm 2>/dev/null | head -n1 || true)
[ -n "$deb" ] || { echo "no .deb under $dir/deb (run make package)"; exit 1; }
[ -n "$rpm" ] || { echo "no .rpm under $dir/rpm (run make package)"; exit 1; }
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
rpmroot=$(mktemp -d)
trap 'rm -rf "$root" "$rpmroot"' EXIT
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

# The .rpm: the same programs, pages and entry, with dependencies as Fedora names them
# (and the libraries' sonames, which any RPM distribution resolves).
echo "package: $rpm ($(du -h "$rpm" | cut -f1))"
rpmfiles=$(rpm -qpl "$rpm" 2>/dev/null)
requires=$(rpm -qpR "$rpm" 2>/dev/null)
recommends=$(rpm -qp --recommends "$rpm" 2>/dev/null)
check "rpm: digests good" 'rpm -K "$rpm" | grep -q "digests OK"'
check "rpm: requires webkit2gtk4.1 (Fedora's name)" 'grep -qx "webkit2gtk4.1" <<<"$requires"'
check "rpm: requires the WebKitGTK 4.1 library" 'grep -q "^libwebkit2gtk-4.1.so.0()(64bit)" <<<"$requires"'
check "rpm: requires dbus-libs (keyring)" 'grep -qx "dbus-libs" <<<"$requires"'
check "rpm: recommends a Secret Service" 'grep -qx "gnome-keyring" <<<"$recommends"'
check "rpm: recommends notify-send (libnotify)" 'grep -qx "libnotify" <<<"$recommends"'
for f in /usr/bin/latchkey-desktop /usr/bin/latchkey /usr/bin/latchkey-tray /usr/share/man/man1/latchkey.1.gz \
  /usr/share/bash-completion/completions/latchkey /usr/share/zsh/vendor-completions/_latchkey \
  /usr/share/fish/vendor_completions.d/latchkey.fish /usr/share/doc/latchkey/copyright; do
  check "rpm: $f" 'grep -qx "$f" <<<"$rpmfiles"'
done
# (rpm 4.18's rpm2cpio ends with 1 on the bundler's packages although it writes the whole
# payload and `rpm -K` finds its digests good; what it extracts is checked below.)
{ rpm2cpio "$rpm" || true; } | (cd "$rpmroot" && cpio -idm --quiet)
rpmdesktop=$(ls "$rpmroot"/usr/share/applications/*.desktop | head -n1)
check "rpm: desktop entry handles latchkey://" 'grep -q "^MimeType=.*x-scheme-handler/latchkey" "$rpmdesktop"'
check "rpm: desktop entry passes the URL (%U)" 'grep -q "^Exec=.*%U" "$rpmdesktop"'
check "rpm: installed CLI runs" '"$rpmroot/usr/bin/latchkey" --version | grep -q "^latchkey "'
check "rpm: installed tray runs" '"$rpmroot/usr/bin/latchkey-tray" --version | grep -q "^latchkey-tray "'

echo "package: $passed passed, $fail failed"
[ "$fail" -eq 0 ]
