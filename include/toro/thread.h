/*
 * toro/thread.h: threads, CPUs and time.
 *
 * A thread runs on the CPU it was created on and never migrates.  CPUs
 * schedule cooperatively: a thread runs until it blocks, sleeps, yields
 * or exits.  Every call here may be made from any thread on any CPU.
 */
#ifndef TORO_THREAD_H
#define TORO_THREAD_H

#include <stddef.h>
#include <stdint.h>

struct toro_thread;

/* Optional creation attributes; a zero field means the default. */
struct toro_thread_attr {
	const char *name;  /* up to 15 characters are kept */
	size_t stack_size; /* bytes; default 64 KiB or the stack= option */
};

/* The CPU the thread will run on: TORO_CPU_SELF means the caller's. */
#define TORO_CPU_SELF (-1)

/*
 * Create a thread on `cpu` running fn(arg).  When fn returns, its value
 * is what toro_thread_join() gives.  Creating a thread on another CPU
 * sends it a message; no lock is taken.  The handle stays valid until the
 * thread is joined, or forever if it is detached.  Returns 0, or
 * -TORO_EINVAL (no such CPU), -TORO_ENOMEM.
 */
int toro_thread_create(struct toro_thread **tp, int cpu, void *(*fn)(void *),
    void *arg, const struct toro_thread_attr *attr);

/* Wait for t to end and free it; *ret (if not NULL) gets its value. */
int toro_thread_join(struct toro_thread *t, void **ret);

/* Let t's resources go when it ends; it can no longer be joined. */
int toro_thread_detach(struct toro_thread *t);

/* End the calling thread with value ret. */
__attribute__((noreturn)) void toro_thread_exit(void *ret);

struct toro_thread *toro_thread_self(void);

/*
 * One pointer per thread for a runtime layered on Toro (the C library
 * keeps its thread descriptor there), NULL until set.  dtor, when not
 * NULL, runs on the thread as it ends (returns or calls
 * toro_thread_exit), after the pointer is cleared.
 */
void toro_thread_set_local(void *p, void (*dtor)(void *));
void *toro_thread_local(void);
const char *toro_thread_name(const struct toro_thread *t);
uint64_t toro_thread_id(const struct toro_thread *t);

/* Let the other ready threads of this CPU run. */
void toro_yield(void);

/* Sleep at least ns nanoseconds (ms milliseconds); the CPU may idle. */
void toro_sleep_ns(uint64_t ns);
void toro_sleep_ms(uint64_t ms);

int toro_cpu_id(void);
int toro_cpu_count(void);

/* Monotonic nanoseconds since boot; wall-clock ns since 1970. */
uint64_t toro_time_ns(void);
int64_t toro_wall_ns(void);

#endif
