/*
 * nolink.c: a C program that calls what Toro does not have.
 *
 * tests/libc/cenv.sh links it for both targets and expects both links to
 * fail, naming the function: vfork (taken out of musl: there are no
 * processes) or, with -DMADE_UP, a function no library has.
 */
#include <stdio.h>
#include <unistd.h>

#ifdef MADE_UP
int toro_lacks_this(void);
#define CALL toro_lacks_this()
#else
#define CALL vfork()
#endif

int
main(void)
{
	printf("%d\n", (int)CALL);
	return 0;
}
