/*
 * tests/programs/efault: bad pointers to the calls that copy through
 * them, on the threads of the kernel (the storage thread, the network
 * CPU): each must fail with -1 and EFAULT, consume nothing, and leave
 * the kernel serving the next call.
 *
 * Built like every program (mk/program.mk) for both targets;
 * tests/libc/efault.sh runs it with a FAT16 disk and a NIC (for the
 * stack's loopback).  Each case prints "PASS name" or "FAIL name: why";
 * the last line is "efault: N failed" and the exit status is N.  With
 * the argument "ro" it also reads into read-only memory, which only
 * the simulator has (the native image maps all of its memory
 * writable).
 *
 * The bad pointers: NULL plus an offset (page 0 is never mapped), an
 * address far above anything mapped, and one that is not an address
 * at all (non-canonical: a protection fault, not a page fault).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <toro/errno.h>
#include <toro/file.h>

#define BIG (128 * 1024) /* a file of whole sectors, which reads lease */
#define UDP_PORT 7101
#define TCP_PORT 7102

static int failed;
static void *bad[3] = {
	(void *)16,
	(void *)0x100000000000ull,
	(void *)0x8000000000000000ull,
};
static const char *bad_name[3] = { "NULL+16", "unmapped", "non-canonical" };
static const char rodata[64] = "read-only";

static void
pass(const char *name)
{
	printf("PASS %s\n", name);
}

static void
fail(const char *name, const char *why)
{
	printf("FAIL %s: %s\n", name, why);
	failed++;
}

/* r is what a call gave: it must be -1 with errno EFAULT. */
static void
efault(const char *what, int i, long r)
{
	char name[96], why[64];

	snprintf(name, sizeof(name), "%s %s", what, bad_name[i]);
	if (r == -1 && errno == EFAULT) {
		pass(name);
		return;
	}
	snprintf(why, sizeof(why), "gave %ld, errno %d", r, errno);
	fail(name, why);
}

/* The same for a Toro call, which returns -TORO_EFAULT itself. */
static void
tefault(const char *what, int i, long r)
{
	errno = r == -TORO_EFAULT ? EFAULT : 0;
	efault(what, i, r == -TORO_EFAULT ? -1 : r);
}

static void
expect(const char *name, int ok, const char *why)
{
	if (ok)
		pass(name);
	else
		fail(name, why);
}

static unsigned char
pattern(long i)
{
	return (unsigned char)(i * 7 + i / 251);
}

