# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lab/lib/build.sh - from the table of lab/kernels to a cached bzImage: the
# table itself, the Debian source tarball extracted once, the patch series
# applied to a shared work tree, the config fragments merged on tinyconfig,
# make, and the cache entry keyed by a hash of all the inputs.
# Sourced by lab/lab at its top level.

# The table (lab/kernels): names in order, and per name its columns; the
# aliases (stock -> 6.12-stock ...) map to names.
KERNELS=()
declare -A K_TREE=() K_PKG=() K_CONFIG=() K_PATCHES=() K_ALIASES=() ALIAS=()
# Per source package: the suite of the Debian archive it is fetched from
# ("" for a package of the machine's own apt sources). Per tree: whether a
# kernel built in it has patches.
declare -A P_SUITE=() TREE_PATCHED=()

# Set by resolve_kernel: the table name of a kernel name or alias.
KERNEL=
# Set by select_kernel: the kernel's source package and its paths, its
# fragments and patches (full paths, in order).
SRC_PKG=
SRC_SUITE=
TARBALL=
DEB=
PRISTINE=
VERSION_FILE=
FRAGMENTS=()
PATCHES=()
# Set by source_ready; READY remembers them per package, so that one command
# asks dpkg once per package, not once per kernel.
PKG_VERSION=
LINUX_VERSION=
declare -A READY=()

# dwarves: pahole, which turns the DWARF of vmlinux into BTF
BUILD_TOOLS=(bc bison flex libelf-dev libssl-dev cpio xz-utils gcc make dwarves)
# What fetching a package of another suite needs
FETCH_TOOLS=(apt debian-archive-keyring)
ARCHIVE_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# ---------------------------------------------------------------- the table

