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
 * sim_cpu_watch() gives a CPU a device's host fd to watch, once: the
 * CPU's sleep (or, while it is busy, its event poll) then also ends
 * when the fd is ready, with the device's event bits, as a real CPU
 * halts until its device's interrupt.  The NIC's CPU watches its TAP so,
 * with no host thread between the device and the CPU.
 *
 * Rules: a pending word is only ever cleared by its own CPU.  Bit 31 of
 * it (WAITING) says its CPU sleeps or is about to: a poster makes the wake
 * system call only then, and a sleeper only sleeps while the word is
 * exactly WAITING, so no wake-up is lost.  A CPU with a watch sleeps in
 * ppoll(2) on the fd and on an eventfd of its own, and says so with bit
 * 30 (POLLING): a poster then writes the eventfd instead of waking the
 * futex.  Nothing here polls, but for idle=poll (sim_cpu_set_poll): then
 * a CPU spins on its word for a while before it announces a sleep, and a
 * post finds no WAITING to wake; and for a watch armed a moment ago,
 * whose device is busy: the CPU looks at the fd for up to 30 us before
 * it sleeps (grace_poll), since a sleep and its wake-up cost the host
 * more than that.
 */
#define _GNU_SOURCE /* pthread_getattr_np */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hal/hal.h"
#include "sim/sim.h"

#define WAITING 0x80000000u
#define POLLING 0x40000000u
#define FLAGS (WAITING | POLLING)

/* A busy CPU looks at its watched fd every this many event polls. */
enum { WATCH_POLL_EVERY = 8 };
/* A watch armed this recently: its device is busy (grace_poll). */
#define GRACE_RECENT_NS 1000000u
/* How long grace_poll looks at the device before a sleep. */
#define GRACE_NS 30000u

/* Each CPU pthread gets this much stack (kern_boot and the idle loop). */
enum { CPU_STACK_SIZE = 8 << 20 };

