/*
 * nolink.c: a C program that calls what Toro does not have.
 *
 * tests/libc/cenv.sh links it for both targets and expects both links to
 * fail, naming the function: vfork by default; with -DCALL=..., another
 * process call taken out of musl (there are no processes: fork, execv,
 * popen, waitpid); with -DMADE_UP, a function no library has;
 * with -DTLS, a thread-local variable (it would need %fs).
 */
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

int
main(int argc, char **argv)
{
	printf("%ld\n", (long)CALL);
	return 0;
}
