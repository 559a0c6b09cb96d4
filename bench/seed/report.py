#!/usr/bin/python3
# report.py: report.md of a results folder, from its raw/ files (run
# plot.py first for the PNGs it links).
#
#	/usr/bin/python3 bench/seed/report.py bench/results/DATE
#
# Also writes readme.md there: the key figures and plots with links from
# the top of the repository, the block readme.py puts into README.md.
# Every figure is computed here from raw/; a guest that was not measured
# is named with the reason.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results
from results import LABEL


def f(v, d=1, unit=""):
	if v is None:
		return "n/a"
	return ("%.*f" % (d, v)) + unit


def ratio(a, b, d=2):
	if a is None or b is None or b == 0:
		return "n/a"
	x = a / b
	if x == 0:
		return "0"
	if x < 0.01:
		return "%.4f" % x
	return "%.*f" % (d, x)


def table(head, rows):
	out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
	out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
	return "\n".join(out)


class Report:
	def __init__(self, r):
		self.r = r
		self.m = r.meta
		self.key = []	# (what, toro, linux, ratio) for the summary

	def header(self):
		m = self.m
		lines = [
		    "# The seed's experiment: Toro against a Linux guest",
		    "",
		    "Made by `%s` on %s (%s s), commit %s. Every figure and plot below "
		    "is computed from the files in [raw/](raw/)." % (
		        m["command"], m["date"], m.get("seconds", "?"), m.get("commit", "?")),
		    "",
		    table(["machine", ""], [
		        ["CPU", "%s, %s cores (shared with other work: noisy)" % (m["cpu"], m["nproc"])],
		        ["memory", "%s GiB" % m["mem_gib"]],
		        ["host", "%s, %s" % (m["os"], m["kernel"])],
		        ["QEMU", "%s, %s" % (m["qemu"], "TCG (no KVM)" if m["accel"] == "tcg" else "KVM")],
		        ["guests", "%s CPUs, %s MiB (256 MiB per CPU, as in the seed), "
		         "`-M %s` for both QEMU guests" % (m["cpus"], m["mem"], m["machine"])],
		        ["Linux guest", m.get("linux") or "not built: %s" % self.r.linux_missing],
		    ]),
		]
		if m.get("quick") == "1":
			lines += ["", "**QUICK=1**: shorter runs and fewer repetitions than the full report."]
		return "\n".join(lines)

	def bursts(self):
		r, m = self.r, self.m
		out = ["## 1. CPU usage under bursts", "",
		       "Each guest serves `/hello` (`Hello from Toro!\\n`) on a TAP interface. "
		       "The client (ApacheBench, %s connections at a time, one request per "
		       "connection) sends N requests, stops, and starts again every %s s, %s times; "
		       "the host CPU time of the guest's process (utime + stime of all its "
		       "threads, /proc/PID/stat) is sampled every 100 ms. 100%% is one host core. "
		       "The three guests run one after another on the same TAP, same client."
		       % (m.get("conns", "?"), m["period"], m["bursts"]), "",
		       "- **Toro native**: `out/native/webserver.elf` under QEMU;",
		       "- **Linux guest**: Debian's kernel, a busybox initramfs, `busybox httpd`, "
		       "same QEMU options;",
		       "- **Toro sim**: `out/sim/webserver`, the kernel as a Linux process.", ""]
		for n in sorted({n for (_, n) in r.bursts}):
			lx = r.bursts.get(("linux", n)) or {}
			rows = []
			for g in results.GUESTS:
				b = r.bursts.get((g, n))
				if b is None or "failed" in b:
					rows.append([LABEL[g], "not measured: %s" % (
					    (b or {}).get("failed") or r.linux_missing or "no data")
					    .replace("\n", " ")] + [""] * 7)
					continue
				rows.append([
				    LABEL[g], f(b["idle_cpu"], 2, "%"), f(b["burst_cpu"], 0, "%"),
				    f(b["burst_s"], 2, " s"), f(b["req_per_s"], 0),
				    f(b["cpu_ms_per_req"], 3), "%d / %d" % (b["errors"], b["requests"] + b["errors"]),
				    ratio(b["idle_cpu"], lx.get("idle_cpu")),
				    ratio(b["cpu_ms_per_req"], lx.get("cpu_ms_per_req"), 3)])
			out += ["### %d requests per burst" % n, "",
			        table(["guest", "CPU between bursts", "CPU in bursts",
			               "burst length", "requests/s", "host CPU ms per request",
			               "failed", "between bursts / Linux",
			               "CPU per request / Linux"], rows), "",
			        "![CPU under bursts of %d requests](burst-%d.png)" % (n, n), ""]
			for g in ("native", "sim"):
				b = r.bursts.get((g, n)) or {}
				if "cpu_ms_per_req" in b and "cpu_ms_per_req" in lx:
					self.key.append((
					    "host CPU per request, bursts of %d (%s)" % (n, g),
					    f(b["cpu_ms_per_req"], 3, " ms"), f(lx["cpu_ms_per_req"], 3, " ms"),
					    ratio(b["cpu_ms_per_req"], lx["cpu_ms_per_req"], 3)))
			b = r.bursts.get(("native", n)) or {}
			if n == max(n for (_, n) in r.bursts) and "idle_cpu" in b and "idle_cpu" in lx:
				self.key[0:0] = [
				    ("host CPU between bursts (native)",
				     f(b["idle_cpu"], 2, "%"), f(lx["idle_cpu"], 2, "%"),
				     ratio(b["idle_cpu"], lx["idle_cpu"])),
				    ("host CPU during bursts of %d (native)" % n,
				     f(b["burst_cpu"], 0, "%"), f(lx["burst_cpu"], 0, "%"),
				     ratio(b["burst_cpu"], lx["burst_cpu"])),
				    ("burst of %d requests, time to serve (native)" % n,
				     f(b["burst_s"], 2, " s"), f(lx["burst_s"], 2, " s"),
				     ratio(b["burst_s"], lx["burst_s"]))]
		out += ["CPU between bursts leaves out the second after each burst. "
		        "CPU per request is the CPU time from a burst's start to 1 s after "
		        "its end, less the idle rate over that time, over the requests served. "
		        "One 100 ms sample moves in steps of 10% (the kernel counts CPU time in "
		        "ticks of 10 ms); the averages are finer.", ""]
		ups = []
		for g in results.GUESTS:
			p = os.path.join(r.raw, "burst-%s.up_ms" % g)
			if os.path.exists(p):
				ups.append("%s %s ms" % (LABEL[g], open(p).read().strip()))
		if ups:
			out += ["Launch to the first answer to `/hello`: " + ", ".join(ups) + ".", ""]
		return "\n".join(out)

	def idle(self):
		r, m = self.r, self.m
		if not r.idle:
			return ""
		lx = r.idle.get("idle-linux-default") or {}
		lxc = (lx.get("close") or {})
		rows = []
		for name, v in sorted(r.idle.items(), key=lambda kv: idle_key(kv[1])):
			who = LABEL[v["kind"]]
			if "failed" in v:
				rows.append([who, v["policy"], "not measured: %s" % v["failed"].replace("\n", " ")] + [""] * 6)
				continue
			ka, cl = v.get("keepalive") or {}, v.get("close") or {}
			rows.append([
			    who, "`idle=%s`" % v["policy"] if v["policy"] != "default" else "(its own)",
			    f(v.get("idle_cpu"), 2, "%"),
			    "%s / %s" % (f(ms(ka.get("median_us")), 2), f(ms(ka.get("p99_us")), 2)) if ka else "-",
			    f(v.get("keepalive_cpu"), 1, "%") if ka else "-",
			    "%s / %s" % (f(ms(cl.get("median_us")), 2), f(ms(cl.get("p99_us")), 2)),
			    f(v.get("close_cpu"), 1, "%"),
			    ratio(v.get("idle_cpu"), lx.get("idle_cpu")),
			    ratio(cl.get("median_us"), lxc.get("median_us"))])
		out = ["## 2. Idle policies", "",
		       "The webserver with each `idle=` policy: the host CPU of its process "
		       "over %s s with no requests, then %s requests for `/hello`, one every "
		       "%s ms so that the CPUs go idle between them: first over one keep-alive "
		       "connection (what is timed is the wake-up and the answer), then with a "
		       "connection each (a TCP handshake in every time; busybox httpd only "
		       "does this, so it is the column to compare with Linux). Latency is from "
		       "the client's send to the last byte, median / 99th percentile in ms. "
		       "Native rows run with `-cpu max` under TCG (so that MONITOR/MWAIT is "
		       "offered); the Linux guest runs as in part 1." % (
		           m["idle_secs"], m["lat_count"], m["lat_gap_ms"]), "",
		       table(["guest", "policy", "idle CPU", "keep-alive median / p99 ms",
		              "CPU during keep-alive", "a connection each: median / p99 ms",
		              "CPU during those", "idle CPU / Linux", "median (a connection each) / Linux"],
		             rows), "",
		       "![idle cost and latency per idle policy](idle.png)", "",
		       "**Why poll helps latency, and what it costs.** With `idle=halt` an idle "
		       "CPU sleeps at once (HLT natively, a futex wait in the sim); the next "
		       "packet or cross-CPU message must wake it: an interrupt and, under "
		       "QEMU, the host thread of the vCPU being woken and scheduled, which "
		       "costs tens of microseconds or more on a busy host. With "
		       "`idle=poll:US` the CPU first spins for US microseconds watching its "
		       "event word, so work that arrives within that window is picked up "
		       "without any sleep or wake-up; the price is host CPU burnt spinning "
		       "after every piece of work, up to US per event per CPU, which with a "
		       "request every %s ms and a long enough spin approaches a busy core. "
		       "`idle=mwait` sleeps in MONITOR/MWAIT on the event word, so a kick from "
		       "another CPU needs no interrupt; but QEMU's TCG implements MWAIT as a "
		       "pause, so under TCG with SMP it is a spin, not a sleep, and its idle "
		       "cost shows it (on KVM or hardware it would sleep). The sim has no "
		       "MWAIT: it warns and halts. And a spinning CPU is a busy host thread: "
		       "on a host with fewer free cores than the guest's CPUs plus the "
		       "thread that moves its packets (QEMU's I/O thread, the sim's host "
		       "loop), a long spin takes the core that thread needs, and the "
		       "latency it was meant to cut grows instead: compare `poll:50` and "
		       "`poll:1000` above." % m["lat_gap_ms"]]
		notes = sorted({"%s: `%s`" % (LABEL[v["kind"]], v["note"].splitlines()[0])
		                for v in r.idle.values() if v.get("note") and "idle" in v["note"]})
		if notes:
			out += ["", "What the kernels said about their policy: " + "; ".join(notes) + "."]
		nh = r.idle.get("idle-native-halt") or {}
		if "idle_cpu" in nh and "idle_cpu" in lx:
			self.key.append(("idle host CPU, webserver (native, idle=halt)",
			    f(nh["idle_cpu"], 2, "%"), f(lx["idle_cpu"], 2, "%"),
			    ratio(nh["idle_cpu"], lx["idle_cpu"])))
		if (nh.get("close") or {}).get("median_us") and lxc.get("median_us"):
			self.key.append(("request latency, a connection each, median (native, idle=halt)",
			    f(ms(nh["close"]["median_us"]), 2, " ms"), f(ms(lxc["median_us"]), 2, " ms"),
			    ratio(nh["close"]["median_us"], lxc["median_us"])))
		return "\n".join(out)

	def boot(self):
		r, m = self.r, self.m
		if not r.boot:
			return ""
		lname = "linux-" + m["machine"]
		lx = r.boot.get(lname) or {}
		what = {"hello-microvm": "Toro `hello`, native", "hello-q35": "Toro `hello`, native",
		        "hello-pc": "Toro `hello`, native", "empty-microvm": "empty guest (the floor)",
		        "empty-q35": "empty guest (the floor)", lname: "Linux guest, `toro.mode=exit`",
		        "sim": "Toro `hello`, sim"}
		rows = []
		for k, v in r.boot.items():
			mach = k.split("-", 1)[1] if "-" in k else "(a process)"
			if "failed" in v and not v.get("exit"):
				rows.append([what.get(k, k), mach, "not measured: %s" % str(v["failed"]).replace("\n", " ")] + [""] * 5)
				continue
			ex = v["exit"]
			rows.append([what.get(k, k), mach,
			             f(v["first_med"], 1) if v["first"] else "(prints nothing)",
			             f(v["exit_med"], 1),
			             "%s to %s" % (f(min(ex), 0), f(max(ex), 0)) if ex else "",
			             "%d of %d" % (len(ex), v["runs"]),
			             ratio(v["first_med"], lx.get("first_med"), 3) if v["first"] else "",
			             ratio(v["exit_med"], lx.get("exit_med"), 3)])
		for k in ("hello-microvm", "hello-q35", "sim"):
			v = r.boot.get(k) or {}
			where = "sim" if k == "sim" else "native on " + k.split("-")[1]
			for what, key in (("first output", "first_med"), ("exit", "exit_med")):
				if v.get(key) and lx.get(key):
					self.key.append(("launch to %s, `hello`, %s" % (what, where),
					    f(v[key], 0, " ms"), f(lx[key], 0, " ms") + " (%s)" % m["machine"],
					    ratio(v[key], lx[key], 3)))
		return "\n".join([
		    "## 3. Boot time", "",
		    "Launch to the application's first line (`Hello from CPU` for `hello`, "
		    "`linux-guest: hello` for Linux, printed by its /init before anything "
		    "else) and launch to the process's exit, timed by a Python harness on the "
		    "child's stdout pipe (monotonic clock); %s CPUs and %s MiB for all, no NIC; "
		    "the guests take turns in each of %s rounds. The empty guest is "
		    "`out/bench/empty-exit.elf`, a PVH image that writes to isa-debug-exit at "
		    "once: what QEMU itself costs. pc boots through SeaBIOS and Multiboot, "
		    "microvm and q35 through PVH." % (m["cpus"], m["mem"], m["boot_runs"]), "",
		    table(["guest", "machine", "first output, median ms", "exit, median ms",
		           "exit, min to max", "runs", "first output / Linux", "exit / Linux"], rows),
		    "", "![boot time](boot.png)"])

	def footprint(self):
		r, m = self.r, self.m
		if not r.sizes:
			return ""
		s = r.sizes
		lx = None
		if "linux-vmlinuz" in s:
			lx = int(s["linux-vmlinuz"]["file_bytes"]) + int(s["linux-initramfs"]["file_bytes"])
		rows = []
		for k, v in s.items():
			if k.startswith("linux-"):
				continue
			rows.append(["`%s`" % k, kib(int(v["file_bytes"])), kib(int(v["loaded_bytes"])),
			             ratio(int(v["file_bytes"]), lx, 3)])
		if lx:
			rows.append(["Linux guest: vmlinuz + initramfs.cpio.gz", "%s + %s = %s" % (
			    kib(int(s["linux-vmlinuz"]["file_bytes"])),
			    kib(int(s["linux-initramfs"]["file_bytes"])), kib(lx)), "", "1"])
			w = int(s["webserver"]["file_bytes"])
			self.key.append(("image size, webserver vs vmlinuz + initramfs",
			                 kib(w), kib(lx), ratio(w, lx, 3)))
		else:
			rows.append(["Linux guest", "not built: %s" % r.linux_missing, "", ""])
		mrows = []
		for kind, who in (("native", "Toro webserver, native"), ("linux", "Linux guest")):
			v = r.minmem.get(kind)
			if not v:
				continue
			if "failed" in v or v.get("min_mib") is None:
				mrows.append([who, "not measured: %s" % v.get("failed", "it did not serve at %s MiB" % v.get("start_mib")), "", ""])
				continue
			bad = [p for p in v["probes"] if not p["ok"] and p["mib"] == max(
			    (q["mib"] for q in v["probes"] if not q["ok"]), default=None)]
			mrows.append([who, "%d MiB" % v["min_mib"],
			              "%d MiB: %s" % (bad[0]["mib"], bad[0]["why"]) if bad else "",
			              "%d probes" % len(v["probes"])])
		nm, lm = (r.minmem.get("native") or {}).get("min_mib"), (r.minmem.get("linux") or {}).get("min_mib")
		if nm and lm:
			self.key.append(("smallest -m that boots and serves /hello",
			                 "%d MiB" % nm, "%d MiB" % lm, ratio(nm, lm, 3)))
		return "\n".join([
		    "## 4. Footprint", "",
		    "Image sizes: the file QEMU loads (`out/native/NAME.elf`), and what it "
		    "takes in memory once loaded (the PT_LOAD segments' sizes, .bss included), "
		    "against the Linux guest's kernel plus initramfs.", "",
		    table(["image", "file", "loaded", "file / Linux"], rows), "",
		    "The smallest memory (`-m`, MiB, bisected; `-M %s`, %s CPUs) with which "
		    "the guest boots and answers `/hello`:" % (m["machine"], m["cpus"]), "",
		    table(["guest", "smallest -m", "largest that failed, and how", "search"], mrows),
		    "", "![footprint](footprint.png)"])

	def summary(self, prefix=""):
		rows = [[w, t, l, x] for w, t, l, x in self.key]
		return table(["figure", "Toro", "Linux guest", "Toro / Linux"], rows)


