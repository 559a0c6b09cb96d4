/*
 * time.c: the monotonic clock (TSC) and the wall clock (from rtc.c).
 *
 * Interface: hal_time_start() first thing on CPU 0, as soon as the
 * command line is copied; hal_time_init() once on CPU 0, after paging;
 * hal_time_ns(), hal_wall_ns() from hal.h; hal_tsc_hz() and
 * hal_tsc_delay_ns() for the other files; hal_time_idle(now) from CPU
 * 0's idle loop, which returns when it next wants to run.
 *
 * The TSC frequency is taken when it is first needed (the first
 * hal_time_ns() or hal_tsc_hz()), not at boot, from where the machine
 * states it: the tsc_khz= option, KVM's pvclock (kvmclock), the
 * hypervisor leaf 0x40000010, CPUID leaf 0x15, then 0x16.  Only where
 * none does is it measured, against the PIT (channel 0):
 * hal_time_start() sets it going in one-shot mode and reads it with the
 * TSC, and the rate is measured over the whole boot until it is needed,
 * so that no wait at boot is only for the clock.  The PIT wraps every
 * 55 ms; its OUT pin (read back as its status) says whether it has, and
 * a window that wrapped, or that a PIT without read-back cannot vouch
 * for, is measured again: 1 ms against the PIT, else the ACPI PM timer
 * (hal_acpi_fadt() reads where it is), with the LAPIC timer counted
 * over the same window (else lapic.c counts it from hal_time_init() on
 * its own).  Then, in the background, CPU 0's idle loop reads the same
 * counter again about 1 s and 30 s later and measures over that whole
 * span; the first estimate says how many times the counter wrapped.  A
 * new rate takes effect from the moment it is known, continuing from
 * the time it has reached then, so the clock never steps, let alone
 * back.  Without either counter the RTC's second tick is used (up to 2
 * s), else 1 GHz is assumed.  The TSC is taken as invariant and in step
 * on all CPUs, as under QEMU and KVM.  hal_time_ns() counts from the
 * kernel's first instruction (entry.S's hal_boot_tsc0).  The RTC is
 * read when the wall clock is first asked for; the wall clock follows
 * the TSC after.
 */
#include "hal/native/native.h"

#define PIT_HZ 1193182u
#define PM_HZ 3579545u
#define NS 1000000000ull
#define CAL_NS 1000000ull /* the boot-time window: 1 ms */

#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)

/* The rate: ns = base_ns + (tsc - base_tsc) * mult >> 32, under seq. */
static volatile uint32_t seq;
static uint64_t base_tsc, base_ns;
static uint64_t mult; /* ns per TSC tick, times 2^32 */
static uint64_t tsc_hz;
static const char *tsc_source = "none";

/* The counter the TSC was measured against, for the background. */
static uint32_t (*ref_read)(void);
static uint64_t ref_hz;
static uint32_t ref_mask;
static uint64_t anchor_tsc, anchor_w; /* a sample: TSC and its width */
static uint32_t anchor_v;
static uint64_t err_ppb; /* the rate's error bound, parts per 10^9 */
static uint64_t refine_at = HAL_NO_DEADLINE; /* in hal_time_ns() */
static int refine_step;
static int refine_plan; /* the first refine is yet to be scheduled */

/* The boot window: the PIT and the TSC when hal_time_start() read them. */
static int win_open;
static uint32_t win_v;
static uint64_t win_tsc, win_w;
/* 0: the rate is known; 1: to be taken from the window; 2: being so. */
static volatile int pending;

static int64_t wall0;		/* ns since the epoch at time 0 */
static volatile int wall_state; /* 0 unread, 1 being read, 2 read */

/* The pvclock structure KVM fills (Documentation/virt/kvm/msr.rst). */
struct pvclock {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} __attribute__((aligned(32)));

static struct pvclock pvclock;

