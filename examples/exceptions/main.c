/*
 * exceptions: what goes wrong, caught or not (toro/except.h).
 *
 * main catches a divide by zero, a NULL dereference and a user exception
 * raised two calls down; then a worker on another CPU (the last one)
 * dereferences NULL with nobody to catch it: the kernel reports it and
 * ends the worker, its joiner sees TORO_THREAD_ABORTED, and main goes on
 * and returns 0.
 */
#include <stdint.h>
#include <toro/toro.h>

/*
 * Volatile and noipa, so that the compiler cannot see the faults coming.
 * The faults are the point: UBSan must let the CPU take them.
 */
static volatile int zero;
static int *volatile nowhere;

__attribute__((noipa, no_sanitize("undefined"))) static int
divide(int a, int b)
{
	return a / b;
}

__attribute__((noipa, no_sanitize("undefined"))) static int
load(const int *p)
{
	return *p;
}

__attribute__((noipa)) static void
check_size(int n)
{
	if (n > 100)
		toro_raise(TORO_ERANGE, "size %d is over 100", n);
}

__attribute__((noipa)) static void
parse(int n)
{
	check_size(n);
	toro_printf("size %d is fine\n", n);
}

static void *
worker(void *arg)
{
	toro_printf("worker on CPU %d: loading from NULL, uncaught\n",
	    toro_cpu_id());
	return (void *)(intptr_t)load(nowhere);
}

int
main(int argc, char **argv)
{
	struct toro_thread *t;
	void *ret;

	TORO_TRY {
		toro_printf("1 / 0 = %d\n", divide(1, zero));
	} TORO_EXCEPT(e) {
		toro_printf("caught %s: %s\n", toro_exception_name(e->kind),
		    e->message);
	} TORO_END;

	TORO_TRY {
		toro_printf("*NULL = %d\n", load(nowhere));
	} TORO_EXCEPT(e) {
		toro_printf("caught %s at address %#lx\n",
		    toro_exception_name(e->kind), (unsigned long)e->addr);
	} TORO_END;

	TORO_TRY {
		parse(7);
		parse(1000);
	} TORO_EXCEPT(e) {
		toro_printf("caught %s %d: %s\n", toro_exception_name(e->kind),
		    e->code, e->message);
	} TORO_END;

	if (toro_thread_create(&t, toro_cpu_count() - 1, worker, NULL,
	    &(struct toro_thread_attr){ "worker", 0 }) < 0 ||
	    toro_thread_join(t, &ret) < 0)
		return 1;
	if (ret != TORO_THREAD_ABORTED)
		return 1;
	toro_printf("the worker died; main goes on\n");
	return 0;
}
