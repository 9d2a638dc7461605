#!/bin/sh
# Installs the build into a temporary prefix, then builds programs outside the tree against it:
#   1. plain `cc $(pkg-config --cflags --libs invigil)` with the shared library, run with env -i;
#   2. the same program linked with libinvigil.a (no libinvigil.so, no Swift at run time);
#   3. a C-only CMake project using find_package(Invigil) + Invigil::invigil / Invigil::invigil_static.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
cc=${CC:-cc}
prefix=$(mktemp -d /tmp/invigil-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" > "$prefix.log" 2>&1 || { cat "$prefix.log"; exit 1; }
rm -f "$prefix.log"
pc=$(find "$prefix" -name invigil.pc | head -n 1)
[ -n "$pc" ] || { echo "invigil.pc not installed"; exit 1; }
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
libdir=$(pkg-config --variable=libdir invigil)
echo "installed: $(cd "$prefix" && find . -type f -o -type l | sort | tr '\n' ' ')"
echo "pkg-config --cflags --libs invigil: $(pkg-config --cflags --libs invigil)"

work="$prefix/consumer"
mkdir -p "$work"
cp "$src/Tests/C/consumer.c" "$work/consumer.c"

# 1. Shared library, plain cc + pkg-config.
"$cc" -std=c99 -Wall -Wextra -Werror -o "$work/consumer" "$work/consumer.c" $(pkg-config --cflags --libs invigil)
env -i LD_LIBRARY_PATH="$libdir" "$work/consumer"
soname=$(readelf -d "$libdir/libinvigil.so" | sed -n 's/.*SONAME.*\[\(.*\)\].*/\1/p')
case "$soname" in
    libinvigil.so.0.*|libinvigil.so.[1-9]*) ;;
    *) echo "SONAME is '$soname', expected libinvigil.so.0.MINOR (or .MAJOR from 1.0)"; exit 1 ;;
esac
exported=$(nm -D --defined-only "$libdir/libinvigil.so" | awk '{print $3}' | grep -v '^invigil_' | grep -v '^$' || true)
if readelf -d "$libdir/libinvigil.so" | grep NEEDED | grep -q swift; then
    # INVIGIL_STATIC_STDLIB=OFF: the runtime is installed beside the library; the linker may keep
    # a few Swift metadata symbols dynamic for it.
    echo "note: libinvigil.so needs the Swift runtime (built with INVIGIL_STATIC_STDLIB=OFF); also exports: $exported"
else
    [ -z "$exported" ] || { echo "libinvigil.so exports more than invigil_*: $exported"; exit 1; }
fi

# 1b. The packs and the valgrind suppressions are installed; the library finds the packs.
[ -f "$prefix/share/invigil/packs/woolhampton.rules" ] || { echo "packs not installed in share/invigil/packs"; exit 1; }
[ -f "$prefix/share/invigil/invigil.supp" ] || { echo "share/invigil/invigil.supp not installed"; exit 1; }
cat > "$work/packs.c" <<'PACKS'
#include "invigil.h"
#include <stdio.h>
#include <string.h>
int main(void) {
    const char *folder = invigil_packs_folder();
    invigil_rules *rules = NULL;
    if (folder[0] == '\0' || invigil_rules_load(folder, &rules, NULL) != INVIGIL_OK) {
        fprintf(stderr, "packs not found: '%s'\n", folder);
        return 1;
    }
    printf("packs: %s (%zu rules)\n", folder, invigil_rules_count(rules));
    invigil_rules_free(rules);
    return 0;
}
PACKS
"$cc" -std=c99 -Wall -Werror -o "$work/packs" "$work/packs.c" $(pkg-config --cflags --libs invigil)
env -i LD_LIBRARY_PATH="$libdir" "$work/packs" | grep -q "$prefix/share/invigil/packs" \
    || { echo "invigil_packs_folder did not find $prefix/share/invigil/packs"; exit 1; }

# 2. Static library: `pkg-config --static --libs invigil-static` links libinvigil.a.
if [ -f "$libdir/libinvigil.a" ]; then
    echo "pkg-config --static --libs invigil-static: $(pkg-config --static --libs invigil-static)"
    "$cc" -std=c99 -Wall -Werror -o "$work/consumer_static" "$work/consumer.c" $(pkg-config --cflags invigil-static) \
        $(pkg-config --static --libs invigil-static)
    if ldd "$work/consumer_static" | grep -q -e invigil -e swift; then
        echo "static consumer still loads a shared Invigil or Swift library"; ldd "$work/consumer_static"; exit 1
    fi
    env -i "$work/consumer_static"
    # The static program finds the packs too (from its own location: PREFIX/bin would work; here
    # through INVIGIL_PACKS, since it lives in a temporary folder).
    "$cc" -std=c99 -Wall -Werror -o "$work/packs_static" "$work/packs.c" $(pkg-config --cflags invigil-static) \
        $(pkg-config --static --libs invigil-static)
    env -i INVIGIL_PACKS="$prefix/share/invigil/packs" "$work/packs_static" > /dev/null
fi

# 3. find_package(Invigil).
cp "$src/Tests/C/CMakeLists.consumer.txt" "$work/CMakeLists.txt"
if [ ! -f "$libdir/libinvigil.a" ]; then sed -i '/consumer_static/d' "$work/CMakeLists.txt"; fi
cmake -S "$work" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" > "$work/cmake.log" 2>&1 \
    || { cat "$work/cmake.log"; exit 1; }
cmake --build "$work/build" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
"$work/build/consumer"
if [ -f "$work/build/consumer_static" ]; then "$work/build/consumer_static"; fi
echo "install test: ok"