/* The TSC rate KVM's clock uses, from one read of its pvclock. */
static uint64_t
kvmclock_hz(void)
{
	uint32_t r[4], v, mul;
	int8_t shift;
	uint64_t hz;

	hal_cpuid(1, 0, r);
	if (!(r[2] & (1u << 31)))
		return 0;
	hal_cpuid(0x40000000, 0, r);
	/* "KVMKVMKVM\0\0\0" */
	if (r[1] != 0x4b4d564b || r[2] != 0x564b4d56 || r[3] != 0x4d ||
	    r[0] < 0x40000001)
		return 0;
	hal_cpuid(0x40000001, 0, r);
	if (!(r[0] & KVM_FEATURE_CLOCKSOURCE2))
		return 0;
	hal_wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uintptr_t)&pvclock | 1);
	do {
		v = __atomic_load_n(&pvclock.version, __ATOMIC_ACQUIRE);
		mul = pvclock.tsc_to_system_mul;
		shift = pvclock.tsc_shift;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((v & 1) ||
	    v != __atomic_load_n(&pvclock.version, __ATOMIC_RELAXED));
	/* Only the rate was wanted: KVM need not keep the page current. */
	hal_wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (mul == 0 || shift < -31 || shift > 31)
		return 0;
	/* ns = ((tsc << shift) * mul) >> 32. */
	hz = (NS << 32) / mul;
	return shift >= 0 ? hz >> shift : hz << -shift;
}

static uint64_t
cpuid_hz(void)
{
	uint32_t r[4], max;

	hal_cpuid(1, 0, r);
	if (r[2] & (1u << 31)) { /* under a hypervisor */
		hal_cpuid(0x40000000, 0, r);
		if (r[0] >= 0x40000010) {
			hal_cpuid(0x40000010, 0, r);
			if (r[0] != 0) {
				tsc_source = "hypervisor leaf";
				return (uint64_t)r[0] * 1000;
			}
		}
	}
	hal_cpuid(0, 0, r);
	max = r[0];
	if (max >= 0x15) {
		hal_cpuid(0x15, 0, r);
		if (r[0] != 0 && r[1] != 0 && r[2] != 0) {
			tsc_source = "cpuid 0x15";
			return (uint64_t)r[2] * r[1] / r[0];
		}
	}
	if (max >= 0x16) {
		hal_cpuid(0x16, 0, r);
		if ((r[0] & 0xffff) != 0) {
			tsc_source = "cpuid 0x16";
			return (uint64_t)(r[0] & 0xffff) * 1000000;
		}
	}
	return 0;
}

/* tsc_khz=N on the command line: the user knows better. */
static uint64_t
option_hz(void)
{
	const char *s = hal_boot.cmdline, *key = "tsc_khz=";
	uint64_t v = 0;

	for (;;) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			return 0;
		if (strncmp(s, key, strlen(key)) == 0)
			break;
		while (*s != '\0' && *s != ' ')
			s++;
	}
	for (s += strlen(key); *s >= '0' && *s <= '9' && v < NS; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	if ((*s != '\0' && *s != ' ') || v == 0 || v >= NS)
		return 0;
	return v * 1000;
}

/* PIT channel 0, counting up, modulo 2^16. */
static uint32_t
pit_read(void)
{
	uint8_t lo, hi;

	hal_outb(0x43, 0x00); /* latch channel 0 */
	lo = hal_inb(0x40);
	hi = hal_inb(0x40);
	return (uint16_t)-(uint16_t)(hi << 8 | lo);
}

/* The PIT's channel 0 status: OUT (bit 7), access and mode (bits 5-0). */
static uint8_t
pit_status(void)
{
	hal_outb(0x43, 0xe2); /* read back channel 0's status, not its count */
	return hal_inb(0x40);
}

static uint32_t
pm_read(void)
{
	return hal_inl(hal_acpi.pm_tmr) & ref_mask;
}

/*
 * One reading of the counter and the TSC when it was taken: the
 * tightest of four, the TSC at the middle; *w is how wide it was.
 */
static uint32_t
sample(uint64_t *tsc, uint64_t *w)
{
	uint64_t t0, t1;
	uint32_t v, best = 0;
	int i;

	*w = UINT64_MAX;
	for (i = 0; i < 4; i++) {
		t0 = hal_rdtsc();
		v = ref_read();
		t1 = hal_rdtsc();
		if (t1 - t0 < *w) {
			*w = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2;
			best = v;
		}
	}
	return best;
}

