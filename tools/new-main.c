/*
 * main.c: %NAME%, a Toro application.  It runs as the kernel's first
 * thread; when main returns, the machine powers off with its status.
 */
#include <stdio.h>

#include <toro/toro.h>

int
main(int argc, char **argv)
{
	printf("Hello from %NAME% on %d CPUs\n", toro_cpu_count());
	return 0;
}
