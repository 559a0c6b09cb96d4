/*
 * onlylibc.c: a program that uses the C library and nothing of Toro's.
 *
 * tests/libc/cenv.sh runs it to show that the kernel boots under any C
 * environment program, in the sim too, where a plain Linux program would
 * get the host's argv and C library: argv[0] is the kernel's ("toro"),
 * and the CPU count is the machine's (--cpus), not the host's.
 */
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	printf("argv[0]=%s argc=%d cpus=%ld\n", argv[0], argc,
	    sysconf(_SC_NPROCESSORS_ONLN));
	return 0;
}
