#!/bin/sh
# Installs what building and testing sarhad needs on Debian 12, and nothing that is already
# there. Runs apt-get update once, only when something is missing. Uses sudo when not root.
set -eu

PKGS="build-essential cmake pkg-config libevent-dev libssl-dev libsqlite3-dev libexpat1-dev
libjansson-dev libinih-dev libcmocka-dev python3 sqlite3 curl git clang-format chromium openssl
${SARHAD_EXTRA_PKGS:-}"
# The web console is built with node and npm (web/); a node that came from elsewhere (say
# NodeSource's nodejs, which bundles npm) is used as it is.
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ -n "$missing" ]; then
    echo "deps: installing$missing" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi

# The console's npm packages, pinned by web/package-lock.json (the build runs this too when
# web/node_modules is missing).
web="$(dirname "$0")/../web"
if [ ! -f "$web/node_modules/.package-lock.json" ] ||
    [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
    echo "deps: npm ci in web/" >&2
    (cd "$web" && npm ci --no-audit --no-fund >&2)
fi
