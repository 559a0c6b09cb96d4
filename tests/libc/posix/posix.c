/*
 * posix.c: the POSIX calls of servers and clients, on Toro and on Linux.
 *
 * Built twice from this one source, with Toro's C library and with the
 * host's glibc, run on both, and the outputs compared line by line
 * (tests/libc/posix.sh): select, pselect and ppoll on loopback TCP and
 * UDP sockets, sendmsg and recvmsg (gathered and scattered, a datagram
 * cut with MSG_TRUNC), SO_ERROR after a refused and a completed
 * non-blocking connect, SO_TYPE, RLIMIT_NOFILE enforced by dup,
 * getrusage, clock_getres, umask, dup3, pread, pwrite, preadv and
 * pwritev on a file in the current directory (a disk's root on Toro),
 * pipes, socket pairs and event counters, and epoll (level and edge
 * triggered, one-shot, a change from another thread during a wait).  Every line
 * is a fact both systems must agree on; none prints a value that may differ (a
 * port, a time, a limit's size).  The last line is "posix: N failed".
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

static int failed;

static void
say(const char *what, long got, long want)
{
	printf("%s: %ld%s\n", what, got, got == want ? "" : " (WRONG)");
	if (got != want)
		failed++;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static struct sockaddr_in
loopback(int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int
port_of(int s)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);

	getsockname(s, (struct sockaddr *)&a, &l);
	return ntohs(a.sin_port);
}

/* A listener on 127.0.0.1, a connected client and the accepted peer. */
static int
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

static void
test_select(int cli, int srv)
{
	struct timespec t0, ts = { 0, 0 };
	struct timeval tv = { 0, 0 };
	struct pollfd p = { srv, POLLIN, 0 };
	fd_set r, w;
	long n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	tv.tv_usec = 60000;
	say("select on nothing, 60 ms", select(0, NULL, NULL, NULL, &tv), 0);
	say("  it waited at least 50 ms", ms_since(&t0) >= 50, 1);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(srv, &r);
	FD_SET(cli, &w);
	tv.tv_sec = tv.tv_usec = 0;
	n = select((cli > srv ? cli : srv) + 1, &r, &w, NULL, &tv);
	say("select: the client writable, nothing to read", n, 1);
	say("  client in the write set", FD_ISSET(cli, &w) != 0, 1);
	say("  server not in the read set", FD_ISSET(srv, &r) != 0, 0);
	say("send 5 bytes", send(cli, "hello", 5, 0), 5);
	FD_ZERO(&r);
	FD_SET(srv, &r);
	ts.tv_sec = 2;
	n = pselect(srv + 1, &r, NULL, NULL, &ts, NULL);
	say("pselect: the server readable", n, 1);
	say("  server in the read set", FD_ISSET(srv, &r) != 0, 1);
	ts.tv_sec = 2;
	say("ppoll: POLLIN", ppoll(&p, 1, &ts, NULL), 1);
	say("  revents", p.revents, POLLIN);
	n = dup(0); /* a descriptor just closed */
	close((int)n);
	FD_ZERO(&r);
	FD_SET((int)n, &r);
	tv.tv_sec = 0;
	errno = 0;
	say("select on a closed descriptor",
	    select((int)n + 1, &r, NULL, NULL, &tv), -1);
	say("  errno EBADF", errno == EBADF, 1);
	say("select with nfds -1", select(-1, NULL, NULL, NULL, &tv), -1);
	say("  errno EINVAL", errno == EINVAL, 1);
	recv(srv, (char[8]) { 0 }, 8, 0);
}

