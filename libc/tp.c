/*
 * tp.c: musl's thread descriptor for every Toro thread.
 *
 * Interface: libc_tp() is musl's thread pointer (see musl/pthread_arch.h):
 * the calling thread's struct pthread, which holds its errno, its locale,
 * its id for lock ownership and its thread-specific data.  libc_tid() is
 * that id.  libc_thread_new() and libc_thread_free() make and drop a
 * descriptor for pthread.c.
 *
 * Rules: a thread gets its descriptor on first use, whoever created it
 * (main, pthread_create, toro_thread_create), and keeps it in the
 * kernel's per-thread pointer (toro_thread_set_local); it is freed when
 * the thread ends, unless pthread.c owns it (it keeps the exit value).
 */
#include "pthread_impl.h"

#include "libc/thread.h"
#include "libc/toroc.h"
#include "toro/toro.h"

/* Ids start at 1: 0 means "no owner" in musl's locks. */
static int next_tid;

struct pthread *
libc_thread_new(void)
{
	struct pthread *td;

	/* The thread-specific data (pthread_setspecific) follows. */
	td = toro_calloc(1, sizeof(*td) + __pthread_tsd_size);
	if (td == NULL)
		return NULL;
	td->self = td;
	td->tid =
	    __atomic_add_fetch(&next_tid, 1, __ATOMIC_RELAXED) & 0x3fffffff;
	if (td->tid == 0)
		td->tid = 1;
	td->locale = &libc.global_locale;
	td->detach_state = DT_JOINABLE;
	td->robust_list.head = &td->robust_list.head;
	td->tsd = (void **)(td + 1);
	/* A list of one: pthread_key_delete walks it (only this one). */
	td->next = td->prev = td;
	return td;
}

void
libc_thread_free(struct pthread *td)
{
	toro_free(td);
}

void
libc_thread_end(struct pthread *td)
{
	if (td->tsd_used)
		__pthread_tsd_run_dtors();
}

/* A thread that pthread.c did not create ends: its descriptor goes. */
static void
adopted_end(void *p)
{
	/* The destructors find the thread's descriptor through libc_tp(). */
	toro_thread_set_local(p, NULL);
	libc_thread_end(p);
	toro_thread_set_local(NULL, NULL);
	libc_thread_free(p);
}

uintptr_t
libc_tp(void)
{
	struct pthread *td = toro_thread_local();

	if (td != NULL)
		return (uintptr_t)td;
	td = libc_thread_new();
	if (td == NULL) {
		/* Without a descriptor, not even errno can say why. */
		toro_printf("toro: libc: no memory for a thread descriptor\n");
		toro_poweroff(134);
	}
	toro_thread_set_local(td, adopted_end);
	return (uintptr_t)td;
}

int
libc_tid(void)
{
	return ((struct pthread *)libc_tp())->tid;
}