/* A file read from a lease and not: a bad buffer moves nothing. */
static void
files_read(void)
{
	static unsigned char buf[8192];
	long i, r;
	int fd, k, ok;

	for (i = 0; i < (long)sizeof(buf); i++)
		buf[i] = pattern(i);
	fd = open("/efault.dat", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	ok = fd >= 0;
	for (i = 0; ok && i < BIG; i += (long)sizeof(buf))
		ok = write(fd, buf, sizeof(buf)) == (long)sizeof(buf);
	if (fd >= 0)
		close(fd);
	expect("write the test file", ok, "open or write failed");
	fd = open("/efault.dat", O_RDONLY);
	if (fd < 0) {
		fail("open the test file", strerror(errno));
		return;
	}
	/* The first read grants a lease; the others would copy from it. */
	r = read(fd, buf, 4096);
	expect("read 4096", r == 4096 && buf[100] == pattern(100), "bad");
	for (k = 0; k < 3; k++) {
		efault("read(file)", k, read(fd, bad[k], 4096));
		efault("read(file, small)", k, read(fd, bad[k], 10));
		efault("read(file, large)", k, read(fd, bad[k], 65536));
	}
	/* Nothing was read: the next bytes are those after the first. */
	memset(buf, 0, sizeof(buf));
	r = read(fd, buf, 8192);
	ok = r == 8192;
	for (i = 0; ok && i < 8192; i++)
		ok = buf[i] == pattern((4096 + i) % 8192);
	expect("the position did not move", ok, "wrong bytes or count");
	close(fd);
}

static void
files_write_stat(void)
{
	struct stat st;
	int fd, k, dd;
	struct toro_dirent de;

	for (k = 0; k < 3; k++) {
		efault("open(path)", k, open(bad[k], O_RDONLY));
		efault("stat(path)", k, stat(bad[k], &st));
		/* libc's stat() fills the buffer itself: the kernel's call. */
		tefault("toro_stat(buf)", k, toro_stat("/efault.dat", bad[k]));
		efault("mkdir(path)", k, mkdir(bad[k], 0755));
		efault("unlink(path)", k, unlink(bad[k]));
		efault("rename(to)", k, rename("/efault.dat", bad[k]));
	}
	fd = open("/efault.dat", O_WRONLY | O_APPEND);
	if (fd < 0) {
		fail("open to append", strerror(errno));
		return;
	}
	for (k = 0; k < 3; k++) {
		efault("write(file)", k, write(fd, bad[k], 100));
		efault("write(file, large)", k, write(fd, bad[k], 65536));
	}
	expect("the file's size did not change",
	    fstat(fd, &st) == 0 && st.st_size == BIG, "it did");
	close(fd);
	fd = toro_open("/efault.dat", TORO_O_RDONLY);
	for (k = 0; k < 3; k++)
		tefault("toro_fstat(buf)", k, toro_fstat(fd, bad[k]));
	toro_close(fd);
	dd = toro_opendir("/");
	for (k = 0; k < 3; k++)
		tefault("toro_readdir(entry)", k, toro_readdir(dd, bad[k]));
	/* No entry was lost: the listing still finds the file. */
	k = 0;
	while (dd >= 0 && toro_readdir(dd, &de) > 0)
		k += strcasecmp(de.name, "efault.dat") == 0;
	expect("the listing lost no entry", k == 1, "efault.dat not seen");
	if (dd >= 0)
		toro_closedir(dd);
}

static int
udp_bound(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
		.sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static void
udp(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
		.sin_port = htons(UDP_PORT) };
	char buf[64];
	socklen_t len;
	int s, k;
	long r;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = udp_bound(UDP_PORT)) < 0) {
		fail("udp socket", strerror(errno));
		return;
	}
	for (k = 0; k < 3; k++) {
		efault("sendto(udp, buf)", k,
		    sendto(
			s, bad[k], 5, 0, (struct sockaddr *)&to, sizeof(to)));
		efault("sendto(udp, addr)", k,
		    sendto(s, "hello", 5, 0, bad[k], sizeof(to)));
		efault("bind(addr)", k, bind(s, bad[k], sizeof(to)));
	}
	r = sendto(s, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to));
	expect("sendto(udp) good", r == 5, strerror(errno));
	/* The loopback delivers outside the call: wait for it. */
	expect("poll(udp)",
	    poll(&(struct pollfd) { .fd = s, .events = POLLIN }, 1, 2000) == 1,
	    "nothing came");
	for (k = 0; k < 3; k++) {
		efault("recv(udp)", k, recv(s, bad[k], sizeof(buf), 0));
		efault("read(udp)", k, read(s, bad[k], sizeof(buf)));
		len = sizeof(to);
		efault("recvfrom(udp, addr)", k,
		    recvfrom(s, buf, sizeof(buf), 0, bad[k], &len));
		efault("poll(fds)", k, poll(bad[k], 1, 0));
		efault("getsockname(addr)", k,
		    getsockname(s, bad[k], &(socklen_t) { sizeof(to) }));
	}
	memset(buf, 0, sizeof(buf));
	r = recv(s, buf, sizeof(buf), 0);
	expect("recv(udp): the datagram is still there",
	    r == 5 && memcmp(buf, "hello", 5) == 0, "it is gone");
	close(s);
}

/* Connect to the listener l; the connected socket or -1, *acc its peer. */
static int
tcp_pair(int l, int *acc)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
		.sin_port = htons(TCP_PORT) };
	struct sockaddr_in me = { .sin_family = AF_INET,
		.sin_port = htons(TCP_PORT + 1) };
	int c = socket(AF_INET, SOCK_STREAM, 0), k;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Bound to loopback: the NIC's address may not be there yet. */
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(c, (struct sockaddr *)&me, sizeof(me)) < 0)
		fail("bind the client", strerror(errno));
	for (k = 0; k < 3; k++)
		efault("connect(addr)", k, connect(c, bad[k], sizeof(to)));
	if (connect(c, (struct sockaddr *)&to, sizeof(to)) < 0) {
		fail("connect", strerror(errno));
		close(c);
		return -1;
	}
	/* The connection waits in the queue of a failed accept. */
	for (k = 0; k < 3; k++)
		efault("accept(addr)", k,
		    accept(l, bad[k], &(socklen_t) { sizeof(to) }));
	if ((*acc = accept(l, NULL, NULL)) < 0) {
		fail("accept after failed ones", strerror(errno));
		close(c);
		return -1;
	}
	pass("accept after failed ones");
	return c;
}

