/*
 * tp.c: musl's thread descriptor for every Toro thread.
 *
 * Interface: libc_tp() is musl's thread pointer (see musl/pthread_arch.h):
 * the calling thread's struct pthread, which holds its errno, its locale,
 * its id for lock ownership and its thread-specific data.  libc_tid() is
 * that id.  libc_thread_new() and libc_thread_free() make and drop a
 * descriptor, libc_thread_end() runs what a thread's end must run.
 *
 * Rules: a thread gets its descriptor on first use, whoever created it
 * (main, toro_thread_create), and keeps it in the kernel's per-thread
 * pointer (toro_thread_set_local); it is freed when the thread ends.
 * pthread_create makes a thread's descriptor before the thread runs,
 * and frees it when the thread is joined (pthread.c).
 */
#include "pthread_impl.h"

#include "libc/thread.h"
#include "libc/toroc.h"
#include "toro/toro.h"

/* Ids start at 1: 0 means "no owner" in musl's locks. */
static int next_tid;

struct libc_thread *
libc_thread_new(void)
{
	struct libc_thread *lt;
	struct pthread *td;

	lt = toro_calloc(1, sizeof(*lt) + __pthread_tsd_size);
	if (lt == NULL)
		return NULL;
	td = &lt->td;
	td->self = td;
	td->tid =
	    __atomic_add_fetch(&next_tid, 1, __ATOMIC_RELAXED) & 0x3fffffff;
	if (td->tid == 0)
		td->tid = 1;
	td->locale = &libc.global_locale;
	td->detach_state = DT_JOINABLE;
	td->robust_list.head = &td->robust_list.head;
	td->tsd = (void **)(lt + 1);
	/* A list of one: pthread_key_delete walks it (only this one). */
	td->next = td->prev = td;
	lt->cpu = toro_cpu_id();
	return lt;
}

void
libc_thread_free(struct libc_thread *lt)
{
	toro_free(lt);
}

void
libc_thread_end(struct pthread *td)
{
	struct __ptcb *cb;

	/* pthread_cleanup_push()'s handlers, innermost first. */
	while ((cb = td->cancelbuf) != NULL) {
		td->cancelbuf = cb->__next;
		cb->__f(cb->__x);
	}
	if (td->tsd_used)
		__pthread_tsd_run_dtors();
}

/* A thread that pthread.c did not create ends: its descriptor goes. */
static void
adopted_end(void *p)
{
	struct libc_thread *lt = p;

	/* The destructors find the thread's descriptor through libc_tp(). */
	toro_thread_set_local(lt, NULL);
	libc_thread_end(&lt->td);
	toro_thread_set_local(NULL, NULL);
	libc_thread_free(lt);
}

uintptr_t
libc_tp(void)
{
	struct libc_thread *lt = toro_thread_local();

	if (lt != NULL)
		return (uintptr_t)&lt->td;
	lt = libc_thread_new();
	if (lt == NULL) {
		/* Without a descriptor, not even errno can say why. */
		toro_printf("toro: libc: no memory for a thread descriptor\n");
		toro_poweroff(134);
	}
	toro_thread_set_local(lt, adopted_end);
	return (uintptr_t)&lt->td;
}

int
libc_tid(void)
{
	return ((struct pthread *)libc_tp())->tid;
}
