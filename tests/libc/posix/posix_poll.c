/*
 * posix_poll.c: pipes, socket pairs and event counters, and epoll (level,
 * edge, one-shot, a change from another thread during a wait, many
 * entries, dup'ed descriptors, fewer events than are ready, poll of a
 * set, a bad array, EPOLLRDHUP).
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
#include <time.h>
#include <unistd.h>

#include "posix.h"

static int late_fd;

/* Three bytes now, three more a little later. */
static void *
late_writer(void *unused)
{
	write(late_fd, "abc", 3);
	usleep(50000);
	write(late_fd, "def", 3);
	return NULL;
}

void
test_pipes(void)
{
	char b[8192], big[70000];
	struct pollfd p[2];
	struct stat st;
	uint64_t v;
	int fd[2], sp[2], e, n;

	say("pipe", pipe(fd), 0);
	fstat(fd[0], &st);
	say("  a FIFO", S_ISFIFO(st.st_mode) != 0, 1);
	say("  lseek: ESPIPE", lseek(fd[0], 0, SEEK_SET) < 0 && errno == ESPIPE,
	    1);
	say("  write 5", write(fd[1], "hello", 5), 5);
	p[0].fd = fd[0];
	p[0].events = POLLIN;
	p[1].fd = fd[1];
	p[1].events = POLLOUT;
	say("  poll: both ready", poll(p, 2, 1000), 2);
	say("  read 3", read(fd[0], b, 3), 3);
	say("  read the rest", read(fd[0], b, sizeof(b)), 2);
	say("  reading the write end: EBADF",
	    read(fd[1], b, 1) < 0 && errno == EBADF, 1);
	say("  send on a pipe: ENOTSOCK",
	    send(fd[1], "x", 1, 0) < 0 && errno == ENOTSOCK, 1);
	fcntl(fd[1], F_SETFL, O_NONBLOCK);
	memset(big, 'p', sizeof(big));
	n = (int)write(fd[1], big, sizeof(big));
	say("  a 70000-byte non-blocking write takes 65536", n, 65536);
	say("  then EAGAIN", write(fd[1], "x", 1) < 0 && errno == EAGAIN, 1);
	say("  poll: not writable", poll(&p[1], 1, 0), 0);
	say("  read 4096", read(fd[0], b, 4096), 4096);
	say("  a 4096-byte write fits again", write(fd[1], big, 4096), 4096);
	say("  and 1 more does not",
	    write(fd[1], "x", 1) < 0 && errno == EAGAIN, 1);
	close(fd[1]);
	for (n = 0; (e = (int)read(fd[0], b, sizeof(b))) > 0; n += e)
		;
	say("  after the writer closed: all of it, then 0",
	    n == 65536 && e == 0, 1);
	p[0].revents = 0;
	poll(p, 1, 0);
	say("  poll: POLLHUP", (p[0].revents & POLLHUP) != 0, 1);
	close(fd[0]);

	pipe2(fd, O_NONBLOCK);
	say("pipe2(O_NONBLOCK): an empty read is EAGAIN",
	    read(fd[0], b, 1) < 0 && errno == EAGAIN, 1);
	close(fd[0]);
	say("  writing with the reader gone: EPIPE",
	    write(fd[1], "x", 1) < 0 && errno == EPIPE, 1);
	close(fd[1]);
	say("pipe2 with a bad flag: EINVAL",
	    pipe2(fd, 0x40000000) < 0 && errno == EINVAL, 1);

	say("socketpair(AF_UNIX)", socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	say("  one way", write(sp[0], "ping", 4), 4);
	say("  read", read(sp[1], b, sizeof(b)), 4);
	say("  the other way", send(sp[1], "pong!", 5, 0), 5);
	say("  recv", recv(sp[0], b, sizeof(b), 0), 5);
	{
		pthread_t th;

		late_fd = sp[1];
		pthread_create(&th, NULL, late_writer, NULL);
		say("  recv(MSG_WAITALL) waits for all 6 bytes",
		    recv(sp[0], b, 6, MSG_WAITALL) == 6 &&
			memcmp(b, "abcdef", 6) == 0,
		    1);
		pthread_join(th, NULL);
	}
	say("  shutdown(SHUT_WR)", shutdown(sp[0], SHUT_WR), 0);
	say("  the peer reads the end", read(sp[1], b, sizeof(b)), 0);
	say("  and can still write back", write(sp[1], "ok", 2), 2);
	say("  read", read(sp[0], b, sizeof(b)), 2);
	close(sp[1]);
	say("  after the peer closed: 0", read(sp[0], b, sizeof(b)), 0);
	close(sp[0]);
	say("socketpair(AF_INET): EOPNOTSUPP",
	    socketpair(AF_INET, SOCK_STREAM, 0, sp) < 0 && errno == EOPNOTSUPP,
	    1);

	e = eventfd(3, EFD_NONBLOCK);
	say("eventfd(3)", e >= 0, 1);
	say("  read 8", read(e, &v, 8), 8);
	say("  the count", (long)v, 3);
	say("  then EAGAIN", read(e, &v, 8) < 0 && errno == EAGAIN, 1);
	v = 2;
	say("  write 2", write(e, &v, 8), 8);
	say("  a 4-byte write: EINVAL", write(e, &v, 4) < 0 && errno == EINVAL,
	    1);
	p[0].fd = e;
	p[0].events = POLLIN;
	say("  poll: readable", poll(p, 1, 0), 1);
	say("  eventfd_read", eventfd_read(e, &v), 0);
	say("  the count", (long)v, 2);
	close(e);
	e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	say("eventfd(EFD_SEMAPHORE): read 1", read(e, &v, 8) == 8 && v == 1, 1);
	say("  read 1", read(e, &v, 8) == 8 && v == 1, 1);
	say("  then EAGAIN", read(e, &v, 8) < 0 && errno == EAGAIN, 1);
	close(e);
}

static int ep_fd, ep_pipe;

/* Another thread adds a pipe to the set while main waits on it. */
static void *
adder(void *unused)
{
	struct epoll_event ev = { EPOLLIN, { .u64 = 77 } };

	usleep(100000);
	epoll_ctl(ep_fd, EPOLL_CTL_ADD, ep_pipe, &ev);
	return NULL;
}

void
test_epoll(void)
{
	struct epoll_event ev, out[4];
	struct timespec t0;
	pthread_t th;
	int ep, fd[2], sp[2], e, n;
	char b[64];
	uint64_t v = 1;

	ep = epoll_create1(0);
	say("epoll_create1", ep >= 0, 1);
	{
		struct stat st;

		say("  fstat: no file type",
		    fstat(ep, &st) == 0 && (st.st_mode & S_IFMT) == 0, 1);
	}
	say("epoll_create1 with a bad flag: EINVAL",
	    epoll_create1(1) < 0 && errno == EINVAL, 1);
	pipe(fd);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	ev.events = EPOLLIN;
	ev.data.u64 = 0x1122334455667788ull;
	say("add a pipe's read end", epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &ev),
	    0);
	say("  again: EEXIST",
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &ev) < 0 && errno == EEXIST, 1);
	say("  the set itself: EINVAL",
	    epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev) < 0 && errno == EINVAL, 1);
	say("  a closed descriptor: EBADF",
	    epoll_ctl(ep, EPOLL_CTL_ADD, 900, &ev) < 0 && errno == EBADF, 1);
	say("  MOD of one not there: ENOENT",
	    epoll_ctl(ep, EPOLL_CTL_MOD, sp[0], &ev) < 0 && errno == ENOENT, 1);
	say("wait, nothing ready, 0 ms", epoll_wait(ep, out, 4, 0), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	say("wait, nothing ready, 50 ms", epoll_wait(ep, out, 4, 50), 0);
	say("  it waited", ms_since(&t0) >= 40, 1);
	write(fd[1], "abc", 3);
	n = epoll_wait(ep, out, 4, 1000);
	say("level: readable", n, 1);
	say("  EPOLLIN and the data",
	    out[0].events == EPOLLIN &&
		out[0].data.u64 == 0x1122334455667788ull,
	    1);
	say("  still, while unread", epoll_wait(ep, out, 4, 0), 1);
	read(fd[0], b, sizeof(b));
	say("  not once read", epoll_wait(ep, out, 4, 0), 0);

	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 2;
	say("edge: MOD to EPOLLET", epoll_ctl(ep, EPOLL_CTL_MOD, fd[0], &ev),
	    0);
	write(fd[1], "abc", 3);
	say("  readable", epoll_wait(ep, out, 4, 1000), 1);
	say("  not again without a change", epoll_wait(ep, out, 4, 50), 0);
	write(fd[1], "d", 1);
	say("  again after more data", epoll_wait(ep, out, 4, 1000), 1);
	read(fd[0], b, sizeof(b));

	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 3;
	epoll_ctl(ep, EPOLL_CTL_MOD, fd[0], &ev);
	write(fd[1], "x", 1);
	say("one-shot: readable", epoll_wait(ep, out, 4, 1000), 1);
	say("  then off", epoll_wait(ep, out, 4, 0), 0);
	say("  MOD turns it on",
	    epoll_ctl(ep, EPOLL_CTL_MOD, fd[0], &ev) == 0 &&
		epoll_wait(ep, out, 4, 0) == 1,
	    1);
	read(fd[0], b, sizeof(b));
	say("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, fd[0], NULL), 0);

	ev.events = EPOLLOUT;
	ev.data.u64 = 4;
	epoll_ctl(ep, EPOLL_CTL_ADD, sp[0], &ev);
	n = epoll_wait(ep, out, 4, 1000);
	say("a pair end: writable",
	    n == 1 && out[0].events == EPOLLOUT && out[0].data.u64 == 4, 1);
	close(sp[1]);
	n = epoll_wait(ep, out, 4, 1000);
	say("  its peer closed: EPOLLOUT and EPOLLHUP",
	    n == 1 && out[0].events == (EPOLLOUT | EPOLLHUP), 1);
	close(sp[0]);
	say("  closed, it leaves the set", epoll_wait(ep, out, 4, 0), 0);

	e = eventfd(0, 0);
	ev.events = EPOLLIN;
	ev.data.u64 = 5;
	epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
	write(e, &v, 8);
	n = epoll_wait(ep, out, 4, 1000);
	say("an event counter", n == 1 && out[0].data.u64 == 5, 1);
	read(e, &v, 8);
	close(e);
	{
		int q[2];

		pipe(q); /* q[0] may well be the closed counter's number */
		ev.events = EPOLLIN | EPOLLRDNORM;
		ev.data.u64 = 6;
		say("a closed descriptor's number added again",
		    epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev), 0);
		write(q[1], "z", 1);
		n = epoll_wait(ep, out, 4, 1000);
		say("EPOLLRDNORM: reported with EPOLLIN",
		    n == 1 && out[0].events == (EPOLLIN | EPOLLRDNORM), 1);
		close(q[0]);
		close(q[1]);
	}

	ep_fd = ep;
	ep_pipe = fd[0];
	write(fd[1], "y", 1);
	pthread_create(&th, NULL, adder, NULL);
	n = epoll_wait(ep, out, 4, 5000);
	say("added by another thread during the wait",
	    n == 1 && out[0].data.u64 == 77, 1);
	pthread_join(th, NULL);
	n = open("posix.ep", O_RDWR | O_CREAT | O_TRUNC, 0644);
	say("a file: EPERM",
	    epoll_ctl(ep, EPOLL_CTL_ADD, n, &ev) < 0 && errno == EPERM, 1);
	close(n);
	unlink("posix.ep");
	say("maxevents 0: EINVAL",
	    epoll_wait(ep, out, 0, 0) < 0 && errno == EINVAL, 1);
	close(fd[0]);
	close(fd[1]);
	close(ep);
}

