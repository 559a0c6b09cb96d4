#!/bin/bash
# exit.sh: the machine's exit delivers what the program sent and ends
# its connections, as Linux's exit does (tests/programs/sendexit, which
# returns from main without closing anything):
#  - in the sim on a TAP interface inside a namespace of our own: a peer
#    gets every byte the program sent before main returned, then EOF,
#    whether the program connected or accepted; a thread that waits in
#    accept() meanwhile never sees its socket fail (the exit stops the
#    program's other threads before it closes their sockets); a peer
#    that stops reading holds the exit exit_linger= seconds and no
#    longer; exit_linger=0 does not wait; a bad exit_linger= is refused;
#    a stop from the host (SIGTERM) ends the connections too; datagrams
#    sent just before the exit arrive;
#  - the same natively, on QEMU's microvm with virtio-net on the TAP,
#    where a datagram may wait for ARP and for the NIC when the exit
#    comes.
# Cases skip, saying why, when root or a tool is missing; they fail when
# the program is not built or the namespace cannot be set up.
. "$srcdir/tests/tap.sh"
plan 10

ns=toro-exit-$$
BG_TIMEOUT=60
. "$srcdir/tests/net/netns.sh"
prog=out/tests/sim/sendexit
ip=192.168.93.2
host=192.168.93.1
BYTES=4194304

if [ ! -x "$prog" ]; then
	fail_n 10 "tests/programs/sendexit is not built"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! have ip || [ ! -c /dev/net/tun ] ||
    ! have python3; then
	skip_n 10 "needs root, ip, python3 and /dev/net/tun"
	exit 0
fi
tap_up 10 192.168.93

# peer listen|connect|noread|udp HOST PORT: listen (or connect) and read
# to EOF; says "got N pattern ok|bad eof".  noread accepts with a small
# receive buffer and never reads.  udp counts the datagrams until none
# came for a second: "got N datagrams".
peer() {
	python3 - "$@" <<'EOF'
import socket, sys, time
mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((host, port))
    s.settimeout(60)
    print("listening", flush=True)
    n = 0
    try:
        while True:
            s.recvfrom(2048)
            n += 1
            s.settimeout(1)
    except socket.timeout:
        pass
    print("got", n, "datagrams", flush=True)
    sys.exit(0)
if mode == "connect":
    for i in range(100):
        try:
            s = socket.create_connection((host, port), timeout=30)
            break
        except OSError:
            time.sleep(0.1)
else:
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if mode == "noread":
        l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    l.bind((host, port))
    l.listen(1)
    print("listening", flush=True)
    s, _ = l.accept()
    s.settimeout(30)
    if mode == "noread":
        time.sleep(60)
        sys.exit(0)
got = bytearray()
while True:
    b = s.recv(1 << 20)
    if not b:
        break
    got += b
ok = got == bytes(i % 251 for i in range(len(got)))
print("got", len(got), "pattern", "ok" if ok else "bad", "eof", flush=True)
EOF
}
ns_peer() { in_ns bash -c "$(declare -f peer); peer $*"; }

# A peer in the background, its output in $tmp/peer.out, listening.
# The file is emptied first, so the last peer's words do not count.
peer_bg() {
	: >"$tmp/peer.out"
	ns_peer "$@" >>"$tmp/peer.out" 2>&1 &
	pids+=($!)
	wait_for "$tmp/peer.out" listening
}
# run OUT ARGS...: the sim in the namespace, to its end; its status in
# $status, its time in ms in $ms.
run() {
	local out=$1 t0
	shift
	t0=$(date +%s%N)
	status=0
	in_ns timeout 60 "$prog" --cpus 2 --net tap:tap0 -- ip=$ip/24 "$@" \
	    >"$out" 2>&1 || status=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
}
# got_all OUT: the program sent $BYTES, ended with 0, and the peer got
# them all and then EOF.
got_all() {
	wait_for "$tmp/peer.out" "eof" 100 &&
	    grep -q "got $BYTES pattern ok eof" "$tmp/peer.out" &&
	    grep -q "sent $BYTES" "$1" && [ "$status" -eq 0 ] && return 0
	note <"$1"
	note <"$tmp/peer.out"
	echo "status $status" | note
	return 1
}

peer_bg listen $host 9000
run "$tmp/connect.out" connect $host 9000 $BYTES
check "sim: 4 MiB sent, main returns: the peer gets every byte, then EOF" \
    got_all "$tmp/connect.out"

in_ns timeout 60 "$prog" --cpus 2 --net tap:tap0 -- ip=$ip/24 \
    serve 9001 $BYTES >"$tmp/serve.out" 2>&1 &
srv=$!
pids+=($srv)
wait_for "$tmp/serve.out" listening
ns_peer connect $ip 9001 >"$tmp/peer.out" 2>&1
status=0
wait $srv || status=$?
# served: got_all, and the other thread's accept() never failed.
served() {
	got_all "$1" || return 1
	! grep -q "accept failed" "$1" && return 0
	note <"$1"
	return 1
}
check "sim: accepted, 4 MiB, main returns while a thread waits in accept(): every byte, then EOF; that accept() never fails" \
    served "$tmp/serve.out"