struct cpu {
	_Atomic uint32_t pending; /* HAL_EV_* bits, plus WAITING, POLLING */
	atomic_bool started;
	int index;
	int wake_fd;               /* eventfd of a POLLING sleep, or -1 */
	_Atomic short watch_events; /* of the watch; 0: none armed */
	int watch_fd;
	uint32_t watch_bits;
	uint64_t watch_armed_ns;   /* when the watch was last armed */
	unsigned polls;            /* sim_cpu_poll() calls, for the watch */
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
	if ((c->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		sim_fatal("CPU %d: eventfd: %s", cpu, strerror(errno));
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
	static const uint64_t one = 1;
	struct cpu *c;
	uint32_t old;

	if (cpu < 0 || cpu >= sim_config.cpus)
		sim_fatal("event %#x posted to CPU %d, which does not exist",
		    bits, cpu);
	c = &cpus[cpu];
	old = atomic_fetch_or(&c->pending, bits);
	if ((old & WAITING) == 0)
		return;
	if ((old & POLLING) != 0) {
		/* A full eventfd is readable anyway: EAGAIN is fine. */
		if (write(c->wake_fd, &one, sizeof(one)) == -1 &&
		    errno != EAGAIN)
			sim_fatal("eventfd write: %s", strerror(errno));
	} else if (futex(&c->pending, FUTEX_WAKE_PRIVATE, 1, NULL, 0) == -1) {
		sim_fatal("futex wake: %s", strerror(errno));
	}
}

void
sim_cpu_watch(int cpu, int fd, short events, uint32_t bits)
{
	struct cpu *c;

	if (cpu < 0 || cpu >= sim_config.cpus)
		sim_fatal("CPU %d, which does not exist, asked to watch fd %d",
		    cpu, fd);
	c = &cpus[cpu];
	if (cpu != sim_cpu_self) {
		/*
		 * Only the CPU arms its own watch (its sleep reads it):
		 * from elsewhere, have it look at the device, find it not
		 * ready and ask again.
		 */
		sim_cpu_post(cpu, bits);
		return;
	}
	c->watch_fd = fd;
	c->watch_bits = bits;
	c->watch_armed_ns = sim_clock_ns();
	atomic_fetch_or_explicit(&c->watch_events, events,
	    memory_order_relaxed);
}

/* The watched fd was ready: the watch is spent; its bits. */
static uint32_t
watch_fired(struct cpu *c)
{
	atomic_store_explicit(&c->watch_events, 0, memory_order_relaxed);
	return c->watch_bits;
}

/* A busy CPU's look at its watched fd, without sleeping. */
static uint32_t
poll_watch(struct cpu *c)
{
	struct pollfd pfd;

	pfd.fd = c->watch_fd;
	pfd.events = atomic_load_explicit(&c->watch_events,
	    memory_order_relaxed);
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) == 1 && pfd.revents != 0)
		return watch_fired(c);
	return 0;
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

/*
 * The device's grace poll: a watch armed less than GRACE_RECENT_NS ago
 * means the device had work a moment ago, and more is likely on the
 * way; look at it (and the word) for up to GRACE_NS before sleeping, as
 * Linux's NAPI defers re-enabling a NIC's interrupt (gro_flush_timeout).
 * A sleep and its wake-up cost the host more than that; an idle device
 * never gets here.
 */
static uint32_t
grace_poll(struct cpu *c, uint64_t deadline)
{
	uint64_t now = sim_clock_ns(), end = now + GRACE_NS;
	uint32_t ev;

	if (now - c->watch_armed_ns > GRACE_RECENT_NS)
		return 0;
	if (deadline < end)
		end = deadline;
	do {
		if (atomic_load_explicit(&c->pending, memory_order_relaxed) !=
		    0 && (ev = atomic_exchange(&c->pending, 0)) != 0)
			return ev;
		if ((ev = poll_watch(c)) != 0)
			return ev;
	} while (sim_clock_ns() < end);
	return 0;
}

/*
 * sim_cpu_wait() with a watch: sleep in ppoll(2) on the watched fd and
 * the CPU's eventfd, announced by WAITING | POLLING.
 */
static uint32_t
wait_polling(struct cpu *c, uint64_t deadline)
{
	struct pollfd pfd[2];
	struct timespec ts, *tsp;
	uint64_t now, buf;
	uint32_t ev, idle;
	int n;

	for (;;) {
		idle = 0;
		if (!atomic_compare_exchange_strong(&c->pending, &idle,
		    WAITING | POLLING))
			return atomic_exchange(&c->pending, 0) & ~FLAGS;
		tsp = NULL;
		if (deadline != HAL_NO_DEADLINE) {
			now = sim_clock_ns();
			now = deadline > now ? deadline - now : 0;
			ts.tv_sec = (time_t)(now / 1000000000u);
			ts.tv_nsec = (long)(now % 1000000000u);
			tsp = &ts;
		}
		pfd[0].fd = c->wake_fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = c->watch_fd;
		pfd[1].events = atomic_load_explicit(&c->watch_events,
		    memory_order_relaxed);
		pfd[0].revents = pfd[1].revents = 0;
		n = ppoll(pfd, 2, tsp, NULL);
		if (n == -1 && errno != EINTR)
			sim_fatal("ppoll: %s", strerror(errno));
		ev = atomic_exchange(&c->pending, 0) & ~FLAGS;
		if (pfd[0].revents != 0)
			(void)read(c->wake_fd, &buf, sizeof(buf));
		if (pfd[1].revents != 0)
			ev |= watch_fired(c);
		if (ev != 0 || n == 0)
			return ev;
		/* Woken by a stale eventfd count or a signal: sleep again. */
	}
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
	if (atomic_load_explicit(&c->watch_events, memory_order_relaxed) !=
	    0) {
		if ((ev = grace_poll(c, deadline)) != 0)
			return ev;
		return wait_polling(c, deadline);
	}

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
		if ((ev = atomic_exchange(&c->pending, 0) & ~FLAGS) != 0)
			return ev;
	}
}

uint32_t
sim_cpu_poll(void)
{
	struct cpu *c = &cpus[sim_cpu_self];
	uint32_t ev = 0;

	if (atomic_load_explicit(&c->watch_events, memory_order_relaxed) != 0 &&
	    ++c->polls % WATCH_POLL_EVERY == 0)
		ev = poll_watch(c);
	/* A plain load first: the exchange would own the cache line. */
	if (atomic_load_explicit(&c->pending, memory_order_relaxed) == 0)
		return ev;
	return ev | (atomic_exchange(&c->pending, 0) & ~FLAGS);
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
