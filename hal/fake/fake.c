/*
 * fake.c: the deterministic fake machine (see fake.h).
 *
 * Each fake CPU is a context with a stack of its own.  hal_cpu_wait()
 * parks the calling CPU and switches to the next CPU, in index order,
 * that has an event or a passed deadline or has not waited yet; when
 * none can run, the clock jumps to the earliest deadline.  If no CPU has
 * a deadline either, the machine is deadlocked and fake_run() returns
 * FAKE_DEADLOCK.  It has no MMU and no traps: hal_stack_guard() does
 * nothing and sched_trap() is never called, so only user exceptions
 * (toro_raise) can be tested on it; hal_copy() fails only where a test
 * said (fake_bad_memory).  It boots the core as kern_boot()
 * does, through kern.h's pieces, with the test's thread in place of the
 * services and main.
 *
 * Every switch of stacks (between CPUs, threads and the host) goes
 * through fake_switch, which tells AddressSanitizer as hal/sim/context.c
 * does: announced before, confirmed on arrival, a new context's first
 * arrival through fiber_start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kern/kern.h"
#include "core/lib/lib.h"
#include "hal/fake/fake.h"
#include "hal/hal.h"
#include "hal/x86_64/x86.h"
#include "toro/errno.h"
#include "toro/toro.h"

#define CPU_STACK (256 * 1024)

/* Slots of the frame hal_context_init builds (hal/x86_64/context.c). */
enum { FRAME_R13 = 3, FRAME_R12 = 4, FRAME_RET = 7 };

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define ASAN 1
#define asan_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#define asan_leave(save, lo, n) __sanitizer_start_switch_fiber(save, lo, n)
#define asan_arrive(save, lo, n) __sanitizer_finish_switch_fiber(save, lo, n)
#else
#define ASAN 0
#define asan_unpoison(p, n) ((void)0)
#define asan_leave(save, lo, n) ((void)0)
#define asan_arrive(save, lo, n) ((void)0)
#endif

void hal_x86_start(void);

struct fake_cpu {
	struct hal_context ctx; /* saved while another CPU runs */
	void *local;
	void (*entry)(void);
	void *stack;
	uint32_t pending;
	uint64_t deadline;
	int started;
	int waiting;
};

static struct fake_cpu cpus[HAL_CPU_MAX];
static int ncpus, cur;
static uint64_t now, waits;
static struct hal_context host;
static int exit_status;
static char cmdline[4096];
static bool entropy_works = true;
static uint64_t entropy_x = 0x5eed;
static char *out;
static size_t out_len, out_cap;
static char in[4096];
static size_t in_len;
static void *ram;
static void *(*test_fn)(void *);
static void *test_arg;

void
fake_set_cmdline(const char *line)
{
	snprintf(cmdline, sizeof(cmdline), "%s", line);
}

const char *
fake_console_output(void)
{
	return out != NULL ? out : "";
}

uint64_t
fake_now(void)
{
	return now;
}

uint64_t
fake_waits(void)
{
	return waits;
}

int
hal_cpu_count(void)
{
	return ncpus;
}

int
hal_cpu_id(void)
{
	return cur;
}

void
hal_cpu_set_local(void *p)
{
	cpus[cur].local = p;
}

void *
hal_cpu_local(void)
{
	return cpus[cur].local;
}

/* The host's stack, known from the first arrival on a fake one. */
static const void *host_lo;
static size_t host_size;
/* The fake stack running now (NULL: the host's). */
static void *run_lo;
static size_t run_size;
/* The entry of the new context being switched to (ASan only). */
static void (*new_entry)(void *);
static void *new_arg;

static void
fiber_start(void *unused)
{
	void (*entry)(void *) = new_entry;
	void *arg = new_arg;
	const void *lo = NULL;
	size_t n = 0;

	asan_arrive(NULL, &lo, &n);
	if (host_lo == NULL) {
		host_lo = lo;
		host_size = n;
	}
	entry(arg);
	abort();
}

static void
fake_switch(struct hal_context *from, struct hal_context *to)
{
	uintptr_t *frame = (uintptr_t *)to->sp;

	/* A zeroed context is the stack running now (hal.h). */
	if (from->stack == NULL && from != &host) {
		from->stack = run_lo;
		from->stack_size = run_size;
	}
	if (ASAN && frame[FRAME_RET] == (uintptr_t)hal_x86_start &&
	    frame[FRAME_R12] != (uintptr_t)fiber_start) {
		/* The stack may hold poison from its last use. */
		asan_unpoison(to->stack, to->stack_size);
		new_entry = (void (*)(void *))frame[FRAME_R12];
		new_arg = (void *)frame[FRAME_R13];
		frame[FRAME_R12] = (uintptr_t)fiber_start;
	}
	if (to->stack != NULL)
		asan_leave(&from->fake_stack, to->stack, to->stack_size);
	else
		asan_leave(&from->fake_stack, host_lo, host_size);
	run_lo = to->stack;
	run_size = to->stack_size;
	hal_x86_switch(&from->sp, to->sp);
	asan_arrive(from->fake_stack, NULL, NULL);
	run_lo = from->stack;
	run_size = from->stack_size;
}

