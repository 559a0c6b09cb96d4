#!/usr/bin/python3
# boottime.py: launch-to-first-output and launch-to-exit of commands,
# RUNS rounds, the commands taking turns within each round.
#
#	/usr/bin/python3 bench/seed/boottime.py RUNS SPEC OUT.json
#
# SPEC has one command a line, tab-separated: NAME, PATTERN, then the
# command and its arguments.  Each run starts the command with its stdout
# on a pipe (stdin and stderr on /dev/null) and stamps with the monotonic
# clock the launch, the arrival of PATTERN in the output (the
# application's first line, e.g. "Hello from CPU"), and the exit.  An
# empty PATTERN times the exit alone (a guest that prints nothing).  A
# run without PATTERN, or longer than 120 s, fails.  OUT gets, per NAME,
# {"first_ms": [...], "exit_ms": [...], "failed": n, "status": [...],
# "cmd": [...]}.
import json
import os
import select
import subprocess
import sys
import time

LIMIT = 120


def once(cmd, pattern):
	a = time.monotonic()
	p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
	                     stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
	first, buf = None, b""
	# Raw chunks, not lines: the pattern counts once its bytes are in.
	while True:
		left = LIMIT - (time.monotonic() - a)
		if left <= 0 or not select.select([p.stdout], [], [], left)[0]:
			p.kill()
			break
		b = os.read(p.stdout.fileno(), 65536)
		if not b:
			break
		now = time.monotonic()
		buf += b
		if first is None and pattern and pattern in buf:
			first = now
		if first is None:
			buf = buf[-len(pattern):] if pattern else b""
	p.wait()
	e = time.monotonic()
	return first and (first - a) * 1000, (e - a) * 1000, p.returncode


def main():
	runs, spec, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	rows = []
	with open(spec) as f:
		for line in f:
			w = line.rstrip("\n").split("\t")
			rows.append((w[0], w[1].encode(), w[2:]))
	res = {name: {"first_ms": [], "exit_ms": [], "failed": 0, "status": [],
	              "cmd": cmd} for name, _, cmd in rows}
	for i in range(runs):
		for name, pattern, cmd in rows:
			first, ex, st = once(cmd, pattern)
			r = res[name]
			r["status"].append(st)
			if (pattern and first is None) or ex >= LIMIT * 1000:
				r["failed"] += 1
				continue
			if pattern:
				r["first_ms"].append(round(first, 2))
			r["exit_ms"].append(round(ex, 2))
		print("boot: round %d of %d done" % (i + 1, runs), file=sys.stderr)
	with open(out, "w") as f:
		json.dump(res, f, indent=1)


if __name__ == "__main__":
	main()
