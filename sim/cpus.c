/*
 * cpus.c: the machine's CPUs, one pthread each, and their event words.
 *
 * Interface: sim_cpu_start() creates a CPU's pthread and runs entry() on
 * it; sim_cpu_post() ORs event bits into a CPU's pending word and wakes
 * it; sim_cpu_wait() is the CPU's halt: it takes the pending bits, or
 * sleeps on the word with a futex until a bit arrives or the deadline.
 * sim_cpu_self and sim_cpu_stack() describe the calling CPU;
 * sim_cpu_signal() sends a host signal to a CPU's pthread, whose handler
 * runs on a signal stack of the CPU's own (not on a kernel thread's).
 *
 * Rules: a pending word is only ever cleared by its own CPU.  Bit 31 of
 * it (WAITING) says its CPU sleeps or is about to: a poster makes the wake
 * system call only then, and a sleeper only sleeps while the word is
 * exactly WAITING, so no wake-up is lost.  Nothing here polls, but for
 * idle=poll (sim_cpu_set_poll): then a CPU spins on its word for a while
 * before it announces a sleep, and a post finds no WAITING to wake.
 */
#define _GNU_SOURCE /* pthread_getattr_np */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hal/hal.h"
#include "sim/sim.h"

#define WAITING 0x80000000u

/* Each CPU pthread gets this much stack (kern_boot and the idle loop). */
enum { CPU_STACK_SIZE = 8 << 20 };

struct cpu {
	_Atomic uint32_t pending; /* HAL_EV_* bits, plus WAITING */
	atomic_bool started;
	int index;
	void (*entry)(void);
	pthread_t thread;
} __attribute__((aligned(64)));

static struct cpu cpus[HAL_CPU_MAX];
static uint64_t poll_ns; /* idle=poll: spin this long before sleeping */

__thread int sim_cpu_self = -1;

/* The bounds of the calling CPU's own pthread stack. */
static __thread void *stack_lo;
static __thread size_t stack_size;

static long
futex(_Atomic uint32_t *word, int op, uint32_t val, const struct timespec *ts,
    uint32_t mask)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, mask);
}

static void *
cpu_main(void *arg)
{
	struct cpu *c = arg;
	pthread_attr_t attr;
	int error;

	sim_cpu_self = c->index;
	if ((error = pthread_getattr_np(pthread_self(), &attr)) != 0 ||
	    (error = pthread_attr_getstack(&attr, &stack_lo, &stack_size)) != 0)
		sim_fatal("CPU %d: cannot find its stack: %s", c->index,
		    strerror(error));
	pthread_attr_destroy(&attr);
	/* Faults and the watchdog's signal run on this CPU's own stack. */
	sim_fault_cpu_init();
	c->entry();
	sim_fatal("CPU %d: its entry function returned", c->index);
}

int
sim_cpu_start(int cpu, void (*entry)(void))
{
	struct cpu *c;
	pthread_attr_t attr;
	int error;

	if (cpu < 0 || cpu >= sim_config.cpus)
		return -EINVAL;
	c = &cpus[cpu];
	if (atomic_exchange(&c->started, true))
		return -EBUSY;
	c->index = cpu;
	c->entry = entry;
	if ((error = pthread_attr_init(&attr)) != 0)
		goto fail;
	if ((error = pthread_attr_setstacksize(&attr, CPU_STACK_SIZE)) != 0 ||
	    (error = pthread_attr_setdetachstate(&attr,
	    PTHREAD_CREATE_DETACHED)) != 0 ||
	    (error = pthread_create(&c->thread, &attr, cpu_main, c)) != 0) {
		pthread_attr_destroy(&attr);
		goto fail;
	}
	pthread_attr_destroy(&attr);
	return 0;
fail:
	atomic_store(&c->started, false);
	return -error;
}

void
sim_cpu_post(int cpu, uint32_t bits)
{
	struct cpu *c;

	if (cpu < 0 || cpu >= sim_config.cpus)
		sim_fatal("event %#x posted to CPU %d, which does not exist",
		    bits, cpu);
	c = &cpus[cpu];
	if ((atomic_fetch_or(&c->pending, bits) & WAITING) != 0 &&
	    futex(&c->pending, FUTEX_WAKE_PRIVATE, 1, NULL, 0) == -1)
		sim_fatal("futex wake: %s", strerror(errno));
}

void
sim_cpu_set_poll(uint64_t ns)
{
	poll_ns = ns;
}

/* Watch the word until a bit, the deadline or poll_ns from now. */
static uint32_t
spin(struct cpu *c, uint64_t deadline)
{
	uint64_t end = sim_clock_ns() + poll_ns;

	if (deadline < end)
		end = deadline;
	do {
		if (atomic_load_explicit(&c->pending, memory_order_relaxed) !=
		    0)
			return atomic_exchange(&c->pending, 0);
		__builtin_ia32_pause();
	} while (sim_clock_ns() < end);
	return 0;
}

uint32_t
sim_cpu_wait(uint64_t deadline)
{
	struct cpu *c = &cpus[sim_cpu_self];
	struct timespec ts, *tsp = NULL;
	uint64_t host;
	uint32_t ev, idle;

	if (poll_ns != 0 && (ev = spin(c, deadline)) != 0)
		return ev;

	if (deadline != HAL_NO_DEADLINE &&
	    (host = sim_clock_host_ns(deadline)) != UINT64_MAX) {
		ts.tv_sec = (time_t)(host / 1000000000u);
		ts.tv_nsec = (long)(host % 1000000000u);
		tsp = &ts;
	}
	for (;;) {
		/* Announce the sleep; this fails if a bit is pending. */
		idle = 0;
		if (atomic_compare_exchange_strong(&c->pending, &idle,
		    WAITING) && futex(&c->pending, FUTEX_WAIT_BITSET_PRIVATE,
		    WAITING, tsp, FUTEX_BITSET_MATCH_ANY) == -1) {
			if (errno == ETIMEDOUT)
				return atomic_exchange(&c->pending, 0) &
				    ~WAITING;
			if (errno != EAGAIN && errno != EINTR)
				sim_fatal("futex wait: %s", strerror(errno));
		}
		/* Woken, maybe spuriously: go back to sleep if so. */
		if ((ev = atomic_exchange(&c->pending, 0) & ~WAITING) != 0)
			return ev;
	}
}

uint32_t
sim_cpu_poll(void)
{
	struct cpu *c = &cpus[sim_cpu_self];

	/* A plain load first: the exchange would own the cache line. */
	if (atomic_load_explicit(&c->pending, memory_order_relaxed) == 0)
		return 0;
	return atomic_exchange(&c->pending, 0) & ~WAITING;
}

int
sim_cpu_signal(int cpu, int sig)
{
	if (cpu < 0 || cpu >= sim_config.cpus ||
	    !atomic_load(&cpus[cpu].started))
		return -EINVAL;
	return -pthread_kill(cpus[cpu].thread, sig);
}

void
sim_cpu_stack(void **lo, size_t *size)
{
	*lo = stack_lo;
	*size = stack_size;
}
