# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lab/lib/vm.sh - `lab/lab run`: boot a lab kernel in QEMU (TCG, 2 vCPUs on
# 2 NUMA nodes) with an initramfs of busybox, lab/guest/init, trace-cmd and
# the programs carried in, run one command there and hand back its output
# and exit status. Sourced by lab/lab at its top level.

RUN_PACKAGES=(busybox-static qemu-system-x86 trace-cmd cpio gzip)

# ---------------------------------------------------------------- initramfs

# Shared libraries and loader of an ELF executable, one absolute path a line.
elf_libs() {
	local file=$1 out
	if ! out=$(ldd "$file" 2>&1); then
		[[ $out == *"not a dynamic executable"* || $out == *"statically linked"* ]] && return 0
		die "ldd $file failed: $out"
	fi
	if grep -q "not found" <<<"$out"; then
		die "$file needs libraries that are not found: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')"
	fi
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out"
}

# stage_exec STAGE FILE: FILE as /usr/bin/<basename>, its libraries at their paths.
stage_exec() {
	local stage=$1 file=$2 lib
	mkdir -p "$stage/usr/bin"
	cp -L "$file" "$stage/usr/bin/$(basename "$file")"
	chmod 755 "$stage/usr/bin/$(basename "$file")"
	while read -r lib; do
		[[ -e $stage$lib ]] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done < <(elf_libs "$file")
}

cpio_gz() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 -n
}

# The part of the initramfs every run shares: busybox, /init, trace-cmd.
# Sets BASE_INITRD.
base_initramfs() {
	local busybox=/bin/busybox tracecmd key stage out applet
	tracecmd=$(command -v trace-cmd) || die "trace-cmd is not installed (apt-get install trace-cmd)"
	[[ -x $busybox ]] || die "$busybox is missing (apt-get install busybox-static)"
	key=$({
		echo "rmapstat lab initramfs $RECIPE"
		cat "$GUEST_DIR/init"
		sha256sum "$busybox" "$tracecmd" $(elf_libs "$tracecmd")
	} | sha_of)
	out=$CACHE/initramfs/base-${key:0:16}.cpio.gz
	BASE_INITRD=$out
	[[ -f $out ]] && return 0
	mkdir -p "$CACHE/initramfs"
	make_temp_dir
	stage=$TEMP_DIR
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,host,.lab,root,etc}
	cp "$busybox" "$stage/bin/busybox"
	while read -r applet; do
		[[ -e $stage/$applet ]] || ln -s /bin/busybox "$stage/$applet"
	done < <("$busybox" --list-full)
	install -m 755 "$GUEST_DIR/init" "$stage/init"
	stage_exec "$stage" "$tracecmd"
	echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
	echo "root:x:0:" >"$stage/etc/group"
	cpio_gz "$stage" >"$out.tmp.$$"
	mv "$out.tmp.$$" "$out"
	local bases=("$CACHE"/initramfs/base-*.cpio.gz)
	((${#bases[@]} <= 3)) || ls -t "${bases[@]}" | tail -n +4 | xargs -r -d '\n' rm -f
}

# ---------------------------------------------------------------- run

usage_run() {
	cat <<EOF
usage: lab/lab run --kernel KERNEL [options] -- CMD [ARG...]
       lab/lab run --kernel KERNEL [options] -- 'SHELL LINE'

Boot KERNEL (${KERNELS[*]}, an alias: $(alias_list),
or a path to a bzImage) in QEMU (TCG, 2 vCPUs, 2 NUMA nodes) and run there
either CMD with its ARGs, each one word as given, or, when a single word
follows --, that word as a line of the guest's shell (busybox sh -c):
  lab/lab run --kernel 7.3-stock -- 'uname -r; ls /sys/kernel/btf'
The command runs in /root (HOME), a tmpfs of the guest that vanishes with
it: files there allow shared writable mmap, which the 9p share refuses
(upstream's migrate.file selftest needs it). Hand files back through the
shared folder, /host, by absolute path (/host/out.dat), or run in /host with
--in-share, where relative paths land in the share. CMD's stdout and stderr come back on this
stdout and stderr; the exit status is CMD's.

options:
  --kernel K          kernel to boot (built first if needed)
  --timeout SEC       kill QEMU after SEC seconds, exit 124 (default 600)
  --share DIR         host folder mounted at /host over 9p (default: a fresh
                      temporary folder, removed afterwards)
  --in-share          run CMD in /host, the shared folder, not in /root
  --carry FILE        copy executable FILE into the guest as /usr/bin/NAME with
                      its shared libraries (repeatable; trace-cmd is always there)
  --mem-per-node MB   memory of each of the 2 NUMA nodes (default 1024)
  --console FILE      save the guest's serial console log to FILE
  --dmesg FILE        save the guest's dmesg (taken after CMD) to FILE
  -v, --verbose       print boot and run times on stderr

exit status: CMD's; 124 on timeout; 125 when the guest gave no status (panic,
crash, boot failure: the console tail is printed).
EOF
}

# elapsed T0 T1: T1 - T0 in seconds with 2 decimals ("?" if unknown).
elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/) print "?"; else printf "%.2f\n", b - a }'
}

