/*
 * posix_files.c: files and the process: RLIMIT_NOFILE and the other
 * limits, pread and pwrite, sendfile and record locks, mmap, the
 * working directory and the *at calls, and /dev.
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

void
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

void
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

void
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

void
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

void
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
