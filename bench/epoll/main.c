/*
 * epoll [N [M]]: the cost of epoll_wait with N idle descriptors in the
 * set and one busy socket pair.  Built twice from this one file: as a
 * Toro program (out/bench/sim/epoll) and with the host's glibc
 * (out/bench/peers/epoll-glibc), as the POSIX oracle is.
 *
 * The idle descriptors are event counters at 0 (one descriptor each, so
 * 10,000 of them fit Linux's usual limit of 20,000 open files); the
 * busy pair is a Unix socket pair.  One round trip: a byte written into
 * one end, epoll_wait reports the other end, which reads it and writes
 * it back, and the first end reads it.  Prints "N idle: X ns per round
 * trip" for M round trips (default 20,000) after 1,000 to warm up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int ep, pair[2];

static long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* n idle counters and the pair's end pair[1], in the set ep. */
static int
setup(long n)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct rlimit rl;
	long i;
	int e;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((ep = epoll_create1(0)) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if ((e = eventfd(0, 0)) < 0)
			return -1;
		ev.data.u64 = (uint64_t)e;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) < 0)
			return -1;
	}
	ev.data.u64 = ~0ull;
	return epoll_ctl(ep, EPOLL_CTL_ADD, pair[1], &ev);
}

/* One round trip; 0, or -1 if anything went wrong. */
static int
round_trip(void)
{
	struct epoll_event out[8];
	char c = 'x';

	if (write(pair[0], &c, 1) != 1)
		return -1;
	if (epoll_wait(ep, out, 8, 1000) != 1 || out[0].data.u64 != ~0ull)
		return -1;
	if (read(pair[1], &c, 1) != 1 || write(pair[1], &c, 1) != 1)
		return -1;
	return read(pair[0], &c, 1) == 1 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	long m = argc > 2 ? atol(argv[2]) : 20000, i, t0;

	if (setup(n) < 0) {
		perror("epoll: setup");
		return 1;
	}
	for (i = 0; i < 1000; i++)
		if (round_trip() < 0)
			goto fail;
	t0 = now_ns();
	for (i = 0; i < m; i++)
		if (round_trip() < 0)
			goto fail;
	printf("%ld idle: %.0f ns per round trip\n", n,
	    (double)(now_ns() - t0) / (double)m);
	return 0;
fail:
	fprintf(stderr, "epoll: round trip %ld failed\n", i);
	return 1;
}