/*
 * Count the counter's ticks from v0 (read at TSC t0, w0 wide) until
 * `want` of them have passed, reading it back to back; the count, or 0
 * when a gap between two reads may hide a wrap (the host stopped the
 * machine, under TCG, for longer than the counter takes to wrap): that
 * gap's TSC ticks are far more than its counter ticks explain, at the
 * rate seen so far (or, that early, than a read takes).
 */
static uint64_t
count(uint32_t v0, uint64_t t0, uint64_t w0, uint64_t want)
{
	uint64_t d = 0, n, t, tp = t0;
	uint32_t v, vp = v0;
	long spins;

	for (spins = 0; d < want; spins++) {
		t = hal_rdtsc();
		v = ref_read();
		n = (v - vp) & ref_mask;
		if (d > 16 ? t - tp > 4 * (t - t0) / d * (n + 16)
			   : t - tp > 1000 * (w0 + 1))
			return 0;
		if (d == 0 && spins > 10000)
			return UINT64_MAX; /* it does not count */
		d += n;
		vp = v;
		tp = t;
	}
	return d;
}

/*
 * Measure the TSC against the counter for CAL_NS, with the LAPIC timer
 * counted over the same window; 0 if the counter does not count.  A
 * window that may have lost a wrap is started again, a few times.
 */
static uint64_t
measure(void)
{
	uint64_t want = ref_hz * CAL_NS / NS, t0, t1, w0, w1, d;
	uint32_t v0, v1;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		hal_lapic_count_begin();
		v0 = sample(&t0, &w0);
		d = count(v0, t0, w0, want);
		if (d == UINT64_MAX)
			return 0;
		if (d == 0)
			continue;
		v1 = sample(&t1, &w1);
		hal_lapic_count_end();
		d = (v1 - v0) & ref_mask;
		if (t1 <= t0 || d == 0)
			return 0;
		anchor_tsc = t1;
		anchor_v = v1;
		anchor_w = w1;
		err_ppb = (w0 + w1) * NS / (t1 - t0) + 2 * NS / d;
		return (t1 - t0) * ref_hz / d;
	}
	return 0;
}

/* Channel 0 counting down from 65536 once: the reference counter. */
static void
pit_arm(void)
{
	hal_outb(0x43, 0x30); /* channel 0, lo/hi, mode 0 */
	hal_outb(0x40, 0);
	hal_outb(0x40, 0);
	ref_read = pit_read;
	ref_hz = PIT_HZ;
	ref_mask = 0xffff;
}

/*
 * The PIT runs in one-shot mode from 65536: it counts on, wrapping, and
 * interrupts once.  A periodic PIT (as the BIOS left it) would wake the
 * host 18 times a second for nothing.  Channel 2's output (port 0x61)
 * would be simpler but lives in the PC speaker, which microvm lacks.
 */
static uint64_t
pit_hz(void)
{
	pit_arm();
	tsc_source = "pit";
	return measure();
}

/*
 * The PIT in one-shot mode from 65536, as pit_hz() sets it, and a first
 * reading: the start of the boot window.
 */
void
hal_time_start(void)
{
	pit_arm();
	win_v = sample(&win_tsc, &win_w);
	win_open = 1;
}

/*
 * The TSC's rate over the boot window, extended to CAL_NS if it is
 * shorter; 0 when the PIT wrapped (OUT went high at its terminal count
 * and stays high) or shows no status of ours (no read-back).
 */
static uint64_t
window_hz(void)
{
	uint64_t want = PIT_HZ * CAL_NS / NS, t, w, d, n;
	uint32_t v;

	if (!win_open)
		return 0;
	v = sample(&t, &w);
	d = (v - win_v) & 0xffff;
	if (d < want) {
		n = count(v, t, w, want - d);
		if (n == 0 || n == UINT64_MAX)
			return 0;
		v = sample(&t, &w);
		d = (v - win_v) & 0xffff;
	}
	/* Read after the sample: low now, it was low then. */
	if ((pit_status() & 0xbf) != 0x30 || t <= win_tsc || d == 0)
		return 0;
	anchor_tsc = t;
	anchor_v = v;
	anchor_w = w;
	err_ppb = (win_w + w) * NS / (t - win_tsc) + 2 * NS / d;
	return (t - win_tsc) * PIT_HZ / d;
}

