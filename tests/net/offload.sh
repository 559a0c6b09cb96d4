#!/bin/bash
# offload.sh: the NIC's offloads (checksums, TSO, coalesced segments)
# negotiated on both targets and the fallback without them, each judged
# by a large transfer whose SHA-256 must match, over a TAP interface in
# a namespace of our own:
#  - the simulator (IFF_VNET_HDR, TUNSETOFFLOAD): every offload in
#    effect; frames above 1514 bytes in its capture both ways (segments
#    it sent for the host to cut, coalesced ones it took); the TCP echo
#    of 8 MiB; with offload=off none in effect and no such frame; and,
#    started 8 times on the TAP, its first ARP request for the server
#    answered each time (the host drops what it sends on a TAP until it
#    marks it running, and a lost answer cost 1 s);
#  - the native image under QEMU (TCG) on q35 and microvm: the virtio-net
#    features the device offers negotiated; each switched off in turn
#    (csum=off..., mrg_rxbuf=off, everything off) and the driver falls
#    back; offload=off with every feature on (the driver finishes the
#    host's partial checksums, the kernel verifies them); the echo round
#    trip with TSO.
# Cases skip, saying why, when root or a tool is missing; they fail when
# a program is not built or the namespace cannot be set up.
. "$srcdir/tests/tap.sh"
plan 14

ns=toro-off-$$
BG_TIMEOUT=120
. "$srcdir/tests/net/netns.sh"

ip=192.168.79.2
srv=http://192.168.79.1:8000
all="NIC offloads: tx-csum tso4 rx-csum lro"

# fetch_ok OUT FILE: fetch printed FILE's length and SHA-256.
fetch_ok() {
	local sum len
	sum=$(sha256sum <"$2" | cut -d' ' -f1)
	len=$(stat -c %s "$2")
	grep -q "$srv/big 200 OK, $len bytes, sha256 $sum" "$1" && return 0
	note <"$1"
	return 1
}

# big_frames PCAP: how many frames above 1514 bytes went out from the
# guest, and came in to it: "OUT IN".
big_frames() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
mac = bytes.fromhex("525400123456")
off, out, inn = 24, 0, 0
while off + 16 <= len(d):
    cap, orig = struct.unpack_from("<II", d, off + 8)
    f = d[off + 16:off + 16 + cap]
    off += 16 + cap
    if orig > 1514:
        if f[6:12] == mac:
            out += 1
        elif f[0:6] == mac:
            inn += 1
print(out, inn)
EOF
}

# arp_requests PCAP: how many ARP requests the guest sent for another
# address than its own (not its announcement).
arp_requests() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
mac = bytes.fromhex("525400123456")
off, n = 24, 0
while off + 16 <= len(d):
    cap = struct.unpack_from("<I", d, off + 8)[0]
    f = d[off + 16:off + 16 + cap]
    off += 16 + cap
    if (len(f) >= 42 and f[6:12] == mac and f[12:14] == b"\x08\x06" and
            f[20:22] == b"\x00\x01" and f[28:32] != f[38:42]):
        n += 1
print(n)
EOF
}

# echo_sum HOST BYTES: send BYTES random bytes to HOST:7 and compare the
# SHA-256 of what comes back.
echo_sum() {
	python3 - "$@" <<'EOF'
import hashlib, os, socket, sys, threading
host, n = sys.argv[1], int(sys.argv[2])
data = os.urandom(n)
s = socket.create_connection((host, 7), timeout=30)
def send():
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send)
t.start()
h, got = hashlib.sha256(), 0
while True:
    b = s.recv(262144)
    if not b:
        break
    h.update(b)
    got += len(b)
t.join()
if got != n or h.digest() != hashlib.sha256(data).digest():
    print("echo: %d of %d bytes back, SHA-256 %s" % (got, n,
          "matches" if h.digest() == hashlib.sha256(data).digest() else
          "differs"))
    sys.exit(1)
EOF
}

setup() {
	ip netns add "$ns" || return 1
	in_ns ip link set lo up &&
	    in_ns ip tuntap add dev tap0 mode tap &&
	    in_ns ip addr add 192.168.79.1/24 dev tap0 &&
	    in_ns ip link set tap0 up || return 1
	head -c $((32 << 20)) /dev/urandom >"$tmp/big"
	echo small >"$tmp/small"
	bg_ns httpd "$tmp/httpd.out" python3 -m http.server 8000 \
	    --bind 192.168.79.1 --directory "$tmp"
	local i
	for i in $(seq 50); do
		in_ns curl -s -m 1 -o /dev/null $srv/big && return 0
		sleep 0.2
	done
	note <"$tmp/httpd.out"
	return 1
}

