/*
 * start.c: the C library's part in starting and ending the program.
 *
 * Interface: __wrap_main().  C environment programs link with
 * --wrap=main (libc/local.mk), so the kernel's call of main() (its main
 * thread, on CPU 0) lands here; the program's main is __real_main.
 *
 * Rules: the kernel boots and calls main on both targets, so there is
 * no musl start-up (__libc_start_main is taken out): this sets up what
 * it would have, then runs main and passes its value to exit(), which
 * runs the atexit functions, flushes stdio and stops the machine with
 * that status (syscall.c's exit_group).  There are many threads from the
 * start (the kernel's, and any the program makes with the Toro API), so
 * stdio always locks.  The environment is empty for now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "libc.h"
#include "stdio_impl.h"

int __real_main(int argc, char **argv);
int __wrap_main(int argc, char **argv);

/* No auxiliary vector: no vDSO, no hardware capabilities. */
static size_t auxv[2];
static char *no_env[1];

static void
lock_always(FILE *f)
{
	if (f->lock < 0)
		f->lock = 0;
}

int
__wrap_main(int argc, char **argv)
{
	const char *p;

	libc.auxv = auxv;
	libc.page_size = 4096;
	libc.can_do_threads = 1;
	libc.threaded = 1;
	libc.need_locks = 1;
	__environ = no_env;
	if (argc > 0 && argv[0] != NULL) {
		__progname = __progname_full = argv[0];
		for (p = argv[0]; *p != '\0'; p++)
			if (*p == '/')
				__progname = (char *)p + 1;
	}
	lock_always(stdin);
	lock_always(stdout);
	lock_always(stderr);
	exit(__real_main(argc, argv));
}
