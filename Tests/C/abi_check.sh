#!/bin/sh
# The ABI compatibility check (docs/c-api.md, "ABI stability"), run by ctest as `abi_check`:
# a program built against the committed baseline's header must still run against this library.
#   1. every symbol of Tests/C/abi/symbols.txt is still exported by libinvigil.so (new ones may
#      be added; they are listed, to be added to the baseline);
#   2. every line of Tests/C/abi/layout.txt (struct sizes, field offsets, enum values) is still
#      printed by Tests/C/abi/layout.c compiled against include/invigil.h (new lines may appear);
#   3. the SONAME is libinvigil.so.MAJOR.MINOR of the header's version (each 0.x minor version is
#      its own ABI until 1.0).
# Usage: abi_check.sh BUILD_DIR SOURCE_DIR [--update]   (--update rewrites the baseline)
set -eu
build=$1
src=$2
cc=${CC:-cc}
lib="$build/libinvigil.so"
base="$src/Tests/C/abi"
work=$(mktemp -d /tmp/invigil-abi-XXXXXX)
trap 'rm -rf "$work"' EXIT

nm -D --defined-only "$lib" | awk '$3 ~ /^invigil_/ {print $3}' | sort -u > "$work/symbols.txt"
"$cc" -std=c99 -Wall -Werror -I"$src/include" -o "$work/layout" "$base/layout.c"
"$work/layout" > "$work/layout.txt"

if [ "${3:-}" = "--update" ]; then
    cp "$work/symbols.txt" "$base/symbols.txt"
    cp "$work/layout.txt" "$base/layout.txt"
    echo "baseline updated: $(wc -l < "$base/symbols.txt") symbols, $(wc -l < "$base/layout.txt") layout lines"
    exit 0
fi

status=0
missing=$(comm -23 "$base/symbols.txt" "$work/symbols.txt")
if [ -n "$missing" ]; then
    echo "ABI break: symbols of the baseline no longer exported:"; echo "$missing"; status=1
fi
added=$(comm -13 "$base/symbols.txt" "$work/symbols.txt")
[ -z "$added" ] || echo "note: new symbols (add them to Tests/C/abi/symbols.txt with --update):" $added

changed=$(grep -vxF -f "$work/layout.txt" "$base/layout.txt" || true)
if [ -n "$changed" ]; then
    echo "ABI break: layout lines of the baseline that changed:"; echo "$changed"
    echo "now:"; for key in $(echo "$changed" | awk '{print $2}'); do grep " $key " "$work/layout.txt" || echo "$key: gone"; done
    status=1
fi

major=$(sed -n 's/^#define INVIGIL_VERSION_MAJOR \([0-9]*\).*/\1/p' "$src/include/invigil.h")
minor=$(sed -n 's/^#define INVIGIL_VERSION_MINOR \([0-9]*\).*/\1/p' "$src/include/invigil.h")
soname=$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\].*/\1/p')
expected="libinvigil.so.$major.$minor"
[ "$major" -ge 1 ] && expected="libinvigil.so.$major"
if [ "$soname" != "$expected" ]; then echo "SONAME is '$soname', expected $expected"; status=1; fi

[ $status -ne 0 ] || echo "ABI check: ok ($(wc -l < "$base/symbols.txt") symbols, $(wc -l < "$base/layout.txt") layout facts, SONAME $soname)"
exit $status
