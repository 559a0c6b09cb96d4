/*
 * nolink.c: a C program that calls what Toro does not have.
 *
 * tests/libc/cenv.sh links it for both targets and expects both links to
 * fail, naming the function: vfork by default; with -DCALL=..., another
 * call that only starts a command, taken out of musl (popen,
 * posix_spawn, daemon); with -DMADE_UP, a function no library has;
 * with -DTLS, a thread-local variable (it would need %fs).  With
 * -DPROCS it is the opposite: the process calls Toro has but cannot
 * carry out (fork, execv, waitpid, pthread_cancel), which must link and
 * fail as libc/process.c and libc/pthread.c say.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef MADE_UP
int toro_lacks_this(void);
#define CALL toro_lacks_this()
#endif
#ifdef TLS
static __thread long tls;
#define CALL (++tls)
#endif
#ifndef CALL
#define CALL vfork()
#endif

#ifdef PROCS
int
main(int argc, char **argv)
{
	int st, r;

	/* errno read after the call: an argument's order is unspecified. */
	(void)argc;
	errno = 0;
	r = fork();
	printf("fork %d %d\n", r, errno);
	errno = 0;
	r = execv("/x", argv);
	printf("execv %d %d\n", r, errno);
	errno = 0;
	r = waitpid(-1, &st, 0);
	printf("waitpid %d %d\n", r, errno);
	printf("pthread_cancel %d\n", pthread_cancel(pthread_self()));
	return 0;
}
#else
int
main(int argc, char **argv)
{
	printf("%ld\n", (long)CALL);
	return 0;
}
#endif
