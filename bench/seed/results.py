# results.py: reads a results folder's raw/ (what run.sh measured) into
# summaries, for plot.py and report.py (imported, not run):
#
#	import results
#	r = results.load("bench/results/2026-11-22")
#	r.meta["qemu"], r.bursts[("native", 200)], r.idle, r.boot, ...
#
# Nothing here measures: every number comes from a file in raw/, and a
# guest that failed has its reason instead of numbers.
import csv
import json
import os
import statistics

GUESTS = ("native", "linux", "sim")
LABEL = {"native": "Toro native (QEMU)", "linux": "Linux guest (QEMU)",
         "sim": "Toro sim (process)"}


def _read(path):
	with open(path) as f:
		return f.read()


def _csv(path):
	with open(path) as f:
		return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def failed(raw, name):
	"""The reason NAME was not measured (raw/NAME.failed), or None."""
	p = os.path.join(raw, name + ".failed")
	return _read(p).strip() if os.path.exists(p) else None


def cpu_seconds(samples, a=None, b=None):
	"""Host CPU seconds in the samples whose interval ends in [a, b]."""
	s, prev = 0.0, None
	for x in samples:
		if prev is not None and (a is None or x["t"] >= a) and \
		    (b is None or x["t"] <= b):
			s += x["cpu"] / 100 * (x["t"] - prev)
		prev = x["t"]
	return s


def mean_cpu(samples, keep=lambda t: True):
	"""Mean CPU % over the samples whose end time passes keep."""
	v = [x["cpu"] for x in samples[1:] if keep(x["t"])]
	return statistics.fmean(v) if v else None


class Results:
	def __init__(self, out):
		self.out = out
		self.raw = raw = os.path.join(out, "raw")
		self.meta = {}
		for line in _read(os.path.join(raw, "meta.env")).splitlines():
			k, _, v = line.partition("=")
			self.meta[k] = v
		self.linux_missing = failed(raw, "linux") or (
		    _read(os.path.join(raw, "linux.missing")).strip()
		    if os.path.exists(os.path.join(raw, "linux.missing")) else None)
		self.bursts = {}
		self.idle = {}
		self.boot = None
		self.sizes = None
		self.minmem = {}
		self._load_bursts()
		self._load_idle()
		self._load_boot()
		self._load_footprint()

	def _load_bursts(self):
		for g in GUESTS:
			for n in (self.meta.get("n"), self.meta.get("n2")):
				if n is None:
					continue
				base = os.path.join(self.raw, "burst-%s-%s" % (g, n))
				why = failed(self.raw, "burst-" + g)
				if why or not os.path.exists(base + ".cpu.csv"):
					if why or os.path.exists(base + ".bursts.csv") or \
					    os.path.exists(os.path.join(self.raw, "burst-%s.console" % g)):
						self.bursts[(g, int(n))] = {"failed": why or "no samples"}
					continue
				self.bursts[(g, int(n))] = self._burst(base)

	def _burst(self, base):
		cpu = _csv(base + ".cpu.csv")
		bursts = _csv(base + ".bursts.csv")
		t0 = cpu[0]["t"] if cpu else 0
		spans = [(b["start"], b["end"]) for b in bursts]
		# Between bursts: from 1 s after one ends to the next start, so
		# that the tail of a burst does not count as idle.
		def quiet(t):
			return all(not (a <= t <= b + 1.0) for a, b in spans)
		def busy(t):
			return any(a <= t <= b + 0.1 for a, b in spans)
		reqs = sum(b["ok"] for b in bursts)
		idle = mean_cpu(cpu, quiet)
		# CPU per request: CPU seconds from each burst's start to 1 s
		# after its end, less what idling costs over that time.
		extra = sum(cpu_seconds(cpu, a, b + 1.0) - (idle or 0) / 100 * (b + 1.0 - a)
		            for a, b in spans)
		dur = [b - a for a, b in spans]
		return {
		    "t0": t0, "cpu": cpu, "bursts": bursts, "spans": spans,
		    "requests": int(reqs), "errors": int(sum(b["failed"] for b in bursts)),
		    "idle_cpu": idle, "burst_cpu": mean_cpu(cpu, busy),
		    "peak_cpu": max((x["cpu"] for x in cpu[1:] if busy(x["t"])), default=None),
		    "burst_s": statistics.median(dur) if dur else None,
		    "req_per_s": reqs / sum(dur) if dur and sum(dur) > 0 else None,
		    "cpu_ms_per_req": 1000 * extra / reqs if reqs else None,
		}

	def _load_idle(self):
		for f in sorted(os.listdir(self.raw)):
			if not f.startswith("idle-"):
				continue
			name = f.split(".")[0]
			if name in self.idle:
				continue
			_, kind, pol = name.split("-", 2)
			r = {"kind": kind, "policy": pol.replace("poll", "poll:") if
			     pol.startswith("poll") else pol}
			why = failed(self.raw, name)
			if why:
				r["failed"] = why
				self.idle[name] = r
				continue
			base = os.path.join(self.raw, name)
			if os.path.exists(base + ".idle.csv"):
				r["idle_cpu"] = mean_cpu(_csv(base + ".idle.csv"))
			for mode in ("keepalive", "close"):
				if os.path.exists(base + "." + mode + ".json"):
					r[mode] = json.loads(_read(base + "." + mode + ".json"))
				if os.path.exists(base + "." + mode + ".cpu.csv"):
					r[mode + "_cpu"] = mean_cpu(_csv(base + "." + mode + ".cpu.csv"))
			if os.path.exists(base + ".note"):
				r["note"] = _read(base + ".note").strip()
			self.idle[name] = r

	def _load_boot(self):
		p = os.path.join(self.raw, "boot.json")
		if not os.path.exists(p):
			return
		self.boot = {}
		for name, v in json.loads(_read(p)).items():
			r = {"runs": len(v["status"]), "failed": v["failed"],
			     "exit": v["exit_ms"], "first": v["first_ms"]}
			r["exit_med"] = statistics.median(v["exit_ms"]) if v["exit_ms"] else None
			r["first_med"] = statistics.median(v["first_ms"]) if v["first_ms"] else None
			self.boot[name] = r
		why = failed(self.raw, "boot-linux")
		if why:
			self.boot["linux-" + self.meta.get("machine", "q35")] = {"failed": why}

	def _load_footprint(self):
		p = os.path.join(self.raw, "sizes.csv")
		if os.path.exists(p):
			with open(p) as f:
				self.sizes = {row["name"]: row for row in csv.DictReader(f)}
		for kind in ("native", "linux"):
			p = os.path.join(self.raw, "minmem-%s.json" % kind)
			why = failed(self.raw, "minmem-" + kind)
			if why:
				self.minmem[kind] = {"failed": why}
			elif os.path.exists(p):
				self.minmem[kind] = json.loads(_read(p))


def load(out):
	return Results(out)
