#!/usr/bin/env python3
# seeds.py: writes the seed corpora of the fuzzers, tests/fuzz/NAME/corpus/
# (committed; rerun after changing an input format): python3 seeds.py [NAME]
#
# net: frames as the fake LAN's peer 10.0.2.2 would send them, in the
# harness's record format (tests/fuzz/net/fuzz.c); fat: FAT16 images made
# by mformat and mcopy (mtools), cut after their last non-zero byte;
# cmdline: kernel command lines and sim option lists; http: requests.
import os
import shutil
import struct
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.abspath(__file__))
OUR_MAC = bytes.fromhex("525400123456")
PEER_MAC = bytes.fromhex("020000000002")
BCAST = b"\xff" * 6
OUR_IP = bytes([10, 0, 2, 15])
PEER_IP = bytes([10, 0, 2, 2])
DNS_IP = bytes([10, 0, 2, 3])
FIX, REL = 0x10, 0x20


def write(name, seeds):
    d = os.path.join(TOP, name, "corpus")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for k, v in seeds.items():
        with open(os.path.join(d, k), "wb") as f:
            f.write(v)


# net -------------------------------------------------------------------

def rec(frame, flags=FIX, step=0):
    return bytes([flags | step]) + struct.pack(">H", len(frame)) + frame


def eth(payload, typ=0x0800, dst=OUR_MAC):
    return dst + PEER_MAC + struct.pack(">H", typ) + payload


def ip(proto, payload, src=PEER_IP, dst=OUR_IP, opts=b"", frag=0, ttl=64):
    hl = 20 + len(opts)
    h = struct.pack(">BBHHHBBH4s4s", 0x40 | hl // 4, 0, hl + len(payload),
                    0x1234, frag, ttl, proto, 0, src, dst)
    return h + opts + payload  # lengths and checksums: the FIX flag


def arp(op, tpa=OUR_IP, tha=b"\0" * 6, spa=PEER_IP):
    a = struct.pack(">HHBBH", 1, 0x0800, 6, 4, op) + PEER_MAC + spa + \
        tha + tpa
    return eth(a + b"\0" * 18, 0x0806, BCAST if op == 1 else OUR_MAC)


def udp(sport, dport, data, **kw):
    return eth(ip(17, struct.pack(">HHHH", sport, dport, 8 + len(data), 0) +
                  data, **kw))


def tcp(sport, dport, seq, ack, flags, data=b"", opts=b"", wnd=65535):
    opts += b"\x01" * (-len(opts) % 4)
    off = (20 + len(opts)) // 4
    h = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, off << 4, flags,
                    wnd, 0, 0)
    return eth(ip(6, h + opts + data))


def icmp(typ, code, rest):
    return eth(ip(1, struct.pack(">BBH", typ, code, 0) + rest))


SYN, ACK, FIN, RST, PSH = 2, 16, 1, 4, 8
SYN_OPTS = b"\x02\x04\x05\xb4\x04\x02\x08\x0a\0\0\0\x01\0\0\0\0\x01\x03\x03\x07"


def dns_name(n):
    return b"".join(bytes([len(p)]) + p.encode() for p in n.split(".")) + b"\0"


def dns_answer(name, answers, rcode=0):
    q = dns_name(name) + struct.pack(">HH", 1, 1)
    h = struct.pack(">HHHHHH", 0, 0x8180 | rcode, 1, len(answers), 0, 0)
    return h + q + b"".join(answers)


def dhcp(typ, extra=b""):
    m = struct.pack(">BBBBIHH4s4s4s4s", 2, 1, 6, 0, 0, 0, 0, b"\0" * 4,
                    OUR_IP, PEER_IP, b"\0" * 4) + OUR_MAC + b"\0" * 10
    m += b"\0" * 192 + b"\x63\x82\x53\x63"
    m += bytes([53, 1, typ, 54, 4]) + PEER_IP + bytes([51, 4]) + \
        struct.pack(">I", 86400) + bytes([1, 4, 255, 255, 255, 0, 3, 4]) + \
        PEER_IP + bytes([6, 4]) + DNS_IP + extra + b"\xff"
    return eth(ip(17, struct.pack(">HHHH", 67, 68, 8 + len(m), 0) + m,
                  dst=b"\xff" * 4), dst=BCAST)


