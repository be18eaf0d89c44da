# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lab/lib/selftests.sh - `lab/lab selftests`: the kernel's own mm selftests
# (tools/testing/selftests/mm), built from a lab kernel's patched work tree
# as static x86_64 binaries, which run in the guest's busybox initramfs
# without a C library of their own. Sourced by lab/lab at its top level.
#
# The binaries are cached in $CACHE/selftests/<kernel>-<hash>/, the hash made
# like a kernel's (hash_inputs): the source package's version, the patches'
# contents, the compiler, and here also the binaries' names, the versions of
# the static libraries they link (libc6-dev, libnuma-dev) and SELFTESTS_RECIPE.

# The selftests of each work tree of lab/kernels: the kernels they are built
# from by default, the first of the list that lab/kernels has (the tree's
# kernel with every patch of its series, whose selftest patches add cases;
# 7.3-traced stands in for a table without 7.3-fixed), and the binaries,
# paths below tools/testing/selftests. A tree not listed has no selftests.
#   tree  default kernels        binaries
SELFTEST_TABLE=(
	"7.3   7.3-fixed,7.3-traced  mm/rmap"
	"6.12  6.12-fixed            mm/ksm_functional_tests"
)
# Bump when a change here changes what a build produces.
SELFTESTS_RECIPE=1

# Static libraries the binaries link, and the Debian package of each: the
# mm Makefile links every binary with -lrt -lpthread -lm (since glibc 2.34
# all in libc.a) and rmap, migration and ksm_tests with -lnuma.
declare -A SELFTEST_LIBS=([libc.a]=libc6-dev [libnuma.a]=libnuma-dev)

usage_selftests() {
	cat <<EOF
usage: lab/lab selftests [--kernel K] [--list]

Build the kernel's own mm selftests of kernel K's tree as static x86_64
binaries (they run in the guest: lab/lab run --kernel ANY --carry BIN), or
find them in the cache, and print their paths, one a line. The source is
K's work tree with K's patches applied (as lab/lab build applies them), the
uapi headers those of that tree (make headers into a private folder).

What each tree builds (lab/lib/selftests.sh; default: the first kernel of
each list that lab/kernels has):
$(selftest_table_text | sed 's/^/  /')

options:
  --kernel K   build the selftests of K's tree from K (repeatable; default:
               the default kernel of every tree above)
  --list       print KERNEL BINARY PATH for each binary, PATH "-" when it is
               not built yet; build nothing

Cache: $CACHE/selftests/KERNEL-HASH/ (hash: source package version, patches,
compiler, binaries, libc6-dev and libnuma-dev versions). Needs libc6-dev and
libnuma-dev (scripts/install-deps installs them).
EOF
}

# The table for people: tree, default kernels, binaries.
selftest_table_text() {
	local row tree kernels bins
	for row in "${SELFTEST_TABLE[@]}"; do
		read -r tree kernels bins <<<"$row"
		printf 'tree %-5s from %-22s %s\n' "$tree" "${kernels//,/ or }" "${bins//,/ }"
	done
}

# selftest_binaries TREE: the binaries of TREE (tools/testing/selftests/...
# paths) into ST_BINS; returns 1 for a tree without selftests.
selftest_binaries() {
	local row tree kernels bins
	ST_BINS=()
	for row in "${SELFTEST_TABLE[@]}"; do
		read -r tree kernels bins <<<"$row"
		[[ $tree == "$1" ]] || continue
		IFS=, read -r -a ST_BINS <<<"$bins"
		return 0
	done
	return 1
}

# The default kernels, one per tree of the table, in table order.
selftest_defaults() {
	local row tree kernels k list=() found
	for row in "${SELFTEST_TABLE[@]}"; do
		read -r tree kernels _ <<<"$row"
		IFS=, read -r -a list <<<"$kernels"
		found=
		for k in "${list[@]}"; do
			[[ -n ${K_TREE[$k]:-} ]] || continue
			[[ ${K_TREE[$k]} == "$tree" ]] ||
				die "selftests: $k is in tree ${K_TREE[$k]} of $TABLE, lab/lib/selftests.sh lists it for tree $tree"
			found=$k
			break
		done
		[[ -n $found ]] ||
			die "selftests: none of $kernels (lab/lib/selftests.sh, tree $tree) is in $TABLE"
		printf '%s\n' "$found"
	done
}

# The Debian version of a package ("none" when it is not installed).
package_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none
}

