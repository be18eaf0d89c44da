#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# One bounded fuzzing run of a libFuzzer target, for meson (suite 'fuzz'):
#
#   run-fuzz.sh TARGET FUZZER RUNS SECONDS RMAPSTAT [TRACE_CMD]
#
# TARGET is report or json. The corpus is put together in a temporary
# directory (libFuzzer adds to it; the tree is never written):
#   tests/fuzz/corpus/TARGET/        committed seeds (see README.md)
#   tests/fuzz/regressions/TARGET/   every input that ever crashed
#   report: tests/data/*.dat, shrunk (kallsyms cut to the rmap symbols)
#           with trace-cmd convert + shrink-trace.py, else as they are
#   json:   `rmapstat report --json` of the committed trace seeds and of
#           tests/data, grouped three ways
# libFuzzer first runs every input of the corpus (so every regression is
# replayed), then mutates: RUNS inputs, from seed 1, at most SECONDS. A
# count, not a time: the same inputs on every machine (a slower one gets
# through fewer of them), so that ./run-tests never fails on an input a
# faster machine happened to reach first. Any crash, leak, UB report or
# timeout fails the test; the input is kept in the build directory
# (tests/fuzz/artifacts/TARGET/) and the message says where to put it.
set -u

target=$1 fuzzer=$2 runs=$3 seconds=$4 rmapstat=$5 trace_cmd=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
artifacts=$(dirname "$fuzzer")/artifacts/$target

if [ ! -x "$fuzzer" ]; then
	# meson defines this test only when clang can build the fuzzers.
	echo "FAIL: $fuzzer was not built (ninja -C BUILD builds it)"
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/rmapstat-fuzz-$target.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
corpus=$work/corpus
mkdir -p "$corpus" "$artifacts"

for d in "$here/corpus/$target" "$here/regressions/$target"; do
	[ -d "$d" ] || continue
	for f in "$d"/*; do
		case $f in *.md|*/\*) continue ;; esac
		cp "$f" "$corpus/"
	done
done