#define MANY 1000

/* Many idle entries and one busy; an entry lives while a dup of it does. */
static void
epoll_many(int ep)
{
	static int c[MANY];
	struct epoll_event ev = { EPOLLIN, { .u64 = 0 } }, out[4];
	int fd[2], d, i, n, ok = 1;
	char b[8];

	for (i = 0; i < MANY; i++) {
		c[i] = eventfd(0, 0);
		ev.data.u64 = (uint64_t)i;
		ok &= c[i] >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, c[i], &ev) == 0;
	}
	say("1000 idle entries", ok, 1);
	pipe(fd);
	ev.data.u64 = 5000;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &ev);
	for (i = 0; i < 3; i++) {
		write(fd[1], "m", 1);
		n = epoll_wait(ep, out, 4, 1000);
		ok &= n == 1 && out[0].data.u64 == 5000;
		read(fd[0], b, sizeof(b));
	}
	say("  the busy one alone, three times", ok, 1);
	write(fd[1], "m", 1);
	ok = 1;
	for (i = 0; i < 3; i++)
		ok &= epoll_wait(ep, out, 4, 0) == 1;
	say("  level: on every wait while unread", ok, 1);
	read(fd[0], b, sizeof(b));
	for (i = 0; i < MANY; i++)
		close(c[i]);
	say("  closed, they leave the set", epoll_wait(ep, out, 4, 0), 0);

	d = dup(fd[0]);
	ev.data.u64 = 6000;
	say("a dup of a watched descriptor: added too",
	    epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev), 0);
	write(fd[1], "m", 1);
	say("  both reported", epoll_wait(ep, out, 4, 0), 2);
	say("  DEL of the dup", epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL), 0);
	close(fd[0]);
	n = epoll_wait(ep, out, 4, 0);
	say("  the first closed, its entry stays while the dup is open",
	    n == 1 && out[0].data.u64 == 5000, 1);
	close(d);
	say("  the dup closed too: gone", epoll_wait(ep, out, 4, 0), 0);
	close(fd[1]);
}

