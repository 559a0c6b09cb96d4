#!/bin/bash
# echo.sh: the IPv4 stack judged by real tools, through the echo example
# (port 7, UDP and TCP):
#  - the simulator on a TAP interface inside a network namespace this
#    script makes: Linux's ping (ICMP echo, the largest unfragmented
#    packet, fragments refused), its ARP cache, UDP and TCP echo (1 MiB),
#    ICMP port unreachable, then tshark reads the capture (--pcap) for
#    bad checksums, malformed packets and the gratuitous ARP;
#  - DHCP from dnsmasq on that TAP interface;
#  - the simulator and the native image (QEMU q35 and microvm) on
#    user-mode networking (libslirp's DHCP), with forwarded ports.
# Cases skip, saying why, when root or a tool is missing; they fail when
# a program is not built or the namespace cannot be set up.
. "$srcdir/tests/tap.sh"
plan 17

ns=toro-echo-$$
BG_TIMEOUT=60
. "$srcdir/tests/net/netns.sh"

# The client below, run inside the namespace.
ns_client() { in_ns bash -c "$(declare -f client); client $*"; }


# A client in Python: udp|tcp|bulk|refused HOST PORT.
client() {
	python3 - "$@" <<'EOF'
import socket, sys
kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    for i in range(5):
        msg = b"datagram %d" % i
        s.sendto(msg, (host, port))
        if s.recvfrom(2048)[0] != msg:
            sys.exit(1)
elif kind == "refused":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((host, port))
    s.send(b"anyone?")
    try:
        s.recv(100)
    except ConnectionRefusedError:
        sys.exit(0)
    sys.exit(1)
else:
    s = socket.create_connection((host, port), timeout=10)
    data = bytes(range(256)) * (4096 if kind == "bulk" else 1)
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.shutdown(socket.SHUT_WR)
    if got != data or s.recv(1) != b"":
        sys.exit(1)
EOF
}


# The simulator on TAP, in a namespace of our own.
tap_cases() {
	local out=$tmp/tap.out pcap=$tmp/tap.pcap ip=192.168.77.2 bad good
	ip netns add "$ns" || return 1
	in_ns ip link set lo up
	in_ns ip tuntap add dev tap0 mode tap || return 1
	in_ns ip addr add 192.168.77.1/24 dev tap0
	in_ns ip link set tap0 up
	bg_ns static "$out" out/sim/echo --cpus 2 --net tap:tap0 \
	    --pcap "$pcap" -- ip=$ip/24 gw=192.168.77.1 loglevel=info 30
	check "static address on TAP" wait_for "$out" "serving port 7 on $ip"
	check "ping" quiet in_ns ping -c 3 -i 0.2 -W 2 $ip
	check "ping with a 1500-byte packet" \
	    quiet in_ns ping -c 1 -W 2 -M do -s 1472 $ip
	# A larger ping is fragmented; fragments are dropped, not answered.
	check "fragments are not answered" \
	    bash -c "! ip netns exec $ns ping -q -c 1 -W 1 -s 1473 $ip >/dev/null"
	check "Linux learnt our MAC by ARP" \
	    bash -c "ip netns exec $ns ip neigh show $ip | grep -q 52:54:00:12:34:56"
	check "UDP echo" ns_client udp $ip 7
	check "TCP echo, 1 MiB" ns_client bulk $ip 7
	check "ICMP port unreachable" ns_client refused $ip 9
	stop static
	if have tshark; then
		bad=$(tshark -r "$pcap" -o ip.check_checksum:TRUE \
		    -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		    -Y 'ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || tcp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || _ws.malformed' \
		    2>/dev/null | head -5)
		# Count good ones too, so that a filter tshark cannot
		# read does not pass for a clean capture.
		good=$(tshark -r "$pcap" -o tcp.check_checksum:TRUE \
		    -o udp.check_checksum:TRUE -Y 'ip.src == '$ip' &&
		    (tcp.checksum.status == "Good" || udp.checksum.status == "Good")' \
		    2>/dev/null | wc -l)
		check "tshark: every checksum good, nothing malformed" \
		    test -z "$bad" -a "$good" -gt 10
		[ -z "$bad" ] || echo "$bad" | note
		check "tshark sees our gratuitous ARP" bash -c "tshark -r '$pcap' \
		    -Y 'arp.isgratuitous == 1 && arp.src.proto_ipv4 == $ip' \
		    2>/dev/null | grep -q ."
	else
		skip_n 2 "tshark is missing"
	fi
	# DHCP from dnsmasq.
	if have dnsmasq; then
		out=$tmp/dhcp.out
		bg_ns dnsmasq "$tmp/dnsmasq.log" dnsmasq --keep-in-foreground \
		    --port=0 --interface=tap0 --bind-interfaces \
		    --dhcp-range=192.168.77.50,192.168.77.59,2m \
		    --dhcp-leasefile="$tmp/leases" --pid-file=
		bg_ns dhcp "$out" out/sim/echo --net tap:tap0 -- loglevel=info 30
		check "DHCP from dnsmasq" wait_for "$out" \
		    "serving port 7 on 192.168.77.5"
		check "dnsmasq leased to our MAC" grep -q 52:54:00:12:34:56 \
		    "$tmp/leases"
		ip=$(sed -n 's/.*serving port 7 on //p' "$out")
		check "UDP echo on the leased address" ns_client udp "${ip:-none}" 7
		stop dhcp
		stop dnsmasq
	else
		skip_n 3 "dnsmasq is missing"
	fi
}

if [ ! -x out/sim/echo ]; then
	fail_n 17 "the echo example is not built"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! have ip || [ ! -c /dev/net/tun ] ||
    ! have ping || ! have python3; then
	skip_n 13 "TAP needs root, ip, ping, python3 and /dev/net/tun"
else
	tap_cases
	[ "$tap_n" -eq 13 ] || fail_n $((13 - tap_n)) "TAP setup failed"
fi

# User-mode networking: the simulator, then QEMU.
port=$((20000 + $$ % 20000))
out=$tmp/user.out
timeout 60 out/sim/echo --cpus 2 --net user --port $port:7 \
    --port udp:$port:7 -- 30 >"$out" 2>&1 &
pids+=($!)
check "sim: DHCP from slirp" wait_for "$out" "serving port 7 on 10.0.2.15"
check "sim: TCP and UDP echo through forwarded ports" \
    bash -c "$(declare -f client); client bulk 127.0.0.1 $port &&
	client udp 127.0.0.1 $port"
. "$srcdir/hal/native/qemu.sh"
for m in q35 microvm; do
	if ! have qemu-system-x86_64; then
		skip "native on $m: qemu-system-x86_64 is missing"
		continue
	elif [ ! -f out/native/echo.elf ]; then
		fail "native on $m: out/native/echo.elf is not built"
		continue
	fi
	port=$((port + 1))
	out=$tmp/$m.out
	# shellcheck disable=SC2046
	timeout 90 qemu-system-x86_64 $(toro_qemu_args $m 2 128) \
	    $(toro_qemu_net $m user $port:7 udp:$port:7) \
	    -kernel "$(toro_qemu_kernel $m out/native/echo.elf)" \
	    -append "30" >"$out" 2>&1 &
	pids+=($!)
	if wait_for "$out" "serving port 7 on 10.0.2.15"; then
		check "native on $m: DHCP, TCP and UDP echo" \
		    bash -c "$(declare -f client); client bulk 127.0.0.1 $port &&
			client udp 127.0.0.1 $port"
	else
		fail "native on $m: DHCP, TCP and UDP echo"
	fi
	kill "${pids[-1]}" 2>/dev/null
done
