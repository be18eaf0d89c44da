#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# An exploratory fuzzing run of a libFuzzer target, by hand (not part of
# ./run-tests: the suite 'fuzz' only replays the committed inputs, see
# replay.sh and README.md):
#
#   tests/fuzz/run-fuzz.sh TARGET [SECONDS [FUZZER]]
#
# TARGET is report or json; SECONDS of mutations (default 600); FUZZER
# defaults to BUILD/tests/fuzz/fuzz-TARGET (BUILD: $RMAPSTAT_BUILD or
# build). Environment: SEED (libFuzzer -seed, default 1), RUNS (stop after
# so many mutations too), KEEP_CORPUS=DIR (copy the grown corpus there, for
# -merge=1 into corpus/TARGET), ARTIFACTS (where findings go, default
# BUILD/tests/fuzz/artifacts/TARGET).
#
# The corpus is a working copy of tests/fuzz/corpus/TARGET and
# tests/fuzz/regressions/TARGET in a temporary directory (libFuzzer adds to
# it; the tree is never written), removed at the end. Two steps:
#   1. the mutations, without leak checking (libtracecmd leaks on every
#      version 6 file, lsan.supp; a heap scan after each run would cost
#      ~20 times the run);
#   2. every input step 1 added to the corpus, with leak checking, in
#      sorted order.
# A finding ends the run with the input in ARTIFACTS and how to keep it as
# a regression (README.md, "From a finding to a regression").
set -u

target=${1:?usage: run-fuzz.sh report|json [SECONDS [FUZZER]]}
seconds=${2:-600}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/${RMAPSTAT_BUILD:-build}
fuzzer=${3:-$build/tests/fuzz/fuzz-$target}
rmapstat=$build/cli/rmapstat
artifacts=${ARTIFACTS:-$(dirname "$fuzzer")/artifacts/$target}
seed=${SEED:-1}

case $target in report|json) ;; *) echo "run-fuzz.sh: TARGET is report or json" >&2; exit 2 ;; esac
if [ ! -x "$fuzzer" ]; then
	echo "run-fuzz.sh: $fuzzer not built (ninja -C BUILD, or tests/fuzz/build-fuzzers.sh DIR)" >&2
	exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/rmapstat-fuzz-$target.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
corpus=$work/corpus
mkdir -p "$corpus" "$work/new" "$artifacts"
for d in "$here/corpus/$target" "$here/regressions/$target"; do
	[ -d "$d" ] || continue
	find "$d" -type f ! -name '*.md' ! -name '.*' -exec cp {} "$corpus/" \;
done
ls "$corpus" | LC_ALL=C sort >"$work/before"

# fuzz DETECT_LEAKS LIBFUZZER-ARGS...
fuzz()
{
	leaks=$1
	shift
	ASAN_OPTIONS="suppressions=$here/asan.supp:allocator_may_return_null=1:detect_leaks=$leaks:handle_abort=1" \
	LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
	"$fuzzer" -timeout=10 -rss_limit_mb=3072 -malloc_limit_mb=1048576 -seed="$seed" \
		-print_final_stats=1 -artifact_prefix="$artifacts/" "$@" >>"$work/log" 2>&1
}

echo "fuzz-$target: $(wc -l <"$work/before") inputs, mutations for $seconds s${RUNS:+ or $RUNS runs} from -seed=$seed"
fuzz 0 -max_total_time="$seconds" ${RUNS:+-runs=$RUNS} "$corpus"
ret=$?
ls "$corpus" | LC_ALL=C sort | comm -13 "$work/before" - >"$work/added"
if [ $ret -eq 0 ] && [ -s "$work/added" ]; then
	echo "fuzz-$target: $(wc -l <"$work/added") new inputs again, with leak checking" >>"$work/log"
	# libFuzzer names what it adds by SHA-1: no spaces.
	# shellcheck disable=SC2046
	(cd "$corpus" && fuzz 1 $(cat "$work/added"))
	ret=$?
fi
if [ -n "${KEEP_CORPUS:-}" ]; then
	mkdir -p "$KEEP_CORPUS" && cp "$corpus"/* "$KEEP_CORPUS/" &&
		echo "fuzz-$target: corpus kept in $KEEP_CORPUS"
fi
# The findings, without libtracecmd's "File possibly truncated" chatter.
grep -v -E '^(File possibly truncated|Running: |Executed )' "$work/log" |
	grep -E '^(#|INFO: |stat::|Done|==|SUMMARY|    #|ERROR|artifact|Test unit|MS:|fuzz-)' |
	grep -v '^#[0-9]*[[:space:]]*\(NEW\|REDUCE\|pulse\)' | tail -60
[ $ret -eq 0 ] && exit 0

newest=$(ls -t "$artifacts" 2>/dev/null | head -1)
if [ -z "$newest" ]; then
	echo "FAIL: fuzz-$target exit $ret without an artifact (see above)"
	exit 1
fi
# rmapstat points stdout/stderr to /dev/null while libtracecmd loads a
# file; RMAPSTAT_DEBUG=1 keeps them, for the sanitizer's report.
RMAPSTAT_DEBUG=1 \
ASAN_OPTIONS="suppressions=$here/asan.supp:allocator_may_return_null=1" \
LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0" \
"$fuzzer" -malloc_limit_mb=1048576 "$artifacts/$newest" >"$work/replay" 2>&1
grep -E '^(==|SUMMARY|    #|[a-z].*(error|leak))' "$work/replay" | head -40
# fuzz-report runs libtracecmd in-process (rs_scan_set_contained(0)); the
# CLI reads a trace in a contained child. A crash inside libtracecmd or
# libtraceevent (frame #0) that `rmapstat report` refuses in one line is
# kept under regressions/child-load/ (replayed through the CLI by
# badinput-replay, not by the fuzzer).
if [ "$target" = report ] && [ -x "$rmapstat" ]; then
	frame0=$(grep -m1 -E '^    #0 ' "$work/replay")
	"$rmapstat" report "$artifacts/$newest" >/dev/null 2>"$work/cli.err"
	cli=$?
	if echo "$frame0" | grep -qE 'libtracecmd\.so|libtraceevent\.so' &&
	   [ $cli -eq 2 ] && [ "$(wc -l <"$work/cli.err")" -eq 1 ] &&
	   grep -qE 'libtracecmd (crashed|did not finish|failed) (loading|reading) it' "$work/cli.err"; then
		echo "NOTE: $newest kills libtracecmd in-process ($frame0);"
		echo "NOTE: rmapstat report refuses it in its contained reader: $(cat "$work/cli.err")"
		echo "Keep it: cp $artifacts/$newest $here/regressions/child-load/<what-it-is>.dat"
		exit 0
	fi
fi
echo "FAIL: fuzz-$target found a problem (exit $ret): $artifacts/$newest"
echo "Keep it as a regression: cp $artifacts/$newest $here/regressions/$target/<what-it-is>"
echo "then fix the cause; meson test --suite fuzz replays it from then on (README.md)."
exit 1
