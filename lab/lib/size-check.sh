# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lab/lib/size-check.sh - `lab/lab size-check`: does the tracepoint patch
# cost anything when tracing is compiled out? Builds mm/rmap.o and mm/ksm.o
# of VERSION-stock and VERSION-traced with kernel/config/notrace.config on
# top of their fragments and compares the sizes. Sourced by lab/lab at its
# top level.

usage_size_check() {
	cat <<EOF
usage: lab/lab size-check [VERSION]

Build mm/rmap.o and mm/ksm.o with tracing compiled out (the kernel's
fragments + notrace.config: CONFIG_TRACING and CONFIG_TRACEPOINTS unset) for
VERSION-stock and for VERSION-traced, the tree with only the tracepoint
patch (VERSION: 6.12, the default, or another version of lab/kernels with
both kernels, e.g. 7.3). Prints their sizes and fails (exit 1) if the .text
of either object differs.
EOF
}

# size_objects KERNEL: build (or find cached) notrace rmap.o and ksm.o; sets SIZE_DIR.
size_objects() {
	local k key obj log out t0=$SECONDS o
	select_kernel "$1"
	k=$KERNEL
	source_ready
	FRAGMENTS+=("$CONFIG_DIR/notrace.config")
	compiler_id >/dev/null
	key=$(hash_inputs size-check "${FRAGMENTS[@]}" -- "${PATCHES[@]}" | sha_of)
	out=$CACHE/size/$k-${key:0:16}
	SIZE_DIR=$out
	[[ -f $out/rmap.o && -f $out/ksm.o ]] && return 0
	take_lock "kernel-$k"
	if [[ -f $out/rmap.o && -f $out/ksm.o ]]; then
		drop_lock "kernel-$k"
		return 0
	fi
	need_build_packages
	msg "size-check: $k: building mm/rmap.o and mm/ksm.o without tracing"
	take_lock "tree-${K_TREE[$k]}"
	prepare_tree "$k" "${PATCHES[@]}"
	obj=$CACHE/work/${K_TREE[$k]}/obj-notrace
	mkdir -p "$CACHE/logs"
	log=$CACHE/logs/size-$k-${key:0:16}.log
	configure "$k" "$TREE" "$obj" "${FRAGMENTS[@]}"
	for o in CONFIG_TRACING CONFIG_TRACEPOINTS; do
		if grep -q "^$o=y" "$obj/.config"; then
			die "size-check: $k: $o=y although notrace.config unsets it ($obj/.config)"
		fi
	done
	run_make "$k" "$obj" "$log" "" mm/rmap.o mm/ksm.o
	rm -rf "$out.tmp"
	mkdir -p "$out.tmp"
	cp "$obj/mm/rmap.o" "$obj/mm/ksm.o" "$obj/.config" "$out.tmp/"
	rm -rf "$out"
	mv "$out.tmp" "$out"
	drop_lock "tree-${K_TREE[$k]}"
	drop_lock "kernel-$k"
	msg "size-check: $k: done in $((SECONDS - t0)) s"
}

section_size() {
	size -A "$1" | awk -v s="$2" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }'
}

cmd_size_check() {
	local version=6.12
	case ${1:-} in
	-h | --help) usage_size_check; exit 0 ;;
	"") ;;
	-*) usage_size_check >&2; die "size-check: unknown option $1" ;;
	*) version=$1 ;;
	esac
	(($# <= 1)) || die "size-check: unexpected argument $2"
	[[ -n ${K_TREE[$version-stock]:-} && -n ${K_TREE[$version-traced]:-} ]] ||
		die "size-check: lab/kernels has no $version-stock and $version-traced"
	local stock_dir traced_dir obj a b rc=0 sec
	size_objects "$version-stock"
	stock_dir=$SIZE_DIR
	size_objects "$version-traced"
	traced_dir=$SIZE_DIR
	echo "size-check: $SRC_PKG $PKG_VERSION (Linux $LINUX_VERSION), $(fragment_names " + "):" \
		"CONFIG_TRACING and CONFIG_TRACEPOINTS not set"
	echo "traced = stock + $(basename "${PATCHES[0]}")"
	(cd "$CACHE/size" && size "${stock_dir##*/}/rmap.o" "${traced_dir##*/}/rmap.o" \
		"${stock_dir##*/}/ksm.o" "${traced_dir##*/}/ksm.o") |
		sed -E 's#[^[:space:]]*-(stock|traced)-[0-9a-f]{16}/#\1 mm/#'
	for obj in rmap.o ksm.o; do
		a=$(section_size "$stock_dir/$obj" .text)
		b=$(section_size "$traced_dir/$obj" .text)
		if [[ $a == "$b" ]]; then
			echo "mm/$obj .text: stock $a, traced $b: same"
		else
			echo "mm/$obj .text: stock $a, traced $b: DIFFERS by $((b - a)) bytes"
			rc=1
		fi
		for sec in $(size -A "$stock_dir/$obj" "$traced_dir/$obj" | awk '$1 ~ /^\./ { print $1 }' | sort -u); do
			[[ $sec == .text ]] && continue
			a=$(section_size "$stock_dir/$obj" "$sec")
			b=$(section_size "$traced_dir/$obj" "$sec")
			[[ $a == "$b" ]] || echo "  note: mm/$obj $sec: stock $a, traced $b"
		done
	done
	if ((rc)); then
		echo "size-check: FAIL: the tracepoint patch changes .text with tracing compiled out"
	else
		echo "size-check: OK: .text of mm/rmap.o and mm/ksm.o is the same"
	fi
	exit $rc
}