static void
test_msg_tcp(int cli, int srv)
{
	char a[2], b[10];
	struct iovec out[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	struct iovec in[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct sockaddr_in from;
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = out;
	m.msg_iovlen = 3;
	say("sendmsg on TCP, 3 pieces", sendmsg(cli, &m, 0), 5);
	usleep(100000); /* all of it is there */
	memset(&m, 0, sizeof(m));
	m.msg_iov = in;
	m.msg_iovlen = 2;
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	say("recvmsg on TCP into 2 + 10", recvmsg(srv, &m, 0), 5);
	say("  scattered as sent",
	    memcmp(a, "ab", 2) == 0 && memcmp(b, "cde", 3) == 0, 1);
	say("  no flags", m.msg_flags, 0);
	say("  no address for a stream", m.msg_namelen, 0);
	m.msg_control = b;
	m.msg_controllen = 4;
	m.msg_iovlen = 1;
	errno = 0;
	shutdown(cli, SHUT_WR);
	say("recvmsg at the end of the stream", recvmsg(srv, &m, 0), 0);
	say("  no control data", m.msg_controllen, 0);
}

static void
test_msg_udp(void)
{
	struct sockaddr_in a = loopback(0), from;
	char x[4], y[4], big[64];
	struct iovec out[2] = { { "hello", 5 }, { " world", 6 } };
	struct iovec in[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
	struct iovec one = { big, sizeof(big) };
	int u1 = socket(AF_INET, SOCK_DGRAM, 0);
	int u2 = socket(AF_INET, SOCK_DGRAM, 0);
	int type = 0;
	socklen_t l = sizeof(type);
	struct msghdr m;

	bind(u1, (struct sockaddr *)&a, sizeof(a));
	bind(u2, (struct sockaddr *)&a, sizeof(a));
	getsockopt(u1, SOL_SOCKET, SO_TYPE, &type, &l);
	say("SO_TYPE of a UDP socket is SOCK_DGRAM", type, SOCK_DGRAM);
	a = loopback(port_of(u2));
	memset(&m, 0, sizeof(m));
	m.msg_name = &a;
	m.msg_namelen = sizeof(a);
	m.msg_iov = out;
	m.msg_iovlen = 2;
	say("sendmsg on UDP, 2 pieces, one datagram", sendmsg(u1, &m, 0), 11);
	say("sendmsg again", sendmsg(u1, &m, 0), 11);
	memset(&m, 0, sizeof(m));
	m.msg_iov = in;
	m.msg_iovlen = 2;
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	say("recvmsg into 4 + 4: cut", recvmsg(u2, &m, 0), 8);
	say("  MSG_TRUNC", (m.msg_flags & MSG_TRUNC) != 0, 1);
	say("  the first 8 bytes",
	    memcmp(x, "hell", 4) == 0 && memcmp(y, "o wo", 4) == 0, 1);
	say("  from the sender's port", ntohs(from.sin_port) == port_of(u1), 1);
	m.msg_iov = &one;
	m.msg_iovlen = 1;
	say("recvmsg into 64: whole", recvmsg(u2, &m, 0), 11);
	connect(u1, (struct sockaddr *)&a, sizeof(a));
	say("writev on UDP: one datagram", writev(u1, out, 2), 11);
	say("readv into 4 + 4: its first 8 bytes",
	    readv(u2, in, 2) == 8 && memcmp(x, "hell", 4) == 0 &&
		memcmp(y, "o wo", 4) == 0,
	    1);
	say("  the rest of it is gone",
	    recv(u2, big, sizeof(big), MSG_DONTWAIT) < 0 && errno == EAGAIN, 1);
	say("  no MSG_TRUNC", m.msg_flags & MSG_TRUNC, 0);
	/* Too short for a header: there is no control data in it. */
	m.msg_name = &a;
	m.msg_namelen = sizeof(a);
	m.msg_iov = out;
	m.msg_iovlen = 2;
	m.msg_control = big;
	m.msg_controllen = 8;
	say("sendmsg with a control area shorter than a header",
	    sendmsg(u1, &m, 0), 11);
	close(u1);
	close(u2);
}

/* A non-blocking connect's outcome through poll and SO_ERROR. */
static void
test_so_error(void)
{
	struct sockaddr_in a = loopback(0);
	int lis = socket(AF_INET, SOCK_STREAM, 0), s, e = -1, r;
	socklen_t l = sizeof(e);
	struct pollfd p;

	bind(lis, (struct sockaddr *)&a, sizeof(a));
	a = loopback(port_of(lis));
	close(lis); /* nothing listens there now */
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(s, (struct sockaddr *)&a, sizeof(a));
	if (r < 0 && errno == EINPROGRESS) {
		p.fd = s;
		p.events = POLLOUT;
		poll(&p, 1, 5000);
		getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l);
	} else
		e = r < 0 ? errno : 0;
	say("refused connect: SO_ERROR is ECONNREFUSED", e, ECONNREFUSED);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l);
	say("  then 0: it is reported once", e, 0);
	close(s);

	lis = socket(AF_INET, SOCK_STREAM, 0);
	a = loopback(0);
	bind(lis, (struct sockaddr *)&a, sizeof(a));
	listen(lis, 4);
	a = loopback(port_of(lis));
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(s, (struct sockaddr *)&a, sizeof(a));
	say("non-blocking connect: 0 or EINPROGRESS",
	    r == 0 || errno == EINPROGRESS, 1);
	p.fd = s;
	p.events = POLLOUT;
	say("  poll: writable", poll(&p, 1, 5000), 1);
	e = -1;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l);
	say("  SO_ERROR 0", e, 0);
	e = 0;
	getsockopt(s, SOL_SOCKET, SO_TYPE, &e, &l);
	say("  SO_TYPE SOCK_STREAM", e, SOCK_STREAM);
	close(s);
	close(lis);
}