static void
switch_cpu(int to)
{
	int from = cur;

	if (to == from)
		return;
	cur = to;
	fake_switch(&cpus[from].ctx, &cpus[to].ctx);
}

/* Pick the next CPU that can run, advancing the clock if needed. */
static int
next_cpu(void)
{
	uint64_t soonest = HAL_NO_DEADLINE;
	int i, c;

	for (;;) {
		for (i = 1; i <= ncpus; i++) {
			c = (cur + i) % ncpus;
			if (!cpus[c].started)
				continue;
			if (!cpus[c].waiting || cpus[c].pending != 0 ||
			    cpus[c].deadline <= now)
				return c;
		}
		for (i = 0; i < ncpus; i++)
			if (cpus[i].started && cpus[i].waiting &&
			    cpus[i].deadline < soonest)
				soonest = cpus[i].deadline;
		if (soonest == HAL_NO_DEADLINE)
			return -1;
		now = soonest;
	}
}

void
hal_cpu_relax(void)
{
}

/*
 * Virtual time moves only while every CPU waits, so a CPU spinning on
 * the clock would wait forever: only halting exists here.
 */
int
hal_cpu_set_idle(enum hal_idle how, uint64_t poll_ns)
{
	(void)poll_ns;
	return how == HAL_IDLE_HALT ? 0 : -TORO_EOPNOTSUPP;
}

uint32_t
hal_cpu_wait(uint64_t deadline)
{
	struct fake_cpu *c = &cpus[cur];
	uint32_t ev;
	int next;

	waits++;
	c->waiting = 1;
	c->deadline = deadline;
	while (c->pending == 0 && c->deadline > now) {
		next = next_cpu();
		if (next < 0) {
			exit_status = FAKE_DEADLOCK;
			fake_switch(&c->ctx, &host);
		}
		switch_cpu(next);
	}
	c->waiting = 0;
	ev = c->pending;
	c->pending = 0;
	return ev;
}

uint32_t
hal_cpu_poll(void)
{
	uint32_t ev = cpus[cur].pending;

	cpus[cur].pending = 0;
	return ev;
}

void
hal_cpu_kick(int cpu)
{
	cpus[cpu].pending |= HAL_EV_KICK;
}

static void
cpu_trampoline(void *arg)
{
	struct fake_cpu *c = arg;

	c->entry();
	abort();
}

int
hal_cpu_start(int cpu, void (*entry)(void))
{
	struct fake_cpu *c = &cpus[cpu];

	if (cpu <= 0 || cpu >= ncpus || c->started)
		return -TORO_EINVAL;
	c->stack = malloc(CPU_STACK);
	if (c->stack == NULL)
		return -TORO_ENOMEM;
	c->entry = entry;
	hal_context_init(&c->ctx, c->stack, CPU_STACK, cpu_trampoline, c);
	c->started = 1;
	c->waiting = 0;
	return 0;
}

void
hal_context_switch(struct hal_context *from, struct hal_context *to)
{
	fake_switch(from, to);
}

void
hal_context_release(struct hal_context *ctx)
{
	/* A dead thread never unwound its frames: clear their poison. */
	asan_unpoison(ctx->stack, ctx->stack_size);
}

uint64_t
hal_time_ns(void)
{
	return now;
}

int
hal_boot_phases(struct hal_boot_phase *p, int max)
{
	return 0;
}

int64_t
hal_wall_ns(void)
{
	/* 2026-01-01 00:00 UTC plus the virtual clock. */
	return 1767225600LL * 1000000000LL + (int64_t)now;
}

void
hal_console_write(const char *s, size_t n)
{
	if (out_len + n + 1 > out_cap) {
		out_cap = (out_len + n + 1) * 2;
		out = realloc(out, out_cap);
		if (out == NULL)
			abort();
	}
	memcpy(out + out_len, s, n);
	out_len += n;
	out[out_len] = '\0';
	if (getenv("FAKE_VERBOSE") != NULL)
		fwrite(s, 1, n, stderr);
}

size_t
hal_console_read(char *buf, size_t n)
{
	size_t k = n < in_len ? n : in_len;

	memcpy(buf, in, k);
	memmove(in, in + k, in_len - k);
	in_len -= k;
	return k;
}

void
fake_console_input(const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(in) - in_len)
		n = sizeof(in) - in_len;
	memcpy(in + in_len, s, n);
	in_len += n;
	cpus[0].pending |= HAL_EV_CONSOLE;
}

