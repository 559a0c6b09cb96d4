#!/usr/bin/python3
# minmem.py: the smallest memory, in MiB, with which a guest boots and
# serves /hello, found by bisection.
#
#	/usr/bin/python3 bench/seed/minmem.py HOST START_MIB OUT.json -- CMD...
#
# CMD is the guest's command with the word {mem} where its memory size
# goes (QEMU's -m).  A probe starts CMD with {mem} replaced and asks
# http://HOST/hello every 0.2 s; it passes when the body is "Hello from
# Toro!\n".  It fails when the guest exits first (QEMU refusing the size,
# a panic) or does not answer within a limit: three times what the
# guest took at START_MIB, at least 10 s.  START_MIB must pass; the
# search assumes that more memory never hurts.  OUT gets {"min_mib",
# "start_mib", "limit_s", "probes": [{"mib", "ok", "s", "why"}, ...]}.
# Run it where HOST is reachable (e.g. inside the benchmark's namespace).
import json
import socket
import subprocess
import sys
import time

BODY = b"Hello from Toro!\n"


def answers(host):
	try:
		with socket.create_connection((host, 80), timeout=1) as s:
			s.settimeout(2)
			s.sendall(b"GET /hello HTTP/1.1\r\nHost: g\r\n"
			          b"Connection: close\r\n\r\n")
			got = b""
			while True:
				b = s.recv(4096)
				if not b:
					break
				got += b
		return got.endswith(BODY)
	except OSError:
		return False


def probe(cmd, mib, host, limit):
	argv = [w.replace("{mem}", str(mib)) for w in cmd]
	a = time.monotonic()
	p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
	                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
	ok, why = False, "no answer within %.0f s" % limit
	while time.monotonic() - a < limit:
		if p.poll() is not None:
			err = p.stderr.read().decode(errors="replace").strip()
			why = "exited with status %d%s" % (
			    p.returncode, ": " + err.splitlines()[-1] if err else "")
			break
		if answers(host):
			ok, why = True, ""
			break
		time.sleep(0.2)
	s = time.monotonic() - a
	p.kill()
	p.wait()
	r = {"mib": mib, "ok": ok, "s": round(s, 2), "why": why}
	print("minmem: %s" % r, file=sys.stderr)
	return r


def main():
	host, start, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	cmd = sys.argv[sys.argv.index("--") + 1:]
	probes = [probe(cmd, start, host, 180)]
	res = {"start_mib": start, "min_mib": None, "probes": probes}
	if probes[0]["ok"]:
		limit = max(10.0, 3 * probes[0]["s"])
		res["limit_s"] = limit
		lo, hi = 0, start	# lo fails (or is nothing), hi passes
		while hi - lo > 1:
			mid = (lo + hi) // 2
			r = probe(cmd, mid, host, limit)
			probes.append(r)
			if r["ok"]:
				hi = mid
			else:
				lo = mid
		res["min_mib"] = hi
	with open(out, "w") as f:
		json.dump(res, f, indent=1)


if __name__ == "__main__":
	main()
