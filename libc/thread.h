/*
 * thread.h: thread descriptors, between tp.c and pthread.c.
 *
 * Needs musl's pthread_impl.h first (struct pthread).  A descriptor is
 * musl's struct pthread (what __pthread_self() gives, so td must stay
 * first) with what Toro needs to join the thread, followed by its
 * thread-specific data.
 */
#ifndef LIBC_THREAD_H
#define LIBC_THREAD_H

struct toro_thread;

struct libc_thread {
	struct pthread td;	/* first: musl's view */
	struct toro_thread *kt; /* the kernel's thread, to join it */
	void *(*fn)(void *);
	void *arg;
	int c11;  /* thrd_create's: fn returns an int */
	int cpu;  /* where it runs */
	int ours; /* made by pthread_create: pthread.c frees it */
};

/* A zeroed descriptor with a fresh id, or NULL without memory. */
struct libc_thread *libc_thread_new(void);
void libc_thread_free(struct libc_thread *lt);

/* What ends every thread: cleanup handlers, thread-specific data. */
void libc_thread_end(struct pthread *td);

#endif
