#!/usr/bin/python3
# plot.py: the PNG plots of a results folder, from its raw/ files.
#
#	/usr/bin/python3 bench/seed/plot.py bench/results/DATE
#
# Writes into the folder:
#	burst-N.png        host CPU over time of each guest under bursts of
#	                   N requests, one panel per guest, bursts shaded
#	                   (and burst-N2.png, the seed's second experiment)
#	idle.png           idle host CPU and request latency per idle= policy
#	boot.png           launch to first output and to exit, medians
#	footprint.png      image sizes and the smallest memory that serves
# A guest that was not measured gets a panel saying why, not a curve.
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results

COLOR = {"native": "tab:blue", "linux": "tab:orange", "sim": "tab:green"}


def note(ax, text):
	ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True,
	        transform=ax.transAxes, fontsize=9, color="tab:red")
	ax.set_yticks([])


def burst_plot(r, n):
	fig, axes = plt.subplots(3, 1, figsize=(9, 7.5), sharex=True)
	m = r.meta
	for ax, g in zip(axes, results.GUESTS):
		b = r.bursts.get((g, n))
		ax.set_title(results.LABEL[g], fontsize=10, loc="left")
		if b is None or "failed" in b:
			note(ax, "not measured: %s" % (b["failed"] if b else
			     r.linux_missing or "no data"))
			continue
		t = [x["t"] - b["t0"] for x in b["cpu"][1:]]
		c = [x["cpu"] for x in b["cpu"][1:]]
		for i, (a, e) in enumerate(b["spans"]):
			ax.axvspan(a - b["t0"], e - b["t0"], color="0.85",
			           label="burst of %d requests" % n if i == 0 else None)
		ax.step(t, c, where="pre", color=COLOR[g], lw=1.2,
		        label="host CPU of the %s" % ("process" if g == "sim" else "QEMU process"))
		ax.set_ylim(0, max(105, int(m["cpus"]) * 100 + 5))
		ax.set_ylabel("CPU %")
		ax.grid(alpha=0.3)
		ax.legend(loc="upper right", fontsize=8)
		ax.set_title("between bursts %.2f%%, in bursts %.0f%%, %.2f ms CPU/request"
		             % (b["idle_cpu"] or 0, b["burst_cpu"] or 0, b["cpu_ms_per_req"] or 0),
		             fontsize=8, loc="right")
	axes[-1].set_xlabel("seconds (CPU sampled every 100 ms from /proc/PID/stat)")
	fig.suptitle("%d requests (ab -c %s, a connection each) every %s s; %s CPUs, %s MiB; QEMU %s %s"
	             % (n, m.get("conns", "?"), m["period"], m["cpus"], m["mem"],
	                m["accel"].upper(), m["machine"]), fontsize=10)
	fig.tight_layout()
	fig.savefig(os.path.join(r.out, "burst-%d.png" % n), dpi=90)
	plt.close(fig)


def idle_plot(r):
	rows = [v for k, v in sorted(r.idle.items(), key=idle_order) if "failed" not in v]
	if not rows:
		return
	names = ["%s\n%s" % (v["kind"], v["policy"]) for v in rows]
	fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
	idle = [v.get("idle_cpu") or 0 for v in rows]
	a1.bar(names, idle, color=[COLOR[v["kind"]] for v in rows])
	for i, y in enumerate(idle):
		a1.text(i, y, "%.2f" % y, ha="center", va="bottom", fontsize=7)
	a1.set_ylabel("host CPU %, idle")
	a1.set_title("idle cost (%s s, no requests)" % r.meta["idle_secs"], fontsize=10)
	x = range(len(rows))
	for i, (mode, off, hatch) in enumerate((("keepalive", -0.2, ""), ("close", 0.2, "//"))):
		med = [(v.get(mode) or {}).get("median_us", 0) / 1000 for v in rows]
		p99 = [(v.get(mode) or {}).get("p99_us", 0) / 1000 for v in rows]
		a2.bar([j + off for j in x], p99, 0.4, color="0.8", hatch=hatch,
		       label="p99, %s" % mode)
		a2.bar([j + off for j in x], med, 0.4, color=[COLOR[v["kind"]] for v in rows],
		       hatch=hatch, label="median, %s" % mode)
	a2.set_xticks(list(x))
	a2.set_xticklabels(names)
	a2.set_yscale("log")
	a2.set_ylabel("ms per request (log)")
	a2.set_title("latency, a request every %s ms" % r.meta["lat_gap_ms"], fontsize=10)
	a2.legend(fontsize=7)
	for a in (a1, a2):
		a.tick_params(axis="x", labelsize=8)
		a.grid(axis="y", alpha=0.3)
	fig.tight_layout()
	fig.savefig(os.path.join(r.out, "idle.png"), dpi=90)
	plt.close(fig)


