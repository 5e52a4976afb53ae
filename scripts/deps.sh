#!/bin/sh
# Installs what building and testing sarhad needs on Debian 12, and nothing that is already
# there. Runs apt-get update once, only when something is missing. Uses sudo when not root.
set -eu

PKGS="build-essential cmake pkg-config libevent-dev libssl-dev libsqlite3-dev libexpat1-dev
libjansson-dev libinih-dev libcmocka-dev python3 sqlite3 curl git clang-format ${SARHAD_EXTRA_PKGS:-}"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "deps: installing$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
