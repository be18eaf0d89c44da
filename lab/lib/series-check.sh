# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lab/lib/series-check.sh - `lab/lab series-check`: what a maintainer runs on
# a patch series before taking it, for the series of kernel/patches/:
#   checkpatch   the source's own scripts/checkpatch.pl --strict on every patch
#   build        every patch on top of the ones before it: the objects of the
#                C files the series touches so far, W=1, a warning the tree
#                before the patch did not have fails it; the mm selftests
#                it touches
#   bloat        scripts/bloat-o-meter of the objects before and after the
#                series, with the lab config (CONFIG_TRACING=y) and with
#                notrace.config on top (CONFIG_TRACING=n); a patch that
#                adds tracepoints must change nothing with tracing off
# Sourced by lab/lab at its top level.
#
# The source, config and patches are those of a kernel of lab/kernels that
# applies the series, but nothing is built in the lab's own trees: the
# checks have private ones, $CACHE/check/work/<tree>/ (src: a hard-link copy
# of the pristine source, patched by prepare_tree like the lab's trees; obj:
# the lab config, always W=1; obj-notrace), so they neither wait for a
# kernel build nor change a tree one is using. The report is cached in
# $CACHE/check/<series>-<hash>/, the hash made like a kernel's (hash_inputs:
# package version, config fragments, the contents of the series' patches and
# of those applied before it, compiler) plus SERIES_CHECK_RECIPE.

# Bump when a change here changes what a report says.
SERIES_CHECK_RECIPE=2

# Objects the tracepoint patch may change with tracing compiled out, and
# why: page_idle_clear_pte_refs() had one static rmap_walk_control for all
# its walks; the walk now writes its counters into it and idle-page walks
# run on several CPUs at once, so it lives on the stack as every other
# caller's does (48 bytes of .data gone, about 32 bytes of .text to fill it
# in). The objects of the walks themselves, mm/rmap.o and mm/ksm.o, must
# not change.
SC_NOTRACE_CHANGES="mm/page_idle.o"