def net_seeds():
    s = {}
    static, dhcpmode = b"\0", b"\1"
    s["arp"] = static + rec(arp(1), 0) + rec(arp(2, tha=OUR_MAC), 0) + \
        rec(arp(1, tpa=bytes([10, 0, 2, 99])), 0)
    s["ping"] = static + rec(icmp(8, 0, b"\0\1\0\1" + b"abcdefgh" * 8))
    s["udp-echo"] = static + rec(udp(5000, 7, b"hello, echo\n")) + \
        rec(udp(5001, 9, b"no one here"))
    s["tcp-data"] = static + \
        rec(tcp(40000, 80, 1, 1, ACK | PSH, b"GET / HTTP/1.0\r\n\r\n"),
            FIX | REL, 2) + \
        rec(tcp(40000, 80, 19, 19, ACK), FIX | REL, 2) + \
        rec(tcp(40000, 80, 19, 19, ACK | FIN), FIX | REL, 4) + \
        rec(tcp(40000, 80, 20, 20, ACK), FIX | REL, 4)
    s["tcp-ooo"] = static + \
        rec(tcp(40000, 80, 1001, 1, ACK, b"B" * 1000), FIX | REL) + \
        rec(tcp(40000, 80, 2001, 1, ACK, b"C" * 500), FIX | REL) + \
        rec(tcp(40000, 80, 1, 1, ACK | PSH, b"A" * 1000), FIX | REL, 3) + \
        rec(tcp(40000, 80, 2501, 1, ACK, b"", b"\x01\x01\x05\x0a\0\0\0\x01"
                b"\0\0\0\x02"), FIX | REL, 3)
    s["tcp-listen"] = static + \
        rec(tcp(40100, 80, 5000, 0, SYN, opts=SYN_OPTS), FIX | REL) + \
        rec(tcp(40100, 80, 1, 1, ACK), FIX | REL) + \
        rec(tcp(40100, 80, 1, 1, ACK | PSH, b"ping\n"), FIX | REL, 3) + \
        rec(tcp(40100, 80, 6, 6, RST), FIX | REL, 3)
    s["tcp-syn-flood"] = static + b"".join(
        rec(tcp(41000 + i, 80, 100 * i, 0, SYN), FIX | REL) for i in range(8))
    s["tcp-client"] = static + \
        rec(tcp(9000, 40001, 7777, 1, SYN | ACK, opts=SYN_OPTS), FIX | REL,
            2) + \
        rec(tcp(9000, 40001, 1, 7, ACK | PSH, b"echo me\n"), FIX | REL, 2) + \
        rec(tcp(9000, 40001, 9, 15, ACK | FIN), FIX | REL, 8)
    s["tcp-rst"] = static + rec(tcp(40000, 80, 1, 1, RST), FIX | REL) + \
        rec(tcp(40000, 80, 1, 1, ACK, b"late"), FIX | REL)
    s["dns"] = static + \
        rec(udp(53, 0, dns_answer("fuzz.example", [
            b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) +
            bytes([1, 2, 3, 4])]), src=DNS_IP), FIX | REL, 2) + \
        rec(udp(53, 0, dns_answer("www.fuzz.example", [
            b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 60, 6) + b"\x03web\xc0\x10",
            b"\x03web\xc0\x10" + struct.pack(">HHIH", 1, 1, 60, 4) +
            bytes([5, 6, 7, 8])]), src=DNS_IP), FIX | REL, 2)
    s["dns-nxdomain"] = static + rec(udp(53, 0, dns_answer(
        "fuzz.example", [], 3), src=DNS_IP), FIX | REL, 2)
    s["dhcp"] = dhcpmode + rec(dhcp(2), FIX | REL, 2) + \
        rec(dhcp(5), FIX | REL, 2) + rec(arp(1), 0) + \
        rec(icmp(8, 0, b"\0\1\0\1ping"))
    s["dhcp-nak"] = dhcpmode + rec(dhcp(2), FIX | REL, 2) + \
        rec(dhcp(6), FIX | REL, 2)
    s["ip-odd"] = static + \
        rec(eth(ip(1, struct.pack(">BBH", 8, 0, 0) + b"\0\1\0\2frag",
                   frag=0x2000))) + \
        rec(eth(ip(17, b"\0" * 8, opts=b"\x94\x04\0\0"))) + \
        rec(eth(ip(6, b"\0" * 20, ttl=0))) + \
        rec(eth(b"\x60" + b"\0" * 39, 0x86dd), 0) + \
        rec(icmp(3, 3, b"\0\0\0\0" + ip(6, struct.pack(">HHI", 80, 40000, 1),
                                       src=OUR_IP, dst=PEER_IP)))
    return s


