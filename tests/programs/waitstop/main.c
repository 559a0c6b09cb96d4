/*
 * waitstop [-h] [PATH]: writes a line to PATH (when given) without
 * syncing, says "waiting", then sleeps until the machine is stopped:
 * the host's Ctrl-C or SIGTERM in the sim, the power button natively
 * (QEMU's system_powerdown).  With -h it handles SIGINT and SIGTERM
 * itself, as a server that shuts down cleanly does: the handler only
 * notes the signal, and main then says "got signal N" and returns 3.
 * tests/native/power.sh checks the stop: clean, the line on the disk
 * afterwards, the handler run when there is one.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void
on_signal(int sig)
{
	got = sig;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	FILE *f;
	int i = 1;

	if (argc > i && strcmp(argv[i], "-h") == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		if (sigaction(SIGINT, &sa, NULL) != 0 ||
		    sigaction(SIGTERM, &sa, NULL) != 0) {
			perror("sigaction");
			return 2;
		}
		i++;
	}
	if (argc > i) {
		if ((f = fopen(argv[i], "w")) == NULL ||
		    fputs("written before the power button\n", f) == EOF ||
		    fclose(f) != 0) {
			perror(argv[i]);
			return 2;
		}
	}
	printf("waitstop: waiting\n");
	fflush(stdout);
	while (got == 0)
		usleep(10000);
	printf("waitstop: got signal %d\n", (int)got);
	return 3;
}
