/*
 * sched.c: the per-CPU scheduler loop, messages between CPUs, timers,
 * and the hooks that join it to the layers around it: kern's stop and
 * shutdown (sched_on_stop, sched_on_shutdown), lib's view of the running
 * thread (lib_set_where).
 *
 * Interface: sched.h.  Rules: everything here but sched_post() and
 * sched_wake() runs on the CPU that owns the data, so no locks are taken.
 * A CPU's idle thread runs on the stack the CPU booted on; when nothing
 * is ready it sleeps in hal_cpu_wait() until its earliest deadline.
 */
#include "core/sched/sched.h"
#include "core/lib/lib.h"
#include "core/mem/mem.h"
#include "toro/errno.h"
#include "toro/thread.h"

struct sched_cpu sched_cpus[HAL_CPU_MAX];
int sched_ncpu;

static void (*stop_hook)(void);
static void (*shutdown_hook)(int status);

/* After sched_freeze(): the one thread of the program that still runs. */
static struct toro_thread *survivor;
static int frozen;

void
sched_on_stop(void (*stop)(void))
{
	stop_hook = stop;
}

void
sched_on_shutdown(void (*shutdown)(int))
{
	shutdown_hook = shutdown;
}

void
sched_shutdown(int status)
{
	if (shutdown_hook != NULL)
		shutdown_hook(status);
	hal_exit(status);
}

void
sched_freeze(void)
{
	survivor = sched_current();
	__atomic_store_n(&frozen, 1, __ATOMIC_RELEASE);
}

/* Whether t may still run: every thread does until sched_freeze(). */
static bool
may_run(const struct toro_thread *t)
{
	return !__atomic_load_n(&frozen, __ATOMIC_ACQUIRE) || t->idle ||
	    t == survivor || (t->flags & SCHED_THREAD_SYSTEM);
}

/* The next ready thread that may run; the others freeze on the way. */
static struct toro_thread *
pick(struct sched_cpu *c)
{
	struct toro_thread *t;
	struct list *l;

	while ((l = list_pop_front(&c->ready)) != NULL) {
		t = container_of(l, struct toro_thread, link);
		if (may_run(t))
			return t;
		t->state = THREAD_FROZEN;
	}
	return &c->idle;
}

/* For lib's reports: the thread that runs on this CPU (lib.h). */
static bool
where(struct lib_where *w)
{
	struct sched_cpu *c = sched_this_cpu();
	struct toro_thread *t = c != NULL ? c->cur : NULL;

	if (t == NULL)
		return false;
	w->cpu = c->id;
	w->thread = t->name;
	if (t->stack != NULL) {
		w->lo = (uintptr_t)t->stack;
		w->hi = w->lo + t->stack_size;
	}
	return true;
}

void
sched_init(int ncpu)
{
	struct sched_cpu *c;
	int i;

	for (i = 0; i < ncpu; i++) {
		c = &sched_cpus[i];
		c->id = i;
		list_init(&c->ready);
		list_init(&c->sleepers);
		list_init(&c->threads);
		lib_mpsc_init(&c->inbox);
		c->idle.cpu = i;
		c->idle.idle = true;
		c->idle.state = THREAD_RUNNING;
		c->idle.id = (uint64_t)i;
		memcpy(c->idle.name, "idle", 5);
		list_init(&c->idle.link);
		list_init(&c->idle.tlink);
		list_push_back(&c->threads, &c->idle.all);
		c->cur = &c->idle;
	}
	sched_ncpu = ncpu;
	hal_cpu_set_local(&sched_cpus[0]);
	lib_set_where(where);
}

void
sched_cpu_enter(int cpu)
{
	hal_cpu_set_local(&sched_cpus[cpu]);
}

static void
make_ready(struct sched_cpu *c, struct toro_thread *t)
{
	t->state = THREAD_READY;
	list_push_back(&c->ready, &t->link);
}