# Quote for sh: 'it'\''s'.
sh_quote() {
	local a out=()
	for a in "$@"; do
		out+=("'${a//\'/\'\\\'\'}'")
	done
	printf '%s' "${out[*]}"
}

console_tail() {
	local file=$1
	[[ -s $file ]] || { msg "(the console log is empty)"; return 0; }
	msg "console (last 30 lines of $2):"
	tail -n 30 "$file" | tr -d '\r' | sed 's/^/    /' >&2
}

# Report kernel trouble (BUG, WARNING, oops, panic) found in the guest log.
report_kernel_trouble() {
	local log=$1 lines
	[[ -s $log ]] || return 0
	lines=$(tr -d '\r' <"$log" | grep -E '(BUG:|WARNING:|Oops|Kernel panic|general protection fault|Call Trace:|kernel BUG|RIP:)' | head -n 12) || true
	[[ -n $lines ]] || return 0
	msg "the guest kernel reported problems (full log: --console/--dmesg FILE):"
	printf '%s\n' "$lines" | sed 's/^/    /' >&2
}

cmd_run() {
	local kernel='' timeout=600 share='' mem=1024 console='' dmesg='' verbose='' carry=() cwd=/root
	while (($#)); do
		case $1 in
		--kernel) kernel=${2:?--kernel needs a value}; shift 2 ;;
		--kernel=*) kernel=${1#*=}; shift ;;
		--timeout) timeout=${2:?--timeout needs a value}; shift 2 ;;
		--timeout=*) timeout=${1#*=}; shift ;;
		--share) share=${2:?--share needs a value}; shift 2 ;;
		--share=*) share=${1#*=}; shift ;;
		--in-share) cwd=/host; shift ;;
		--carry) carry+=("${2:?--carry needs a value}"); shift 2 ;;
		--carry=*) carry+=("${1#*=}"); shift ;;
		--mem-per-node) mem=${2:?--mem-per-node needs a value}; shift 2 ;;
		--mem-per-node=*) mem=${1#*=}; shift ;;
		--console) console=${2:?--console needs a value}; shift 2 ;;
		--console=*) console=${1#*=}; shift ;;
		--dmesg) dmesg=${2:?--dmesg needs a value}; shift 2 ;;
		--dmesg=*) dmesg=${1#*=}; shift ;;
		-v | --verbose) verbose=1; shift ;;
		-h | --help) usage_run; exit 0 ;;
		--) shift; break ;;
		-*) usage_run >&2; die "run: unknown option $1" ;;
		*) break ;;
		esac
	done
	(($#)) || { usage_run >&2; die "run: no command given (lab/lab run --kernel K -- CMD ARGS)"; }
	[[ -n $kernel ]] || die "run: --kernel is required (${KERNELS[*]}, an alias, or a bzImage path)"
	if [[ ! $timeout =~ ^[0-9]+$ ]] || ((timeout == 0)); then
		die "run: --timeout must be a positive number of seconds"
	fi
	if [[ ! $mem =~ ^[0-9]+$ ]] || ((mem < 128)); then
		die "run: --mem-per-node must be a number of MB, at least 128"
	fi
	local f
	for f in "${carry[@]}"; do
		[[ -f $f && -x $f ]] || die "run: --carry $f: not an executable file"
	done
	[[ -z $share || -d $share ]] || die "run: --share $share: not a directory"

	need_packages "${RUN_PACKAGES[@]}"
	local bzimage
	if [[ $kernel == */* ]]; then
		bzimage=$(readlink -f "$kernel")
		[[ -f $bzimage ]] || die "run: $kernel: no such bzImage"
	else
		build_kernel "$kernel" quiet
		bzimage=$OUT/bzImage
	fi
	base_initramfs

	local tmp lab initrd stage cl t0=$SECONDS
	make_temp_dir
	tmp=$TEMP_DIR
	lab=$tmp/lab
	mkdir -p "$lab"
	if [[ -z $share ]]; then
		share=$tmp/share
		mkdir -p "$share"
	fi
	share=$(readlink -f "$share")
	# One word: a shell line, as written. More: a command and its arguments,
	# quoted so that the guest's sh -c runs exactly them.
	if (($# == 1)); then
		printf '%s\n' "$1" >"$lab/cmd"
	else
		sh_quote "$@" >"$lab/cmd"
	fi
	printf '%s\n' "$cwd" >"$lab/cwd"
	: >"$lab/stdout"
	: >"$lab/stderr"

	initrd=$tmp/initrd.cpio.gz
	cp "$BASE_INITRD" "$initrd"
	if ((${#carry[@]})); then
		stage=$tmp/carry
		mkdir -p "$stage"
		for f in "${carry[@]}"; do
			stage_exec "$stage" "$f"
		done
		# The kernel unpacks concatenated archives; NULs pad between them.
		truncate -s %4 "$initrd"
		cpio_gz "$stage" >>"$initrd"
	fi

	cl=$tmp/console.log
	local qemu=(
		qemu-system-x86_64
		-machine q35 -accel tcg,thread=multi
		-m $((2 * mem))M -smp 2,sockets=2,cores=1,threads=1
		-object memory-backend-ram,id=m0,"size=${mem}M"
		-object memory-backend-ram,id=m1,"size=${mem}M"
		-numa node,nodeid=0,cpus=0,memdev=m0
		-numa node,nodeid=1,cpus=1,memdev=m1
		-kernel "$bzimage" -initrd "$initrd"
		-append "console=ttyS0 quiet panic=-1"
		-nodefaults -display none -no-reboot
		-chardev "file,id=con,path=${cl//,/,,}" -serial chardev:con
		-monitor none
		-fsdev "local,id=labfs,path=${lab//,/,,},security_model=none"
		-device virtio-9p-pci,fsdev=labfs,mount_tag=labctl
		-fsdev "local,id=hostfs,path=${share//,/,,},security_model=none"
		-device virtio-9p-pci,fsdev=hostfs,mount_tag=hostshare
	)
	spawn "${qemu[@]}" </dev/null >"$tmp/qemu.out" 2>&1
	local qpid=$SPAWNED
	# Stream the command's output while it runs.
	spawn tail -s 0.2 -c +1 -f --pid="$qpid" "$lab/stdout"
	local tout=$SPAWNED
	spawn tail -s 0.2 -c +1 -f --pid="$qpid" "$lab/stderr" >&2
	local terr=$SPAWNED

	local deadline=$((SECONDS + timeout)) timed_out='' t_boot=$EPOCHREALTIME t_cmd=''
	while alive "$qpid"; do
		if ((SECONDS >= deadline)); then
			timed_out=1
			break
		fi
		[[ -n $t_cmd || ! -s $lab/started ]] || t_cmd=$EPOCHREALTIME
		sleep 0.1
	done
	local t_end=$EPOCHREALTIME
	local qrc=0
	if [[ -n $timed_out ]]; then
		kill_group "$qpid"
	else
		wait "$qpid" 2>/dev/null || qrc=$?
		kill_group "$qpid"
	fi
	forget_child "$qpid"
	# tail exits once it sees QEMU gone and has printed the rest.
	local i
	for ((i = 0; i < 50; i++)); do
		alive "$tout" || alive "$terr" || break
		sleep 0.1
	done
	kill_group "$tout"
	kill_group "$terr"
	forget_child "$tout"
	forget_child "$terr"

	[[ -z $console ]] || cp "$cl" "$console"
	[[ -z $dmesg || ! -f $lab/dmesg ]] || cp "$lab/dmesg" "$dmesg"

	if [[ -n $timed_out ]]; then
		console_tail "$cl" "$kernel"
		msg "timeout: the command did not finish within $timeout s on $kernel; QEMU killed"
		exit 124
	fi
	local status=
	[[ -f $lab/status ]] && status=$(<"$lab/status")
	if [[ ! $status =~ ^[0-9]+$ ]]; then
		[[ ! -s $tmp/qemu.out ]] || { msg "QEMU (exit $qrc) said:"; sed 's/^/    /' "$tmp/qemu.out" >&2; }
		console_tail "$cl" "$kernel"
		report_kernel_trouble "$cl"
		msg "the guest reported no exit status (kernel panic, crash or boot failure) on $kernel"
		exit 125
	fi
	report_kernel_trouble "$lab/dmesg"
	if [[ -n $verbose ]]; then
		local started ended
		started=$(cat "$lab/started" 2>/dev/null || echo '?')
		ended=$(cat "$lab/ended" 2>/dev/null || echo '?')
		msg "$kernel: QEMU start to command: $(elapsed "$t_boot" "${t_cmd:-$t_end}") s" \
			"(guest uptime $started s); command: $(elapsed "$started" "$ended") s;" \
			"QEMU start to exit: $(elapsed "$t_boot" "$t_end") s; lab total $((SECONDS - t0)) s; exit $status"
	fi
	exit "$status"
}

