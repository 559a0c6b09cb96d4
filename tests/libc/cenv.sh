#!/bin/bash
# cenv.sh: the C environment (libc/) on both targets.
#
# The program of issue 11 (examples/myapp), unchanged, prints the same
# line in the simulator and under QEMU; tests/programs/cenv (stdio,
# stdlib, time, files and folders on a FAT16 disk, tmpfile and unlink of
# open files, root's ids, signals, pthreads on two CPUs, TCP and UDP sockets over the
# stack's loopback, constructors, the environment from the command line,
# its last line flushed by exit(), then a destructor's) passes on both,
# what it wrote is on the disk for mtools to read, and nothing hidden is
# left there; a program that uses only the C library
# (tests/libc/onlylibc) boots the kernel; a program calling what Toro lacks (vfork, the calls
# that only start a command, a made-up function) or with a thread-local
# variable fails to link for both targets, naming it, while fork, execv,
# waitpid and pthread_cancel link and fail when called;
# the simulator's pre-linked object leaves nothing global but the
# kernel's side of the HAL and main; and no part of the C library enters
# a kernel by itself (no syscall instruction, no %fs).
. "$srcdir/tests/tap.sh"
plan 28

need=""
for c in qemu-system-x86_64 mformat mcopy mtype mdir fsck.fat objdump nm; do
	command -v "$c" >/dev/null || need="$need $c"
done
if [ -n "$need" ]; then
	for i in $(seq 28); do skip "not installed:$need"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
line="n=42 pi=3.142 len=13"

# The issue's program: the same line on both targets, argv from the
# kernel's command line.
timeout 60 out/sim/myapp --net none >"$tmp/sim" 2>&1
s=$?
check "sim: myapp prints '$line' and exits with 0" \
    bash -c "[ $s -eq 0 ] && grep -qx '$line' '$tmp/sim'"
timeout 60 out/sim/myapp --net none -- 7 >"$tmp/sim7" 2>&1
check "sim: myapp takes argv from the kernel's command line" \
    grep -qx "n=7 pi=3.142 len=12" "$tmp/sim7"
s=0
toro_qemu_boot "$tmp/mvm" microvm 1 out/native/myapp.elf "" || s=$?
check "microvm: myapp prints the sim's line and exits with 0" \
    bash -c "[ $s -eq 0 ] && grep -qx '$line' '$tmp/mvm'"
s=0
toro_qemu_boot "$tmp/pc" pc 1 out/native/myapp.elf "7" || s=$?
check "pc (Multiboot): myapp takes argv from the command line" \
    bash -c "[ $s -eq 0 ] && grep -qx 'n=7 pi=3.142 len=12' '$tmp/pc'"

# A FAT16 image holding /in.txt.
mkimage() {
	rm -f "$1"
	truncate -s 32M "$1" &&
	    mformat -i "$1" -T 65536 -h 64 -s 32 -c 8 :: &&
	    printf 'first line\nsecond one\n' >"$tmp/in.txt" &&
	    mcopy -i "$1" "$tmp/in.txt" ::in.txt
}
# ...and nothing of the files unlinked while open, nor of a tmpfile left
# open at exit, is left.
wrote() {
	mtype -i "$1" ::out.txt >"$tmp/outtxt" 2>&1 &&
	    grep -qx "written by cenv: 7 0.50" "$tmp/outtxt" &&
	    mdir -i "$1" -a :: >"$tmp/mdir" 2>&1 &&
	    ! grep -qiE "toro-|gone" "$tmp/mdir" &&
	    fsck.fat -n "$1" >"$tmp/fsck" 2>&1 ||
	    { note <"$tmp/outtxt"; note <"$tmp/mdir"; note <"$tmp/fsck"
	    return 1; }
}
results() { grep -aE '^(PASS|FAIL) ' "$1"; }

mkimage "$tmp/sim.img"
# User networking: a NIC for the stack, whose loopback the sockets use;
# nothing is forwarded and nothing leaves the machine.
timeout 120 out/tests/sim/cenv --cpus 2 --net user --disk "$tmp/sim.img" \
    -- CENV_WORD=hello "CENV_TWO=a b" idle=halt >"$tmp/csim" 2>&1
s=$?
check "sim: cenv passes every case, argv[0] is the kernel's" \
    bash -c "[ $s -eq 0 ] && grep -aqx 'cenv: 0 failed' '$tmp/csim' &&
	grep -aqx 'argv\\[0\\]=toro argc=1' '$tmp/csim'"
