#!/usr/bin/env bash
# device_kit.sh: packs what the multi-core benches need into .devkit/ (ignored by git), so that
# one call of the device tool can run them on a bare machine whose image has none of Debian's
# packages (the 16-core machine: a CUDA image, no apt, no network):
#   .devkit/bin     evtriage (from BUILD_DIR) and the tools the benches call: evtxexport, zip,
#                   GNU time, bc
#   .devkit/lib     the shared libraries those load beyond glibc (libyaml, pcre2, libcrypto,
#                   libdeflate, libisal, libevtx, libbfio, ...), found with ldd
#   .devkit/shared  a copy of ../shared/corpus (../shared does not travel to that machine)
# Then, on that machine: bench/device_run.sh (carry .devkit). usage: bench/device_kit.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
SHARED=${EVTRIAGE_SHARED:-../shared}
KIT=.devkit
LIMIT_MIB=${KIT_LIMIT_MIB:-60}     # the device tool carries 64 MiB in all, the tree included
[ -x "$BUILD/evtriage" ] || { echo "no $BUILD/evtriage: build first" >&2; exit 2; }
[ -d "$SHARED/corpus" ] || { echo "no $SHARED/corpus" >&2; exit 2; }
rm -rf "$KIT"
mkdir -p "$KIT/bin" "$KIT/lib" "$KIT/shared"
cp "$BUILD/evtriage" "$KIT/bin/"
tools=(evtxexport zip bc)
for t in "${tools[@]}"; do
  p=$(command -v "$t") || { echo "$t missing: scripts/install-deps.sh" >&2; exit 2; }
  cp "$p" "$KIT/bin/"
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: scripts/install-deps.sh" >&2; exit 2; }
cp /usr/bin/time "$KIT/bin/time"
# glibc's own libraries stay behind: the machine has a glibc of its own (and must: the loader)
for b in "$KIT"/bin/*; do
  ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'
done | sort -u | while read -r lib; do
  case $(basename "$lib") in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) ;;
    *) cp -L "$lib" "$KIT/lib/" ;;
  esac
done
cp -r "$SHARED/corpus" "$KIT/shared/"
chmod -R u+w "$KIT/shared"
strip --strip-debug "$KIT/bin/evtriage" "$KIT"/lib/* 2>/dev/null || true
size=$(du -sm "$KIT" | cut -f1)
tree=$(git ls-files -z | xargs -0 du -cb | tail -1 | awk '{ printf "%d", $1 / 1048576 + 1 }')
echo "device kit: $KIT, $size MiB (the tree adds $tree MiB); libraries: $(ls "$KIT/lib" | tr '\n' ' ')"
if [ $((size + tree)) -gt "$LIMIT_MIB" ]; then
  echo "too large to carry ($((size + tree)) MiB > $LIMIT_MIB MiB)" >&2
  exit 1
fi