peer_bg noread $host 9002
run "$tmp/stuck.out" exit_linger=3 stuck $host 9002
if [ "$status" -eq 0 ] && [ "$ms" -ge 3000 ] && [ "$ms" -lt 10000 ]; then
	ok "sim: a peer that stops reading holds the exit exit_linger=3 s," \
	    "and no longer ($ms ms)"
else
	note <"$tmp/stuck.out"
	fail "sim: a peer that stops reading holds the exit exit_linger=3 s," \
	    "and no longer ($ms ms, status $status)"
fi

peer_bg noread $host 9003
run "$tmp/stuck0.out" exit_linger=0 stuck $host 9003
if [ "$status" -eq 0 ] && [ "$ms" -lt 3000 ]; then
	ok "sim: exit_linger=0: the same exit does not wait ($ms ms)"
else
	note <"$tmp/stuck0.out"
	fail "sim: exit_linger=0: the same exit does not wait ($ms ms," \
	    "status $status)"
fi

run "$tmp/bad.out" exit_linger=soon connect $host 9004
if [ "$status" -ne 0 ] &&
    grep -q "exit_linger=soon: want seconds" "$tmp/bad.out"; then
	ok "sim: exit_linger=soon is refused, saying why"
else
	note <"$tmp/bad.out"
	fail "sim: exit_linger=soon is refused, saying why (status $status)"
fi

# all_datagrams N OUT: the program ended with 0 and the peer got N.
all_datagrams() {
	[ "$status" -eq 0 ] &&
	    wait_for "$tmp/peer.out" "got $1 datagrams" 50 && return 0
	note <"$2"
	note <"$tmp/peer.out"
	return 1
}
peer_bg udp $host 9010
run "$tmp/udp.out" udp $host 9010 50
check "sim: 50 datagrams sent, main returns: all of them arrive" \
    all_datagrams 50 "$tmp/udp.out"


peer_bg listen $host 9005
bg_ns hold "$tmp/hold.out" "$prog" --cpus 2 --net tap:tap0 -- \
    ip=$ip/24 hold $host 9005
wait_for "$tmp/hold.out" holding
stop hold
if wait_for "$tmp/peer.out" "got 0 pattern ok eof" 50 &&
    grep -q "stopped by the host" "$tmp/hold.out"; then
	ok "sim: stopped by the host (SIGTERM): the peer sees EOF"
else
	note <"$tmp/hold.out"
	fail "sim: stopped by the host (SIGTERM): the peer sees EOF"
fi

# Natively: microvm, virtio-net on the same TAP, 2 CPUs.
if ! have qemu-system-x86_64 || [ ! -f out/tests/native/sendexit.elf ]; then
	skip_n 3 "native: qemu-system-x86_64 or the native image is missing"
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"
native() {
	status=0
	# shellcheck disable=SC2046
	in_ns timeout 120 qemu-system-x86_64 $(toro_qemu_args microvm 2 256) \
	    $(toro_qemu_net microvm tap:tap0) \
	    -kernel "$(toro_qemu_kernel microvm out/tests/native/sendexit.elf)" \
	    -append "ip=$ip/24 $*" </dev/null >"$tmp/native.out" 2>&1 ||
	    status=$?
	status=$(toro_qemu_status "$status" "$tmp/native.out")
}
in_ns ip neigh flush dev tap0
peer_bg listen $host 9006
native connect $host 9006 $BYTES
check "microvm: 4 MiB sent, main returns: the peer gets every byte, then EOF" \
    got_all "$tmp/native.out"

# The host forgets our address first, so the first datagram waits for ARP.
in_ns ip neigh flush dev tap0
peer_bg udp $host 9011
native udp $host 9011 20
check "microvm: 20 datagrams sent, main returns: all of them arrive" \
    all_datagrams 20 "$tmp/native.out"


in_ns ip neigh flush dev tap0
peer_bg noread $host 9007
t0=$(date +%s%N)
native exit_linger=0 stuck $host 9007
ms=$((($(date +%s%N) - t0) / 1000000))
t0=$(date +%s%N)
peer_bg noread $host 9008
native exit_linger=2 stuck $host 9008
ms2=$((($(date +%s%N) - t0) / 1000000))
if [ "$status" -eq 0 ] && [ $((ms2 - ms)) -ge 1500 ] &&
    [ $((ms2 - ms)) -lt 10000 ]; then
	ok "microvm: a peer that stops reading holds the exit exit_linger=2" \
	    "s, and no longer ($ms2 ms against $ms ms with 0)"
else
	note <"$tmp/native.out"
	fail "microvm: a peer that stops reading holds the exit" \
	    "exit_linger=2 s, and no longer ($ms2 ms against $ms ms with 0," \
	    "status $status)"
fi