void
fake_post(int cpu, uint32_t bits)
{
	cpus[cpu].pending |= bits;
}

void
fake_post_stop(void)
{
	cpus[0].pending |= HAL_EV_STOP;
}

int
hal_stop_signal(void)
{
	return HAL_SIGINT; /* fake_post_stop() is a Ctrl-C */
}

static size_t ram_size;

int
hal_mem_regions(struct hal_mem_region *r, int max)
{
	if (max < 1)
		return 0;
	r[0].base = (uintptr_t)ram;
	r[0].size = ram_size;
	return 1;
}

const char *
hal_cmdline(void)
{
	return cmdline;
}

/* Deterministic "entropy" (splitmix64), so every run is the same run. */
int
hal_entropy(void *buf, size_t n)
{
	unsigned char *p = buf;

	if (!entropy_works)
		return -TORO_ENODEV;
	while (n > 0) {
		uint64_t z = (entropy_x += 0x9e3779b97f4a7c15ull);
		size_t k = n < sizeof(z) ? n : sizeof(z);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		memcpy(p, &z, k);
		p += k, n -= k;
	}
	return 0;
}

void
fake_set_entropy(bool works)
{
	entropy_works = works;
	entropy_x = 0x5eed;
}

void
hal_exit(int status)
{
	exit_status = status;
	fake_switch(&cpus[cur].ctx, &host);
	abort();
}

static uintptr_t bad_lo, bad_hi; /* fake_bad_memory()'s range */

void
fake_bad_memory(const void *p, size_t n)
{
	bad_lo = (uintptr_t)p;
	bad_hi = bad_lo + n;
}

/*
 * How many bytes from p on are good: n when none is bad.  Page 0 is
 * bad too, as on every machine with an MMU, and so is a range that
 * wraps past the end of the address space.
 */
static size_t
good_bytes(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;

	if (a < 4096 || a + n < a)
		return 0;
	if (a + n <= bad_lo || a >= bad_hi)
		return n;
	return a >= bad_lo ? 0 : bad_lo - a;
}

/*
 * Byte by byte and out of AddressSanitizer's sight, as the real one (a
 * rep movsb) is: a copy may read past what a C object holds within its
 * page (a string up to the page's end), which is no fault on a machine.
 */
__attribute__((no_sanitize("address"))) int
hal_copy(void *dst, const void *src, size_t n)
{
	size_t k = MIN(good_bytes(dst, n), good_bytes(src, n)), i;
	volatile uint8_t *d = dst;
	const volatile uint8_t *s = src;

	for (i = 0; i < k; i++)
		d[i] = s[i];
	return k == n ? 0 : -TORO_EFAULT;
}

/* The fake has no MMU: a stack overflow there is not caught. */
void
hal_stack_guard(void *page)
{
}

void
hal_stack_unguard(void *page)
{
}

void
hal_dump_registers(void)
{
	hal_console_write("(fake registers)\n", 17);
}

/*
 * No watchdog: every fake CPU runs in the one host thread, so while one
 * loops nothing else runs, and nothing could check on it.
 */
int
hal_watchdog_start(uint64_t period_ns)
{
	return -TORO_ENOSYS;
}

void
hal_watchdog_interrupt(int cpu)
{
}

static void *
first_thread(void *unused)
{
	hal_exit((int)(intptr_t)test_fn(test_arg));
}

static void
cpu0_entry(void *unused)
{
	struct toro_thread_attr attr = { "test", 256 * 1024 };

	kern_boot_machine();
	if (toro_thread_create(NULL, 0, first_thread, NULL, &attr) < 0)
		lib_panic("fake: cannot create the test thread");
	kern_boot_cpus();
	kern_boot_run();
}

int
fake_run(int ncpu, size_t mem_bytes, void *(*fn)(void *), void *arg)
{
	if (ncpu < 1 || ncpu > HAL_CPU_MAX)
		return -TORO_EINVAL;
	ncpus = ncpu;
	ram_size = mem_bytes & ~(size_t)0xffff;
	ram = aligned_alloc(65536, ram_size);
	if (ram == NULL)
		return -TORO_ENOMEM;
	test_fn = fn;
	test_arg = arg;
	cpus[0].stack = malloc(CPU_STACK);
	if (cpus[0].stack == NULL)
		return -TORO_ENOMEM;
	hal_context_init(&cpus[0].ctx, cpus[0].stack, CPU_STACK, cpu0_entry,
	    NULL);
	cpus[0].started = 1;
	cur = 0;
	fake_switch(&host, &cpus[0].ctx);
	return exit_status;
}

void
fake_release(void)
{
	int i;

	for (i = 0; i < HAL_CPU_MAX; i++) {
		free(cpus[i].stack);
		cpus[i].stack = NULL;
	}
	free(ram);
	ram = NULL;
	free(out);
	out = NULL;
	out_len = out_cap = 0;
}
