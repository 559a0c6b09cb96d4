#!/bin/bash
# robust.sh: the IPv4 stack against hostile and broken traffic, and the
# native webserver over TAP:
#  - the simulated webserver on a TAP interface inside a network
#    namespace this script makes, hit with malformed frames built by
#    scapy in batches (Ethernet and ARP, IPv4, TCP, UDP, ICMP, odd TCP
#    flag combinations); after each batch /stats shows the matching
#    drop counters risen by at least the number of frames that should
#    bump them, and curl still gets /hello;
#  - nmap's SYN scan of ports 1-200 finds 80 open and the other 199
#    closed (answered with RST), and the server still answers;
#  - the native webserver under QEMU (TCG) on that TAP interface,
#    microvm (virtio-mmio) and q35 (virtio-pci): curl gets / and /hello.
# Cases skip, saying why, when root or a tool is missing; they fail when
# a program is not built or the namespace cannot be set up.
#
# Not covered: Ethernet frames shorter than 14 bytes (rx_runt); Linux
# will not send them on a TAP interface.
. "$srcdir/tests/tap.sh"
plan 19

ns=toro-robust-$$
. "$srcdir/tests/net/netns.sh"
ip=192.168.79.2
gw=192.168.79.1
mac=52:54:00:12:34:56

# get PATH PATTERN [CURL OPTIONS...]: curl from the namespace gets PATH,
# its output matching PATTERN.
get() {
	local path=$1 pat=$2
	shift 2
	in_ns curl -s -m 10 "$@" "http://$ip$path" >"$tmp/get.out" 2>&1 &&
	    grep -q "$pat" "$tmp/get.out" && return 0
	note <"$tmp/get.out"
	return 1
}
hello() { get /hello '^Hello from Toro!$'; }
# Without a disk, / is the webserver's built-in index page.
index_hello() { get / 'Hello from Toro</h1>' && hello; }