def ms(us):
	return None if us is None else us / 1000


def kib(b):
	return "%.0f KiB" % (b / 1024) if b < 10 << 20 else "%.1f MiB" % (b / 1048576)


def idle_key(v):
	pol = v["policy"]
	rank = int(pol[5:]) if pol.startswith("poll:") else {"mwait": 10 ** 9}.get(pol, 0)
	return ({"native": 0, "sim": 1, "linux": 2}[v["kind"]], rank)


def main():
	out = sys.argv[1]
	r = results.load(out)
	rep = Report(r)
	parts = [rep.bursts(), rep.idle(), rep.boot(), rep.footprint()]
	body = [rep.header(), "", "## Key figures", "", rep.summary(), ""]
	body += [p + "\n" for p in parts if p]
	with open(os.path.join(out, "report.md"), "w") as fh:
		fh.write("\n".join(body))
	# The README's block: the same key figures, links from the top.
	m = r.meta
	order = ("burst", "idle", "boot", "footprint")
	pngs = sorted((p for p in os.listdir(out) if p.endswith(".png")),
	              key=lambda p: (order.index(p.split("-")[0].split(".")[0])
	                             if p.split("-")[0].split(".")[0] in order else 9,
	                             len(p), p))
	block = ["Measured by `%s` on %s: %s, %s cores shared with other work, %s, "
	         "QEMU %s %s. Full report: [%s/report.md](%s/report.md)." % (
	             m["command"], m["date"], m["cpu"], m["nproc"], m["kernel"], m["qemu"],
	             "TCG" if m["accel"] == "tcg" else "KVM", out, out), "",
	         rep.summary(), ""]
	for p in pngs:
		block += ["![%s](%s/%s)" % (p[:-4], out, p), ""]
	with open(os.path.join(out, "readme.md"), "w") as fh:
		fh.write("\n".join(block).rstrip("\n") + "\n")


if __name__ == "__main__":
	main()