static void
test_limits(void)
{
	struct rlimit old, lim;
	struct rusage ru;
	struct timespec res;
	int first, i, r = 0;

	say("getrlimit(RLIMIT_NOFILE)", getrlimit(RLIMIT_NOFILE, &old), 0);
	say("  soft <= hard, both above 64",
	    old.rlim_cur <= old.rlim_max && old.rlim_cur > 64, 1);
	first = dup(0);
	close(first);
	lim = old;
	lim.rlim_cur = (rlim_t)first + 3;
	say("setrlimit: soft = the lowest free + 3",
	    setrlimit(RLIMIT_NOFILE, &lim), 0);
	for (i = 0; i < 4 && (r = dup(0)) >= 0; i++)
		;
	say("  dup succeeds 3 times", i, 3);
	say("  then EMFILE", r < 0 && errno == EMFILE, 1);
	say("  dup2 past it: EBADF", dup2(0, first + 5) < 0 && errno == EBADF,
	    1);
	for (i = first; i < first + 3; i++)
		close(i);
	say("setrlimit back", setrlimit(RLIMIT_NOFILE, &old), 0);
	lim.rlim_cur = old.rlim_max;
	lim.rlim_max = old.rlim_max - 1;
	say("setrlimit soft > hard: EINVAL",
	    setrlimit(RLIMIT_NOFILE, &lim) < 0 && errno == EINVAL, 1);
	say("getrusage(RUSAGE_SELF)", getrusage(RUSAGE_SELF, &ru), 0);
	say("  time is not negative",
	    ru.ru_utime.tv_sec >= 0 && ru.ru_stime.tv_sec >= 0, 1);
	say("getrusage(99): EINVAL", getrusage(99, &ru) < 0 && errno == EINVAL,
	    1);
	say("clock_getres(CLOCK_MONOTONIC)",
	    clock_getres(CLOCK_MONOTONIC, &res), 0);
	say("  finer than a millisecond",
	    res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000, 1);
	say("clock_getres(a bad clock): EINVAL",
	    clock_getres(12345, &res) < 0 && errno == EINVAL, 1);
	umask(077);
	say("umask gives back the mask before", umask(022), 077);
	say("dup3 to itself: EINVAL", dup3(0, 0, 0) < 0 && errno == EINVAL, 1);
	say("dup3 with a bad flag: EINVAL",
	    dup3(0, 40, O_CLOEXEC | 0x1234) < 0 && errno == EINVAL, 1);
	say("dup3 with O_CLOEXEC", dup3(0, 40, O_CLOEXEC), 40);
	close(40);
}