[ $s -eq 0 ] || note <"$tmp/csim"
check "sim: cenv ran its 64 cases" test "$(results "$tmp/csim" | wc -l)" -eq 64
check "sim: what fwrite wrote is on the disk, and the disk is clean" \
    wrote "$tmp/sim.img"

mkimage "$tmp/native.img"
s=0
# shellcheck disable=SC2046
toro_qemu_boot "$tmp/cnat" microvm 2 out/tests/native/cenv.elf \
    'CENV_WORD=hello CENV_TWO="a b" idle=halt' \
    $(toro_qemu_disk microvm "$tmp/native.img") -netdev user,id=n0 \
    $(toro_qemu_nic microvm n0) || s=$?
check "microvm, 2 CPUs: cenv passes every case" \
    bash -c "[ $s -eq 0 ] && grep -aqx 'cenv: 0 failed' '$tmp/cnat'"
[ $s -eq 0 ] || note <"$tmp/cnat"
check "microvm: the same results as the sim" \
    cmp -s <(results "$tmp/csim") <(results "$tmp/cnat")
check "microvm: what fwrite wrote is on the disk" wrote "$tmp/native.img"
# The destructor's line comes last, after main's, which exit() flushed.
dtor() {
	[ "$(tail -n 2 "$1" | tr -d '\r')" = "cenv: 0 failed
cenv: destructor ran" ] || { tail -n 3 "$1" | note; return 1; }
}
check "sim and microvm: the destructor ran after main, in exit()" \
    eval 'dtor "$tmp/csim" && dtor "$tmp/cnat"'
check "sim and microvm: a NUL byte written to the console arrives" \
    bash -c "grep -qaP 'nul<\\x00>end' '$tmp/csim' &&
	grep -qaP 'nul<\\x00>end' '$tmp/cnat'"

# Isolation: what Toro lacks does not link, on either target.
CC=${CC:-cc}
musl=${TORO_CACHE:-out}/musl
gccinc=$($CC -print-file-name=include)
compile() {
	$CC -nostdinc -isystem "$srcdir/libc/include" \
	    -isystem "$musl"/include -isystem "$gccinc" \
	    -I"$srcdir/include" "$@" 2>"$tmp/cc"
}
simlink() {
	sh "$srcdir/libc/prelink.sh" "$2" libhal-sim.a "$1" libtoroc.a \
	    "$musl"/lib/libc.a libcore-host.a \
	    "$($CC -print-libgcc-file-name)" >"$tmp/link" 2>&1
}
natlink() {
	$CC -nostdlib -static -no-pie -Wl,-T,"$srcdir/hal/native/kernel.ld" \
	    -o "$2" "$1" -Wl,--wrap=main -Wl,--start-group libtoroc.a \
	    "$musl"/lib/libc.a libcore-native.a libhal-native.a -lgcc \
	    -Wl,--end-group >"$tmp/link" 2>&1
}
refused() { # LINKER OBJECT NAME
	if "$1" "$2" "$tmp/out"; then
		echo "# linked" ; return 1
	fi
	grep -q "$3" "$tmp/link" || { note <"$tmp/link"; return 1; }
}
compile -c -o "$tmp/vfork.o" "$srcdir/tests/libc/nolink.c"
compile -DMADE_UP -c -o "$tmp/madeup.o" "$srcdir/tests/libc/nolink.c"
check "sim: calling vfork fails to link, naming it" \
    refused simlink "$tmp/vfork.o" "Toro does not provide:.* vfork"
check "sim: calling a function no library has fails to link" \
    refused simlink "$tmp/madeup.o" "Toro does not provide:.* toro_lacks_this"
check "native: calling vfork fails to link" \
    refused natlink "$tmp/vfork.o" "undefined reference to .vfork'"
check "native: calling a function no library has fails to link" \
    refused natlink "$tmp/madeup.o" "undefined reference to .toro_lacks_this'"
compile -DTLS -c -o "$tmp/tls.o" "$srcdir/tests/libc/nolink.c"
check "sim: a thread-local variable fails to link" \
    refused simlink "$tmp/tls.o" "thread-local variables"
check "native: a thread-local variable fails to link" \
    refused natlink "$tmp/tls.o" "thread-local variables"
# The calls that only start a command are absent too, not ENOSYS.
# (system() stays: it is standard C, and system(NULL) says there is no
# command processor; libc/process.c.)
processes() { # sim|native
	local call name ok=0
	for call in 'popen("x", "r")' 'daemon(0, 0)' \
	    'posix_spawn(NULL, "/x", NULL, NULL, argv, NULL)'; do
		name=${call%%(*}
		compile "-DCALL=$call" -include spawn.h -c -o "$tmp/$name.o" \
		    "$srcdir/tests/libc/nolink.c" || { note <"$tmp/cc"; return 1; }
		if [ "$1" = sim ]; then
			refused simlink "$tmp/$name.o" \
			    "Toro does not provide:.* $name" || ok=1
		else
			refused natlink "$tmp/$name.o" \
			    "undefined reference to .$name'" || ok=1
		fi
	done
	return $ok
}
check "sim: popen, posix_spawn, daemon fail to link, named" \
    processes sim
check "native: popen, posix_spawn, daemon fail to link, named" \
    processes native
# fork, execv, waitpid and pthread_cancel link (servers name them for
# what their configuration turns off) and fail when called: ENOSYS (38)
# but a wait, ECHILD (10): there is no child (libc/process.c).
compile -DPROCS -c -o "$tmp/procs.o" "$srcdir/tests/libc/nolink.c"
check "sim: fork, execv, waitpid, pthread_cancel link" \
    simlink "$tmp/procs.o" "$tmp/procs.sim.o"
procs() {
	local want='fork -1 38 execv -1 38 waitpid -1 10 pthread_cancel 38 '

	natlink "$tmp/procs.o" "$tmp/procs.elf" ||
	    { note <"$tmp/link"; return 1; }
	toro_qemu_boot "$tmp/procs.out" pc 1 "$tmp/procs.elf" "" &&
	    tr '\n' ' ' <"$tmp/procs.out" | grep -q "$want" && return 0
	note <"$tmp/procs.out"
	return 1
}
check "pc: fork, execv, pthread_cancel fail (ENOSYS), waitpid (ECHILD)" \
    procs

# A program of the C library only (it names no toro_ function) still
# boots the kernel, in the sim too: argv[0] is the kernel's and the CPUs
# are the machine's.
check "onlylibc calls the C library only" \
    bash -c "! nm -u out/libc/obj/onlylibc/onlylibc.o | grep -q toro_"
timeout 60 out/tests/libc/onlylibc --net none --cpus 3 -- a b \
    >"$tmp/only" 2>&1
check "sim: a C library program boots the kernel (argv[0]=toro, 3 CPUs)" \
    file_has "$tmp/only" '^argv\[0\]=toro argc=3 cpus=3$'
s=0
toro_qemu_boot "$tmp/only.mvm" microvm 2 out/tests/libc/onlylibc.elf "a" ||
    s=$?
check "microvm: the same program, the same kernel (argv[0]=toro, 2 CPUs)" \
    bash -c "[ $s -eq 0 ] &&
	grep -qx 'argv\[0\]=toro argc=2 cpus=2' '$tmp/only.mvm'"

# Only the kernel's side of the HAL (what the simulator calls and the
# kernel library defines) and main stay global in the sim: no name of
# the C library's or the program's.
globals() {
	nm -u libhal-sim.a | awk 'NF == 2 { print $2 }' | sort -u >"$tmp/hal"
	nm -g --defined-only libcore-host.a 2>/dev/null |
	    awk 'NF == 3 { print $3 }' | sort -u | comm -12 - "$tmp/hal" \
	    >"$tmp/kern"
	echo main >>"$tmp/kern"
	nm -g --defined-only out/obj/myapp/sim.o | awk '{ print $NF }' |
	    sort -u | comm -23 - "$(sort -u "$tmp/kern" >"$tmp/k2" &&
	    echo "$tmp/k2")" >"$tmp/glob"
	[ ! -s "$tmp/glob" ] || { note <"$tmp/glob"; return 1; }
	# printf and malloc are the C library's: never exported.
	! nm -g --defined-only out/obj/myapp/sim.o |
	    grep -qwE 'printf|malloc'
}
check "sim: the pre-linked object exports only the kernel's side of the HAL and main" globals
check "sim: the C library's printf is the program's own" \
    bash -c "nm out/sim/myapp | grep -qE ' t printf$'"
entering() {
	objdump -d "$musl"/lib/libc.a libtoroc.a >"$tmp/dis" 2>&1 &&
	    ! grep -E $'\tsyscall|%fs:' "$tmp/dis" >"$tmp/bad" ||
	    { head -20 "$tmp/bad" | note; return 1; }
}
check "no syscall instruction or %fs in musl's libc.a or libtoroc.a" entering