if [ "$target" = report ]; then
	for f in "$root"/tests/data/*.dat; do
		[ -f "$f" ] || continue
		n=$(basename "$f" .dat)
		if [ -n "$trace_cmd" ] &&
		   "$trace_cmd" convert -i "$f" -o "$work/$n-v6.dat" --file-version 6 \
				>/dev/null 2>&1 &&
		   python3 "$here/shrink-trace.py" "$work/$n-v6.dat" "$corpus/data-$n-v6.dat"; then
			rm -f "$work/$n-v6.dat"
		else
			cp "$f" "$corpus/data-$n.dat"
		fi
	done
else
	for f in "$here"/corpus/report/*.dat "$root"/tests/data/*.dat; do
		[ -f "$f" ] || continue
		n=$(basename "$f" .dat)
		for by in kind kind,purpose pid,cpu,comm; do
			"$rmapstat" report --json --top 3 --by "$by" "$f" \
				>"$corpus/$n-$by.json" 2>/dev/null || rm -f "$corpus/$n-$by.json"
		done
	done
fi

echo "fuzz-$target: $(ls "$corpus" | wc -l) inputs in the corpus, then $runs mutations (at most $seconds s)"
# fuzz DETECT_LEAKS LOG LIBFUZZER-ARGS...
fuzz()
{
	leaks=$1 log=$2
	shift 2
	ASAN_OPTIONS="suppressions=$here/asan.supp:allocator_may_return_null=1:detect_leaks=$leaks:handle_abort=1" \
	LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
	"$fuzzer" -timeout=10 -rss_limit_mb=3072 -malloc_limit_mb=1048576 -seed=1 \
		-print_final_stats=1 -artifact_prefix="$artifacts/" "$@" >>"$log" 2>&1
}
# Three steps. libtracecmd leaks on every version 6 file (lsan.supp), so
# with leak checking on, every run ends in a heap scan (~1.5 s instead of
# 0.07 s for a 100 KB trace). So: (1) every input of the corpus (the
# regressions too) with leak checking; (2) the mutations without
# it; (3) every input (2) added to the corpus with leak checking again.
ls "$corpus" | sort >"$work/before"
fuzz 1 "$work/log" -runs=0 "$corpus"
ret=$?
if [ $ret -eq 0 ]; then
	fuzz 0 "$work/log" -runs="$runs" -max_total_time="$seconds" "$corpus"
	ret=$?
fi
if [ $ret -eq 0 ]; then
	mkdir "$work/new"
	ls "$corpus" | sort | comm -13 "$work/before" - | while read -r f; do
		mv "$corpus/$f" "$work/new/"
	done
	echo "fuzz-$target: $(ls "$work/new" | wc -l) new inputs again, with leak checking" >>"$work/log"
	fuzz 1 "$work/log" -runs=0 "$work/new"
	ret=$?
fi
# The findings, without libtracecmd's "File possibly truncated" chatter.
grep -v '^File possibly truncated' "$work/log" | grep -E '^(#|INFO: |stat::|Done|==|SUMMARY|    #|ERROR|artifact|Test unit|Running|MS:|fuzz-)' |
	grep -v '^#[0-9]*[[:space:]]*\(NEW\|REDUCE\|pulse\)' | tail -60
# A trace.dat that kills libtracecmd while it loads (the fuzzer runs with
# the child load off) is refused by rmapstat itself through the child load:
# when the crash is inside libtracecmd or libtraceevent (frame #0) and
# `rmapstat report` refuses the file in one line, that is a finding to keep
# (regressions/child-load/), not a failure. The mutations stop there.
if [ $ret -ne 0 ] && [ "$target" = report ]; then
	newest=$(ls -t "$artifacts" 2>/dev/null | head -1)
	if [ -n "$newest" ]; then
		RMAPSTAT_DEBUG=1 \
		ASAN_OPTIONS="suppressions=$here/asan.supp:allocator_may_return_null=1:detect_leaks=0" \
		"$fuzzer" "$artifacts/$newest" >"$work/replay" 2>&1
		frame0=$(grep -m1 -E '^    #0 ' "$work/replay")
		"$rmapstat" report "$artifacts/$newest" >/dev/null 2>"$work/cli.err"
		cli=$?
		if echo "$frame0" | grep -qE 'libtracecmd\.so|libtraceevent\.so' &&
		   [ $cli -eq 2 ] && [ "$(wc -l <"$work/cli.err")" -eq 1 ] &&
		   grep -qE 'libtracecmd (crashed|did not finish) loading it' "$work/cli.err"; then
			grep -E '^(#|Done|SUMMARY)' "$work/log" | tail -8
			echo "NOTE: $newest kills libtracecmd ($frame0)"
			echo "NOTE: rmapstat report refuses it through the child load:"
			cat "$work/cli.err"
			echo "Keep it: cp $artifacts/$newest $here/regressions/child-load/<what-it-is>"
			exit 0
		fi
	fi
fi
if [ $ret -ne 0 ]; then
	# rmapstat points stdout/stderr to /dev/null while libtracecmd loads a
	# file; RMAPSTAT_DEBUG=1 keeps them, for the sanitizer's report.
	for a in $(ls -t "$artifacts" 2>/dev/null | head -3); do
		echo "== $a again, with RMAPSTAT_DEBUG=1:"
		RMAPSTAT_DEBUG=1 \
		ASAN_OPTIONS="suppressions=$here/asan.supp:allocator_may_return_null=1" \
		LSAN_OPTIONS="suppressions=$here/lsan.supp" \
		"$fuzzer" "$artifacts/$a" 2>&1 | grep -E '^(==|SUMMARY|    #|[a-z].*(error|leak))' | head -40
	done
	echo "FAIL: fuzz-$target found a problem (exit $ret); the input is in $artifacts/."
	echo "Keep it as a regression: cp $artifacts/<file> $here/regressions/$target/<what-it-is>"
	exit 1
fi
exit 0