static void
test_pio(void)
{
	char b[16], c[4], d[4];
	struct iovec iv[2] = { { c, 3 }, { d, 3 } };
	struct iovec ov[2] = { { "xy", 2 }, { "z", 1 } };
	struct stat st;
	int fd, u;

	fd = open("posix.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
	say("open a file", fd >= 0, 1);
	say("write 10 bytes", write(fd, "0123456789", 10), 10);
	say("pread 4 at 3", pread(fd, b, 4, 3), 4);
	say("  they are 3456", memcmp(b, "3456", 4) == 0, 1);
	say("  the position is still 10", lseek(fd, 0, SEEK_CUR), 10);
	say("pwrite 2 at 1", pwrite(fd, "AB", 2, 1), 2);
	say("  the position is still 10", lseek(fd, 0, SEEK_CUR), 10);
	say("pread 10 at 0", pread(fd, b, 10, 0), 10);
	say("  0AB3456789", memcmp(b, "0AB3456789", 10) == 0, 1);
	say("pread 10 at 8: short", pread(fd, b, 10, 8), 2);
	say("pread at 100: end of file", pread(fd, b, 4, 100), 0);
	say("pread at -1: EINVAL", pread(fd, b, 4, -1) < 0 && errno == EINVAL,
	    1);
	say("pwrite 2 at 20: past the end", pwrite(fd, "EF", 2, 20), 2);
	fstat(fd, &st);
	say("  the size is 22", st.st_size, 22);
	say("  the gap reads as zeros",
	    pread(fd, b, 4, 12) == 4 && memcmp(b, "\0\0\0\0", 4) == 0, 1);
	say("preadv 3 + 3 at 1", preadv(fd, iv, 2, 1), 6);
	say("  AB3 456", memcmp(c, "AB3", 3) == 0 && memcmp(d, "456", 3) == 0,
	    1);
	say("pwritev 2 + 1 at 4", pwritev(fd, ov, 2, 4), 3);
	say("  then read back",
	    pread(fd, b, 4, 3) == 4 && memcmp(b, "3xyz", 4) == 0, 1);
	say("write goes on at the position", write(fd, "!", 1), 1);
	say("  at 10", pread(fd, b, 1, 10) == 1 && b[0] == '!', 1);
	close(fd);
	fd = open("posix.tmp", O_WRONLY | O_APPEND);
	say("pwrite to an O_APPEND file", pwrite(fd, "Z", 1, 0), 1);
	say("pread on a write-only file: EBADF",
	    pread(fd, b, 1, 0) < 0 && errno == EBADF, 1);
	fstat(fd, &st);
	close(fd);
	say("  it went to the end", st.st_size, 23);
	fd = open("posix.tmp", O_RDONLY);
	say("  the last byte is Z", pread(fd, b, 1, 22) == 1 && b[0] == 'Z', 1);
	{
		struct flock l = { .l_type = F_RDLCK, .l_whence = SEEK_SET };

		say("fcntl(F_SETLK) read lock", fcntl(fd, F_SETLK, &l), 0);
		l.l_type = F_WRLCK;
		say("  a write lock on a read-only file: EBADF",
		    fcntl(fd, F_SETLK, &l) < 0 && errno == EBADF, 1);
		say("  F_GETLK: nobody else holds one",
		    fcntl(fd, F_GETLK, &l) == 0 && l.l_type == F_UNLCK, 1);
		l.l_type = F_UNLCK;
		say("  unlock", fcntl(fd, F_SETLKW, &l), 0);
		l.l_type = 99;
		say("  a bad type: EINVAL",
		    fcntl(fd, F_SETLK, &l) < 0 && errno == EINVAL, 1);
	}
	{
		int sp[2];
		off_t o = 3;

		socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
		say("sendfile 5 from offset 3", sendfile(sp[0], fd, &o, 5), 5);
		say("  the offset moved on", (long)o, 8);
		say("  the position did not", lseek(fd, 0, SEEK_CUR), 0);
		say("  the bytes",
		    read(sp[1], b, sizeof(b)) == 5 &&
			memcmp(b, "3xyz7", 5) == 0,
		    1);
		say("sendfile from the position, past the end",
		    sendfile(sp[0], fd, NULL, 100), 23);
		say("  the position moved", lseek(fd, 0, SEEK_CUR), 23);
		say("sendfile from a socket: EINVAL",
		    sendfile(sp[0], sp[1], NULL, 1) < 0 && errno == EINVAL, 1);
		close(sp[0]);
		close(sp[1]);
	}
	close(fd);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	say("pread on a socket: ESPIPE",
	    pread(u, b, 1, 0) < 0 && errno == ESPIPE, 1);
	close(u);
	say("unlink it", unlink("posix.tmp"), 0);
}

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

static void
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

static void
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

static int
all(const char *p, int c, size_t n)
{
	while (n-- > 0)
		if (*p++ != (char)c)
			return 0;
	return 1;
}

static void
test_mmap(void)
{
	char *a, *f, *g;
	int fd;

	a = mmap(NULL, 10000, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	say("mmap 10000 anonymous bytes", a != MAP_FAILED, 1);
	say("  page-aligned", ((unsigned long)a & 4095) == 0, 1);
	say("  zeros", all(a, 0, 10000), 1);
	memset(a, 'm', 10000);
	say("madvise(MADV_DONTNEED) zeroes it",
	    madvise(a, 12288, MADV_DONTNEED) == 0 && all(a, 0, 10000), 1);
	say("mprotect read and write",
	    mprotect(a, 4096, PROT_READ | PROT_WRITE), 0);
	say("munmap the first page", munmap(a, 4096), 0);
	say("munmap the last of the 3 pages", munmap(a + 8192, 1), 0);
	say("munmap the rest", munmap(a + 4096, 4096), 0);
	say("munmap what is not mapped", munmap(a, 4096), 0);
	say("mmap of 0 bytes: EINVAL",
	    mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
		    MAP_FAILED &&
		errno == EINVAL,
	    1);
	say("mmap at an offset not page-aligned: EINVAL",
	    mmap(NULL, 10, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1) ==
		    MAP_FAILED &&
		errno == EINVAL,
	    1);
	a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(a, 'r', 4096);
	g = mremap(a, 4096, 3 * 4096, MREMAP_MAYMOVE);
	say("mremap grows it, moving", g != MAP_FAILED && all(g, 'r', 4096), 1);
	say("  munmap it", munmap(g, 3 * 4096), 0);

	fd = open("posix.map", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "hello, mapped file", 18);
	f = mmap(NULL, 18, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	say("mmap a file MAP_PRIVATE",
	    f != MAP_FAILED && memcmp(f, "hello, mapped file", 18) == 0, 1);
	say("  zeros past its end", all(f + 18, 0, 4096 - 18), 1);
	f[0] = 'H';
	say("  a write to the copy leaves the file",
	    pread(fd, (char[1]) { 0 }, 1, 0) == 1, 1);
	{
		char c = 0;

		pread(fd, &c, 1, 0);
		say("  its first byte", c, 'h');
	}
	munmap(f, 18);
	f = mmap(NULL, 18, PROT_READ, MAP_SHARED, fd, 0);
	say("mmap a file MAP_SHARED, read-only",
	    f != MAP_FAILED && memcmp(f, "hello, mapped file", 18) == 0, 1);
	munmap(f, 18);
	say("mmap a socket: ENODEV",
	    mmap(NULL, 10, PROT_READ, MAP_PRIVATE,
		socket(AF_INET, SOCK_DGRAM, 0), 0) == MAP_FAILED &&
		errno == ENODEV,
	    1);
	close(fd);
	unlink("posix.map");
}

static int
ends_with(const char *s, const char *t)
{
	size_t a = strlen(s), b = strlen(t);

	return a >= b && strcmp(s + a - b, t) == 0;
}

static void
test_cwd(void)
{
	char here[4096], buf[4096];
	struct stat st;
	int dfd, fd;

	say("getcwd", getcwd(here, sizeof(here)) != NULL, 1);
	say("getcwd into 1 byte: ERANGE",
	    getcwd(buf, 1) == NULL && errno == ERANGE, 1);
	say("mkdir posix.d", mkdir("posix.d", 0755), 0);
	say("chdir posix.d", chdir("posix.d"), 0);
	say("  getcwd ends in /posix.d",
	    getcwd(buf, sizeof(buf)) != NULL && ends_with(buf, "/posix.d"), 1);
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	say("  a file made there", fd >= 0 && write(fd, "in d", 4) == 4, 1);
	close(fd);
	say("  seen as ../posix.d/f",
	    stat("../posix.d/f", &st) == 0 && st.st_size == 4, 1);
	say("  and as ./f", stat("./f", &st), 0);
	say("chdir to a file: ENOTDIR", chdir("f") < 0 && errno == ENOTDIR, 1);
	say("chdir to nothing: ENOENT", chdir("nothing") < 0 && errno == ENOENT,
	    1);
	say("chdir ..", chdir(".."), 0);
	say("  getcwd is where it was",
	    getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, here) == 0, 1);
	dfd = open("posix.d", O_RDONLY | O_DIRECTORY);
	say("open the folder", dfd >= 0, 1);
	fd = openat(dfd, "f", O_RDONLY);
	say("  openat(it, f)",
	    fd >= 0 && read(fd, buf, 8) == 4 && memcmp(buf, "in d", 4) == 0, 1);
	close(fd);
	say("  fstatat(it, f)",
	    fstatat(dfd, "f", &st, 0) == 0 && st.st_size == 4, 1);
	say("  fchdir(it)",
	    fchdir(dfd) == 0 && getcwd(buf, sizeof(buf)) &&
		ends_with(buf, "/posix.d"),
	    1);
	say("  renameat(it, f, it, g)", renameat(dfd, "f", dfd, "g"), 0);
	say("  unlinkat(it, g)", unlinkat(dfd, "g", 0), 0);
	close(dfd);
	say("chdir back", chdir(here), 0);
	say("rmdir posix.d", rmdir("posix.d"), 0);
}

static void
test_dev(void)
{
	unsigned char b[16];
	struct stat st;
	int fd;

	fd = open("/dev/null", O_RDWR);
	say("open /dev/null", fd >= 0, 1);
	say("  reads nothing", read(fd, b, 16), 0);
	say("  takes everything", write(fd, "gone", 4), 4);
	say("  a character device", fstat(fd, &st) == 0 && S_ISCHR(st.st_mode),
	    1);
	close(fd);
	say("stat /dev/null: a character device",
	    stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), 1);
	fd = open("/dev/zero", O_RDONLY);
	memset(b, 7, sizeof(b));
	say("/dev/zero reads zeros",
	    read(fd, b, 16) == 16 && all((char *)b, 0, 16), 1);
	close(fd);
	fd = open("/dev/full", O_WRONLY);
	say("/dev/full: ENOSPC", write(fd, "x", 1) < 0 && errno == ENOSPC, 1);
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	memset(b, 0, sizeof(b));
	say("/dev/urandom reads 16 bytes, not all zero",
	    read(fd, b, 16) == 16 && !all((char *)b, 0, 16), 1);
	close(fd);
	fd = open("/dev/stdout", O_WRONLY);
	say("/dev/stdout opens", fd >= 0, 1);
	close(fd);
	say("/dev/nothing: ENOENT",
	    open("/dev/nothing", O_RDONLY) < 0 && errno == ENOENT, 1);
}

int
main(void)
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
	test_limits();
	test_pio();
	test_pipes();
	test_epoll();
	test_mmap();
	test_cwd();
	test_dev();
	printf("posix: %d failed\n", failed);
	return failed != 0;
}
