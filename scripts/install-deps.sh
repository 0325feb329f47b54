#!/bin/sh
# Installs every build, test and benchmark dependency of evtriage from Debian 12 packages
# (clang + libclang-rt-14-dev: libFuzzer for tests/fuzz; libarchive-tools: bsdtar writes 7z seeds;
# unzip, bzip2, zstd, lz4: the tests unpack and compress inputs with them; man-db, groff-base:
# the man pages are rendered by the tests; lintian checks the Debian package).
set -eu
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
PKGS="build-essential cmake pkg-config libevtx-dev libbfio-dev libyaml-dev libcmocka-dev \
libpcre2-dev libexpat1-dev libarchive-dev libdeflate-dev libisal-dev libssl-dev libmimalloc-dev libevtx-utils python3 python3-evtx python3-yaml zip unzip xz-utils bzip2 zstd lz4 chromium time bc cmark-gfm \
clang libclang-rt-14-dev libarchive-tools man-db groff-base lintian"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
