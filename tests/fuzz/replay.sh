#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Replays the committed inputs of a libFuzzer target, for meson (suite
# 'fuzz'); no mutations (those are run-fuzz.sh, on demand, README.md):
#
#   replay.sh TARGET FUZZER
#
# TARGET is report or json. Every file of tests/fuzz/corpus/TARGET/ and
# tests/fuzz/regressions/TARGET/ (README.md excepted) runs once, with
# AddressSanitizer, UBSan and leak checking, in one process, in the order
# of their paths sorted bytewise (LC_ALL=C): libFuzzer runs files given by
# name in the order given, so the run does not depend on the order the
# file system lists a directory in, nor on -seed. The inputs are read where
# they are (nothing is copied, nothing is written to the tree). Any crash,
# leak, UB report, timeout or out-of-memory fails the test and names the
# input. The output names how many inputs ran, a digest of their order and
# the peak RSS of the process.
set -u

target=${1:?usage: replay.sh report|json FUZZER} fuzzer=${2:?usage: replay.sh report|json FUZZER}
here=$(cd "$(dirname "$0")" && pwd)
case $fuzzer in /*) ;; *) fuzzer=$PWD/$fuzzer ;; esac
if [ ! -x "$fuzzer" ]; then
	# meson defines this test only when clang can build the fuzzers.
	echo "FAIL: $fuzzer was not built (ninja -C BUILD builds it)"
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/rmapstat-replay-$target.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cd "$here" || exit 1

export LC_ALL=C
for d in corpus/$target regressions/$target; do
	[ -d "$d" ] && find "$d" -type f ! -name '*.md' ! -name '.*'
done | sort >"$work/list"
n=$(wc -l <"$work/list")
if [ "$n" -eq 0 ]; then
	echo "FAIL: no inputs in tests/fuzz/corpus/$target or tests/fuzz/regressions/$target"
	exit 1
fi
order=$(sha256sum <"$work/list" | cut -c1-16)
ncorpus=$(grep -c "^corpus/" "$work/list")
nreg=$(grep -c "^regressions/" "$work/list")
echo "fuzz-$target replay: $n inputs ($ncorpus corpus/$target, $nreg regressions/$target), sorted, order sha256 $order"

# -rss_limit_mb: the replay peaks at ~210 MB (README.md, "Memory").
# -malloc_limit_mb: libtracecmd mallocs what headers say; a single large
# allocation is not a finding by itself (allocator_may_return_null=1).
# The file names have no spaces (README.md), so the list splits on lines.
start=$(date +%s)
# shellcheck disable=SC2046
ASAN_OPTIONS="suppressions=$here/asan.supp:allocator_may_return_null=1:detect_leaks=1:handle_abort=1" \
LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
"$fuzzer" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=1048576 -seed=1 \
	-print_final_stats=1 -artifact_prefix="$work/" $(cat "$work/list") >"$work/log" 2>&1
ret=$?
secs=$(($(date +%s) - start))

# What ran, in which order ("Executed FILE in N ms" after each input).
sed -n 's/^Executed \(.*\) in [0-9]* ms$/\1/p' "$work/log" >"$work/ran"
ran=$(wc -l <"$work/ran")
peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$work/log")
if [ $ret -eq 0 ] && ! cmp -s "$work/list" "$work/ran"; then
	echo "FAIL: the inputs did not run in the order given:"
	diff "$work/list" "$work/ran" | head -20
	ret=1
fi
if [ $ret -ne 0 ]; then
	bad=$(sed -n 's/^Running: //p' "$work/log" | tail -1)
	# The findings, without libtracecmd's "File possibly truncated" chatter.
	grep -v -E '^(File possibly truncated|Running: |Executed )' "$work/log" |
		grep -E '^(==|SUMMARY|    #|ERROR|stat::|Live Heap|[0-9]+ byte|[A-Za-z].*(leak|error|runtime))' | tail -40
	if grep -q 'libFuzzer: out-of-memory' "$work/log"; then
		# libFuzzer looks at the peak RSS once a second: any of these.
		peak=${peak:-$(sed -n 's/.*out-of-memory (used: \([0-9]*\)Mb.*/\1/p' "$work/log")}
		echo "== out-of-memory: the inputs that ran last before $bad:"
		tail -n 3 "$work/ran"
		echo "FAIL: fuzz-$target replay (exit $ret, out of memory) at tests/fuzz/$bad, after $ran of $n inputs; peak RSS ${peak:-?} MB"
		exit 1
	fi
	# rmapstat points stdout/stderr to /dev/null while libtracecmd loads a
	# file; RMAPSTAT_DEBUG=1 keeps them, for the sanitizer's report.
	echo "== $bad again, with RMAPSTAT_DEBUG=1:"
	RMAPSTAT_DEBUG=1 \
	ASAN_OPTIONS="suppressions=$here/asan.supp:allocator_may_return_null=1:detect_leaks=1" \
	LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
	"$fuzzer" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=1048576 \
		-artifact_prefix="$work/" "$bad" 2>&1 |
		grep -E '^(==|SUMMARY|    #|[A-Za-z].*(leak|error|runtime))' | head -40
	echo "FAIL: fuzz-$target replay (exit $ret) on tests/fuzz/$bad, after $ran of $n inputs; peak RSS ${peak:-?} MB"
	exit 1
fi
slowest=$(sed -n 's/^Executed \(.*\) in \([0-9]*\) ms$/\2 \1/p' "$work/log" | sort -rn | head -1)
echo "fuzz-$target replay: $ran of $n inputs ran in the order given, leak checks on, peak RSS $peak MB, $secs s (slowest: ${slowest% *} ms, ${slowest#* })"
exit 0