static void
tcp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
		.sin_port = htons(TCP_PORT) };
	char buf[64];
	int l, c, s = -1, k;
	long r;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(l, 4) < 0) {
		fail("tcp listen", strerror(errno));
		return;
	}
	if ((c = tcp_pair(l, &s)) < 0) {
		close(l);
		return;
	}
	for (k = 0; k < 3; k++) {
		efault("send(tcp)", k, send(c, bad[k], 100, 0));
		efault("write(tcp)", k, write(c, bad[k], 100));
	}
	expect("send(tcp) good", send(c, "ping", 4, 0) == 4, strerror(errno));
	expect("poll(tcp)",
	    poll(&(struct pollfd) { .fd = s, .events = POLLIN }, 1, 2000) == 1,
	    "nothing came");
	for (k = 0; k < 3; k++) {
		efault("recv(tcp)", k, recv(s, bad[k], sizeof(buf), 0));
		efault("read(tcp)", k, read(s, bad[k], sizeof(buf)));
	}
	memset(buf, 0, sizeof(buf));
	r = recv(s, buf, sizeof(buf), 0);
	expect("recv(tcp): the bytes are still there",
	    r == 4 && memcmp(buf, "ping", 4) == 0, "they are gone");
	close(s);
	close(c);
	close(l);
}

/* The console and a folder's listing, which the C library copies. */
static void
console_dir(void)
{
	char buf[64];
	int k, fd = open("/", O_RDONLY | O_DIRECTORY);

	for (k = 0; k < 3; k++) {
		efault("write(console)", k, write(1, bad[k], 10));
		efault(
		    "getdents64", k, syscall(SYS_getdents64, fd, bad[k], 4096));
	}
	expect("getdents64 good after bad",
	    syscall(SYS_getdents64, fd, buf, sizeof(buf)) > 0, strerror(errno));
	close(fd);
}

/* The kernel goes on: a file and the console still answer. */
/* Pipes, and the calls of the working directory. */
static void
pipes_paths(void)
{
	char buf[8];
	int p[2], k;
	long r;

	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0);

	if (pipe(p) != 0 || write(p[1], "pipe", 4) != 4 || ep < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0) {
		fail("a pipe", strerror(errno));
		return;
	}
	for (k = 0; k < 3; k++) {
		efault("pipe(fds)", k, pipe(bad[k]));
		efault("read(pipe)", k, read(p[0], bad[k], sizeof(buf)));
		efault("write(pipe)", k, write(p[1], bad[k], 4));
		efault("chdir(path)", k, chdir(bad[k]));
		efault("getcwd(buf)", k, getcwd(bad[k], 64) == NULL ? -1 : 0);
		efault("epoll_wait(events)", k, epoll_wait(ep, bad[k], 4, 0));
	}
	expect("epoll_wait(events): the pipe is still reported",
	    epoll_wait(ep, &ev, 1, 0) == 1, "it is not");
	close(ep);
	r = read(p[0], buf, sizeof(buf));
	expect("read(pipe): the bytes are still there, and no more",
	    r == 4 && memcmp(buf, "pipe", 4) == 0, "they are not");
	close(p[0]);
	close(p[1]);
}

static void
alive(void)
{
	char buf[32] = { 0 };
	int fd = open("/in.txt", O_RDONLY);
	long r = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	expect("the storage thread still serves",
	    r > 0 && strncmp(buf, "first line", 10) == 0, "no");
	if (fd >= 0)
		close(fd);
}

int
main(int argc, char **argv)
{
	int k, ro = argc > 1 && strcmp(argv[1], "ro") == 0;

	files_read();
	files_write_stat();
	if (ro) {
		int fd = open("/in.txt", O_RDONLY);

		errno = 0;
		efault("read(file) into read-only memory", 0,
		    read(fd, (void *)rodata, 10));
		close(fd);
		k = udp_bound(UDP_PORT + 1);
		efault("getsockname into read-only memory", 0,
		    getsockname(k, (void *)rodata, &(socklen_t) { 16 }));
		close(k);
	}
	console_dir();
	udp();
	tcp();
	pipes_paths();
	alive();
	unlink("/efault.dat");
	printf("efault: %d failed\n", failed);
	return failed;
}