static void
local_wake(struct sched_cpu *c, struct toro_thread *t)
{
	if (t->state != THREAD_BLOCKED)
		return;
	if (!list_empty(&t->tlink))
		list_remove(&t->tlink);
	make_ready(c, t);
}

static void
run_inbox(struct sched_cpu *c)
{
	struct mpsc_node *n;
	struct sched_msg *m;

	c->handling = 1;
	while (lib_mpsc_ready(&c->inbox) &&
	    (n = lib_mpsc_pop(&c->inbox)) != NULL) {
		m = container_of(n, struct sched_msg, node);
		m->fn(m);
	}
	c->handling = 0;
}

int
sched_on_event(uint32_t bit, void (*fn)(void))
{
	struct sched_cpu *c = sched_this_cpu();
	int i = __builtin_ctz(bit | 0x80000000u);

	if (bit == 0 || (bit & (bit - 1)) != 0 || i < 3 ||
	    i >= 3 + (int)nitems(c->on_event))
		return -TORO_EINVAL;
	c->on_event[i - 3] = fn;
	return 0;
}

static void
run_events(struct sched_cpu *c, uint32_t ev)
{
	int i;

	c->handling = 1;
	if ((ev & HAL_EV_STOP) && stop_hook != NULL)
		stop_hook();
	if (ev & HAL_EV_CONSOLE)
		sched_console_input();
	for (ev >>= 3, i = 0; ev != 0; ev >>= 1, i++)
		if ((ev & 1) && i < (int)nitems(c->on_event) &&
		    c->on_event[i] != NULL)
			c->on_event[i]();
	c->handling = 0;
}

static void
run_timers(struct sched_cpu *c)
{
	struct toro_thread *t;
	uint64_t now;

	if (list_empty(&c->sleepers))
		return;
	now = hal_time_ns();
	while (!list_empty(&c->sleepers)) {
		t = container_of(c->sleepers.next, struct toro_thread, tlink);
		if (t->deadline > now)
			break;
		list_remove(&t->tlink);
		t->timed_out = true;
		make_ready(c, t);
	}
}

/* Keep sleepers sorted; new deadlines are usually the latest. */
static void
add_sleeper(struct sched_cpu *c, struct toro_thread *t)
{
	struct list *pos = c->sleepers.prev;

	while (pos != &c->sleepers && container_of(pos, struct toro_thread,
	    tlink)->deadline > t->deadline)
		pos = pos->prev;
	list_insert_before(pos->next, &t->tlink);
}

/* Reap a thread that died on this CPU, now that we are off its stack. */
static void
after_switch(struct sched_cpu *c)
{
	struct toro_thread *z = c->zombie;

	if (z != NULL) {
		c->zombie = NULL;
		sched_reap(z);
	}
}

/*
 * Pick the next thread and switch to it.  The current thread has already
 * set its state: RUNNING (a yield: it goes to the back of the queue),
 * BLOCKED or ZOMBIE.
 */
static void
reschedule(struct sched_cpu *c)
{
	struct toro_thread *cur = c->cur, *next;
	uint32_t ev;

	/* The watchdog's heartbeat: a plain add to our own cache line. */
	__atomic_store_n(&c->beat, c->beat + 1, __ATOMIC_RELAXED);
	run_inbox(c);
	/*
	 * Reading the clock costs more than a switch, so a busy CPU looks
	 * at its timers every 16th pass; an idle one always does.
	 */
	if (cur->idle || (++c->passes & 15) == 0)
		run_timers(c);
	/* A busy CPU must still see its devices' events. */
	if ((ev = hal_cpu_poll()) != 0)
		run_events(c, ev);
	if ((cur->state == THREAD_RUNNING) & !cur->idle) {
		if (!may_run(cur))
			cur->state = THREAD_FROZEN;
		else if (list_empty(&c->ready))
			return;
		else
			make_ready(c, cur);
	}
	next = pick(c);
	if (next == cur) {
		cur->state = THREAD_RUNNING;
		return;
	}
	/* No zombie is left from before: after_switch() took it. */
	c->zombie = cur->state == THREAD_ZOMBIE ? cur : NULL;
	next->state = THREAD_RUNNING;
	c->cur = next;
	c->switches++;
	hal_context_switch(&cur->ctx, &next->ctx);
	after_switch(c);
}

