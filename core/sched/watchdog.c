/*
 * watchdog.c: reporting a CPU that is stuck in one thread.
 *
 * Interface: sched_watchdog_start() at boot (sched.h);
 * sched_watchdog_check() and sched_watchdog_report() for the platform
 * (hal.h).
 *
 * Scheduling is cooperative, so a thread that loops without blocking or
 * yielding keeps its CPU for good.  Every scheduling pass bumps its CPU's
 * heartbeat (sched_cpu.beat).  The platform calls sched_watchdog_check()
 * every period from somewhere a looping thread does not hold up.  A CPU
 * whose heartbeat has not moved for the limit, and which is not asleep
 * in hal_cpu_wait() (an idle CPU is not stuck), gets
 * hal_watchdog_interrupt() and reports its thread, registers and
 * backtrace itself, from the interrupt.  Once per episode: a new
 * heartbeat ends it.  The machine keeps running; the thread may recover.
 *
 * Rules: checks may come from any CPU or host thread, several at once;
 * one wins a try-lock and the others skip theirs.  Stuck time adds up
 * from check to check, each gap counted as two periods at most, so a
 * machine stopped in a debugger does not resume into a flood of reports.
 * The report runs in interrupt context (a signal, an NMI): it takes no
 * lock, allocates nothing, and says nothing if the CPU has moved on.
 */
#include "core/lib/fmt.h"
#include "core/lib/lib.h"
#include "core/sched/sched.h"
#include "toro/console.h"

#define NS 1000000000ull

static uint64_t limit_ns;  /* 0: off */
static uint64_t period_ns; /* between checks */
static int checking;	   /* the try-lock of sched_watchdog_check() */
static uint64_t last_check;

/* What the checker knows of each CPU; only the lock holder writes it. */
static struct {
	uint64_t beat;	   /* the heartbeat last seen */
	uint64_t stuck_ns; /* how long it has not moved */
	bool reported;	   /* this episode was reported */
} seen[HAL_CPU_MAX];

int
sched_watchdog_start(unsigned int seconds)
{
	if (seconds == 0)
		return 0;
	limit_ns = seconds * NS;
	/* Four looks per limit, to report within a quarter of it. */
	period_ns = MIN(limit_ns / 4, NS);
	return hal_watchdog_start(period_ns);
}

void
sched_watchdog_check(void)
{
	struct sched_cpu *c;
	uint64_t now, dt, beat;
	int i;

	if (limit_ns == 0 ||
	    __atomic_exchange_n(&checking, 1, __ATOMIC_ACQUIRE))
		return;
	now = hal_time_ns();
	dt = last_check == 0 || now < last_check ? 0 : now - last_check;
	dt = MIN(dt, 2 * period_ns);
	last_check = now;
	for (i = 0; i < hal_cpu_count(); i++) {
		c = &sched_cpus[i];
		beat = __atomic_load_n(&c->beat, __ATOMIC_RELAXED);
		/* 0: not scheduling yet.  Idling: nothing to run. */
		if (beat == 0 || beat != seen[i].beat ||
		    __atomic_load_n(&c->idling, __ATOMIC_RELAXED)) {
			__atomic_store_n(&seen[i].beat, beat, __ATOMIC_RELAXED);
			seen[i].stuck_ns = 0;
			seen[i].reported = false;
			continue;
		}
		__atomic_store_n(
		    &seen[i].stuck_ns, seen[i].stuck_ns + dt, __ATOMIC_RELAXED);
		if (seen[i].stuck_ns >= limit_ns && !seen[i].reported) {
			seen[i].reported = true;
			hal_watchdog_interrupt(i);
		}
	}
	__atomic_store_n(&checking, 0, __ATOMIC_RELEASE);
}

void
sched_watchdog_report(uintptr_t pc, uintptr_t sp, uintptr_t fp)
{
	struct sched_cpu *c = sched_this_cpu();
	struct toro_thread *t;
	uintptr_t lo = 0, hi = UINTPTR_MAX;
	uint64_t stuck, tenths;

	if (c == NULL)
		return;
	/* A late interrupt: the CPU has scheduled or gone idle since. */
	if (__atomic_load_n(&c->beat, __ATOMIC_RELAXED) !=
		__atomic_load_n(&seen[c->id].beat, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&c->idling, __ATOMIC_RELAXED))
		return;
	t = c->cur;
	stuck = __atomic_load_n(&seen[c->id].stuck_ns, __ATOMIC_RELAXED);
	tenths = (stuck + NS / 20) / (NS / 10);
	lib_printf_force(
	    "\ntoro: watchdog: CPU %d stuck for %llu.%llu s in thread \"%s\"\n"
	    "toro: watchdog: pc %p sp %p fp %p\n",
	    c->id, (unsigned long long)(tenths / 10),
	    (unsigned long long)(tenths % 10), t->name, (void *)pc, (void *)sp,
	    (void *)fp);
	/* The idle thread runs on the stack its CPU booted on. */
	if (t->stack != NULL) {
		lo = (uintptr_t)t->stack;
		hi = lo + t->stack_size;
	} else if (t->ctx.stack != NULL) {
		lo = (uintptr_t)t->ctx.stack;
		hi = lo + t->ctx.stack_size;
	}
	lib_backtrace_from(fp, lo, hi);
}