def idle_order(kv):
	"""native, then sim, then linux; halt, poll by its time, mwait."""
	v = kv[1]
	pol = v["policy"]
	rank = int(pol[5:]) if pol.startswith("poll:") else \
	    {"mwait": 10 ** 9}.get(pol, 0)
	return ({"native": 0, "sim": 1, "linux": 2}[v["kind"]], rank)


def boot_plot(r):
	if not r.boot:
		return
	rows = [(k, v) for k, v in r.boot.items() if "failed" not in v or v.get("exit")]
	fig, ax = plt.subplots(figsize=(9, 4))
	x = range(len(rows))
	ax.bar([i - 0.2 for i in x], [v.get("first_med") or 0 for _, v in rows], 0.4,
	       label="launch to first output", color="tab:blue")
	ax.bar([i + 0.2 for i in x], [v.get("exit_med") or 0 for _, v in rows], 0.4,
	       label="launch to exit", color="tab:gray")
	for i, (_, v) in enumerate(rows):
		if v.get("exit_med"):
			ax.text(i + 0.2, v["exit_med"], "%.0f" % v["exit_med"], ha="center",
			        va="bottom", fontsize=7)
	ax.set_xticks(list(x))
	ax.set_xticklabels([k for k, _ in rows], fontsize=8)
	ax.set_yscale("log")
	ax.set_ylabel("ms (median, log scale)")
	ax.set_title("boot, median of %s runs; %s CPUs, %s MiB, QEMU %s" %
	             (r.meta["boot_runs"], r.meta["cpus"], r.meta["mem"],
	              r.meta["accel"].upper()), fontsize=10)
	ax.legend(fontsize=8)
	ax.grid(axis="y", alpha=0.3)
	fig.tight_layout()
	fig.savefig(os.path.join(r.out, "boot.png"), dpi=90)
	plt.close(fig)


def footprint_plot(r):
	if not r.sizes:
		return
	fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 1]})
	names = [k for k in r.sizes if not k.startswith("linux-")]
	vals = [int(r.sizes[k]["file_bytes"]) / 1024 for k in names]
	colors = ["tab:blue"] * len(names)
	if "linux-vmlinuz" in r.sizes:
		names.append("Linux:\nvmlinuz +\ninitramfs")
		vals.append((int(r.sizes["linux-vmlinuz"]["file_bytes"]) +
		             int(r.sizes["linux-initramfs"]["file_bytes"])) / 1024)
		colors.append("tab:orange")
	a1.bar(names, vals, color=colors)
	for i, y in enumerate(vals):
		a1.text(i, y, "%.0f" % y, ha="center", va="bottom", fontsize=7)
	a1.set_ylabel("KiB")
	a1.set_title("image size (file)", fontsize=10)
	a1.tick_params(axis="x", labelsize=8)
	mm = [(k, r.minmem.get(k, {}).get("min_mib")) for k in ("native", "linux")]
	a2.bar(["Toro\nwebserver", "Linux\nguest"], [v or 0 for _, v in mm],
	       color=["tab:blue", "tab:orange"])
	for i, (_, v) in enumerate(mm):
		a2.text(i, v or 0, "%s MiB" % v if v else "n/a", ha="center", va="bottom", fontsize=8)
	a2.set_ylabel("MiB")
	a2.set_title("smallest -m that serves", fontsize=10)
	for a in (a1, a2):
		a.grid(axis="y", alpha=0.3)
	fig.tight_layout()
	fig.savefig(os.path.join(r.out, "footprint.png"), dpi=90)
	plt.close(fig)


def main():
	r = results.load(sys.argv[1])
	for n in sorted({n for (_, n) in r.bursts}):
		burst_plot(r, n)
	idle_plot(r)
	boot_plot(r)
	footprint_plot(r)


if __name__ == "__main__":
	main()