# check_selftest_libs: every static library the binaries link is there;
# otherwise the error names the package.
check_selftest_libs() {
	local lib path missing=() pkgs=()
	for lib in "${!SELFTEST_LIBS[@]}"; do
		path=$(gcc -print-file-name="$lib" 2>/dev/null) || path=$lib
		# gcc prints the bare name when it finds no such file
		if [[ $path != /* || ! -f $path ]]; then
			missing+=("$lib")
			pkgs+=("${SELFTEST_LIBS[$lib]}")
		fi
	done
	((${#missing[@]} == 0)) ||
		die "selftests: ${missing[*]} missing (the binaries link static): apt-get install" \
			"${pkgs[*]} (or run scripts/install-deps as root)"
}

# tree_selftests KERNEL: the binaries of KERNEL's tree into ST_BINS, or the
# error that its tree has none.
tree_selftests() {
	selftest_binaries "${K_TREE[$1]}" ||
		die "selftests: $1 is built in tree ${K_TREE[$1]}, for which lab/lib/selftests.sh" \
			"lists no selftests (trees: $(selftest_table_text | awk '{ print $2 }' | paste -sd' ' -))"
}

# selftest_key KERNEL: sets ST_KEY and ST_OUT (the cache folder of KERNEL's
# selftests) and ST_BINS. Needs select_kernel and source_ready first.
selftest_key() {
	local k=$1 lib libs=''
	tree_selftests "$k"
	compiler_id >/dev/null
	for lib in $(printf '%s\n' "${!SELFTEST_LIBS[@]}" | LC_ALL=C sort); do
		libs+=" ${SELFTEST_LIBS[$lib]} $(package_version "${SELFTEST_LIBS[$lib]}")"
	done
	ST_KEY=$(hash_inputs "selftests $SELFTESTS_RECIPE ${ST_BINS[*]};$libs" -- "${PATCHES[@]}" | sha_of)
	ST_OUT=$CACHE/selftests/$k-${ST_KEY:0:16}
}

selftests_built() {
	local b
	for b in "${ST_BINS[@]}"; do
		[[ -x $ST_OUT/${b##*/} ]] || return 1
	done
}

# shadow_tree SRC DST DIR: DST mirrors the tree SRC through symbolic links,
# except that DIR (relative) and its parents are real folders and DIR's
# files real copies. The selftests' Makefile writes into its own folder
# (check_config.sh: local_config.mk, local_config.h_gen); in the shadow it
# writes there, never into the work tree, whose files are hard links to the
# pristine source.
shadow_tree() {
	local src=$1 dst=$2 dir=$3 here='' part e parts=()
	IFS=/ read -r -a parts <<<"$dir"
	mkdir -p "$dst"
	for part in "${parts[@]}"; do
		# links to every entry but PART; those an earlier call made stay
		for e in "$src$here"/* "$src$here"/.[!.]*; do
			[[ ${e##*/} == "$part" || -e $dst$here/${e##*/} || -L $dst$here/${e##*/} ]] ||
				ln -s "$e" "$dst$here/${e##*/}"
		done
		here+=/$part
		[[ -d $src$here ]] || die "selftests: $src$here does not exist"
		# a link an earlier call made (for another folder) becomes a folder
		[[ ! -L $dst$here ]] || rm -- "$dst$here"
		mkdir -p "$dst$here"
	done
	cp -a "$src$here/." "$dst$here/"
}