void
sched_thread_entry(void *arg)
{
	struct toro_thread *t = arg;

	after_switch(sched_this_cpu());
	/* On the thread's own CPU, whose TLB must know (hal.h). */
	if (!t->guarded) {
		hal_stack_guard((char *)t->stack - HAL_STACK_GUARD);
		t->guarded = true;
	}
	toro_thread_exit(t->fn(t->arg));
}

void
sched_run(void)
{
	struct sched_cpu *c = sched_this_cpu();
	uint64_t deadline;
	uint32_t ev;

	for (;;) {
		reschedule(c);
		mem_cpu_reclaim();
		if (!list_empty(&c->ready))
			continue;
		deadline = HAL_NO_DEADLINE;
		if (!list_empty(&c->sleepers))
			deadline = container_of(c->sleepers.next,
			    struct toro_thread, tlink)->deadline;
		/* Senders check `idling` after they push (see sched_post). */
		__atomic_store_n(&c->idling, 1, __ATOMIC_SEQ_CST);
		if (lib_mpsc_ready(&c->inbox)) {
			__atomic_store_n(&c->idling, 0, __ATOMIC_RELAXED);
			continue;
		}
		ev = hal_cpu_wait(deadline);
		__atomic_store_n(&c->idling, 0, __ATOMIC_RELAXED);
		run_events(c, ev);
	}
}

void
sched_cpu_main(void)
{
	sched_cpu_enter(hal_cpu_id());
	sched_run();
}

void
sched_post(int cpu, struct sched_msg *m)
{
	struct sched_cpu *c = &sched_cpus[cpu];

	lib_mpsc_push(&c->inbox, &m->node);
	if (cpu != hal_cpu_id() &&
	    __atomic_load_n(&c->idling, __ATOMIC_SEQ_CST))
		hal_cpu_kick(cpu);
}

int
sched_block(uint64_t deadline, const char *reason)
{
	struct sched_cpu *c = sched_this_cpu();
	struct toro_thread *t = c->cur;

	if (t->idle)
		lib_panic("the idle thread of CPU %d tried to block", c->id);
	t->state = THREAD_BLOCKED;
	t->timed_out = false;
	t->wait_reason = reason;
	if (deadline != HAL_NO_DEADLINE) {
		t->deadline = deadline;
		add_sleeper(c, t);
	}
	reschedule(c);
	t->wait_reason = NULL;
	return t->timed_out ? -TORO_ETIMEDOUT : 0;
}

static void
wake_msg(struct sched_msg *m)
{
	struct toro_thread *t = container_of(m, struct toro_thread, wake_msg);

	__atomic_store_n(&t->wake_pending, 0, __ATOMIC_SEQ_CST);
	local_wake(sched_this_cpu(), t);
}

void
sched_wake(struct toro_thread *t)
{
	struct sched_cpu *c = sched_this_cpu();

	if (t->cpu == c->id) {
		local_wake(c, t);
		return;
	}
	/* One wake message in flight per thread is enough. */
	if (__atomic_exchange_n(&t->wake_pending, 1, __ATOMIC_SEQ_CST))
		return;
	t->wake_msg.fn = wake_msg;
	sched_post(t->cpu, &t->wake_msg);
}

void
sched_adopt(struct sched_cpu *c, struct toro_thread *t)
{
	list_push_back(&c->threads, &t->all);
	make_ready(c, t);
}

void
sched_exit_current(struct sched_cpu *c)
{
	c->cur->state = THREAD_ZOMBIE;
	reschedule(c);
	lib_panic("a dead thread was scheduled");
}

void
toro_yield(void)
{
	reschedule(sched_this_cpu());
}
