#!/usr/bin/python3
# manyconn.py: many idle connections to a webserver, then new requests.
#
#   manyconn.py HOST PORT IDLE EXTRA CLOSE [PROBES]
#
# Opens IDLE connections that send nothing and keeps them; asks /stats
# and /hello on new connections (PROBES of /hello, default 1, for the
# latency's median and p99); checks that the idle ones are still open;
# opens EXTRA more, past the server's limit, and counts those the
# server ends at once (EOF or RST) or never answers (no SYN-ACK);
# closes CLOSE idle ones and asks /hello again until it is answered.
# Prints one line per result, "result NAME 0|1 DETAIL" (1: passed), and
# "figure NAME VALUE" for numbers; exits 0.
import json
import resource
import selectors
import socket
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
n_idle, n_extra, n_close = (int(a) for a in sys.argv[3:6])
probes = int(sys.argv[6]) if len(sys.argv) > 6 else 1
# Descriptors for every connection: as many as the hard limit allows.
_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def result(name, passed, detail=""):
    print("result %s %d %s" % (name, 1 if passed else 0, detail), flush=True)


def figure(name, value):
    print("figure %s %s" % (name, value), flush=True)


def get(path, timeout=10):
    """(seconds, status line, body) of GET path on a new connection."""
    t0 = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=timeout)
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: t\r\n"
                  b"Connection: close\r\n\r\n")
        got = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
        s.close()
    except OSError as e:
        return time.monotonic() - t0, "error: %s" % e, b""
    head, _, body = got.partition(b"\r\n\r\n")
    line = head.split(b"\r\n")[0].decode(errors="replace")
    return time.monotonic() - t0, line, body


def stats():
    _, line, body = get("/stats")
    try:
        return json.loads(body) if " 200 " in line else None
    except ValueError:
        return None


def open_many(k, wait=20):
    """Connect k sockets, 256 at a time: (connected, failed) lists."""
    sel = selectors.DefaultSelector()
    done, failed, started = [], [], 0
    flight = 0
    deadline = time.monotonic() + wait
    while (started < k or flight > 0) and time.monotonic() < deadline:
        while started < k and flight < 256:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect((host, port))
            except BlockingIOError:
                pass
            except OSError:
                failed.append(s)
                started += 1
                continue
            sel.register(s, selectors.EVENT_WRITE)
            started += 1
            flight += 1
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            sel.unregister(s)
            flight -= 1
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                done.append(s)
            else:
                failed.append(s)
    for key in list(sel.get_map().values()):
        sel.unregister(key.fileobj)
        failed.append(key.fileobj)  # no SYN-ACK in time: silence
    sel.close()
    return done, failed


def ended(socks, wait):
    """Which of socks the server ended (readable: EOF or RST) in wait s."""
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    out = set()
    deadline = time.monotonic() + wait
    while len(out) < len(socks) and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            sel.unregister(s)
            try:
                if s.recv(1) == b"":
                    out.add(s)
            except OSError:
                out.add(s)
    sel.close()
    return out


base = stats()
result("stats_before", base is not None)
t0 = time.monotonic()
idle, bad = open_many(n_idle)
figure("connect_seconds", "%.1f" % (time.monotonic() - t0))
result("idle_open", len(idle) == n_idle and not bad,
       "%d of %d connected" % (len(idle), n_idle))
time.sleep(1)
full = stats()
if full is not None and base is not None:
    figure("conns_open", full.get("conns_open"))
    figure("tcp_established", full["tcp_states"]["ESTABLISHED"])
    figure("heap_in_use_base", base["heap_in_use"])
    figure("heap_in_use_full", full["heap_in_use"])
    figure("heap_bytes_per_conn", (full["heap_in_use"] -
           base["heap_in_use"]) // max(1, len(idle)))
result("stats_with_idle", full is not None and
       full.get("conns_open", 0) >= len(idle))
lat, answered = [], 0
for i in range(probes):
    t, line, body = get("/hello")
    lat.append(t)
    answered += " 200 " in line and body == b"Hello from Toro!\n"
lat.sort()
figure("probe_median_ms", "%.1f" % (1000 * lat[len(lat) // 2]))
figure("probe_p99_ms", "%.1f" % (1000 * lat[min(len(lat) - 1,
                                                int(len(lat) * 0.99))]))
result("new_request_answered", answered == probes,
       "%d of %d, slowest %.0f ms" % (answered, probes, 1000 * lat[-1]))
gone = ended(idle, 0.5)
result("idle_still_open", not gone, "%d ended" % len(gone))
if n_extra > 0:
    more, silent = open_many(n_extra, wait=10)
    shut = ended(more, 3)
    figure("extra_kept", len(more) - len(shut))
    figure("extra_ended", len(shut))
    figure("extra_silent", len(silent))
    # Every extra connection is kept, ended at once or never answered:
    # none is left half-served, and some were refused.
    result("past_limit_refused", len(shut) + len(silent) > 0,
           "kept %d, ended %d, no SYN-ACK %d" %
           (len(more) - len(shut), len(shut), len(silent)))
    for s in more + silent:
        s.close()
for s in idle[:n_close]:
    s.close()
answered, t0 = False, time.monotonic()
while not answered and time.monotonic() - t0 < 20:
    _, line, body = get("/hello", timeout=2)
    answered = " 200 " in line and body == b"Hello from Toro!\n"
    if not answered:
        time.sleep(0.2)
result("service_back", answered,
       "after %.1f s" % (time.monotonic() - t0))
for s in idle[n_close:]:
    s.close()
