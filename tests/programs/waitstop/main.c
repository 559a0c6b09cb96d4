/*
 * waitstop [PATH]: writes a line to PATH (when given) without syncing,
 * says "waiting", then sleeps until the machine is stopped: the host's
 * Ctrl-C or SIGTERM in the sim, the power button natively (QEMU's
 * system_powerdown).  tests/native/power.sh checks the stop is clean:
 * the line is on the disk afterwards.
 */
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	FILE *f;

	if (argc > 1) {
		if ((f = fopen(argv[1], "w")) == NULL ||
		    fputs("written before the power button\n", f) == EOF ||
		    fclose(f) != 0) {
			perror(argv[1]);
			return 2;
		}
	}
	printf("waitstop: waiting\n");
	fflush(stdout);
	for (;;)
		sleep(60);
}
