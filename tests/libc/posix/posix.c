/*
 * posix.c: the POSIX calls of servers and clients, on Toro and on Linux:
 * main and the helpers of the parts (posix.h).
 *
 * The program is built twice from the same sources, with Toro's C
 * library and with the host's glibc, run on both, and the outputs
 * compared line by line (tests/libc/posix.sh).  posix_net.c has the
 * sockets, posix_poll.c pipes, pairs, counters and epoll, posix_files.c
 * files, limits, mmap, the working directory and /dev; this file the
 * process: argv's strings and the wait calls.  Every line is a
 * fact both systems must agree on; none prints a value that may differ
 * (a port, a time, a limit's size).  The last line is "posix: N failed".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "posix.h"

static int failed;

void
say(const char *what, long got, long want)
{
	printf("%s: %ld%s\n", what, got, got == want ? "" : " (WRONG)");
	if (got != want)
		failed++;
}

long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

struct sockaddr_in
loopback(int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

int
port_of(int s)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);

	getsockname(s, (struct sockaddr *)&a, &l);
	return ntohs(a.sin_port);
}

/* A listener on 127.0.0.1, a connected client and the accepted peer. */
int
tcp_pair(int *lis, int *cli, int *srv)
{
	struct sockaddr_in a = loopback(0);

	*lis = socket(AF_INET, SOCK_STREAM, 0);
	if (*lis < 0 || bind(*lis, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(*lis, 4) < 0)
		return -1;
	a = loopback(port_of(*lis));
	*cli = socket(AF_INET, SOCK_STREAM, 0);
	if (*cli < 0 || connect(*cli, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	*srv = accept(*lis, NULL, NULL);
	return *srv < 0 ? -1 : 0;
}

int
all(const char *p, int c, size_t n)
{
	while (n-- > 0)
		if (*p++ != (char)c)
			return 0;
	return 1;
}

/*
 * argv's strings are the program's to write (C11 5.1.2.2.1p2), one
 * after the other (what setproctitle() relies on); a wait with no child
 * is ECHILD.
 */
static void
test_process(int argc, char **argv)
{
	char c = argv[0][0];
	int i, next = 1, st;

	argv[0][0] = 'X';
	say("argv[0] can be written", argv[0][0] == 'X', 1);
	argv[0][0] = c;
	for (i = 0; i + 1 < argc; i++)
		next &= argv[i + 1] == argv[i] + strlen(argv[i]) + 1;
	say("argv's strings lie end to end", next, 1);
	errno = 0;
	say("waitpid(-1, WNOHANG) with no child", waitpid(-1, &st, WNOHANG),
	    -1);
	say("  errno ECHILD", errno, ECHILD);
	errno = 0;
	say("wait() with no child", wait(&st), -1);
	say("  errno ECHILD", errno, ECHILD);
}

int
main(int argc, char **argv)
{
	int lis, cli, srv;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (tcp_pair(&lis, &cli, &srv) < 0) {
		printf("posix: no loopback TCP: %s\n", strerror(errno));
		return 1;
	}
	test_select(cli, srv);
	test_msg_tcp(cli, srv);
	close(cli);
	close(srv);
	close(lis);
	test_msg_udp();
	test_so_error();
	test_sockopt();
	test_limits();
	test_pio();
	test_pipes();
	test_epoll();
	test_epoll_more();
	test_mmap();
	test_cwd();
	test_dev();
	test_process(argc, argv);
	printf("posix: %d failed\n", failed);
	return failed != 0;
}
