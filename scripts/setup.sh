#!/usr/bin/env bash
# setup.sh [app|test]   install whatever is missing, on Debian 12 / Ubuntu. Idempotent:
# quick when everything is already there.
#
#   app   what building and running Latchkey needs: the system libraries Tauri links and
#         the UI's npm packages (`make run`, `make package`);
#   test  (the default) that, and the test servers, the WebDriver, the real Secret
#         Service, the Windows cross toolchain and Wine (`make test` and its stages).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}
case "$what" in app|test) ;; *) echo "usage: scripts/setup.sh [app|test]" >&2; exit 2;; esac

say() { printf '==> %s\n' "$*" >&2; }

# --- system packages ------------------------------------------------------------------
APP_PACKAGES=(
  # Tauri on Linux: what the app links, and what builds it
  libwebkit2gtk-4.1-dev build-essential curl wget file pkg-config libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev
  # running it: the session bus, deep links, a font
  dbus xdg-utils desktop-file-utils fonts-dejavu-core
)
TEST_PACKAGES=(
  # headless running and WebDriver
  xvfb xauth webkit2gtk-driver dbus-x11
  # typing into the app's sign-in window, which WebDriver cannot reach (E2E)
  xdotool
  # the real Secret Service for tests
  gnome-keyring libsecret-tools
  # test servers (Keycloak: a Java server distribution from Maven Central)
  python3 python3-venv unzip
  # Windows and macOS from here (scripts/cross-env, docs/platforms.md): Debian's Rust with
  # its std source (no other target's std can be downloaded), MinGW to link Windows
  # builds, Wine to run them; procps for the leftover-process check
  rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 wine64 procps
  # the installers made and checked here: NSIS for Windows, rpm to read the .rpm
  nsis rpm cpio
)
packages=("${APP_PACKAGES[@]}")
[ "$what" = test ] && packages+=("${TEST_PACKAGES[@]}")
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Rust and the front end ----------------------------------------------------------
command -v cargo >/dev/null || { say "cargo not found: install Rust with rustup first"; exit 1; }
command -v npm >/dev/null || { say "npm not found: install Node.js 20 or newer"; exit 1; }
# `npm ci` rejects lockfiles written by npm 11 on one platform; `npm install` keeps the
# locked versions. Skip when node_modules is newer than the lockfile.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  say "installing front-end packages"
  (cd ui && npm install --no-audit --no-fund --loglevel=error)
fi
[ "$what" = app ] && exit 0

# --- what the tests add ---------------------------------------------------------------
if ! command -v tauri-driver >/dev/null; then
  say "installing tauri-driver (WebDriver proxy for the desktop app)"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi

# Keycloak for tests/integration/keycloak.rs: Java 17+ and Maven to fetch it, then the distribution,
# cached outside the clone (~/.cache/latchkey) so it is downloaded once per machine.
need_java=""
command -v java >/dev/null || need_java="default-jre-headless"
command -v mvn >/dev/null || need_java="$need_java maven"
if [ -n "$need_java" ]; then
  say "installing $need_java (for the Keycloak tests)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need_java >/dev/null
fi
scripts/keycloak.sh >/dev/null

# node oidc-provider, the OpenID Certified provider of tests/integration/oidc_provider.rs.
if [ ! -d tests/oidc/node_modules/oidc-provider ] || [ tests/oidc/package-lock.json -nt tests/oidc/node_modules/.package-lock.json ]; then
  say "installing the test OpenID provider (oidc-provider)"
  (cd tests/oidc && npm install --no-audit --no-fund --loglevel=error)
fi

# --- the workflows' linters (scripts/check-workflows), kept outside the clone -----------
cache=${LATCHKEY_CACHE:-$HOME/.cache/latchkey}
if [ ! -x "$cache/bin/actionlint" ]; then
  say "installing actionlint (Go module proxy)"
  command -v go >/dev/null || { say "go not found: install Go to lint the workflows"; exit 1; }
  GOBIN="$cache/bin" go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
fi
if [ ! -x "$cache/zizmor/bin/zizmor" ]; then
  say "installing zizmor (PyPI)"
  python3 -m venv "$cache/zizmor"
  "$cache/zizmor/bin/pip" install --quiet --disable-pip-version-check zizmor==1.33.1
fi

# --- Python venvs for the test authorization servers ----------------------------------
# .venv: the generic server (django-oauth-toolkit 3.x); .venv-majora: the server as Majora
# runs it (django-oauth-toolkit 1.4.1 on Django 3.2).
make_venv() { # DIR REQUIREMENTS
  local venv=$1 requirements=$2
  if [ ! -x "$venv/bin/python" ] || [ "$requirements" -nt "$venv/.installed" ]; then
    say "creating the Python venv $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    touch "$venv/.installed"
  fi
}
make_venv tests/server/.venv tests/server/requirements.txt
make_venv tests/server/.venv-majora tests/server/requirements-majora.txt
