#!/usr/bin/python3
# burst.py: the seed's client.  Sends N HTTP requests, stops, and starts
# again every PERIOD seconds, BURSTS times.
#
#	/usr/bin/python3 bench/seed/burst.py HOST N PERIOD BURSTS OUT.csv \
#	    [DELAY] [CONNS]
#
# A burst is ApacheBench, `ab -n N -c CONNS http://HOST/hello` (CONNS
# default 8): a connection per request, as busybox httpd serves anyway,
# and a C client, so that the guest, not the client, sets the pace.  The
# first burst starts DELAY seconds from now (default 0), burst k at
# DELAY + k * PERIOD, or when burst k - 1 ends if that is later.  OUT
# gets one line per burst, "k,start,end,ok,failed", with times in
# seconds of CLOCK_MONOTONIC (the clock of sample.py); failed counts
# ab's failed and non-2xx answers, and requests it never completed.
import re
import subprocess
import sys
import time


def burst(host, n, conns):
	p = subprocess.run(["ab", "-q", "-r", "-s", "10", "-n", str(n), "-c",
	                    str(conns), "http://%s/hello" % host],
	                   capture_output=True, text=True)

	def field(name):
		m = re.search(r"^%s:\s+(\d+)" % name, p.stdout, re.M)
		return int(m.group(1)) if m else 0

	done = field("Complete requests")
	bad = field("Failed requests") + field("Non-2xx responses")
	if p.returncode != 0:
		print("burst: ab: %s" % p.stderr.strip(), file=sys.stderr)
	return done - bad, n - (done - bad)


def main():
	host, n = sys.argv[1], int(sys.argv[2])
	period, bursts, out = float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
	start = time.monotonic() + (float(sys.argv[6]) if len(sys.argv) > 6 else 0)
	conns = int(sys.argv[7]) if len(sys.argv) > 7 else 8
	with open(out, "w") as f:
		f.write("k,start,end,ok,failed\n")
		for k in range(bursts):
			time.sleep(max(0.0, start + k * period - time.monotonic()))
			a = time.monotonic()
			ok, failed = burst(host, n, conns)
			b = time.monotonic()
			f.write("%d,%.4f,%.4f,%d,%d\n" % (k, a, b, ok, failed))
			f.flush()
			print("burst %d: %d ok, %d failed in %.2f s" %
			      (k, ok, failed, b - a), file=sys.stderr)


if __name__ == "__main__":
	main()