# frames BATCH: scapy sends BATCH's frames to the guest on tap0, from
# the namespace, and checks the guest's /stats before and after.  It
# prints what went wrong and fails.
frames() {
	in_ns /usr/bin/python3 - "$1" "$ip" "$gw" "$mac" >"$tmp/frames.out" \
	    2>&1 <<'EOF' && return 0
import json, logging, struct, sys, time, urllib.request
logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.all import (ARP, ICMP, IP, TCP, UDP, Ether, Raw, conf,
    fragment, get_if_hwaddr, sendp, srp1)
conf.verb = 0
batch, ip, gw, mac = sys.argv[1:5]
iface = "tap0"
conf.iface = iface
me = get_if_hwaddr(iface)
E = lambda: Ether(src=me, dst=mac)

def stats():
    with urllib.request.urlopen("http://%s/stats" % ip, timeout=10) as r:
        return json.load(r)

def raw_arp(htype=1, ptype=0x0800, hlen=6, plen=4, op=1, sha=None,
            spa=gw, tha="00:00:00:00:00:00", tpa=ip, cut=None):
    sha = bytes.fromhex((sha or me).replace(":", ""))
    a = struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha[:6] + \
        bytes(map(int, spa.split("."))) + \
        bytes.fromhex(tha.replace(":", "")) + bytes(map(int, tpa.split(".")))
    return Ether(src=me, dst="ff:ff:ff:ff:ff:ff", type=0x0806) / \
        Raw(a[:cut] if cut is not None else a)

def ipv4(**kw):
    return E() / IP(src=gw, dst=ip, **kw)

def tcp_raw(off, opts=b"", flags=0x02, pad=b""):
    """A TCP segment to port 80 whose data offset is off, with a good
    checksum whatever the header says."""
    return ipv4() / TCP(sport=40000, dport=80, flags=flags, seq=1000,
                        dataofs=off) / Raw(opts + pad)

def udp_len(n, payload=b"hello"):
    """UDP to port 9 whose length field says n; checksum left out."""
    h = struct.pack("!HHHH", 40001, 9, n, 0)
    return ipv4(proto=17) / Raw(h + payload)

# (frames, {counter: at least this rise})
if batch == "ethernet-arp":
    sent = [
        Ether(src=me, dst=mac, type=0x0800),           # no IP header at all
        Ether(src=me, dst=mac, type=0x0806),           # no ARP packet
        Ether(src=me, dst=mac, type=0x88b5) / Raw(b"x" * 46),
        Ether(src=me, dst="02:00:00:00:00:01") / IP(src=gw, dst=ip) / ICMP(),
        raw_arp(hlen=8),                               # hardware length 8
        raw_arp(plen=6),                               # protocol length 6
        raw_arp(hlen=0, plen=0),
        raw_arp(cut=20),                               # truncated ARP
        raw_arp(ptype=0x86dd),                         # not IPv4
        raw_arp(op=3),                                 # neither request nor reply
        raw_arp(sha="01:00:5e:00:00:01"),              # group sender
    ]
    want = {"ip_bad_len": 1, "arp_bad": 8, "rx_unknown_type": 1,
            "rx_not_ours": 1}
elif batch == "ip":
    good = bytes(IP(src=gw, dst=ip) / ICMP())
    sent = [
        Ether(src=me, dst=mac, type=0x0800) / Raw(good[:12]),  # truncated
        ipv4(version=6) / ICMP(),
        ipv4(ihl=4) / ICMP(),
        ipv4(ihl=0) / ICMP(),
        ipv4(ihl=15) / ICMP(),                         # header beyond frame
        ipv4(len=1000) / ICMP(),                       # longer than frame
        ipv4(len=10) / ICMP(),                         # shorter than header
        ipv4(chksum=0x1234) / ICMP(),                  # bad header checksum
        ipv4(flags="MF") / ICMP(),                     # first fragment
        ipv4(frag=100) / ICMP(),                       # a later fragment
    ] + [E() / f for f in fragment(
        IP(src=gw, dst=ip) / UDP(sport=40002, dport=9) / Raw(b"y" * 3000),
        fragsize=1000)] + [
        ipv4(proto=253) / Raw(b"z" * 20),              # unknown protocol
        E() / IP(src="224.0.0.9", dst=ip) / ICMP(),    # group source
    ]
    want = {"ip_bad_len": 2, "ip_bad_version": 1, "ip_bad_hdrlen": 4,
            "ip_bad_csum": 1, "ip_fragments": 5, "ip_unknown_proto": 1,
            "ip_bad_src": 1}
elif batch == "tcp":
    sent = [
        ipv4(proto=6) / Raw(b"\x9c\x40\x00\x50" + b"\0" * 6),  # 10 bytes
        ipv4() / TCP(sport=40000, dport=80, flags="S", chksum=0x1234),
        tcp_raw(4),                                    # offset < 5
        tcp_raw(0),
        tcp_raw(15),                                   # beyond the segment
        tcp_raw(8, pad=b"\x02\x04"),                   # beyond, with data
        tcp_raw(6, b"\x02\x0a\x05\xb4"),               # MSS length 10: overruns
        tcp_raw(6, b"\x01\x01\x01\x03"),               # kind without length
        tcp_raw(6, b"\x08\x00\x00\x00"),               # length 0
        tcp_raw(6, b"\x03\x01\x00\x00"),               # length 1
        tcp_raw(15, b"\x01" * 38 + b"\x05\x0c"),       # SACK past the end
    ]
    want = {"tcp_in_errs": 11}
elif batch == "udp":
    sent = [
        ipv4(proto=17) / Raw(b"\x9c\x41\x00\x09"),     # 4-byte header
        udp_len(0),
        udp_len(7),
        udp_len(5000),                                 # beyond the datagram
        udp_len(14),                                   # one byte too long
        ipv4() / UDP(sport=40001, dport=9, chksum=0x1234) / Raw(b"hello"),
    ]
    want = {"udp_bad_len": 5, "udp_bad_csum": 1}
elif batch == "icmp":
    sent = [
        ipv4(proto=1) / Raw(b"\x08\x00"),              # truncated header
        ipv4() / ICMP(chksum=0x1234) / Raw(b"ping"),   # bad checksum
    ]
    want = {"icmp_bad": 2}
elif batch == "flags":
    # RFC 9293 3.10.7: a listener ignores RST and drops segments without
    # SYN; a closed port answers everything but RST with RST.  SYN+FIN
    # to a listener may open a connection (SYN-ACK) or be dropped.
    cases = [
        (80, "SF", ("SA", None)), (80, "SR", (None,)), (80, "F", (None,)),
        (80, "FSRPAU", (None,)), (80, "", (None,)), (80, "FPU", (None,)),
        (81, "SF", ("RA",)), (81, "SR", (None,)), (81, "F", ("RA",)),
        (81, "FSRPAU", (None,)), (81, "", ("RA",)), (81, "FPU", ("RA",)),
    ]
    before = stats()
    bad = 0
    for i, (port, fl, ok) in enumerate(cases):
        r = srp1(ipv4() / TCP(sport=41000 + i, dport=port, flags=fl,
                              seq=5000, ack=0),
                 iface=iface, timeout=1)
        got = str(r[TCP].flags) if r is not None and TCP in r else None
        print("port %d flags %-6s -> %s" % (port, fl or "none", got))
        if got not in ok:
            print("  wanted %s" % " or ".join(map(str, ok)))
            bad += 1
    after = stats()
    print("passive opens: %d" % (after["tcp_passive_opens"] -
                                 before["tcp_passive_opens"]))
    sys.exit(1 if bad else 0)
else:
    sys.exit("no batch " + batch)

before = stats()
sendp(sent, iface=iface)
time.sleep(0.5)
after = stats()
bad = 0
for k, n in sorted(want.items()):
    d = after[k] - before[k]
    print("%s: +%d (want at least +%d)" % (k, d, n))
    bad += d < n
# Only our two /stats requests may open connections.
d = after["tcp_passive_opens"] - before["tcp_passive_opens"]
if d > 1:
    print("tcp_passive_opens: +%d (malformed SYNs accepted?)" % d)
    bad += 1
sys.exit(1 if bad else 0)
EOF
	note <"$tmp/frames.out"
	return 1
}

