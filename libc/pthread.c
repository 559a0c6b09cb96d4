/*
 * pthread.c: POSIX threads as Toro threads.
 *
 * Interface: pthread_create, pthread_exit, pthread_join, pthread_detach,
 * pthread_cancel (and the __pthread_* names musl's C11 threads call),
 * pthread_attr_setaffinity_np and pthread_attr_getaffinity_np
 * (declared by libc/include/pthread.h), and the cleanup handler stack
 * musl's pthread_cleanup_push uses.  musl keeps the rest: mutexes,
 * condition variables, rwlocks, once, keys, over futex.c.
 *
 * Rules: a thread never leaves the CPU it starts on.  It starts on the
 * CPU its attributes' affinity names (the lowest CPU of the set, unless
 * the set holds every CPU), else on the next CPU in turn: the n-th
 * thread created without an affinity runs on CPU n % ncpus, counting
 * from CPU 1, so that a program's threads spread over the machine
 * while its main thread keeps CPU 0 to itself as long as it can.
 */
#define _GNU_SOURCE
#include "pthread_impl.h"

#include <sched.h>

#include "libc/thread.h"
#include "libc/toroc.h"
#include "toro/toro.h"

/* The attribute's CPU plus one, 0 for the default (a free slot). */
#define _a_toro_cpu __u.__i[3 * __SU + 4]

int pthread_attr_setaffinity_np(
    pthread_attr_t *a, size_t size, const cpu_set_t *set);
int pthread_attr_getaffinity_np(
    const pthread_attr_t *a, size_t size, cpu_set_t *set);

static unsigned next_cpu;

static int
default_cpu(void)
{
	int n = toro_cpu_count();

	return (int)(__atomic_add_fetch(&next_cpu, 1, __ATOMIC_RELAXED) %
	    (unsigned)n);
}

_Noreturn void
__pthread_exit(void *result)
{
	struct pthread *self = __pthread_self();
	struct libc_thread *lt = (struct libc_thread *)self;

	libc_thread_end(self);
	self->result = result;
	if (!lt->ours)
		toro_thread_exit(result); /* tp.c frees the descriptor */
	/* Detached already: nobody will join, so the descriptor goes now. */
	if (a_cas(&self->detach_state, DT_JOINABLE, DT_EXITED) == DT_DETACHED) {
		toro_thread_set_local(NULL, NULL);
		libc_thread_free(lt);
	}
	toro_thread_exit(result);
}

static void *
start(void *p)
{
	struct libc_thread *lt = p;

	toro_thread_set_local(lt, NULL);
	if (lt->c11)
		__pthread_exit((void *)(intptr_t)((int (*)(void *))(
		    void *)lt->fn)(lt->arg));
	__pthread_exit(lt->fn(lt->arg));
}

int
__pthread_create(pthread_t *restrict res, const pthread_attr_t *restrict a,
    void *(*fn)(void *), void *restrict arg)
{
	struct toro_thread_attr ta = { 0 };
	struct toro_thread *kt;
	struct libc_thread *lt;
	int c11 = a == __ATTRP_C11_THREAD, cpu, err, detached;

	if (c11)
		a = NULL;
	if (a != NULL && a->_a_stackaddr != 0)
		return ENOTSUP; /* the kernel gives every thread its stack */
	if ((lt = libc_thread_new()) == NULL)
		return EAGAIN;
	lt->fn = fn;
	lt->arg = arg;
	lt->c11 = c11;
	lt->ours = 1;
	detached = a != NULL && a->_a_detach;
	if (detached)
		lt->td.detach_state = DT_DETACHED;
	ta.stack_size = a != NULL ? a->_a_stacksize : 0;
	cpu = a != NULL && a->_a_toro_cpu != 0 ? a->_a_toro_cpu - 1
					       : default_cpu();
	lt->cpu = cpu;
	*res = &lt->td;
	err = toro_thread_create(&kt, cpu, start, lt, &ta);
	if (err < 0) {
		libc_thread_free(lt);
		return err == -TORO_ENOMEM ? EAGAIN : -err;
	}
	/*
	 * A detached thread may have ended and freed lt already; its kernel
	 * side goes by itself when it ends.  Nobody joins a joinable one
	 * before this returns, so lt is still there for its handle.
	 */
	if (detached)
		toro_thread_detach(kt);
	else
		lt->kt = kt;
	return 0;
}

int
__pthread_join(pthread_t t, void **res)
{
	struct libc_thread *lt = (struct libc_thread *)t;
	int err;

	if (t == __pthread_self())
		return EDEADLK;
	if (!lt->ours || lt->td.detach_state == DT_DETACHED)
		return EINVAL;
	if ((err = toro_thread_join(lt->kt, NULL)) < 0)
		return -err;
	if (res != NULL)
		*res = lt->td.result;
	libc_thread_free(lt);
	return 0;
}

int
__pthread_detach(pthread_t t)
{
	struct libc_thread *lt = (struct libc_thread *)t;

	if (!lt->ours)
		return EINVAL;
	/* Ended already: joining frees what is left. */
	if (a_cas(&t->detach_state, DT_JOINABLE, DT_DETACHED) != DT_JOINABLE)
		return __pthread_join(t, NULL);
	toro_thread_detach(lt->kt);
	return 0;
}

/*
 * Cancellation would stop a thread anywhere (asynchronous) or inside a
 * blocking call (deferred); a Toro thread runs until it calls the
 * kernel, and no blocking call is a cancellation point, so no request
 * could be carried out.  ENOSYS says so: 0 would let the caller join a
 * thread that never ends.  (Linux has no such error; POSIX lets an
 * implementation add its own.)
 */
int
pthread_cancel(pthread_t t)
{
	(void)t;
	return ENOSYS;
}

void
__do_cleanup_push(struct __ptcb *cb)
{
	struct pthread *self = __pthread_self();

	cb->__next = self->cancelbuf;
	self->cancelbuf = cb;
}

void
__do_cleanup_pop(struct __ptcb *cb)
{
	__pthread_self()->cancelbuf = cb->__next;
}

int
pthread_attr_setaffinity_np(
    pthread_attr_t *a, size_t size, const cpu_set_t *set)
{
	int i, n = toro_cpu_count(), first = -1, count = 0;

	for (i = 0; i < n && (size_t)i < size * 8; i++)
		if (CPU_ISSET_S(i, size, set)) {
			if (first < 0)
				first = i;
			count++;
		}
	if (first < 0)
		return EINVAL;
	a->_a_toro_cpu = count == n ? 0 : first + 1;
	return 0;
}

int
pthread_attr_getaffinity_np(
    const pthread_attr_t *a, size_t size, cpu_set_t *set)
{
	int i, n = toro_cpu_count();

	CPU_ZERO_S(size, set);
	for (i = 0; i < n && (size_t)i < size * 8; i++)
		if (a->_a_toro_cpu == 0 || a->_a_toro_cpu == i + 1)
			CPU_SET_S(i, size, set);
	return 0;
}

weak_alias(__pthread_create, pthread_create);
weak_alias(__pthread_exit, pthread_exit);
weak_alias(__pthread_join, pthread_join);
weak_alias(__pthread_detach, pthread_detach);