sim_cases() {
	local out=$tmp/sim.out pcap=$tmp/sim.pcap n
	in_ns timeout 60 out/sim/fetch --net tap:tap0 --pcap "$pcap" -- \
	    ip=$ip/24 loglevel=info $srv/big >"$out" 2>&1
	check "sim: every offload in effect over TAP" file_has "$out" "$all"
	check "sim: 32 MiB fetched with offloads, SHA-256 right" \
	    fetch_ok "$out" "$tmp/big"
	bg_ns echo "$tmp/echo.out" out/sim/echo --net tap:tap0 --pcap \
	    "$tmp/echo.pcap" -- ip=$ip/24 60
	if wait_for "$tmp/echo.out" "serving port 7 on $ip"; then
		check "sim: TCP echo of 8 MiB with offloads, SHA-256 matches" \
		    in_ns bash -c "$(declare -f echo_sum); echo_sum $ip 8388608"
	else
		fail "sim: TCP echo of 8 MiB with offloads, SHA-256 matches"
	fi
	stop echo
	# Large segments both ways: TSO out (the echo), coalesced in.
	n=$(big_frames "$tmp/echo.pcap")
	echo "$n frames above 1514 bytes out, in" | note
	check "sim: segments above the MTU sent and received" \
	    test "${n% *}" -gt 0 -a "${n#* }" -gt 0
	out=$tmp/sim-off.out pcap=$tmp/sim-off.pcap
	in_ns timeout 60 out/sim/fetch --net tap:tap0 --pcap "$pcap" -- \
	    ip=$ip/24 loglevel=info offload=off $srv/big >"$out" 2>&1
	n=$(big_frames "$pcap")
	check "sim, offload=off: none in effect, no frame above 1514" \
	    bash -c "grep -q 'NIC offloads: none' '$out' && test '$n' = '0 0'"
	check "sim, offload=off: 32 MiB fetched, SHA-256 right" \
	    fetch_ok "$out" "$tmp/big"
	local i good=0
	for i in $(seq 8); do
		in_ns timeout 30 out/sim/fetch --net tap:tap0 --pcap \
		    "$tmp/arp.pcap" -- ip=$ip/24 $srv/small >/dev/null 2>&1
		n=$(arp_requests "$tmp/arp.pcap")
		[ "$n" = 1 ] && good=$((good + 1))
		echo "start $i: $n ARP requests" | note
	done
	check "sim: 8 starts on the TAP, each ARP request answered at once" \
	    test "$good" = 8
}

# native NAME MACHINE NIC-PROPERTIES FEATURES [OFFLOADS OPTION]: fetch
# under QEMU; the features line must read FEATURES (and the offloads in
# effect OFFLOADS, with the kernel OPTION), the SHA-256 must match.
native() {
	local out=$tmp/native.out
	in_ns env TORO_QEMU_NIC="$3" timeout 120 hal/native/qemu.sh \
	    --machine "$2" --net tap:tap0 out/native/fetch.elf -- \
	    ip=$ip/24 loglevel=debug $6 $srv/big >"$out" 2>&1
	check "native $1: features '$4'${5:+, offloads '$5'}, SHA-256 right" \
	    bash -c "$(declare -f fetch_ok note); srv=$srv;
	    grep -q 'NIC features: $4\$' '$out' || { note <'$out'; exit 1; };
	    [ -z '$5' ] || grep -q 'NIC offloads: $5\$' '$out' ||
	    { note <'$out'; exit 1; };
	    fetch_ok '$out' '$tmp/big'"
}

native_cases() {
	local off="csum=off,guest_csum=off,host_tso4=off,guest_tso4=off"
	native "q35" q35 "" "csum host_tso4 guest_csum guest_tso4 mrg_rxbuf"
	native "microvm" microvm "" \
	    "csum host_tso4 guest_csum guest_tso4 mrg_rxbuf"
	native "q35, mrg_rxbuf=off" q35 mrg_rxbuf=off \
	    "csum host_tso4 guest_csum"
	native "q35, checksums and TSO off" q35 "$off" "mrg_rxbuf"
	native "q35, everything off" q35 "$off,mrg_rxbuf=off" "none"
	# Asked for none: received checksums verified by the kernel.
	native "q35, offload=off" q35 "" \
	    "csum host_tso4 guest_csum guest_tso4 mrg_rxbuf" lro offload=off
	bg_ns qecho "$tmp/qecho.out" hal/native/qemu.sh --machine q35 \
	    --net tap:tap0 out/native/echo.elf -- ip=$ip/24 loglevel=info 90
	if wait_for "$tmp/qecho.out" "serving port 7 on $ip" 600 &&
	    grep -q "$all" "$tmp/qecho.out"; then
		check "native q35: TCP echo of 8 MiB with TSO, SHA-256 matches" \
		    in_ns bash -c "$(declare -f echo_sum); echo_sum $ip 8388608"
	else
		fail "native q35: TCP echo of 8 MiB with TSO, SHA-256 matches"
	fi
	stop qecho
}

if [ ! -x out/sim/fetch ] || [ ! -x out/sim/echo ] ||
    [ ! -f out/native/fetch.elf ] || [ ! -f out/native/echo.elf ]; then
	fail_n 14 "the fetch and echo examples are not built"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! have ip || [ ! -c /dev/net/tun ] ||
    ! have curl || ! have python3; then
	skip_n 14 "TAP needs root, ip, curl, python3 and /dev/net/tun"
	exit 0
fi
if ! setup; then
	fail_n 14 "the namespace, TAP or web server could not be set up"
	exit 0
fi
sim_cases
if have qemu-system-x86_64; then
	native_cases
else
	skip_n 7 "qemu-system-x86_64 is missing"
fi
