/*
 * start.c: the C library's part in starting and ending the program.
 *
 * Interface: __wrap_main().  C environment programs link with
 * --wrap=main (mk/program.mk), so the kernel's call of main() (its main
 * thread, on CPU 0) lands here; the program's main is __real_main.
 *
 * Rules: the kernel boots and calls main on both targets, so there is
 * no musl start-up (__libc_start_main is taken out): this sets up what
 * it would have, then runs main and passes its value to exit(), which
 * runs the atexit functions, flushes stdio and stops the machine with
 * that status (syscall.c's exit_group).  There are many threads from the
 * start (the kernel's, and any the program makes with the Toro API), so
 * stdio always locks.  environ holds the command line's NAME=value
 * words that are not the kernel's (toro_environ).  The strings of argv
 * and environ are copies the program may write (C11 5.1.2.2.1p2), laid
 * end to end, arguments first, as Linux lays them out: programs that
 * set their process title (Redis's setproctitle) write over that block.
 *
 * The program's constructors (.init_array) run here, on the kernel's
 * main thread once the C library is set up, just before main; its
 * destructors (.fini_array) run in exit(), after the atexit functions,
 * before stdio is flushed, as musl would.  Both targets put them
 * between __start_toro_init_array... (hal/native/kernel.ld and
 * libc/prelink.sh, which keeps them from the host's start-up code).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libc.h"
#include "stdio_impl.h"
#include "toro/toro.h"

int __real_main(int argc, char **argv);
int __wrap_main(int argc, char **argv);
void __libc_exit_fini(void);

/* Absent (no constructor at all in the sim): weak, read as empty. */
typedef void (*fn_ptr)(void);
extern const fn_ptr __start_toro_init_array[]
    __attribute__((__weak__, __visibility__("hidden")));
extern const fn_ptr __stop_toro_init_array[]
    __attribute__((__weak__, __visibility__("hidden")));
extern const fn_ptr __start_toro_fini_array[]
    __attribute__((__weak__, __visibility__("hidden")));
extern const fn_ptr __stop_toro_fini_array[]
    __attribute__((__weak__, __visibility__("hidden")));

/* No auxiliary vector: no vDSO, no hardware capabilities. */
static size_t auxv[2];
static char *no_env[1];

/* Bytes of the strings of the NULL-ended vector v, counted in *n. */
static size_t
strings_size(char *const *v, size_t *n)
{
	size_t size = 0;

	for (*n = 0; v[*n] != NULL; (*n)++)
		size += strlen(v[*n]) + 1;
	return size;
}

/* Copy the strings of v to *block, advancing it; to[i] points at each. */
static void
strings_copy(char **to, char *const *v, size_t n, char **block)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = strlen(v[i]) + 1;
		to[i] = memcpy(*block, v[i], len);
		*block += len;
	}
	to[n] = NULL;
}

/*
 * argv and environ (the command line's NAME=value words, toro_environ),
 * in arrays and one block of strings of the program's own: unsetenv()
 * edits environ in place and the strings may be written.  Without
 * memory, the kernel's, which stay valid (environ empty).
 */
static char **
arguments(int argc, char **argv)
{
	char **k = toro_environ(), **v, *block;
	size_t na, ne, size;

	size = strings_size(argv, &na) + strings_size(k, &ne);
	if (na != (size_t)argc ||
	    (v = malloc((na + ne + 2) * sizeof(*v) + size)) == NULL) {
		__environ = no_env;
		return argv;
	}
	block = (char *)(v + na + ne + 2);
	strings_copy(v, argv, na, &block);
	strings_copy(v + na + 1, k, ne, &block);
	__environ = v + na + 1;
	return v;
}

/*
 * The standard streams the program uses, each or NULL: musl's stdin.o,
 * stdout.o and stderr.o define these when the program uses the stream,
 * __stdio_exit.o a NULL stand-in, and a weak reference links neither.
 * So a program without stdio has no stream for exit() to lock and
 * flush (locking one would make main a thread descriptor on the way
 * out, code that costs a boot under QEMU's TCG its translation).
 */
#pragma weak __stdin_used
#pragma weak __stdout_used
#pragma weak __stderr_used

/* The three, in one array so that one loop takes them all. */
static FILE *volatile *const std_used[] = {
	&__stdin_used,
	&__stdout_used,
	&__stderr_used,
};

static void
lock_always(void)
{
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(std_used) / sizeof(std_used[0]); i++)
		if (std_used[i] != NULL && (f = *std_used[i]) != NULL &&
		    f->lock < 0)
			f->lock = 0;
}

/*
 * musl's exit() calls this after the atexit functions; musl's own
 * version (a weak alias) would read bounds only a final link of a whole
 * program has.  The last destructor first.
 */
void
__libc_exit_fini(void)
{
	const fn_ptr *p = __stop_toro_fini_array;

	while (p > __start_toro_fini_array)
		(*--p)();
}

static void
run_constructors(void)
{
	const fn_ptr *p;

	for (p = __start_toro_init_array; p < __stop_toro_init_array; p++)
		(*p)();
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
	argv = arguments(argc, argv);
	if (argc > 0 && argv[0] != NULL) {
		__progname = __progname_full = argv[0];
		for (p = argv[0]; *p != '\0'; p++)
			if (*p == '/')
				__progname = (char *)p + 1;
	}
	lock_always();
	run_constructors();
	exit(__real_main(argc, argv));
}
