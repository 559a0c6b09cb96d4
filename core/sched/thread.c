/*
 * thread.c: the thread API of toro/thread.h over the scheduler.
 *
 * A thread's struct and stack come from the creating CPU's heap; a thread
 * for another CPU travels there as a message, so creation never waits.
 * Joining uses one atomic word per thread: NULL, the joining thread, or a
 * marker (exited, detached).  A dead thread is reaped by the next context
 * on its CPU, once nothing runs on its stack any more; only then is a
 * joiner woken, so it may free the struct safely.
 *
 * A stack is whole pages from the page allocator with one more page
 * below it, which the thread's CPU makes a guard (hal_stack_guard) when
 * the thread first runs and gives back when it is reaped: an overflow
 * faults there instead of overwriting the neighbour's memory.  Guarding
 * costs two system calls in the sim (mprotect, and the TLB shootdowns
 * that come with it), a hundred times a thread's creation otherwise, so
 * each CPU keeps the last few stacks of the dead threads it created for
 * itself guarded, for the next ones it creates so (a CPU that only gets
 * threads from others would keep them for nothing).  Only the owning CPU
 * touches its cache (reaping and local creation both run there), and the
 * guard stays right for it: the stack never ran elsewhere (native TLBs).
 */
#include "core/lib/fmt.h"
#include "core/lib/lib.h"
#include "core/mem/mem.h"
#include "core/sched/sched.h"
#include "toro/console.h"
#include "toro/errno.h"
#include "toro/mem.h"
#include "toro/thread.h"

#define JOIN_EXITED ((struct toro_thread *)1)
#define JOIN_DETACHED ((struct toro_thread *)2)
#define STACK_MIN (16u * 1024)

static size_t default_stack = 64u * 1024;

#define STACK_CACHE 4

struct stack_cache {
	int n;
	void *guard[STACK_CACHE]; /* the guard page, then the stack */
	size_t size[STACK_CACHE];
} __attribute__((aligned(CACHELINE)));

static struct stack_cache stacks[HAL_CPU_MAX];

/* A guarded stack of `size` bytes from this CPU's cache, or NULL. */
static char *
cached_stack(int cpu, size_t size)
{
	struct stack_cache *sc = &stacks[cpu];
	char *g;
	int i;

	for (i = sc->n - 1; i >= 0; i--)
		if (sc->size[i] == size) {
			g = sc->guard[i];
			sc->n--;
			sc->guard[i] = sc->guard[sc->n];
			sc->size[i] = sc->size[sc->n];
			return g;
		}
	return NULL;
}

void
sched_set_default_stack(size_t bytes)
{
	if (bytes >= STACK_MIN)
		default_stack = ROUNDUP(bytes, (size_t)MEM_PAGE);
}

static void
start_msg(struct sched_msg *m)
{
	sched_adopt(
	    sched_this_cpu(), container_of(m, struct toro_thread, start_msg));
}

int
toro_thread_create(struct toro_thread **tp, int cpu, void *(*fn)(void *),
    void *arg, const struct toro_thread_attr *attr)
{
	return sched_thread_create(tp, cpu, fn, arg, attr, 0);
}

/*
 * The thread's name: attr's, else "t" and the id, as "t%llu" would
 * print it (an id fits the name), made by hand since a thread is made
 * at each boot and the printf engine's first run is costly under QEMU's
 * TCG.  Both kinds take the same copy, one path for the boot to run.
 */
static void
set_name(struct toro_thread *t, const char *name)
{
	char digits[24];
	char *p;

	if (name == NULL) {
		digits[sizeof(digits) - 1] = '\0';
		p = lib_udec(digits + sizeof(digits) - 1, t->id);
		*--p = 't';
		name = p;
	}
	lib_strlcpy(t->name, name, sizeof(t->name));
}

int
sched_thread_create(struct toro_thread **tp, int cpu, void *(*fn)(void *),
    void *arg, const struct toro_thread_attr *attr, unsigned flags)
{
	static const struct toro_thread_attr defaults;
	struct sched_cpu *c = sched_this_cpu();
	struct toro_thread *t, *unused;
	char *guard;
	size_t size;

	if (attr == NULL)
		attr = &defaults;
	size = attr->stack_size != 0 ? attr->stack_size : default_stack;
	cpu = cpu == TORO_CPU_SELF ? c->id : cpu;
	/*
	 * One test for all (|, not ||: one branch where the boot's code is
	 * costly per branch); a negative CPU is a large unsigned one.
	 */
	if (((unsigned)cpu >= (unsigned)sched_ncpu) | (fn == NULL) |
	    (size - STACK_MIN > ((size_t)1 << 40) - STACK_MIN))
		return -TORO_EINVAL;
	size = ROUNDUP(size, (size_t)MEM_PAGE);
	/* Not toro_calloc: the size cannot overflow. */
	t = toro_malloc(sizeof(*t));
	if (t == NULL)
		return -TORO_ENOMEM;
	memset(t, 0, sizeof(*t));
	t->local = cpu == c->id;
	if (t->local && (guard = cached_stack(cpu, size)) != NULL)
		t->guarded = true;
	else if ((guard = mem_page_alloc(HAL_STACK_GUARD + size,
	    MEM_PAGE)) == NULL) {
		toro_free(t);
		return -TORO_ENOMEM;
	}
	t->stack = guard + HAL_STACK_GUARD;
	t->stack_size = size;
	t->flags = flags;
	t->cpu = cpu;
	t->state = THREAD_NEW;
	t->fn = fn;
	t->arg = arg;
	t->id = ++c->next_id * HAL_CPU_MAX + (uint64_t)c->id;
	list_init(&t->link);
	list_init(&t->tlink);
	list_init(&t->all);
	set_name(t, attr->name);
	hal_context_init(&t->ctx, t->stack, size, sched_thread_entry, t);
	*(tp != NULL ? tp : &unused) = t;
	if (t->local)
		sched_adopt(c, t);
	else {
		t->start_msg.fn = start_msg;
		sched_post(cpu, &t->start_msg);
	}
	return 0;
}

