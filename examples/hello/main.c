/*
 * hello: one thread on every CPU says hello, then main returns 0.
 */
#include <toro/toro.h>

static void *
hello(void *unused)
{
	toro_printf("Hello from CPU %d of %d\n", toro_cpu_id(),
	    toro_cpu_count());
	return NULL;
}

int
main(int argc, char **argv)
{
	struct toro_thread *t[64];
	int n = toro_cpu_count(), i, err;

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++) {
		err = toro_thread_create(&t[i], i, hello, NULL, NULL);
		if (err < 0) {
			toro_printf("hello: thread on CPU %d: %s\n", i,
			    toro_strerror(err));
			return 1;
		}
	}
	for (i = 0; i < n; i++)
		toro_thread_join(t[i], NULL);
	return 0;
}
