#!/usr/bin/python3
# sample.py: the host CPU use of a process, sampled every PERIOD seconds.
#
#	/usr/bin/python3 bench/seed/sample.py PID SECONDS OUT.csv [PERIOD]
#
# Every PERIOD (default 0.1 s, on a fixed grid of the monotonic clock, so
# the period does not drift) it reads utime + stime of PID from
# /proc/PID/stat (all of its threads) and writes one line "t,cpu": t, the
# end of the interval in seconds of CLOCK_MONOTONIC (the clock burst.py
# stamps its bursts with), and cpu, the use over the interval in percent
# of one host core (200 = two cores busy).  The kernel counts in clock
# ticks (CLK_TCK, usually 100 per second), so one 100 ms sample moves in
# steps of 10%; averages over longer windows are finer.  Stops after
# SECONDS, when PID ends, or on SIGTERM (what it has is kept).
import os
import signal
import sys
import time


def ticks(pid):
	with open("/proc/%d/stat" % pid) as f:
		# Fields after the ")" that closes the command name: utime and
		# stime are the 12th and 13th of them.
		rest = f.read().rsplit(")", 1)[1].split()
	return int(rest[11]) + int(rest[12])


def main():
	pid, secs, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
	period = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
	hz = os.sysconf("SC_CLK_TCK")
	signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
	t0 = time.monotonic()
	last_t, last_c = t0, ticks(pid)
	k = 1
	with open(out, "w") as f:
		f.write("t,cpu\n")
		while last_t - t0 < secs:
			time.sleep(max(0.0, t0 + k * period - time.monotonic()))
			k += 1
			try:
				c = ticks(pid)
			except (OSError, IndexError):
				break
			t = time.monotonic()
			f.write("%.4f,%.1f\n" % (t, 100.0 * (c - last_c) / hz / (t - last_t)))
			last_t, last_c = t, c


if __name__ == "__main__":
	main()
