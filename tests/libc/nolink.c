/*
 * nolink.c: a C program that calls what Toro does not have.
 *
 * tests/libc/cenv.sh links it for both targets and expects both links to
 * fail, naming the function: vfork by default; with -DCALL=..., another
 * process call taken out of musl (there are no processes: fork, execv,
 * popen, waitpid); with -DMADE_UP, a function no library has;
 * with -DTLS, a thread-local variable (it would need %fs).  With
 * -DNOPROC it calls fork() and prints errno's name too: linked with
 * libtoronoproc.a, the call fails at run time with ENOSYS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#ifdef NOPROC
#define CALL fork()
#endif
#ifndef CALL
#define CALL vfork()
#endif

int
main(int argc, char **argv)
{
	printf("%ld\n", (long)CALL);
#ifdef NOPROC
	printf("%s\n", errno == ENOSYS ? "ENOSYS" : strerror(errno));
#endif
	return 0;
}