# nmap's SYN scan: 80 open, the 199 others closed (RST).
scan() {
	in_ns nmap -n -sS -Pn -p 1-200 --max-retries 2 -oG - $ip \
	    >"$tmp/nmap.out" 2>&1 &&
	    grep -q 'Ports: 80/open/tcp' "$tmp/nmap.out" &&
	    grep -q 'Ignored State: closed (199)' "$tmp/nmap.out" && return 0
	note <"$tmp/nmap.out"
	return 1
}

what() {
	case $1 in
	flags) echo "odd TCP flags answered as RFC 9293 says" ;;
	*) echo "dropped, drop counters rise" ;;
	esac
}
have_scapy() { /usr/bin/python3 -c 'import scapy.all' >/dev/null 2>&1; }

make_ns() {
	ip netns add "$ns" || return 1
	in_ns ip link set lo up
	in_ns ip tuntap add dev tap0 mode tap || return 1
	in_ns ip addr add $gw/24 dev tap0
	in_ns ip link set tap0 up
}

# The simulator on TAP: 15 cases.
sim_cases() {
	local out=$tmp/web.out b
	bg_ns web "$out" out/sim/webserver --cpus 2 --net tap:tap0 -- \
	    ip=$ip/24 gw=$gw
	if ! wait_for "$out" "serving http://$ip:80/"; then
		fail "sim webserver up on TAP"
		return 1
	fi
	check "sim webserver up on TAP" hello
	for b in ethernet-arp ip tcp udp icmp flags; do
		if have_scapy; then
			check "scapy batch $b: $(what $b)" frames $b
			check "after batch $b: /hello answers" hello
		else
			skip_n 2 "scapy batch $b: python3-scapy is missing"
		fi
	done
	if have nmap; then
		check "nmap -sS 1-200: 80 open, 199 closed" scan
		check "after nmap: /hello answers" hello
	else
		skip_n 2 "nmap is missing"
	fi
	stop web
}

# The native image under QEMU on TAP: 2 cases for each machine.
native_cases() {
	local m out
	. "$srcdir/hal/native/qemu.sh"
	for m in microvm q35; do
		out=$tmp/$m.out
		in_ns ip neigh flush dev tap0
		# shellcheck disable=SC2046
		bg_ns $m "$out" qemu-system-x86_64 $(toro_qemu_args $m 2 128) \
		    $(toro_qemu_net $m tap:tap0) \
		    -kernel "$(toro_qemu_kernel $m out/native/webserver.elf)" \
		    -append "ip=$ip/24 gw=$gw"
		if wait_for "$out" "serving http://$ip:80/" 400; then
			ok "native on $m: up on TAP"
			check "native on $m: curl / and /hello" index_hello
		else
			fail "native on $m: up on TAP"
			fail "native on $m: curl / and /hello"
		fi
		stop $m
	done
}

if [ "$(id -u)" -ne 0 ] || ! have ip || [ ! -c /dev/net/tun ] ||
    ! have curl; then
	skip_n 19 "TAP needs root, ip, curl and /dev/net/tun"
	exit 0
fi
if ! make_ns; then
	fail_n 19 "could not make a namespace with a TAP interface"
	exit 0
fi
if [ -x out/sim/webserver ]; then
	sim_cases
	[ "$tap_n" -eq 15 ] || fail_n $((15 - tap_n)) "the sim webserver failed"
else
	fail_n 15 "the webserver example is not built"
fi
if ! have qemu-system-x86_64; then
	skip_n 4 "native: qemu-system-x86_64 is missing"
elif [ ! -f out/native/webserver.elf ]; then
	fail_n 4 "native: out/native/webserver.elf is not built"
else
	native_cases
fi