static uint64_t
pm_hz(void)
{
	hal_acpi_fadt();
	if (hal_acpi.pm_tmr == 0)
		return 0;
	ref_read = pm_read;
	ref_hz = PM_HZ;
	ref_mask = hal_acpi.pm_tmr_32 ? 0xffffffffu : 0xffffffu;
	tsc_source = "acpi pm timer";
	return measure();
}

/*
 * From now on, ns = (time reached now) + (tsc - now) * new rate: no
 * step.  Readers retry while seq is odd or has moved under them.
 */
static void
set_rate(uint64_t hz)
{
	uint64_t t, now;

	__atomic_fetch_add(&seq, 1, __ATOMIC_ACQ_REL);
	t = hal_rdtsc();
	now = base_ns + (uint64_t)((unsigned __int128)(t - base_tsc) *
	    mult >> 32);
	base_tsc = t;
	base_ns = now;
	tsc_hz = hz;
	mult = (NS << 32) / hz;
	__atomic_fetch_add(&seq, 1, __ATOMIC_RELEASE);
}

/*
 * When to measure next: at `target` ns of span, if the count is sure,
 * by the rate now, stretched by its error bound so that the span is at
 * least that long whichever way the rate is off.
 */
static void
schedule(uint64_t target_ns)
{
	uint64_t span_ns = (uint64_t)((unsigned __int128)(hal_rdtsc() -
	    anchor_tsc) * NS / tsc_hz);
	/* Wraps are counted right while the error stays under 1/4 wrap. */
	unsigned __int128 big = (unsigned __int128)(ref_mask + 1ull) / 4 *
	    NS / ref_hz * NS / (err_ppb ? err_ppb : 1);
	uint64_t safe = big > UINT64_MAX ? UINT64_MAX : (uint64_t)big;

	target_ns += (uint64_t)((unsigned __int128)target_ns * err_ppb / NS);
	if (target_ns > safe / 2)
		target_ns = safe / 2;
	refine_at = hal_time_ns() + (target_ns > span_ns ? target_ns -
	    span_ns : 0);
}

/* Measure over the span since the anchor, counting the wraps. */
static void
refine(void)
{
	static const uint64_t steps[] = { NS, 30 * NS };
	uint64_t t, w, span, est, d, wrap = ref_mask + 1ull, k, ticks;
	uint32_t v;

	v = sample(&t, &w);
	span = t - anchor_tsc;
	est = (uint64_t)((unsigned __int128)span * ref_hz / tsc_hz);
	if ((unsigned __int128)est * err_ppb / NS >= wrap / 4) {
		/* Too late to count the wraps: start the span again. */
		anchor_tsc = t;
		anchor_v = v;
		anchor_w = w;
		schedule(steps[refine_step]);
		return;
	}
	d = (v - anchor_v) & ref_mask;
	k = est > d ? (est - d + wrap / 2) / wrap : 0;
	ticks = k * wrap + d;
	if (ticks == 0) {
		refine_at = HAL_NO_DEADLINE; /* cannot happen; never spin */
		return;
	}
	err_ppb = (anchor_w + w) * NS / span + 2 * NS / ticks;
	set_rate((uint64_t)((unsigned __int128)span * ref_hz / ticks));
	if (hal_cmdline_has("loglevel=debug"))
		hal_printf("toro: tsc %lu kHz, measured over %lu ms\n",
		    (unsigned long)(tsc_hz / 1000),
		    (unsigned long)(ticks * 1000 / ref_hz));
	if (++refine_step < (int)(sizeof(steps) / sizeof(steps[0])))
		schedule(steps[refine_step]);
	else
		refine_at = HAL_NO_DEADLINE;
}

