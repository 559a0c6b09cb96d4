/*
 * thread.h: thread descriptors, between tp.c and pthread.c.
 *
 * Needs musl's pthread_impl.h first (struct pthread).
 */
#ifndef LIBC_THREAD_H
#define LIBC_THREAD_H

/* A zeroed descriptor with a fresh id, or NULL without memory. */
struct pthread *libc_thread_new(void);
void libc_thread_free(struct pthread *td);

/* What ends every thread: thread-specific data destructors. */
void libc_thread_end(struct pthread *td);

#endif