void
sched_reap(struct toro_thread *t)
{
	struct stack_cache *sc = &stacks[t->cpu];
	char *guard = (char *)t->stack - HAL_STACK_GUARD;
	struct toro_thread *j;

	list_remove(&t->all);
	hal_context_release(&t->ctx);
	/* &, not &&: one branch (the flags are plain bools). */
	if (t->local & t->guarded & (sc->n < STACK_CACHE)) {
		sc->guard[sc->n] = guard;
		sc->size[sc->n++] = t->stack_size;
	} else {
		if (t->guarded)
			hal_stack_unguard(guard);
		mem_page_free(guard, HAL_STACK_GUARD + t->stack_size);
	}
	t->stack = NULL;
	j = __atomic_exchange_n(&t->joiner, JOIN_EXITED, __ATOMIC_SEQ_CST);
	if (j == JOIN_DETACHED)
		toro_free(t);
	else if (j != NULL)
		sched_wake(j);
}

int
toro_thread_join(struct toro_thread *t, void **ret)
{
	struct toro_thread *self = sched_current(), *expected = NULL;

	if (t == NULL || t->idle)
		return -TORO_EINVAL;
	if (t == self)
		return -TORO_EDEADLK;
	if (__atomic_compare_exchange_n(&t->joiner, &expected, self, false,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		while (__atomic_load_n(&t->joiner, __ATOMIC_SEQ_CST) !=
		    JOIN_EXITED)
			sched_block(HAL_NO_DEADLINE, "join");
	} else if (expected != JOIN_EXITED)
		return -TORO_EINVAL; /* detached, or joined by another */
	if (ret != NULL)
		*ret = t->ret;
	toro_free(t);
	return 0;
}

int
toro_thread_detach(struct toro_thread *t)
{
	struct toro_thread *expected = NULL;

	if (t == NULL || t->idle)
		return -TORO_EINVAL;
	if (__atomic_compare_exchange_n(&t->joiner, &expected, JOIN_DETACHED,
	    false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return 0;
	if (expected == JOIN_EXITED) {
		toro_free(t);
		return 0;
	}
	return -TORO_EINVAL;
}

void
toro_thread_exit(void *ret)
{
	struct sched_cpu *c = sched_this_cpu();
	struct toro_thread *t = c->cur;

	if (t->idle)
		lib_panic("toro_thread_exit called outside a thread");
	t->ret = ret;
	if (t->user_dtor != NULL) {
		void (*dtor)(void *) = t->user_dtor;
		void *p = t->user;

		/* A dtor that calls back into its runtime finds it gone. */
		t->user = NULL;
		t->user_dtor = NULL;
		dtor(p);
	}
	sched_exit_current(c);
}

void
toro_thread_set_local(void *p, void (*dtor)(void *))
{
	struct toro_thread *t = sched_current();

	t->user = p;
	t->user_dtor = dtor;
}

void *
toro_thread_local(void)
{
	return sched_current()->user;
}

struct toro_thread *
toro_thread_self(void)
{
	return sched_current();
}

const char *
toro_thread_name(const struct toro_thread *t)
{
	return t->name;
}

uint64_t
toro_thread_id(const struct toro_thread *t)
{
	return t->id;
}

void
toro_sleep_ns(uint64_t ns)
{
	uint64_t now = hal_time_ns(), deadline = now + ns;

	if (deadline < now)
		deadline = HAL_NO_DEADLINE - 1;
	while (hal_time_ns() < deadline)
		sched_block(deadline, "sleep");
}

void
toro_sleep_ms(uint64_t ms)
{
	toro_sleep_ns(ms > UINT64_MAX / 1000000 ? UINT64_MAX : ms * 1000000);
}

int
toro_cpu_id(void)
{
	return hal_cpu_id();
}

int
toro_cpu_count(void)
{
	return sched_ncpu;
}

uint64_t
toro_time_ns(void)
{
	return hal_time_ns();
}

int64_t
toro_wall_ns(void)
{
	return hal_wall_ns();
}