load_kernels() {
	local name tree src pkg suite config patches aliases extra a n=0 word='[A-Za-z0-9._-]+'
	local series="$word(/$word)*(:[1-9][0-9]*)?"
	[[ -f $TABLE ]] || die "$TABLE not found"
	while read -r name tree src config patches aliases extra; do
		n=$((n + 1))
		[[ -n $name && $name != \#* ]] || continue
		[[ -n $aliases && -z $extra ]] ||
			die "$TABLE:$n: expected 6 columns: name tree source config patches aliases"
		[[ $name =~ ^$word$ && $tree =~ ^$word$ ]] ||
			die "$TABLE:$n: name and tree are single words of A-Z a-z 0-9 . _ -"
		[[ $src =~ ^($word)(@($word))?$ ]] ||
			die "$TABLE:$n: source is PACKAGE or PACKAGE@SUITE, not '$src'"
		pkg=${BASH_REMATCH[1]}
		suite=${BASH_REMATCH[3]}
		[[ $config =~ ^$word(,$word)*$ ]] ||
			die "$TABLE:$n: config is a comma-separated list of fragments, not '$config'"
		[[ $patches == - || $patches =~ ^$series(,$series)*$ ]] ||
			die "$TABLE:$n: patches is - or a comma-separated list of DIR or DIR:N, not '$patches'"
		[[ $aliases == - || $aliases =~ ^$word(,$word)*$ ]] ||
			die "$TABLE:$n: aliases is - or a comma-separated list of names, not '$aliases'"
		[[ -z ${K_TREE[$name]:-} && -z ${ALIAS[$name]:-} ]] ||
			die "$TABLE:$n: kernel $name is listed twice"
		if [[ -n ${P_SUITE[$pkg]+set} && ${P_SUITE[$pkg]} != "$suite" ]]; then
			die "$TABLE:$n: $pkg comes from two places: ${P_SUITE[$pkg]:-apt} and ${suite:-apt}"
		fi
		P_SUITE[$pkg]=$suite
		KERNELS+=("$name")
		K_TREE[$name]=$tree
		K_PKG[$name]=$pkg
		K_CONFIG[$name]=$config
		K_PATCHES[$name]=$patches
		K_ALIASES[$name]=$aliases
		[[ $patches == - ]] || TREE_PATCHED[$tree]=1
	done <"$TABLE"
	((${#KERNELS[@]})) || die "$TABLE lists no kernel"
	for name in "${KERNELS[@]}"; do
		[[ ${K_ALIASES[$name]} != - ]] || continue
		IFS=, read -r -a extra <<<"${K_ALIASES[$name]}"
		for a in "${extra[@]}"; do
			[[ -z ${K_TREE[$a]:-} && -z ${ALIAS[$a]:-} ]] ||
				die "$TABLE: the alias $a of $name is taken by another kernel"
			ALIAS[$a]=$name
		done
	done
	# A work tree is one source tree: every kernel built in it has its package.
	local k j
	for k in "${KERNELS[@]}"; do
		for j in "${KERNELS[@]}"; do
			[[ ${K_TREE[$k]} != "${K_TREE[$j]}" || ${K_PKG[$k]} == "${K_PKG[$j]}" ]] ||
				die "$TABLE: $k and $j share the tree ${K_TREE[$k]} but not the source package"
		done
	done
}

# resolve_kernel NAME: the table name of NAME (a name or an alias) in KERNEL.
resolve_kernel() {
	if [[ -n ${K_TREE[$1]:-} ]]; then
		KERNEL=$1
	elif [[ -n ${ALIAS[$1]:-} ]]; then
		KERNEL=${ALIAS[$1]}
	else
		die "unknown kernel '$1' (one of: ${KERNELS[*]}; aliases: $(alias_list))"
	fi
}

# The aliases, "alias=name" separated by blanks, for messages.
alias_list() {
	local a pairs=()
	for a in "${!ALIAS[@]}"; do
		pairs+=("$a=${ALIAS[$a]}")
	done
	((${#pairs[@]})) || { echo none; return 0; }
	printf '%s\n' "${pairs[@]}" | LC_ALL=C sort | paste -sd' ' -
}

# The source packages of the table, each once, in table order.
table_packages() {
	local k
	for k in "${KERNELS[@]}"; do
		printf '%s\n' "${K_PKG[$k]}"
	done | awk '!seen[$0]++'
}

# describe_kernel KERNEL: its patches, for people.
describe_kernel() {
	local item series n out='' items=()
	[[ ${K_PATCHES[$1]} == - ]] && { echo "no patch"; return 0; }
	IFS=, read -r -a items <<<"${K_PATCHES[$1]}"
	for item in "${items[@]}"; do
		series=kernel/${item%%:*}/series
		n=${item#*:}
		out+=${out:+ + }
		if [[ $item != *:* ]]; then
			out+="all of $series"
		elif ((n == 1)); then
			out+="first patch of $series"
		else
			out+="first $n patches of $series"
		fi
	done
	echo "$out"
}

# set_source PACKAGE: SRC_PKG, SRC_SUITE and the paths of its tarball (or
# for a fetched package, its .deb) and pristine tree.
set_source() {
	SRC_PKG=$1
	SRC_SUITE=${P_SUITE[$1]:-}
	if [[ -n $SRC_SUITE ]]; then
		DEB=$CACHE/src/$SRC_PKG.deb
		TARBALL=$DEB:/usr/src/$SRC_PKG.tar.xz
	else
		DEB=
		TARBALL=/usr/src/$SRC_PKG.tar.xz
	fi
	PRISTINE=$CACHE/src/$SRC_PKG
	VERSION_FILE=$CACHE/src/$SRC_PKG.version
}

# select_kernel KERNEL: the table name (KERNEL), the source (set_source),
# FRAGMENTS and PATCHES of KERNEL, a name or an alias.
select_kernel() {
	local k f
	resolve_kernel "$1"
	k=$KERNEL
	set_source "${K_PKG[$k]}"
	FRAGMENTS=()
	IFS=, read -r -a FRAGMENTS <<<"${K_CONFIG[$k]}"
	for f in "${!FRAGMENTS[@]}"; do
		FRAGMENTS[f]=$CONFIG_DIR/${FRAGMENTS[f]}
		[[ -f ${FRAGMENTS[f]} ]] || die "$k: config fragment ${FRAGMENTS[f]} not found"
	done
	kernel_patches "$k"
}

# fragment_names SEPARATOR: the file names of FRAGMENTS, for messages.
fragment_names() {
	local f out=''
	for f in "${FRAGMENTS[@]}"; do
		out+=${out:+$1}$(basename "$f")
	done
	printf '%s\n' "$out"
}

# ---------------------------------------------------------------- source

makefile_version() {
	awk -F' *= *' '
		$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } $1 == "EXTRAVERSION" { e = $2 }
		END { printf "%s.%s.%s%s\n", v, p, s, e }' "$1/Makefile"
}

# The version of SRC_PKG on this machine: installed (dpkg), or for a
# fetched package, of the .deb in the cache; "" if there is none.
installed_version() {
	if [[ -n $SRC_SUITE ]]; then
		[[ -f $DEB ]] && dpkg-deb -f "$DEB" Version 2>/dev/null
	else
		dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null
	fi || true
}

# The URI of the Debian archive the machine's apt takes its own release
# from (the one serving the suite of VERSION_CODENAME, e.g. bookworm, with
# Origin and Label "Debian"), as apt itself reads it from
# /etc/apt/sources.list and /etc/apt/sources.list.d/*.{list,sources}.
debian_mirror() {
	local codename='' uri
	# shellcheck disable=SC1091 # the machine's, not ours
	codename=$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")
	[[ -n $codename ]] || die "fetch: /etc/os-release names no VERSION_CODENAME: cannot tell the machine's Debian release"
	# shellcheck disable=SC2016 # apt's $(FIELD) syntax, not the shell's
	uri=$(apt-get indextargets --format '$(CODENAME) $(ORIGIN) $(LABEL) $(COMPONENT) $(REPO_URI)' \
		'Created-By: Packages' 2>/dev/null |
		awk -v c="$codename" '$1 == c && $2 == "Debian" && $3 == "Debian" && $4 == "main" { print $5; exit }')
	[[ -n $uri ]] || die "fetch: no Debian archive serving '$codename' main among apt's sources" \
		"(/etc/apt/sources.list, /etc/apt/sources.list.d/), or its lists are not downloaded:" \
		"run apt-get update, or add the Debian mirror for $codename to apt's sources"
	printf '%s\n' "${uri%/}"
}

# fetch_deb: download SRC_PKG from suite SRC_SUITE of the machine's Debian
# mirror into $DEB, with apt and a private sources list, state and cache in
# a temporary folder: the machine's apt configuration and lists are neither
# read for packages nor changed. apt checks the suite's Release signature
# against the Debian archive keyring and the .deb against the signed
# package list. Called with the source lock held.
fetch_deb() {
	local mirror tmp t0=$SECONDS apt out deb
	need_packages "${FETCH_TOOLS[@]}"
	[[ -f $ARCHIVE_KEYRING ]] ||
		die "fetch: $ARCHIVE_KEYRING is missing (apt-get install --reinstall debian-archive-keyring)"
	mirror=$(debian_mirror) || exit 1
	mkdir -p "$CACHE/src"
	tmp=$(mktemp -d "$CACHE/src/.fetch.XXXXXX")
	TEMP_PATHS+=("$tmp")
	mkdir -p "$tmp"/etc/{sources.list.d,preferences.d} "$tmp"/state/lists/partial \
		"$tmp"/cache/archives/partial "$tmp/deb"
	printf 'deb [signed-by=%s] %s %s main\n' "$ARCHIVE_KEYRING" "$mirror" "$SRC_SUITE" \
		>"$tmp/etc/sources.list"
	# apt downloads as the unprivileged _apt user: it must reach the folders
	chmod 755 "$tmp"
	chown _apt "$tmp/deb" 2>/dev/null || true
	apt=(apt-get -q
		-o "Dir::Etc::SourceList=$tmp/etc/sources.list"
		-o "Dir::Etc::SourceParts=$tmp/etc/sources.list.d"
		-o "Dir::Etc::Preferences=$tmp/etc/preferences"
		-o "Dir::Etc::PreferencesParts=$tmp/etc/preferences.d"
		-o "Dir::State=$tmp/state"
		-o "Dir::Cache=$tmp/cache"
		-o "Acquire::Languages=none")
	msg "fetch: $SRC_PKG from $mirror $SRC_SUITE (apt with a private sources list)"
	if ! out=$("${apt[@]}" update 2>&1) || grep -qE '^(E:|W: (GPG|Failed|The repository|An error))' <<<"$out"; then
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		die "fetch: apt-get update of $mirror $SRC_SUITE failed (see above): check the" \
			"network and the mirror; a signature error needs a newer debian-archive-keyring" \
			"(apt-get install debian-archive-keyring)"
	fi
	if ! out=$(cd "$tmp/deb" && "${apt[@]}" download "$SRC_PKG" 2>&1); then
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		die "fetch: apt-get download $SRC_PKG from $mirror $SRC_SUITE failed (see above):" \
			"is $SRC_PKG still in $SRC_SUITE? (lab/kernels names the package and its suite)"
	fi
	deb=("$tmp"/deb/"${SRC_PKG}"_*.deb)
	((${#deb[@]} == 1)) || die "fetch: apt-get download left ${#deb[@]} .deb files for $SRC_PKG in $tmp/deb"
	[[ $(dpkg-deb -f "${deb[0]}" Package 2>/dev/null) == "$SRC_PKG" ]] ||
		die "fetch: ${deb[0]} is not a $SRC_PKG package"
	mv "${deb[0]}" "$DEB.tmp"
	mv "$DEB.tmp" "$DEB"
	rm -rf "$tmp"
	msg "fetch: $SRC_PKG $(dpkg-deb -f "$DEB" Version) in $((SECONDS - t0)) s: $DEB ($(($(stat -c %s "$DEB") / 1048576)) MiB)"
}

# The build tools, and the source package when the machine's apt has it.
need_build_packages() {
	if [[ -n $SRC_SUITE ]]; then
		need_packages "${BUILD_TOOLS[@]}"
	else
		need_packages "$SRC_PKG" "${BUILD_TOOLS[@]}"
	fi
}

# Unpack the source tarball (from /usr/src, or out of the fetched .deb) into
# the folder $1.
unpack_source() {
	if [[ -n $SRC_SUITE ]]; then
		dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - "./usr/src/$SRC_PKG.tar.xz" | tar -xJf - -C "$1"
	else
		tar -xf "$TARBALL" -C "$1"
	fi
}

# Extract the tarball into $PRISTINE (replacing an older version and every
# tree or build derived from it). Called with the source lock held.
extract_source() {
	local version=$1 tmp t0=$SECONDS k
	if [[ -n $SRC_SUITE ]]; then
		[[ -f $DEB ]] || die "$DEB is missing (the next build fetches it again)"
	else
		[[ -f $TARBALL ]] || die "$TARBALL is missing (apt-get install $SRC_PKG)"
	fi
	mkdir -p "$CACHE/src"
	tmp=$(mktemp -d "$CACHE/src/.extract.XXXXXX")
	TEMP_PATHS+=("$tmp")
	msg "extract: $TARBALL ($SRC_PKG $version) into $CACHE/src (about a minute)"
	unpack_source "$tmp" || die "extract: unpacking $TARBALL failed"
	[[ -f $tmp/$SRC_PKG/Makefile ]] || die "extract: $TARBALL has no $SRC_PKG/Makefile"
	if [[ -e $PRISTINE ]]; then
		msg "extract: replacing the old source and everything built from it"
		for k in "${KERNELS[@]}"; do
			[[ ${K_PKG[$k]} != "$SRC_PKG" ]] || rm -rf "${CACHE:?}/work/${K_TREE[$k]}"
		done
		rm -rf "$PRISTINE" "$VERSION_FILE"
	fi
	mv "$tmp/$SRC_PKG" "$PRISTINE"
	rm -rf "$tmp"
	printf '%s %s\n' "$version" "$(makefile_version "$PRISTINE")" >"$VERSION_FILE"
	msg "extract: done in $((SECONDS - t0)) s"
}

# Make sure the pristine tree of SRC_PKG is there and matches the installed
# package; sets PKG_VERSION and LINUX_VERSION.
source_ready() {
	local installed recorded=() mkver
	if [[ -n ${READY[$SRC_PKG]:-} ]]; then
		read -r PKG_VERSION LINUX_VERSION <<<"${READY[$SRC_PKG]}"
		return 0
	fi
	installed=$(installed_version)
	if [[ -f $VERSION_FILE && -f $PRISTINE/Makefile ]]; then
		read -r -a recorded <"$VERSION_FILE"
		if [[ -z $installed || $installed == "${recorded[0]}" ]]; then
			PKG_VERSION=${recorded[0]}
			LINUX_VERSION=${recorded[1]}
			READY[$SRC_PKG]="$PKG_VERSION $LINUX_VERSION"
			return 0
		fi
	fi
	take_lock "source-$SRC_PKG"
	installed=$(installed_version)
	if [[ -n $SRC_SUITE ]]; then
		if [[ -z $installed ]]; then
			fetch_deb
			installed=$(installed_version)
		fi
		[[ -n $installed ]] || die "cannot tell the version of $DEB (dpkg-deb -f failed)"
	else
		if [[ -z $installed || ! -f $TARBALL ]]; then
			need_packages "$SRC_PKG" "${BUILD_TOOLS[@]}"
			installed=$(installed_version)
		fi
		[[ -n $installed ]] || die "cannot tell the version of $SRC_PKG (dpkg-query failed)"
	fi
	if [[ -f $PRISTINE/Makefile && ! -f $VERSION_FILE ]]; then
		# A tree extracted before the lab recorded versions: adopt it if
		# its Makefile matches the package's upstream version.
		mkver=$(makefile_version "$PRISTINE")
		if [[ ${installed%%-*} == "$mkver" ]]; then
			printf '%s %s\n' "$installed" "$mkver" >"$VERSION_FILE"
		fi
	fi
	if [[ -f $VERSION_FILE ]]; then
		read -r -a recorded <"$VERSION_FILE"
	fi
	if [[ ! -f $PRISTINE/Makefile || ${recorded[0]:-} != "$installed" ]]; then
		extract_source "$installed"
		read -r -a recorded <"$VERSION_FILE"
	fi
	drop_lock "source-$SRC_PKG"
	PKG_VERSION=${recorded[0]}
	LINUX_VERSION=${recorded[1]}
	READY[$SRC_PKG]="$PKG_VERSION $LINUX_VERSION"
}

# ---------------------------------------------------------------- patches

# read_series SERIES: the patch files of a quilt series file, in order, into
# SERIES_FILES. Runs in this shell (no fork), so that a broken series stops
# the lab at once.
read_series() {
	local series=$1 dir=${1%/*} line
	SERIES_FILES=()
	[[ -f $series ]] || die "$series not found (the patch series is not there yet?)"
	while read -r line || [[ -n $line ]]; do
		line=${line%%#*}
		read -r line _ <<<"$line" || true
		[[ -n $line ]] || continue
		[[ -f $dir/$line ]] || die "$series lists $line, but $dir/$line does not exist"
		SERIES_FILES+=("$dir/$line")
	done <"$series"
}

# kernel_patches KERNEL: the patch files of KERNEL, in order, into PATCHES.
kernel_patches() {
	local k=$1 item series n items=() list=()
	local SERIES_FILES=()
	PATCHES=()
	[[ ${K_PATCHES[$k]} != - ]] || return 0
	IFS=, read -r -a items <<<"${K_PATCHES[$k]}"
	for item in "${items[@]}"; do
		series=$KDIR/${item%%:*}/series
		[[ -f $series ]] || die "$series not found: $k needs that patch series"
		read_series "$series"
		list=("${SERIES_FILES[@]}")
		((${#list[@]})) || die "$series lists no patch"
		if [[ $item == *:* ]]; then
			n=${item#*:}
			((n <= ${#list[@]})) ||
				die "$TABLE: $k takes $n patches of $series, which lists ${#list[@]}"
			list=("${list[@]:0:n}")
		fi
		PATCHES+=("${list[@]}")
	done
}

# Paths (relative to the tree) that the patches create, change or delete:
# every "--- a/x" line directly followed by a "+++ b/y" line.
patch_targets() {
	awk '
		prev ~ /^--- / && /^\+\+\+ / {
			old = substr(prev, 5); new = substr($0, 5)
			sub(/\t.*/, "", old); sub(/\t.*/, "", new)
			f = (new == "/dev/null") ? old : new
			if (f !~ /\//) { print "BAD " f; next }
			sub(/^[^\/]*\//, "", f)
			print f
		}
		{ prev = $0 }' "$@" | LC_ALL=C sort -u
}

# ---------------------------------------------------------------- hashes

# The toolchain: the compiler's first line of --version and pahole's version
# (pahole makes the BTF), asked once per command.
COMPILER_ID=
compiler_id() {
	if [[ -z $COMPILER_ID ]]; then
		COMPILER_ID="$(gcc --version 2>/dev/null | head -n1 || echo "no gcc"); pahole"
		COMPILER_ID+=" $(pahole --version 2>/dev/null || echo "not installed")"
	fi
	printf '%s\n' "$COMPILER_ID"
}

# hash_inputs KIND FRAGMENT... -- PATCH...: the text every cache key hashes.
# A fragment counts by its file name and content, a patch by its content:
# moving either to another folder keeps the key, and so the cached builds.
# The kernel's name is not part of it: a kernel is what it is built from,
# and renaming it in lab/kernels keeps its key (build_kernel then finds the
# build under the old name).
# It runs in a pipe (a subshell): compiler_id must have run before.
hash_inputs() {
	local kind=$1 f
	shift
	printf 'rmapstat lab recipe %s\n%s\npackage %s %s\ncompiler %s\n' \
		"$RECIPE" "$kind" "$SRC_PKG" "$PKG_VERSION" "$COMPILER_ID"
	while (($#)) && [[ $1 != -- ]]; do
		printf 'fragment %s %s\n' "${1##*/}" "$(wc -c <"$1")"
		cat "$1"
		shift
	done
	(($#)) && shift
	for f in "$@"; do
		printf 'patch %s\n' "$(wc -c <"$f")"
		cat "$f"
	done
}

sha_of() { sha256sum | cut -c1-64; }

# ---------------------------------------------------------------- trees

# prepare_tree KERNEL PATCH...: $CACHE/work/<tree>/src = pristine + patches.
# The kernels of one tree share it, re-patched for each: they differ in a few
# files, so switching from one to another recompiles only what those files
# feed. A kernel without patches builds the pristine tree itself, unless it
# shares its tree with kernels that have patches: then the tree's patched
# files go back to their pristine content, and it too builds incrementally.
# The tree is a hard-link copy of the pristine one. The patches are applied
# to private copies of the files they touch in a scratch dir; a file of the
# tree is then replaced (never written in place, so the pristine tree is
# never written) only where its content differs, so that kbuild recompiles
# what depends on the files that changed and nothing else. Files an earlier
# patch set touched and this one does not go back to their pristine content
# the same way. Sets TREE.
prepare_tree() {
	local k=$1 work pset f p out links scratch
	shift
	work=$CACHE/work/${K_TREE[$k]}
	TREE=$work/src
	if (($# == 0)) && [[ -z ${TREE_PATCHED[${K_TREE[$k]}]:-} ]]; then
		TREE=$PRISTINE
		return 0
	fi
	if (($#)); then
		pset=$(cat "$@" | sha_of)
	else
		pset=$(sha_of </dev/null)	# cat without files would read stdin
	fi
	if [[ -d $TREE && -f $work/applied && $(<"$work/applied") == "$pset" ]]; then
		return 0
	fi
	mkdir -p "$work"
	if [[ ! -d $TREE ]]; then
		msg "$k: link: hard-link copy of the pristine tree"
		rm -rf "$TREE.tmp" "$work/touched" "$work/applied"
		# "/.": copy the tree, also when the cache links to it elsewhere
		mkdir -p "$TREE.tmp"
		cp -al "$PRISTINE/." "$TREE.tmp"
		mv "$TREE.tmp" "$TREE"
	fi
	if [[ -L $TREE || $(readlink -f "$TREE") == "$(readlink -f "$PRISTINE")" ]]; then
		die "$k: $TREE is the pristine tree (a link?): refusing to patch it"
	fi
	local new=() old=() union=()
	(($# == 0)) || mapfile -t new < <(patch_targets "$@")
	for f in "${new[@]}"; do
		[[ $f != BAD* && $f != /* && $f != *..* ]] ||
			die "$k: a patch names a path outside the tree: ${f#BAD }"
	done
	[[ -f $work/touched ]] && mapfile -t old <"$work/touched"
	mapfile -t union < <(printf '%s\n' "${old[@]}" "${new[@]}" | sed '/^$/d' | LC_ALL=C sort -u)
	rm -f "$work/applied"

	scratch=$(mktemp -d "$work/.patch.XXXXXX")
	TEMP_PATHS+=("$scratch")
	for f in "${union[@]}"; do
		if [[ -f $PRISTINE/$f ]]; then
			mkdir -p "$(dirname "$scratch/$f")"
			cp -- "$PRISTINE/$f" "$scratch/$f"
		fi
	done
	local before=()
	for p in "$@"; do
		msg "$k: patch: $(basename "$p")"
		if ! out=$(patch -d "$scratch" -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch \
			--reject-file=- <"$p" 2>&1); then
			printf '%s\n' "$out" | sed 's/^/    /' >&2
			die "$k: patch $p does not apply to $SRC_PKG $PKG_VERSION${before[*]:+ + ${before[*]}}"
		fi
		before+=("$(basename "$p")")
	done
	# Record the union first: an interrupted refresh is redone next time.
	printf '%s\n' "${union[@]}" >"$work/touched"
	for f in "${union[@]}"; do
		if [[ -f $scratch/$f ]]; then
			if [[ -f $TREE/$f ]] && ! [[ $TREE/$f -ef $PRISTINE/$f ]] &&
				cmp -s "$scratch/$f" "$TREE/$f"; then
				continue
			fi
			if [[ $TREE/$f -ef $PRISTINE/$f ]] && cmp -s "$scratch/$f" "$TREE/$f"; then
				continue	# untouched by this set, still the pristine link
			fi
			rm -f -- "$TREE/$f"
			mkdir -p "$(dirname "$TREE/$f")"
			cp -- "$scratch/$f" "$TREE/$f"
		else
			rm -f -- "$TREE/$f"	# created by an earlier set only
		fi
	done
	rm -rf "$scratch"
	for f in "${new[@]}"; do
		[[ -e $TREE/$f ]] || continue
		cmp -s "$TREE/$f" "$PRISTINE/$f" 2>/dev/null && continue
		links=$(stat -c %h "$TREE/$f")
		if ((links != 1)) || [[ $TREE/$f -ef $PRISTINE/$f ]]; then
			die "$k: internal error: patched $f still shares its inode with the pristine tree"
		fi
	done
	printf '%s\n' "${union[@]}" >"$work/touched"
	printf '%s\n' "$pset" >"$work/applied"
}

# ---------------------------------------------------------------- config

# configure KERNEL SRC OBJ FRAGMENT...: tinyconfig, merge the fragments (later
# ones win), olddefconfig; then check every option the fragments set.
configure() {
	local k=$1 src=$2 obj=$3 frag line sym want bad=()
	shift 3
	mkdir -p "$obj"
	make -s -C "$src" O="$obj" tinyconfig >"$obj/config.log" 2>&1 ||
		{ tail -n 20 "$obj/config.log" >&2; die "$k: make tinyconfig failed ($obj/config.log)"; }
	# merge_config.sh writes temporary files into its cwd: run it in $obj.
	(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$@") \
		>>"$obj/config.log" 2>&1 ||
		{ tail -n 20 "$obj/config.log" >&2; die "$k: merge_config.sh failed ($obj/config.log)"; }
	make -s -C "$src" O="$obj" olddefconfig >>"$obj/config.log" 2>&1 ||
		{ tail -n 20 "$obj/config.log" >&2; die "$k: make olddefconfig failed ($obj/config.log)"; }

	declare -A wanted=()
	for frag in "$@"; do
		while read -r line; do
			if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
				wanted[${BASH_REMATCH[1]}]="${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
			elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
				wanted[${BASH_REMATCH[1]}]="unset"
			fi
		done <"$frag"
	done
	local lost=() now
	for sym in "${!wanted[@]}"; do
		want=${wanted[$sym]}
		if [[ $want == unset ]]; then
			if grep -q "^$sym=" "$obj/.config"; then
				bad+=("$sym should be unset but is $(grep "^$sym=" "$obj/.config" | cut -d= -f2)")
				lost+=("$sym")
			fi
		elif ! grep -qxF "$want" "$obj/.config"; then
			now=$(grep -E "^(# )?${sym}[= ]" "$obj/.config") ||
				if grep -rqsE --include='Kconfig*' "^[[:space:]]*(menu)?config ${sym#CONFIG_}[[:space:]]*$" "$src"; then
					now="absent: a dependency is off"
				else
					now="absent: no such option in this Linux"
				fi
			[[ $sym != CONFIG_DEBUG_INFO_BTF ]] || command -v pahole >/dev/null ||
				now+="; pahole is missing (apt-get install dwarves)"
			bad+=("$want was dropped by Kconfig (now: $now)")
			lost+=("$sym")
		fi
	done
	if ((${#bad[@]})); then
		printf '    %s\n' "${bad[@]}" | sort >&2
		die "$k: lost after olddefconfig: $(printf '%s\n' "${lost[@]}" | sort | paste -sd' ' -)." \
			"The fragments $(printf '%s ' "${@##*/}")did not take (a dependency is missing," \
			"or the option does not exist in this Linux): add what it needs to the version's" \
			"fragment of kernel/config/ (lab/kernels names it); $obj/.config is the result"
	fi
}

# ---------------------------------------------------------------- compile

# run_make KERNEL OBJ LOG TARGET...: make with a progress line every 15 s.
run_make() {
	local k=$1 obj=$2 log=$3 steps_hint=$4 t0=$SECONDS last=$SECONDS pid rc steps lastfile
	shift 4
	spawn make -C "$obj" -j"$JOBS" "$@" >"$log" 2>&1 </dev/null
	pid=$SPAWNED
	while alive "$pid"; do
		sleep 1
		if ((SECONDS - last >= 15)); then
			last=$SECONDS
			steps=$(grep -cE '^  [A-Z0-9_]+ ' "$log" || true)
			lastfile=$(grep -E '^  [A-Z0-9_]+ ' "$log" | tail -n1 | sed 's/^ *//; s/  */ /')
			msg "$k: compile: $((SECONDS - t0)) s, ${steps}${steps_hint:+/~$steps_hint} steps, last: $lastfile"
		fi
	done
	rc=0
	wait "$pid" || rc=$?
	forget_child "$pid"
	if ((rc != 0)); then
		{
			echo "---- first errors:"
			grep -E -m8 '(error|Error)[: ]' "$log" || true
			echo "---- last lines:"
			tail -n 25 "$log"
		} | sed 's/^/    /' >&2
		die "$k: make $* failed (exit $rc); full log: $log"
	fi
}

# ---------------------------------------------------------------- kernels

# kernel_key KERNEL: sets KEY and OUT (the cache dir of that kernel build).
# Needs select_kernel and source_ready KERNEL first.
kernel_key() {
	compiler_id >/dev/null
	KEY=$(hash_inputs kernel "${FRAGMENTS[@]}" -- "${PATCHES[@]}" | sha_of)
	OUT=$CACHE/kernels/$1-${KEY:0:16}
}

# The steps of the last build of KERNEL, for progress; for a kernel not
# built before, of the largest build in the cache (a build from scratch).
last_steps() {
	local m=("$CACHE/kernels/$1-"*/manifest)
	if ((${#m[@]})); then
		sed -n 's/^steps=//p' "$(ls -t "${m[@]}" | head -n1)"
		return 0
	fi
	m=("$CACHE"/kernels/*/manifest)
	((${#m[@]})) || return 0
	sed -n 's/^steps=//p' "${m[@]}" | sort -n | tail -n1
}

# adopt_build KERNEL: a build with the same key under another name (the
# kernel was renamed in lab/kernels) becomes OUT, linked, not built again.
adopt_build() {
	local k=$1 d stage
	for d in "$CACHE/kernels/"*-"${KEY:0:16}"; do
		[[ $d != "$OUT" && -f $d/bzImage && -f $d/manifest ]] || continue
		grep -qxF "hash=$KEY" "$d/manifest" || continue
		stage=$CACHE/kernels/.$k-${KEY:0:16}.tmp
		rm -rf "$stage"
		cp -al "$d" "$stage"
		rm -f "$stage/manifest"
		sed "s/^kernel=.*/kernel=$k/" "$d/manifest" >"$stage/manifest"
		rm -rf "$OUT"
		mv "$stage" "$OUT"
		msg "$k: same build as ${d##*/} (renamed?): linked into $OUT"
		return 0
	done
	return 1
}

# prune_cache DIR NAME: keep the 3 newest DIR/NAME-<hash> folders of the
# cache (kernel builds, selftest builds, series-check reports).
prune_cache() {
	local dirs=("$1/$2-"????????????????)
	((${#dirs[@]} > 3)) || return 0
	ls -dt "${dirs[@]}" | tail -n +4 | xargs -r -d '\n' rm -rf
}

# build_kernel KERNEL [quiet]: make sure the bzImage of KERNEL (a name or an
# alias) is in the cache; sets OUT.
build_kernel() {
	local k quiet=${2:-} t0 obj log stage p steps
	select_kernel "$1"
	k=$KERNEL
	source_ready
	kernel_key "$k"
	if [[ -f $OUT/bzImage ]]; then
		[[ -n $quiet ]] || msg "$k: up to date: $OUT/bzImage"
		return 0
	fi
	take_lock "kernel-$k"
	if [[ -f $OUT/bzImage ]] || adopt_build "$k"; then
		drop_lock "kernel-$k"
		[[ -n $quiet ]] || msg "$k: up to date: $OUT/bzImage"
		return 0
	fi
	need_build_packages
	t0=$SECONDS
	msg "$k: building $SRC_PKG $PKG_VERSION (Linux $LINUX_VERSION) with ${#PATCHES[@]} patch(es), make -j$JOBS"
	take_lock "tree-${K_TREE[$k]}"
	prepare_tree "$k" "${PATCHES[@]}"
	obj=$CACHE/work/${K_TREE[$k]}/obj
	mkdir -p "$CACHE/logs"
	log=$CACHE/logs/$k-${KEY:0:16}.log
	msg "$k: config: tinyconfig + $(fragment_names " + ") + olddefconfig"
	configure "$k" "$TREE" "$obj" "${FRAGMENTS[@]}"
	msg "$k: compile: make bzImage (log: $log)"
	run_make "$k" "$obj" "$log" "$(last_steps "$k")" bzImage
	steps=$(grep -cE '^  [A-Z0-9_]+ ' "$log" || true)
	stage=$CACHE/kernels/.$k-${KEY:0:16}.tmp
	rm -rf "$stage"
	mkdir -p "$stage"
	cp "$obj/arch/x86/boot/bzImage" "$stage/bzImage"
	cp "$obj/.config" "$stage/config"
	cp "$log" "$stage/build.log"
	{
		echo "kernel=$k"
		echo "hash=$KEY"
		echo "package=$SRC_PKG $PKG_VERSION${SRC_SUITE:+ ($SRC_SUITE)}"
		echo "linux=$LINUX_VERSION"
		echo "recipe=$RECIPE"
		echo "compiler=$(compiler_id)"
		for p in "${FRAGMENTS[@]}"; do
			echo "config=$(basename "$p") $(sha256sum <"$p" | cut -c1-64)"
		done
		for p in "${PATCHES[@]}"; do
			echo "patch=$(basename "$p") $(sha256sum <"$p" | cut -c1-64)"
		done
		echo "build_seconds=$((SECONDS - t0))"
		echo "vmlinux_bytes=$(stat -c %s "$obj/vmlinux")"
		echo "steps=$steps"
		echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$stage/manifest"
	rm -rf "$OUT"
	mv "$stage" "$OUT"
	prune_cache "$CACHE/kernels" "$k"
	drop_lock "tree-${K_TREE[$k]}"
	drop_lock "kernel-$k"
	msg "$k: built in $((SECONDS - t0)) s: $OUT/bzImage ($(stat -c %s "$OUT/bzImage") bytes)"
}