# fat -------------------------------------------------------------------

def fat_seeds():
    s = {}
    with tempfile.TemporaryDirectory() as t:
        def image(name, mb, spc, files):
            img = os.path.join(t, name)
            with open(img, "wb") as f:
                f.truncate(mb << 20)
            subprocess.run(["mformat", "-i", img, "-T", str(mb * 2048),
                            "-h", "16", "-s", "32", "-H", "0", "-N", "70520001", "-c",
                            str(spc), "-v", "TORO", "::"], check=True,
                           stdout=subprocess.DEVNULL)
            for path, data in files:
                if data is None:
                    subprocess.run(["mmd", "-i", img, "::" + path],
                                   check=True)
                    continue
                src = os.path.join(t, "f")
                with open(src, "wb") as f:
                    f.write(data)
                subprocess.run(["mcopy", "-i", img, src, "::" + path],
                               check=True)
            with open(img, "rb") as f:
                b = f.read()
            s[name] = b[:len(b.rstrip(b"\0"))]
        image("empty", 16, 4, [])
        image("files", 16, 4, [
            ("/index.html", b"<h1>hello</h1>\n"),
            ("/a.txt", b"a" * 3000),
            ("/Long File Name.text", b"long name\n"),
            ("/dir", None), ("/dir/sub", None),
            ("/dir/sub/deep.txt", b"deep\n"),
            ("/dir/b.bin", bytes(range(256)) * 20)])
        image("spc1", 4, 1, [("/x", b"x" * 1200), ("/y", None),
                             ("/y/z", b"z")])
    return s


# cmdline ---------------------------------------------------------------

def cmdline_seeds():
    # The harness splits its input at the first NUL: the kernel command
    # line before it, the sim's argv (words split at newlines) after it.
    lines = {
        "empty": "",
        "options": "loglevel=debug ip=10.0.2.15/24 gw=10.0.2.2 dns=10.0.2.3",
        "quoted": 'a "b c" -- d=1 "" stack=64',
        "idle": "idle=poll:100 watchdog=5 stack=16 x=y",
        "many": " ".join("w%d" % i for i in range(40)),
    }
    s = {k: v.encode() + b"\0" for k, v in lines.items()}
    argvs = {
        "sim-all": ["sim", "--cpus", "4", "--mem=64", "--net", "user",
                    "--port", "8080:80", "--port", "udp:5353:53", "--pcap",
                    "x.pcap", "--mac", "52:54:00:00:00:01", "--disk",
                    "img:ro", "--", "loglevel=debug", "a b"],
        "sim-tap": ["sim", "--net=tap:tap0", "--share", "dir", "hello"],
        "sim-bad": ["sim", "--cpus", "0", "--port", "1:2:3"],
        "sim-help": ["sim", "--help"],
    }
    for k, v in argvs.items():
        s[k] = b"ip=dhcp\0" + "\n".join(v).encode()
    return s


# http ------------------------------------------------------------------

def http_seeds():
    r = {
        "get": "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "hello": "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
        "stats": "GET /stats HTTP/1.0\r\n\r\n",
        "head": "HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n",
        "dir": "GET /dir/ HTTP/1.1\r\n\r\nGET /dir HTTP/1.1\r\n\r\n",
        "pipeline": "GET /a.txt HTTP/1.1\r\n\r\nGET /dir/sub/deep.txt "
                    "HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n"
                    "Connection: close\r\n\r\n",
        "escape": "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n\r\n"
                  "GET /dir/../index.html?x=1#y HTTP/1.1\r\n\r\n",
        "absolute": "GET http://host:80/a.txt?q HTTP/1.1\r\n\r\n",
        "post": "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        "chunked": "PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5\r\nhello\r\n0\r\n\r\n",
        "bad": "GET / HTTP/9.9\r\n\r\n",
        "upgrade": "GET / HTTP/1.1\r\nConnection: Upgrade\r\n"
                   "Upgrade: websocket\r\n\r\n",
        "long": "GET /" + "a" * 3100 + " HTTP/1.1\r\n\r\n",
    }
    return {k: v.encode() for k, v in r.items()}


MAKERS = {"net": net_seeds, "fat": fat_seeds, "cmdline": cmdline_seeds,
          "http": http_seeds}

for name in sys.argv[1:] or MAKERS:
    write(name, MAKERS[name]())