usage_series_check() {
	cat <<EOF
usage: lab/lab series-check [--force] [SERIES...]

Check patch series of kernel/patches/ as a maintainer would (SERIES: 6.12,
patches/6.12 or kernel/patches/6.12; default: every series a kernel of
lab/kernels applies, except kernel/controls, the lab's negative control):

  checkpatch  scripts/checkpatch.pl --strict of the series' source, on every
              patch; any error, warning or check fails the series
  build       the patches applied one at a time in a private tree, with the
              lab config of a kernel that applies the series; after each, the
              objects of the C files the patches so far touch are built with
              W=1, and a warning the tree before that patch did not have
              fails it; a patch touching tools/testing/selftests/mm/*.c builds
              that selftest
  bloat       scripts/bloat-o-meter of mm/rmap.o, mm/ksm.o and the other
              objects touched, before and after the series, with the lab
              config (CONFIG_TRACING=y) and with kernel/config/notrace.config
              on top (CONFIG_TRACING=n); a patch that adds or changes
              include/trace/events/*.h fails if it changes an object with
              tracing off

The report is printed and cached in $CACHE/check/SERIES-HASH/report.txt
(hash: source package version, config fragments, patches, compiler); a
second run prints it at once. --force checks again. Exit status 0 when every
check of every series passed, 1 otherwise.
EOF
}

# ---------------------------------------------------------------- series

# series_resolve ARG: the series ARG names (6.12, patches/6.12,
# kernel/patches/6.12) into SC_REL (its folder below kernel/, as lab/kernels
# writes it), SC_NAME (for the cache: 6.12) and SC_LABEL (kernel/patches/6.12).
series_resolve() {
	local a=${1%/}
	a=${a#./}
	a=${a#kernel/}
	if [[ -f $KDIR/$a/series ]]; then
		SC_REL=$a
	elif [[ -f $KDIR/patches/$a/series ]]; then
		SC_REL=patches/$a
	else
		die "series-check: no series '$1' (no kernel/$a/series nor kernel/patches/$a/series)"
	fi
	SC_NAME=${SC_REL#patches/}
	SC_NAME=${SC_NAME//\//-}
	SC_LABEL=kernel/$SC_REL
}

# The series the kernels of lab/kernels apply, each once, in table order.
# kernel/controls is left out: it is the lab's negative control, a lookup
# that is wrong on purpose, not a series anyone would send.
default_series() {
	local k item items=()
	for k in "${KERNELS[@]}"; do
		[[ ${K_PATCHES[$k]} != - ]] || continue
		IFS=, read -r -a items <<<"${K_PATCHES[$k]}"
		for item in "${items[@]}"; do
			printf '%s\n' "${item%%:*}"
		done
	done | awk '$0 != "controls" && !seen[$0]++'
}

# series_kernel REL: the kernel whose source, config fragments and earlier
# patches the checks of series REL take, into SC_KERNEL, and the items of
# its patches column before the series into SC_BASE_ITEMS. Best is a kernel
# that applies the whole series and nothing before it (its build is the
# series on the pristine source), then one that applies all of it, then any.
series_kernel() {
	local rel=$1 k i rank best_rank=9 items=()
	SC_KERNEL=
	SC_BASE_ITEMS=()
	for k in "${KERNELS[@]}"; do
		[[ ${K_PATCHES[$k]} != - ]] || continue
		IFS=, read -r -a items <<<"${K_PATCHES[$k]}"
		for i in "${!items[@]}"; do
			[[ ${items[i]%%:*} == "$rel" ]] || continue
			rank=0
			[[ ${items[i]} != *:* ]] || rank=$((rank + 2))
			((i == 0)) || rank=$((rank + 1))
			if ((rank < best_rank)); then
				best_rank=$rank
				SC_KERNEL=$k
				SC_BASE_ITEMS=("${items[@]:0:i}")
			fi
			break
		done
	done
	[[ -n $SC_KERNEL ]] ||
		die "series-check: no kernel of $TABLE applies kernel/$rel: the checks take the source" \
			"package and config of such a kernel"
}

# patch_subject PATCH: the Subject: of a git format-patch file, unfolded,
# without its [PATCH n/m] prefix (the file name for a patch without one).
patch_subject() {
	awk '
		/^$/ { exit }
		/^Subject:/ { s = substr($0, 9); in_subject = 1; next }
		in_subject && /^[ \t]/ { s = s $0; next }
		{ in_subject = 0 }
		END {
			gsub(/[ \t]+/, " ", s); sub(/^ /, "", s); sub(/^\[[^]]*\] /, "", s)
			if (s == "") { n = split(FILENAME, p, "/"); s = p[n] }
			print s
		}' "$1"
}

# patch_adds_tracepoints PATCH: the patch creates or changes a trace event
# header (include/trace/events/*.h). (grep without -q: with pipefail, a grep
# that stops at the first match could fail the pipe by a SIGPIPE.)
patch_adds_tracepoints() {
	patch_targets "$1" | grep -E '^include/trace/events/[^/]+\.h$' >/dev/null
}

# ---------------------------------------------------------------- report

# The report goes to stdout and to SC_REPORT at once; progress goes to stderr.
say() { printf '%s\n' "$*" | tee -a "$SC_REPORT"; }
say_indented() { sed 's/^/    /' | tee -a "$SC_REPORT"; }

# ---------------------------------------------------------------- checkpatch

# checkpatch_series PATCH...: section 1. Sets SC_FAIL_CHECKPATCH to the
# numbers of the patches with findings.
#
# checkpatch.pl runs with the pristine source as its tree (--root), so that
# its tree checks (MAINTAINERS for new files, the tree's spelling list) work;
# but that tree is Debian's tarball, without git history, and GIT_DIR points
# nowhere, so that checkpatch never asks a git repository around the cache
# about the kernel's commits. Without history checkpatch can look up no
# commit id and reports every one as unknown: --ignore UNKNOWN_COMMIT_ID.
# (GIT_COMMIT_ID still checks how a commit is cited, not that the title is
# the commit's.) Two findings are left out, each only where it is no defect,
# and the report counts them:
#  - in a patch that adds or changes include/trace/events/*.h, and only in
#    that header: CHECK:PARENTHESIS_ALIGNMENT and CHECK:OPEN_ENDED_LINE,
#    which the TRACE_EVENT() layout of include/trace/events/ (TP_PROTO(),
#    TP_STRUCT__entry( on a line of its own, TP_printk()'s arguments one
#    tab in) always triggers;
#  - ERROR:GIT_COMMIT_ID on a line "commit <40 hex digits> upstream.": the
#    form Documentation/process/stable-kernel-rules.rst prescribes for a
#    backport's changelog, which checkpatch takes for a badly cited commit.
checkpatch_series() {
	local p i=0 n=$# subj tp out kept counts e w c it is total line note
	SC_FAIL_CHECKPATCH=()
	say ""
	say "== checkpatch: scripts/checkpatch.pl --strict of $SRC_PKG $PKG_VERSION"
	say "   (no git history in the tree: commit ids are not looked up)"
	kept=$SC_TMP/checkpatch.kept
	for p in "$@"; do
		i=$((i + 1))
		subj=$(patch_subject "$p")
		tp=0
		patch_adds_tracepoints "$p" && tp=1
		out=$(cd "$PRISTINE" && GIT_DIR=/nonexistent perl scripts/checkpatch.pl --strict \
			--show-types --root="$PRISTINE" --ignore UNKNOWN_COMMIT_ID "$p" 2>&1) || true
		: >"$kept"
		counts=$(printf '%s\n' "$out" | awk -v trace="$tp" -v kept="$kept" '
			function flush() {
				if (blk == "")
					return
				if (trace && (type == "PARENTHESIS_ALIGNMENT" || type == "OPEN_ENDED_LINE") &&
				    file ~ /^include\/trace\/events\/[^\/]+\.h$/)
					it++
				else if (type == "GIT_COMMIT_ID" && ctx ~ /^commit [0-9a-f]+ upstream\.$/ &&
					 length(ctx) == 57)
					is++
				else {
					printf "%s\n", blk > kept
					if (level == "ERROR") e++
					else if (level == "WARNING") w++
					else c++
				}
				blk = ""
			}
			/^(ERROR|WARNING|CHECK):[A-Z0-9_]+:/ {
				flush()
				split($0, f, ":"); level = f[1]; type = f[2]
				file = ""; ctx = ""; want_ctx = 0
				blk = $0 "\n"
				next
			}
			/^total: / { flush(); total = 1; next }
			blk != "" && /^$/ { flush(); next }
			blk != "" {
				blk = blk $0 "\n"
				if (want_ctx) { ctx = $0; want_ctx = 0 }
				if ($0 ~ /^#[0-9]+: /) {
					want_ctx = 1
					if (match($0, /FILE: [^:]+:/))
						file = substr($0, RSTART + 6, RLENGTH - 7)
				}
			}
			END { flush(); print e + 0, w + 0, c + 0, it + 0, is + 0, total + 0 }')
		read -r e w c it is total <<<"$counts"
		local ign=()
		((it == 0)) || ign+=("$it TRACE_EVENT layout check(s) in include/trace/events/")
		((is == 0)) || ign+=("GIT_COMMIT_ID of the stable 'commit <sha1> upstream.' line")
		line="$i/$n $subj:"
		note=''
		((${#ign[@]} == 0)) || note=" (ignored: $(join "; " "${ign[@]}"))"
		if ((total == 0)); then
			say "$line FAIL: checkpatch.pl did not finish:"
			printf '%s\n' "$out" | tail -n 20 | say_indented
			SC_FAIL_CHECKPATCH+=("$i")
		elif ((e + w + c == 0)); then
			say "$line ok$note"
		else
			say "$line FAIL: $e error(s), $w warning(s), $c check(s)$note"
			sed '${/^$/d}' "$kept" | say_indented
			SC_FAIL_CHECKPATCH+=("$i")
		fi
	done
}

# ---------------------------------------------------------------- builds

# sc_make LOG ARG...: make ARG... with its output in LOG, killed with the lab;
# returns make's exit status (a failing build is a finding here, not the
# end of the command).
sc_make() {
	local log=$1 rc=0
	shift
	# The C locale: the compiler's messages alike whatever the user's (plain
	# quotes), so that warnings compare from run to run. Not LC_ALL alone:
	# the kernel's Makefile unexports it.
	spawn env -u LANGUAGE LC_ALL=C LANG=C LC_CTYPE=C LC_MESSAGES=C make "$@" >"$log" 2>&1 </dev/null
	wait "$SPAWNED" || rc=$?
	forget_child "$SPAWNED"
	return "$rc"
}

# sc_tree_state N: the private tree holds the base patches and the first N
# patches of the series. prepare_tree does it as for the lab's trees, with
# $CACHE/check in place of $CACHE (so the tree is $CACHE/check/work/<tree>),
# in a subshell whose messages (one line per patch, every time) go to a log
# shown only if it fails. SC_OK is empty, and SC_TREE_LOG says why, when a
# patch does not apply.
sc_tree_state() {
	local n=$1 rc=0
	SC_TREE_LOG=$SC_LOGS/tree-$n.log
	SC_OK=1
	rm -rf "$SC_WORK"/.patch.*
	# in the background and waited for: a subshell in an if or || list would
	# run with set -e ignored
	(
		# a tree of patched kernels: with no patch, the tree is made
		# pristine again rather than replaced by the pristine tree
		# shellcheck disable=SC2034 # read by prepare_tree
		TREE_PATCHED[${K_TREE[$SC_KERNEL]}]=1
		CACHE=$CACHE/check prepare_tree "$SC_KERNEL" "${SC_BASE[@]}" "${SC_SERIES[@]:0:n}"
		# shellcheck disable=SC2153 # set by prepare_tree
		[[ $TREE == "$SC_TREE" ]] || die "series-check: prepare_tree made $TREE, not $SC_TREE"
	) 2>"$SC_TREE_LOG" &
	wait "$!" || rc=$?
	if ((rc != 0)); then
		rm -rf "$SC_WORK"/.patch.*
		SC_OK=
	fi
}

# sc_configure OBJ FRAGMENT...: the lab's configure (tinyconfig + fragments +
# olddefconfig) in OBJ, unless OBJ was configured from the same inputs.
sc_configure() {
	local obj=$1 stamp
	shift
	stamp=$(hash_inputs "series-check config" "$@" -- | sha_of)
	[[ -f $obj/.config && $(cat "$obj/.series-check-config" 2>/dev/null) == "$stamp" ]] && return 0
	rm -f "$obj/.series-check-config"
	configure "$SC_KERNEL" "$SC_TREE" "$obj" "$@"
	printf '%s\n' "$stamp" >"$obj/.series-check-config"
}

# kbuild_output LOG OBJECT: what the build of OBJECT printed (make -Otarget
# keeps each target's output together, after kbuild's "  CC      OBJECT").
kbuild_output() {
	awk -v o="$2" '
		/^make(\[[0-9]+\])?: (Entering|Leaving) directory/ { on = 0; next }
		/^  [A-Z0-9_]+ +[^ ]+$/ { on = ($1 == "CC" && $2 == o); next }
		on' "$1"
}

# relative_paths: the private tree's and the output folders' paths dropped.
relative_paths() {
	sed -e "s#$SC_TREE/##g; s#$SC_OBJ/##g; s#$SC_TMP/[^/ ]*/src/##g"
}

# warning_keys: the warnings of compiler output, one a line, without line
# and column numbers (a patch moves code) or objtool offsets, sorted, so that
# comm(1) tells which are new.
warning_keys() {
	relative_paths | grep -E ': (warning|error): |^cc1: (warning|error)' |
		sed -E 's#^([^: ]+):[0-9]+(:[0-9]+)?: #\1: #; s#\+0x[0-9a-f]+##g' | LC_ALL=C sort || true
}

# The kernel objects and mm selftests that the C files of patch files touch:
# "obj mm/ksm.o" and "selftest ksm_functional_tests" lines (or "selftest
# all" for a file that is no program of the mm Makefile), "other PATH" for
# C files nothing here builds.
build_targets() {
	local f
	(($#)) || return 0
	patch_targets "$@" | while read -r f; do
		case $f in
		*.c) ;;
		*) continue ;;
		esac
		case $f in
		tools/testing/selftests/mm/*/*) echo "other $f" ;;
		tools/testing/selftests/mm/*) echo "selftest $(basename "$f" .c)" ;;
		tools/* | scripts/* | samples/* | usr/*) echo "other $f" ;;
		*) echo "obj ${f%.c}.o" ;;
		esac
	done
}

# selftest_target NAME: the make target of selftest NAME ("all" when the
# mm Makefile builds no program of that name: a helper such as vm_util.c).
selftest_target() {
	if [[ $1 != all ]] &&
		grep -qE "^TEST_GEN_(FILES|PROGS)[[:space:]]*\+?=.*[[:space:]]$1([[:space:]]|$)" \
			"$SC_TREE/tools/testing/selftests/mm/Makefile"; then
		echo "$1"
	else
		echo all
	fi
}

# build_objects STATE OBJECT...: the W=1 build of OBJECTs in the tree's
# current state. Their warnings are compared with those of the last build of
# each in this run (LAST_WARN): SC_OK is empty on a new warning or an error,
# and SC_NEW holds what the report shows of them; SC_COMPILED lists the
# objects compiled, SC_UNCHANGED those kbuild had nothing to do for (their
# warnings are those of their last build).
build_objects() {
	local state=$1 log o out keys new mrc=0
	shift
	SC_OK=1
	SC_NEW=''
	SC_COMPILED=()
	SC_UNCHANGED=()
	(($#)) || return 0
	for o in "$@"; do
		# an object not built in this run yet: its warnings are unknown,
		# so compile it (a build of an earlier run left it up to date)
		[[ -n ${LAST_WARN[$o]+set} ]] || rm -f "$SC_OBJ/$o"
	done
	log=$SC_LOGS/w1-$state.log
	# -Otarget: each object's compiler output in one piece, after its CC line
	sc_make "$log" -C "$SC_OBJ" -k -j"$JOBS" -Otarget W=1 "$@" || mrc=$?
	for o in "$@"; do
		if ! grep -qxE "  CC +$o" "$log"; then
			if [[ -f $SC_OBJ/$o ]]; then
				SC_UNCHANGED+=("$o")
			else
				SC_NEW+="$o: not built (make exit $mrc):"$'\n'"$(tail -n 30 "$log" | relative_paths)"$'\n'
				SC_OK=
			fi
			continue
		fi
		SC_COMPILED+=("$o")
		out=$(kbuild_output "$log" "$o")
		keys=$(printf '%s\n' "$out" | warning_keys)
		new=$(LC_ALL=C comm -13 <(printf '%s\n' "${LAST_WARN[$o]:-}" | sed '/^$/d') \
			<(printf '%s\n' "$keys" | sed '/^$/d'))
		if [[ -n $new || ! -f $SC_OBJ/$o ]]; then
			SC_NEW+="$o: $([[ -f $SC_OBJ/$o ]] && echo "new warning(s)" || echo "does not build");"
			SC_NEW+=" the compiler's output:"$'\n'"$(printf '%s\n' "$out" | relative_paths)"$'\n'
			SC_OK=
		fi
		LAST_WARN[$o]=$keys
	done
	if ((mrc != 0)) && [[ -n $SC_OK ]]; then
		SC_NEW+="make exit $mrc:"$'\n'"$(tail -n 30 "$log" | relative_paths)"$'\n'
		SC_OK=
	fi
}

# build_mm_selftests STATE NAME...: the mm selftests NAMEs built from the
# tree's current state, with its uapi headers (make headers, which leaves
# them in SC_OBJ/usr/include), in a shadow of the tree (shadow_tree of
# selftests.sh: the Makefile writes into its own folder, which must not be
# the hard-linked tree). Like build_objects: new warnings against
# LAST_WARN[selftest NAME]; appends to SC_NEW and SC_COMPILED, empties SC_OK
# on a failure.
build_mm_selftests() {
	local state=$1 name target sh log keys new mrc
	shift
	(($#)) || return 0
	declare -F shadow_tree >/dev/null ||
		die "series-check: shadow_tree of lab/lib/selftests.sh is missing (is selftests.sh sourced?)"
	mrc=0
	sc_make "$SC_LOGS/headers-$state.log" -C "$SC_OBJ" -j"$JOBS" W=1 headers || mrc=$?
	if ((mrc != 0)); then
		SC_NEW+="make headers failed:"$'\n'"$(tail -n 30 "$SC_LOGS/headers-$state.log" | relative_paths)"$'\n'
		SC_OK=
		return 0
	fi
	for name in "$@"; do
		target=$(selftest_target "$name")
		sh=$SC_TMP/st-$state-$name
		rm -rf "$sh"
		shadow_tree "$SC_TREE" "$sh/src" tools/testing/selftests/mm
		mkdir -p "$sh/out"
		log=$SC_LOGS/selftest-$state-$name.log
		mrc=0
		if [[ $target == all ]]; then
			sc_make "$log" -C "$sh/src/tools/testing/selftests/mm" -j"$JOBS" OUTPUT="$sh/out" \
				KHDR_INCLUDES="-isystem $SC_OBJ/usr/include" || mrc=$?
		else
			sc_make "$log" -C "$sh/src/tools/testing/selftests/mm" OUTPUT="$sh/out" \
				KHDR_INCLUDES="-isystem $SC_OBJ/usr/include" "$sh/out/$target" || mrc=$?
		fi
		keys=$(relative_paths <"$log" | sed "s#$sh/out/##g" | warning_keys)
		new=$(LC_ALL=C comm -13 <(printf '%s\n' "${LAST_WARN[selftest $name]:-}" | sed '/^$/d') \
			<(printf '%s\n' "$keys" | sed '/^$/d'))
		if ((mrc != 0)) || [[ -n $new ]]; then
			SC_NEW+="selftests/mm/$name: $( ((mrc == 0)) && echo "new warning(s)" ||
				echo "does not build (make exit $mrc)"); make's output:"$'\n'
			SC_NEW+="$(grep -vE '^make(\[[0-9]+\])?: (Entering|Leaving)' "$log" | relative_paths |
				sed "s#$sh/out/##g" | tail -n 40)"$'\n'
			SC_OK=
		fi
		SC_COMPILED+=("selftests/mm/$name")
		LAST_WARN[selftest $name]=$keys
		rm -rf "$sh"
	done
}

# build_notrace STATE OBJECT...: OBJECTs with tracing compiled out, copied
# into SC_OUT/objects/notrace/STATE/; SC_OK empty if they do not build.
build_notrace() {
	local state=$1 log o rc=0
	shift
	SC_OK=1
	log=$SC_LOGS/notrace-$state.log
	msg "series-check: $SC_NAME: $state/$SC_N: CONFIG_TRACING=n build of $*"
	sc_make "$log" -C "$SC_OBJN" -j"$JOBS" "$@" || rc=$?
	if ((rc != 0)); then
		say "$state/$SC_N: the CONFIG_TRACING=n build failed:"
		tail -n 30 "$log" | relative_paths | say_indented
		SC_OK=
		return 0
	fi
	for o in "$@"; do
		mkdir -p "$(dirname "$SC_OUT/objects/notrace/$state/$o")"
		cp "$SC_OBJN/$o" "$SC_OUT/objects/notrace/$state/$o"
	done
}

# copy_tracing STATE OBJECT...: the W=1 objects of the lab config, kept.
copy_tracing() {
	local state=$1 o
	shift
	for o in "$@"; do
		[[ -f $SC_OBJ/$o ]] || continue
		mkdir -p "$(dirname "$SC_OUT/objects/tracing/$state/$o")"
		cp "$SC_OBJ/$o" "$SC_OUT/objects/tracing/$state/$o"
	done
}

# bloat_renames: bloat-o-meter's table without the symbols the compiler
# numbers (__UNIQUE_ID_*N, __BTF_ID__*__N: __COUNTER__, line numbers) that
# a change anywhere in the file renumbers: an added and a removed one of the
# same name but for the number and of the same size are a rename, not a
# change, and would bury the functions that did change. A note line counts
# them.
bloat_renames() {
	awk '
		function key(n) {
			if (n ~ /^(__UNIQUE_ID_|__BTF_ID__)/) sub(/[0-9]+$/, "", n)
			else return ""
			return n
		}
		{ line[NR] = $0 }
		NF == 4 && ($2 == "-" || $3 == "-") && $4 ~ /^[-+][0-9]+$/ {
			k = key($1)
			if (k == "") next
			k = k SUBSEP ($2 == "-" ? $3 : $2)
			if ($2 == "-") { nadd[k]++; added[k, nadd[k]] = NR }
			else { nrem[k]++; removed[k, nrem[k]] = NR }
		}
		END {
			for (k in nadd)
				for (j = 1; j <= nadd[k] && j <= nrem[k]; j++) {
					drop[added[k, j]] = 1; drop[removed[k, j]] = 1; renamed++
				}
			for (i = 1; i <= NR; i++) {
				if (drop[i]) continue
				if (line[i] ~ /^Total: / && renamed)
					printf "(%d symbol(s) numbered by the compiler, __UNIQUE_ID_* or __BTF_ID__*, renumbered: not listed)\n", renamed
				print line[i]
			}
		}'
}

# bloat CONFIG FROM TO OBJECT: scripts/bloat-o-meter of OBJECT between two
# states, into the report; SC_SAME is 1 if it shows no change (no symbol but
# renumbered ones differs, same total).
bloat() {
	local cfg=$1 from=$2 to=$3 o=$4 a b out
	a=$SC_OUT/objects/$cfg/$from/$o
	b=$SC_OUT/objects/$cfg/$to/$o
	SC_SAME=
	if [[ ! -f $a || ! -f $b ]]; then
		say "  $o: $([[ -f $a ]] && echo "gone after" || echo "new in") the series"
		return 0
	fi
	out=$(python3 "$PRISTINE/scripts/bloat-o-meter" "$a" "$b" 2>&1) ||
		die "series-check: scripts/bloat-o-meter $a $b failed: $out"
	out=$(bloat_renames <<<"$out")
	say "  $o:"
	printf '%s\n' "$out" | say_indented
	if awk 'NF == 4 && $4 ~ /^[-+][0-9]+$/ { rows++ }
		/^Total: Before=/ { split($0, t, /[=,]/); same = (t[2] == t[4]) }
		END { exit !(same && !rows) }' <<<"$out"; then
		SC_SAME=1
	fi
}

# join SEPARATOR WORD...: the words joined by SEPARATOR.
join() {
	local sep=$1 out=''
	shift
	while (($#)); do
		out+=${out:+$sep}$1
		shift
	done
	printf '%s\n' "$out"
}

# ---------------------------------------------------------------- one series

# check_series ARG FORCE: every check of one series, or its cached report.
# Sets SC_RC to 1 if a check failed.
check_series() {
	local force=$2 k key out t0=$SECONDS p i n tree o f kind what line
	local tp=() objs=() sts=() all_objs=(mm/rmap.o mm/ksm.o) all_st=() others=()
	local fail_build=() fail_bloat=() fail_infra='' last_built=0
	series_resolve "$1"
	series_kernel "$SC_REL"
	select_kernel "$SC_KERNEL"
	k=$KERNEL
	source_ready
	kernel_key "$k"
	SC_KOUT=$OUT
	read_series "$KDIR/$SC_REL/series"
	SC_SERIES=("${SERIES_FILES[@]}")
	n=${#SC_SERIES[@]}
	SC_N=$n
	((n)) || die "series-check: $SC_LABEL/series lists no patch"
	SC_BASE=()
	if ((${#SC_BASE_ITEMS[@]})); then
		# kernel_patches reads a kernel's patches column: give it the items
		# before the series under a name no kernel has
		local fake=.series-check-base
		K_PATCHES["$fake"]=$(join , "${SC_BASE_ITEMS[@]}")
		kernel_patches "$fake"
		unset "K_PATCHES[$fake]"
		SC_BASE=("${PATCHES[@]}")
	fi
	compiler_id >/dev/null
	key=$(hash_inputs "series-check $SERIES_CHECK_RECIPE $SC_REL base ${#SC_BASE[@]}" \
		"${FRAGMENTS[@]}" "$CONFIG_DIR/notrace.config" -- "${SC_BASE[@]}" "${SC_SERIES[@]}" | sha_of)
	out=$CACHE/check/$SC_NAME-${key:0:16}
	tree=${K_TREE[$k]}
	if [[ -z $force && -f $out/report.txt && -f $out/status ]]; then
		msg "series-check: $SC_LABEL: cached report ($out; --force checks again)"
		cat "$out/report.txt"
		[[ $(<"$out/status") == 0 ]] || SC_RC=1
		return 0
	fi
	take_lock "check-tree-$tree"
	if [[ -z $force && -f $out/report.txt && -f $out/status ]]; then
		drop_lock "check-tree-$tree"
		msg "series-check: $SC_LABEL: cached report ($out)"
		cat "$out/report.txt"
		[[ $(<"$out/status") == 0 ]] || SC_RC=1
		return 0
	fi
	need_build_packages
	need_packages perl python3
	msg "series-check: $SC_LABEL: $n patch(es) on $SRC_PKG $PKG_VERSION, config of $k"

	SC_OUT=$CACHE/check/.$SC_NAME-${key:0:16}.tmp
	rm -rf "$SC_OUT"
	mkdir -p "$SC_OUT/logs" "$SC_OUT/tmp"
	TEMP_PATHS+=("$SC_OUT")
	SC_LOGS=$SC_OUT/logs
	SC_TMP=$SC_OUT/tmp
	SC_REPORT=$SC_OUT/report.txt
	: >"$SC_REPORT"

	# The private tree follows the pristine source: a new package version
	# (extract_source replaced the pristine tree) starts it again.
	SC_WORK=$CACHE/check/work/$tree
	SC_TREE=$SC_WORK/src
	SC_OBJ=$SC_WORK/obj
	SC_OBJN=$SC_WORK/obj-notrace
	if [[ -d $SC_WORK && $(cat "$SC_WORK/package" 2>/dev/null) != "$SRC_PKG $PKG_VERSION" ]]; then
		msg "series-check: $SC_WORK is of another source: removing it"
		rm -rf "$SC_WORK"
	fi
	mkdir -p "$SC_WORK"
	printf '%s\n' "$SRC_PKG $PKG_VERSION" >"$SC_WORK/package"

	say "series-check: $SC_LABEL, $n patch(es)"
	say "source: $SRC_PKG $PKG_VERSION (Linux $LINUX_VERSION)${SC_BASE_ITEMS[*]:+, with what $k applies before the series: $(join ", " "${SC_BASE_ITEMS[@]}")}"
	say "config: $k's lab config (tinyconfig + $(fragment_names " + ")); CONFIG_TRACING=n: + notrace.config"
	say "compiler: $(gcc --version | head -n1)"

	# ---- 1. checkpatch
	checkpatch_series "${SC_SERIES[@]}"

	# ---- 2. each patch builds on its own
	# What the whole series builds: mm/rmap.o and mm/ksm.o (the objects the
	# lab's series are about) and every object of a C file it touches.
	declare -A LAST_WARN=()
	while read -r kind what; do
		case $kind in
		obj) all_objs+=("$what") ;;
		selftest) all_st+=("$what") ;;
		other) others+=("$what") ;;
		esac
	done < <(build_targets "${SC_SERIES[@]}")
	mapfile -t all_objs < <(printf '%s\n' "${all_objs[@]}" | LC_ALL=C sort -u)
	((${#all_st[@]} == 0)) || mapfile -t all_st < <(printf '%s\n' "${all_st[@]}" | LC_ALL=C sort -u)
	((${#all_st[@]} == 0)) || need_packages libnuma-dev

	say ""
	say "== build: the patches applied one at a time, the objects of the C files touched so far, W=1"
	((${#others[@]} == 0)) || say "   (not built: ${others[*]})"
	msg "series-check: $SC_NAME: private tree $SC_TREE, before the series"
	sc_tree_state 0
	if [[ -z $SC_OK ]]; then
		say "0/$n: the patches before the series do not apply:"
		grep -vE "^lab: [^ ]+: (patch|link): " "$SC_TREE_LOG" | sed -E 's/^    //; s/^lab: [^ ]+: //' |
			relative_paths | say_indented
		fail_infra=1
	fi
	if [[ -z $fail_infra ]]; then
		sc_configure "$SC_OBJ" "${FRAGMENTS[@]}"
		sc_configure "$SC_OBJN" "${FRAGMENTS[@]}" "$CONFIG_DIR/notrace.config"
		for o in CONFIG_TRACING CONFIG_TRACEPOINTS; do
			if grep -q "^$o=y" "$SC_OBJN/.config"; then
				die "series-check: $o=y in $SC_OBJN/.config although notrace.config unsets it"
			fi
		done
		grep -q '^CONFIG_TRACING=y' "$SC_OBJ/.config" ||
			die "series-check: $k's lab config has no CONFIG_TRACING=y ($SC_OBJ/.config)"
		# the config is made as lab/lab build makes it; a cached build of
		# the kernel should have the very same
		if [[ -f $SC_KOUT/config ]] &&
			! cmp -s <(grep '^CONFIG_' "$SC_KOUT/config") <(grep '^CONFIG_' "$SC_OBJ/.config"); then
			say "   note: the config differs from that of $k's cached build ($SC_KOUT/config):"
			diff <(grep '^CONFIG_' "$SC_KOUT/config") <(grep '^CONFIG_' "$SC_OBJ/.config") |
				grep '^[<>]' | head -n 20 | say_indented
		fi
		msg "series-check: $SC_NAME: make prepare (lab config and CONFIG_TRACING=n)"
		for o in "$SC_OBJ:prepare:W=1" "$SC_OBJN:prepare-notrace:"; do
			IFS=: read -r f what line <<<"$o"
			sc_make "$SC_LOGS/$what.log" -C "$f" -j"$JOBS" ${line:+"$line"} prepare || {
				mkdir -p "$CACHE/logs"
				cp "$SC_LOGS/$what.log" "$CACHE/logs/series-check-$SC_NAME-$what.log"
				tail -n 20 "$SC_LOGS/$what.log" | sed 's/^/    /' >&2
				die "series-check: make prepare failed in $f ($CACHE/logs/series-check-$SC_NAME-$what.log)"
			}
		done

		# the tree before the series: every object and selftest of the
		# series that exists there, the baseline of the warnings
		for o in "${all_objs[@]}"; do
			[[ ! -f $SC_TREE/${o%.o}.c ]] || objs+=("$o")
		done
		for f in "${all_st[@]}"; do
			[[ ! -f $SC_TREE/tools/testing/selftests/mm/$f.c ]] || sts+=("$f")
		done
		msg "series-check: $SC_NAME: 0/$n: W=1 build of ${objs[*]}${sts[*]:+, selftests ${sts[*]}}"
		build_objects 0 "${objs[@]}"
		line=$SC_OK
		build_mm_selftests 0 "${sts[@]}"
		if [[ -z $line || -z $SC_OK ]]; then
			say "0/$n: the tree before the series does not build:"
			printf '%s' "$SC_NEW" | say_indented
			fail_infra=1
		else
			local nwarn=0 w
			for w in "${LAST_WARN[@]}"; do
				[[ -z $w ]] || nwarn=$((nwarn + $(printf '%s\n' "$w" | wc -l)))
			done
			say "0/$n before the series: built ${objs[*]}${sts[*]:+ selftests/mm/${sts[*]}}" \
				"($nwarn warning(s) already there)"
			copy_tracing 0 "${all_objs[@]}"
			build_notrace 0 "${objs[@]}"
			[[ -n $SC_OK ]] || fail_infra=1
		fi
	fi
	i=0
	for p in "${SC_SERIES[@]}"; do
		[[ -z $fail_infra ]] || break
		i=$((i + 1))
		line="$i/$n $(patch_subject "$p"):"
		sc_tree_state "$i"
		if [[ -z $SC_OK ]]; then
			say "$line FAIL: does not apply:"
			grep -vE "^lab: [^ ]+: (patch|link): " "$SC_TREE_LOG" | sed -E 's/^    //; s/^lab: [^ ]+: //' |
				relative_paths | say_indented
			fail_build+=("$i")
			break
		fi
		objs=()
		sts=()
		while read -r kind what; do
			case $kind in
			obj) [[ ! -f $SC_TREE/${what%.o}.c ]] || objs+=("$what") ;;
			selftest) sts+=("$what") ;;
			esac
		done < <(build_targets "${SC_SERIES[@]:0:i}")
		# after the last patch also the untouched objects bloat-o-meter compares
		((i < n)) || objs+=("${all_objs[@]}")
		((${#objs[@]} == 0)) || mapfile -t objs < <(printf '%s\n' "${objs[@]}" | LC_ALL=C sort -u)
		((${#sts[@]} == 0)) || mapfile -t sts < <(printf '%s\n' "${sts[@]}" | LC_ALL=C sort -u)
		msg "series-check: $SC_NAME: $i/$n: W=1 build of ${objs[*]}${sts[*]:+, selftests ${sts[*]}}"
		build_objects "$i" "${objs[@]}"
		local ok=$SC_OK unchanged=("${SC_UNCHANGED[@]}")
		build_mm_selftests "$i" "${sts[@]}"
		[[ -n $SC_OK ]] || ok=
		what="${SC_COMPILED[*]:+built ${SC_COMPILED[*]}}"
		what+="${unchanged[*]:+${what:+; }unchanged: ${unchanged[*]}}"
		if [[ -n $ok ]]; then
			say "$line ok (${what:-nothing to build})"
		else
			say "$line FAIL (${what:-nothing built}):"
			printf '%s' "$SC_NEW" | say_indented
			fail_build+=("$i")
		fi
		last_built=$i
		# A patch that adds tracepoints, with tracing off: against the tree
		# before it (built once more if that is not the base).
		if patch_adds_tracepoints "$p"; then
			tp+=("$i")
			if [[ ! -d $SC_OUT/objects/notrace/$((i - 1)) ]]; then
				sc_tree_state $((i - 1))
				[[ -z $SC_OK ]] || build_notrace $((i - 1)) "${all_objs[@]}"
				[[ -z $SC_OK ]] || sc_tree_state "$i"
				[[ -n $SC_OK ]] || fail_infra=1
			fi
			if [[ -z $fail_infra ]]; then
				build_notrace "$i" "${all_objs[@]}"
				[[ -n $SC_OK ]] || fail_infra=1
			fi
		fi
	done
	if [[ -z $fail_infra ]] && ((last_built == n)); then
		copy_tracing "$n" "${all_objs[@]}"
		if [[ ! -d $SC_OUT/objects/notrace/$n ]]; then
			build_notrace "$n" "${all_objs[@]}"
			[[ -n $SC_OK ]] || fail_infra=1
		fi
	fi

	# ---- 3. bloat-o-meter
	say ""
	if [[ -n $fail_infra ]] || ((last_built < n)); then
		say "== bloat-o-meter: not run (the series was not built to its end)"
	else
		local changed_n=() changed=()
		say "== bloat-o-meter: before the series (0/$n) -> after it ($n/$n)"
		say "-- CONFIG_TRACING=y ($k's lab config)"
		for o in "${all_objs[@]}"; do
			bloat tracing 0 "$n" "$o"
		done
		say "-- CONFIG_TRACING=n (+ notrace.config)"
		for o in "${all_objs[@]}"; do
			bloat notrace 0 "$n" "$o"
			[[ -n $SC_SAME ]] || changed_n+=("$o")
		done
		for i in "${tp[@]}"; do
			changed=()
			if ((i == 1 && n == 1)); then
				# the comparison above is that of the patch
				changed=("${changed_n[@]}")
				say "-- patch 1/1 adds tracepoints: with CONFIG_TRACING=n it must change no object (above)"
			else
				say "-- patch $i/$n adds tracepoints: with CONFIG_TRACING=n it must change no object ($((i - 1))/$n -> $i/$n)"
				for o in "${all_objs[@]}"; do
					bloat notrace $((i - 1)) "$i" "$o"
					[[ -n $SC_SAME ]] || changed+=("$o")
				done
			fi
			local bad=() o2
			for o2 in "${changed[@]}"; do
				[[ " $SC_NOTRACE_CHANGES " == *" $o2 "* ]] || bad+=("$o2")
			done
			if ((${#bad[@]})); then
				say "   FAIL: patch $i/$n changes ${bad[*]} with tracing compiled out"
				fail_bloat+=("$i")
			elif ((${#changed[@]})); then
				say "   ok: only ${changed[*]} changes, on purpose (SC_NOTRACE_CHANGES in lab/lib/series-check.sh says why)"
			else
				say "   ok: no change"
			fi
		done
	fi

	# ---- result
	local verdict=ok status=0 parts=()
	((${#SC_FAIL_CHECKPATCH[@]} == 0)) || parts+=("checkpatch: patch(es) $(join ", " "${SC_FAIL_CHECKPATCH[@]}")")
	((${#fail_build[@]} == 0)) || parts+=("build: patch(es) $(join ", " "${fail_build[@]}")")
	[[ -z $fail_infra ]] || parts+=("build: the series could not be built (see above)")
	((${#fail_bloat[@]} == 0)) ||
		parts+=("bloat-o-meter: patch(es) $(join ", " "${fail_bloat[@]}") change objects with CONFIG_TRACING=n")
	if ((${#parts[@]})); then
		verdict="FAIL ($(join "; " "${parts[@]}"))"
		status=1
		SC_RC=1
	fi
	say ""
	say "result: $SC_LABEL: $verdict"
	echo "$status" >"$SC_OUT/status"
	rm -rf "$SC_TMP"
	rm -rf "$out"
	mv "$SC_OUT" "$out"
	drop_lock "check-tree-$tree"
	prune_cache "$CACHE/check" "$SC_NAME"
	msg "series-check: $SC_LABEL: done in $((SECONDS - t0)) s: $out/report.txt"
}

cmd_series_check() {
	local force='' want=() s first=1
	while (($#)); do
		case $1 in
		-h | --help) usage_series_check; exit 0 ;;
		--force) force=1 ;;
		-*) usage_series_check >&2; die "series-check: unknown option $1" ;;
		*) want+=("$1") ;;
		esac
		shift
	done
	((${#want[@]})) || mapfile -t want < <(default_series)
	# every name checked before the first (long) check
	for s in "${want[@]}"; do
		series_resolve "$s"
		series_kernel "$SC_REL"
	done
	SC_RC=0
	for s in "${want[@]}"; do
		[[ -n $first ]] || echo
		first=''
		check_series "$s" "$force"
	done
	exit "$SC_RC"
}
