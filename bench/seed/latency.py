#!/usr/bin/python3
# latency.py: request latency with the server going idle between
# requests.
#
#	/usr/bin/python3 bench/seed/latency.py HOST COUNT GAP_MS OUT.json \
#	    [keepalive|close]
#
# Sends COUNT requests for /hello, one every GAP_MS milliseconds, and
# times each from send to the last byte of the body.  keepalive (the
# default) uses one HTTP/1.1 connection for all of them, so what is
# timed is the server's wake-up and answer; close opens a connection per
# request (busybox httpd's only way), so a TCP handshake is in each
# time.  The first 10 requests warm up and are not counted.  OUT gets
# {"mode", "gap_ms", "n", "failed", "median_us", "p99_us", "mean_us"}.
import json
import socket
import sys
import time

BODY = b"Hello from Toro!\n"
WARMUP = 10


def request(s, keep):
	req = b"GET /hello HTTP/1.1\r\nHost: guest\r\n"
	req += b"\r\n" if keep else b"Connection: close\r\n\r\n"
	s.sendall(req)
	got = b""
	while not got.endswith(BODY):
		b = s.recv(4096)
		if not b:
			break
		got += b
	return got.startswith(b"HTTP/1.") and got.endswith(BODY)


def main():
	host, count, gap = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
	out = sys.argv[4]
	keep = (sys.argv[5] if len(sys.argv) > 5 else "keepalive") == "keepalive"
	s = socket.create_connection((host, 80), timeout=5) if keep else None
	if s:
		s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
	times, failed = [], 0
	t0 = time.monotonic()
	for i in range(count + WARMUP):
		time.sleep(max(0.0, t0 + i * gap / 1000 - time.monotonic()))
		a = time.perf_counter()
		try:
			if keep:
				ok = request(s, True)
			else:
				with socket.create_connection((host, 80), timeout=5) as c:
					ok = request(c, False)
		except OSError:
			ok = False
		b = time.perf_counter()
		if not ok:
			failed += 1
			if keep:
				# Start over on a new connection.
				try:
					s.close()
					s = socket.create_connection((host, 80), timeout=5)
				except OSError:
					pass
		elif i >= WARMUP:
			times.append((b - a) * 1e6)
	times.sort()
	res = {"mode": "keepalive" if keep else "close", "gap_ms": gap,
	       "n": len(times), "failed": failed}
	if times:
		res["median_us"] = times[len(times) // 2]
		res["p99_us"] = times[min(len(times) - 1, int(len(times) * 0.99))]
		res["mean_us"] = sum(times) / len(times)
	with open(out, "w") as f:
		json.dump(res, f)
	print(json.dumps(res))


if __name__ == "__main__":
	main()
