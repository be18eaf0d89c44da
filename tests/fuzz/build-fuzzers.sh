#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds rmapstat's libFuzzer targets with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer (the meson build uses gcc, which has no
# libFuzzer):
#
#   tests/fuzz/build-fuzzers.sh [-d DEPFILE] OUTDIR [LIB_SOURCE.c...]
#
# OUTDIR receives fuzz-report and fuzz-json; DEPFILE (for meson) lists
# every file they were built from. The library sources default to lib/*/*.c
# of this tree; meson passes the list of lib/meson.build.
# Needs Debian's clang and libclang-rt-14-dev (libFuzzer and the
# sanitizer runtimes), and the -dev packages of libtraceevent,
# libtracecmd and json-c. CC=clang-NN picks another clang.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
depfile=
if [ "${1:-}" = -d ]; then
	depfile=$2
	shift 2
fi
out=${1:?usage: build-fuzzers.sh [-d DEPFILE] OUTDIR [LIB_SOURCE.c...]}
shift
if [ $# -eq 0 ]; then
	set -- "$root"/lib/*/*.c
fi
CC=${CC:-clang}

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "build-fuzzers.sh: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 1
fi
if ! pc_cflags=$(pkg-config --cflags libtracecmd libtraceevent json-c) ||
   ! pc_libs=$(pkg-config --libs libtracecmd libtraceevent json-c); then
	echo "build-fuzzers.sh: pkg-config does not find libtracecmd/libtraceevent/json-c (apt-get install libtracecmd-dev libtraceevent-dev libjson-c-dev)" >&2
	exit 1
fi

# Every layer folder of lib/ is an include directory, as in lib/meson.build.
lib_includes=
for d in "$root"/lib/*/; do
	lib_includes="$lib_includes -I${d%/}"
done

mkdir -p "$out"
obj=$out/fuzz-obj
mkdir -p "$obj"

# -O1 -g: fast enough, stacks readable. Every UB report aborts, so the
# fuzzer stops on it like on a crash.
cflags="-std=gnu11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer
	-fsanitize=address,undefined -fno-sanitize-recover=all
	-Wall -Wno-unused-parameter $lib_includes $pc_cflags"

objs=
deps=
for src in "$@"; do
	o=$obj/$(basename "$src" .c).o
	# shellcheck disable=SC2086
	"$CC" $cflags -fsanitize=fuzzer-no-link -MD -MF "$o.d" -c "$src" -o "$o"
	objs="$objs $o"
	deps="$deps $o.d"
done

for t in report json; do
	o=$obj/fuzz_$t.o
	# shellcheck disable=SC2086
	"$CC" $cflags -fsanitize=fuzzer -MD -MF "$o.d" -c "$here/fuzz_$t.c" -o "$o"
	# shellcheck disable=SC2086
	"$CC" $cflags -fsanitize=fuzzer -o "$out/fuzz-$t.tmp" "$o" $objs $pc_libs -lm
	mv "$out/fuzz-$t.tmp" "$out/fuzz-$t"
	deps="$deps $o.d"
done

# One depfile for meson/ninja: the outputs depend on every file compiled.
if [ -n "$depfile" ]; then
	# shellcheck disable=SC2086
	list=$(sed -e 's/^[^:]*://' -e 's/\\$//' $deps | tr -s ' \t' '\n' | grep -v '^$' |
		sort -u | tr '\n' ' ')
	printf '%s: %s\n' "$out/fuzz-report" "$list" >"$depfile"
fi