/* Three ready, room for one: each in turn. */
static void
epoll_rotate(int ep)
{
	struct epoll_event ev = { EPOLLIN, { .u64 = 0 } }, out[4];
	struct epoll_event *volatile bad = (void *)8; /* hidden from gcc */
	int c[3], i, seen = 0;
	struct pollfd p = { ep, POLLIN, 0 };

	say("poll of an empty set: nothing", poll(&p, 1, 0), 0);
	for (i = 0; i < 3; i++) {
		c[i] = eventfd(1, 0);
		ev.data.u64 = (uint64_t)i;
		epoll_ctl(ep, EPOLL_CTL_ADD, c[i], &ev);
	}
	for (i = 0; i < 3; i++)
		if (epoll_wait(ep, out, 1, 0) == 1 && out[0].data.u64 < 3)
			seen |= 1 << out[0].data.u64;
	say("maxevents 1, three ready: each in turn", seen, 7);
	say("poll of a set with one ready: POLLIN",
	    poll(&p, 1, 0) == 1 && p.revents == POLLIN, 1);
	say("a bad events array: EFAULT",
	    epoll_wait(ep, bad, 4, 0) < 0 && errno == EFAULT, 1);
	say("  nothing taken", epoll_wait(ep, out, 4, 0), 3);
	for (i = 0; i < 3; i++)
		close(c[i]);
}