# build_selftests KERNEL: make sure the selftests of KERNEL are in the
# cache; sets ST_OUT and ST_BINS.
build_selftests() {
	local k t0 scratch log b dir dirs=() logs=()
	select_kernel "$1"
	k=$KERNEL
	source_ready
	selftest_key "$k"
	selftests_built && return 0
	take_lock "selftests-$k"
	if selftests_built; then
		drop_lock "selftests-$k"
		return 0
	fi
	check_selftest_libs
	need_build_packages
	t0=$SECONDS
	msg "selftests: $k: building ${ST_BINS[*]} of $SRC_PKG $PKG_VERSION (Linux $LINUX_VERSION)" \
		"with ${#PATCHES[@]} patch(es), static"
	mkdir -p "$CACHE/selftests" "$CACHE/logs"
	scratch=$(mktemp -d "$CACHE/selftests/.build.XXXXXX")
	TEMP_PATHS+=("$scratch")
	log=$CACHE/logs/selftests-$k-${ST_KEY:0:16}.log
	# The tree is shared with the other kernels of its source package:
	# hold it, patched for this kernel, until the binaries are linked.
	take_lock "tree-${K_TREE[$k]}"
	prepare_tree "$k" "${PATCHES[@]}"
	msg "selftests: $k: make headers (the tree's uapi headers, into $scratch/hdr)"
	run_make "$k" "$TREE" "$log.headers" "" O="$scratch/hdr" headers
	logs=("$log.headers")
	# One make per selftests folder, all its binaries at once.
	declare -A targets=()
	for b in "${ST_BINS[@]}"; do
		[[ -f $TREE/tools/testing/selftests/$b.c ]] ||
			die "selftests: $k: $SRC_PKG $PKG_VERSION has no tools/testing/selftests/$b.c"
		dir=${b%/*}
		if [[ -z ${targets[$dir]:-} ]]; then
			dirs+=("$dir")
			shadow_tree "$TREE" "$scratch/src" "tools/testing/selftests/$dir"
			mkdir -p "$scratch/out/$dir"
		fi
		targets[$dir]+=" $scratch/out/$b"
	done
	for dir in "${dirs[@]}"; do
		msg "selftests: $k: make${targets[$dir]//"$scratch/out/"/} (log: $log)"
		# shellcheck disable=SC2086 # the targets, one word each
		run_make "$k" "$scratch/src/tools/testing/selftests/$dir" "$log.${dir//\//-}" "" \
			OUTPUT="$scratch/out/$dir" KHDR_INCLUDES="-isystem $scratch/hdr/usr/include" \
			USERLDFLAGS=-static ${targets[$dir]}
		logs+=("$log.${dir//\//-}")
	done
	drop_lock "tree-${K_TREE[$k]}"
	cat "${logs[@]}" >"$log"
	rm -f "${logs[@]}"
	mkdir -p "$scratch/stage"
	for b in "${ST_BINS[@]}"; do
		# static: the binary runs as it is in any guest, with no loader or
		# libnuma.so to bring along
		if LC_ALL=C readelf -l "$scratch/out/$b" | grep -q 'program interpreter'; then
			die "selftests: $k: $b is linked dynamically although built with -static ($log)"
		fi
		cp "$scratch/out/$b" "$scratch/stage/"
	done
	cp "$log" "$scratch/stage/build.log"
	{
		echo "kernel=$k"
		echo "hash=$ST_KEY"
		echo "package=$SRC_PKG $PKG_VERSION${SRC_SUITE:+ ($SRC_SUITE)}"
		echo "linux=$LINUX_VERSION"
		echo "recipe=$SELFTESTS_RECIPE"
		echo "compiler=$(compiler_id)"
		for b in $(printf '%s\n' "${!SELFTEST_LIBS[@]}" | LC_ALL=C sort); do
			echo "library=$b ${SELFTEST_LIBS[$b]} $(package_version "${SELFTEST_LIBS[$b]}")"
		done
		for b in "${PATCHES[@]}"; do
			echo "patch=$(basename "$b") $(sha256sum <"$b" | cut -c1-64)"
		done
		for b in "${ST_BINS[@]}"; do
			echo "binary=tools/testing/selftests/$b $(sha256sum <"$scratch/out/$b" | cut -c1-64)"
		done
		echo "build_seconds=$((SECONDS - t0))"
		echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$scratch/stage/manifest"
	rm -rf "$ST_OUT"
	mv "$scratch/stage" "$ST_OUT"
	rm -rf "$scratch"
	prune_cache "$CACHE/selftests" "$k"
	drop_lock "selftests-$k"
	msg "selftests: $k: built in $((SECONDS - t0)) s: $ST_OUT"
}

cmd_selftests() {
	local want=() list_only='' k b
	while (($#)); do
		case $1 in
		--kernel) want+=("${2:?--kernel needs a value}"); shift 2 ;;
		--kernel=*) want+=("${1#*=}"); shift ;;
		--list) list_only=1; shift ;;
		-h | --help) usage_selftests; exit 0 ;;
		*) usage_selftests >&2; die "selftests: unexpected argument $1" ;;
		esac
	done
	((${#want[@]})) || mapfile -t want < <(selftest_defaults)
	# every name checked before the first build
	for k in "${want[@]}"; do
		resolve_kernel "$k"
		tree_selftests "$KERNEL"
	done
	for k in "${want[@]}"; do
		if [[ -n $list_only ]]; then
			select_kernel "$k"
			source_ready
			selftest_key "$KERNEL"
			for b in "${ST_BINS[@]}"; do
				if [[ -x $ST_OUT/${b##*/} ]]; then
					printf '%s %s %s\n' "$KERNEL" "$b" "$ST_OUT/${b##*/}"
				else
					printf '%s %s -\n' "$KERNEL" "$b"
				fi
			done
			continue
		fi
		build_selftests "$k"
		for b in "${ST_BINS[@]}"; do
			printf '%s\n' "$ST_OUT/${b##*/}"
		done
	done
}