uint64_t
hal_time_idle(uint64_t now)
{
	/* Planned here, not at boot: a short program never idles. */
	if (__atomic_exchange_n(&refine_plan, 0, __ATOMIC_ACQUIRE))
		schedule(NS);
	if (now >= refine_at)
		refine();
	return refine_at;
}

/*
 * The rate, measured where the machine does not state it; *bg is set
 * when a counter the background can read again measured it.
 */
static uint64_t
measured_hz(int *bg)
{
	uint64_t hz;

	*bg = 1;
	tsc_source = "pit";
	if ((hz = window_hz()) != 0 || (hz = pit_hz()) != 0 ||
	    (hz = pm_hz()) != 0)
		return hz;
	*bg = 0;
	if ((hz = hal_rtc_tsc_hz()) != 0) {
		tsc_source = "rtc";
		return hz;
	}
	tsc_source = "assumed";
	return NS;
}

/*
 * Take the rate from the boot window, once: the first CPU to need it
 * does, any other waits for it.
 */
static void
finish(void)
{
	int expect = 1, bg = 0;
	uint64_t hz;

	if (!__atomic_compare_exchange_n(&pending, &expect, 2, 0,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		while (__atomic_load_n(&pending, __ATOMIC_ACQUIRE) != 0)
			__asm__ volatile("pause");
		return;
	}
	/* Each source returns 0 when the machine does not have it. */
	if ((hz = option_hz()) != 0)
		tsc_source = "tsc_khz=";
	else if ((hz = kvmclock_hz()) != 0)
		tsc_source = "kvmclock";
	else if ((hz = cpuid_hz()) == 0)
		hz = measured_hz(&bg);
	tsc_hz = hz;
	mult = (NS << 32) / hz;
	__atomic_store_n(&refine_plan, bg, __ATOMIC_RELAXED);
	__atomic_store_n(&pending, 0, __ATOMIC_RELEASE);
}

/* The rate is taken when first needed: a short program may never ask. */
void
hal_time_init(void)
{
	base_tsc = hal_boot_tsc0;
	hal_lapic_count_begin(); /* lapic.c takes it as late as it can */
	pending = 1;
}

uint64_t
hal_tsc_hz(void)
{
	if (pending)
		finish();
	return tsc_hz;
}

const char *
hal_tsc_source(void)
{
	if (pending)
		finish();
	return tsc_source;
}

uint64_t
hal_time_ns(void)
{
	uint32_t s;
	uint64_t t, ns;

	if (pending)
		finish();
	do {
		while ((s = __atomic_load_n(&seq, __ATOMIC_ACQUIRE)) & 1)
			__asm__ volatile("pause");
		t = hal_rdtsc();
		/* Another CPU's TSC may lag a little behind the base. */
		ns = base_ns + (t > base_tsc ? (uint64_t)((unsigned
		    __int128)(t - base_tsc) * mult >> 32) : 0);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (s != __atomic_load_n(&seq, __ATOMIC_RELAXED));
	return ns;
}

/* The RTC, read once, when the wall clock is first asked for. */
int64_t
hal_wall_ns(void)
{
	int expect = 0;
	int64_t secs;

	if (__atomic_load_n(&wall_state, __ATOMIC_ACQUIRE) != 2) {
		if (__atomic_compare_exchange_n(&wall_state, &expect, 1, 0,
		    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			secs = hal_rtc_seconds();
			wall0 = secs * (int64_t)NS - (int64_t)hal_time_ns();
			__atomic_store_n(&wall_state, 2, __ATOMIC_RELEASE);
		}
		while (__atomic_load_n(&wall_state, __ATOMIC_ACQUIRE) != 2)
			__asm__ volatile("pause");
	}
	return wall0 + (int64_t)hal_time_ns();
}

void
hal_tsc_delay_ns(uint64_t ns)
{
	uint64_t t0 = hal_rdtsc();
	uint64_t ticks = ns * hal_tsc_hz() / NS; /* ns is small */

	while (hal_rdtsc() - t0 < ticks)
		__asm__ volatile("pause");
}