/* EPOLLRDHUP: a pair's peer that stops writing; never on a pipe. */
static void
epoll_rdhup(int ep)
{
	struct epoll_event ev = { EPOLLIN | EPOLLRDHUP, { .u64 = 1 } }, out[4];
	int sp[2], fd[2], n;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	epoll_ctl(ep, EPOLL_CTL_ADD, sp[0], &ev);
	say("EPOLLRDHUP: nothing yet", epoll_wait(ep, out, 4, 0), 0);
	shutdown(sp[1], SHUT_WR);
	n = epoll_wait(ep, out, 4, 1000);
	say("  the peer shuts its writing: EPOLLIN and EPOLLRDHUP",
	    n == 1 && out[0].events == (EPOLLIN | EPOLLRDHUP), 1);
	close(sp[1]);
	n = epoll_wait(ep, out, 4, 1000);
	say("  the peer closes: and EPOLLHUP",
	    n == 1 && out[0].events == (EPOLLIN | EPOLLRDHUP | EPOLLHUP), 1);
	close(sp[0]);
	pipe(fd);
	epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &ev);
	close(fd[1]);
	n = epoll_wait(ep, out, 4, 1000);
	say("  a pipe's writer closes: EPOLLHUP alone",
	    n == 1 && out[0].events == EPOLLHUP, 1);
	close(fd[0]);
}

void
test_epoll_more(void)
{
	int ep = epoll_create1(0);

	epoll_many(ep);
	epoll_rotate(ep);
	epoll_rdhup(ep);
	close(ep);
}
