/*
 * tests/programs/cenv: the C environment, as a program.
 *
 * Built like every program (mk/program.mk), for the
 * simulator and the native image; tests/libc/cenv.sh runs it on both
 * with a FAT16 disk holding /in.txt, and compares.  Each case prints
 * "PASS name" or "FAIL name: why"; the last line is "cenv: N failed",
 * without a newline (exit() flushes it), and the exit status is N.
 *
 * It uses only the C library and POSIX: stdio, stdlib, string, errno,
 * time, files and folders, signals, pthreads over two CPUs, sockets
 * over loopback; plus one Toro call
 * (the thread's CPU), to show that the two mix.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <toro/thread.h>

static int failed;

/* What the constructors saw; the C library runs them before main. */
static int ctor_order[4], nctor;
static pthread_t ctor_thread;
static int ctor_cpu = -1;
static char ctor_env[32];

__attribute__((constructor)) static void
plain_ctor(void)
{
	const char *w = getenv("CENV_WORD");

	if (nctor < 4)
		ctor_order[nctor++] = 2;
	ctor_thread = pthread_self();
	ctor_cpu = toro_cpu_id();
	snprintf(ctor_env, sizeof(ctor_env), "%s", w != NULL ? w : "(none)");
}

/* Defined after plain_ctor, run before it: priorities come first. */
__attribute__((constructor(200))) static void
early_ctor(void)
{
	if (nctor < 4)
		ctor_order[nctor++] = 1;
}

/* After main's last line, which has no newline: exit() flushes both. */
__attribute__((destructor)) static void
last_dtor(void)
{
	printf("\ncenv: destructor ran");
}

static void
result(const char *name, int ok, const char *why)
{
	if (ok)
		printf("PASS %s\n", name);
	else {
		printf("FAIL %s: %s\n", name, why);
		failed++;
	}
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void
test_strings(void)
{
	char buf[128], *end;
	int v[] = { 5, -3, 9, 0, 2 };
	double d;

	snprintf(buf, sizeof(buf), "%d|%5.2f|%-4s|%x|%e|%g", -42, 2.71828, "ab",
	    255, 12345.678, 0.0001);
	result("snprintf",
	    strcmp(buf, "-42| 2.72|ab  |ff|1.234568e+04|0.0001") == 0, buf);
	result("strtol base 16", strtol("0x1fz", &end, 16) == 31 && *end == 'z',
	    "0x1f");
	errno = 0;
	strtol("99999999999999999999", NULL, 10);
	result("strtol overflow sets ERANGE", errno == ERANGE, "errno");
	d = strtod("6.02214076e23", NULL);
	snprintf(buf, sizeof(buf), "%.6g", d);
	result("strtod", strcmp(buf, "6.02214e+23") == 0, buf);
	qsort(v, 5, sizeof(v[0]), cmp_int);
	result("qsort", v[0] == -3 && v[4] == 9, "order");
	result("strlen", strlen("toro") == 4, "4");
}

static void
test_memory(void)
{
	char *p = malloc(100), *q;
	void *a = aligned_alloc(64, 1000);

	result("malloc", p != NULL, "NULL");
	if (p == NULL)
		return;
	memset(p, 'x', 100);
	q = realloc(p, 100000);
	result("realloc keeps the bytes", q != NULL && q[99] == 'x', "lost");
	free(q);
	result("aligned_alloc(64)", a != NULL && ((uintptr_t)a & 63) == 0,
	    "misaligned");
	free(a);
	errno = 0;
	result("malloc too much gives ENOMEM",
	    malloc(SIZE_MAX / 2) == NULL && errno == ENOMEM, "errno");
}

static void
test_time(void)
{
	struct timespec a, b, d = { 0, 20000000 };
	time_t now = time(NULL);
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_MONOTONIC, &a);
	nanosleep(&d, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	result("nanosleep 20 ms",
	    (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) >=
		20000000L,
	    "too short");
	result("time is after 2020", now > 1577836800, "before 2020");
	{
		struct timeval tv;

		result("gettimeofday agrees with time",
		    gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= now &&
			tv.tv_sec - now < 5,
		    "apart");
	}
	gmtime_r(&(time_t) { 86400 * 365 }, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	result("gmtime_r and strftime", strcmp(buf, "1971-01-01 00:00:00") == 0,
	    buf);
}

static void
test_files(void)
{
	char line[128];
	FILE *f;
	long size;

	if ((f = fopen("/in.txt", "r")) == NULL) {
		result("fopen /in.txt", 0, strerror(errno));
		return;
	}
	result("fgets",
	    fgets(line, sizeof(line), f) != NULL &&
		strcmp(line, "first line\n") == 0,
	    line);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	result("fseek and ftell", size == 22, "size");
	fclose(f);
	if ((f = fopen("/out.txt", "w")) == NULL) {
		result("fopen /out.txt", 0, strerror(errno));
		return;
	}
	fprintf(f, "written by cenv: %d %.2f\n", 7, 0.5);
	result("fclose flushes", fclose(f) == 0, strerror(errno));
	f = fopen("/out.txt", "r");
	result("read back",
	    f != NULL && fgets(line, sizeof(line), f) != NULL &&
		strcmp(line, "written by cenv: 7 0.50\n") == 0,
	    line);
	if (f != NULL)
		fclose(f);
	errno = 0;
	result("fopen of a missing file gives ENOENT",
	    fopen("/no/such", "r") == NULL && errno == ENOENT, "errno");
}

/* The command line's CENV_WORD=hello CENV_TWO="a b" idle=halt. */
static void
test_startup(void)
{
	const char *two = getenv("CENV_TWO");

	result("constructors ran before main, by priority",
	    nctor == 2 && ctor_order[0] == 1 && ctor_order[1] == 2, "order");
	result("constructors ran on the kernel's main thread, CPU 0",
	    pthread_equal(ctor_thread, pthread_self()) && ctor_cpu == 0,
	    "thread");
	result("getenv in a constructor", strcmp(ctor_env, "hello") == 0,
	    ctor_env);
	result("getenv of a quoted word",
	    two != NULL && strcmp(two, "a b") == 0,
	    two != NULL ? two : "(none)");
	result("a kernel option is not in the environment",
	    getenv("idle") == NULL, "idle");
	result("setenv, unsetenv",
	    setenv("CENV_NEW", "x", 1) == 0 && unsetenv("CENV_WORD") == 0 &&
		getenv("CENV_WORD") == NULL &&
		strcmp(getenv("CENV_NEW"), "x") == 0 &&
		strcmp(getenv("CENV_TWO"), "a b") == 0,
	    "environ");
}

/* Entries of / whose name starts with prefix. */
static int
count_root(const char *prefix)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir("/")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/*
 * unlink() of an open file, tmpfile(): gone from the folder at once,
 * readable until the last close.  A tmpfile left open goes at exit
 * (cenv.sh looks at the disk).
 */
static void
test_unlinked(void)
{
	char line[64] = "";
	struct stat st;
	FILE *f, *g;

	f = tmpfile();
	result("tmpfile", f != NULL, strerror(errno));
	if (f != NULL) {
		fputs("scratch\n", f);
		rewind(f);
		result("tmpfile reads back what it wrote",
		    fgets(line, sizeof(line), f) != NULL &&
			strcmp(line, "scratch\n") == 0,
		    line);
		fclose(f);
	}
	if ((f = fopen("/gone.txt", "w+")) == NULL) {
		result("fopen /gone.txt", 0, strerror(errno));
		return;
	}
	fputs("still here\n", f);
	fflush(f);
	result("unlink of an open file", unlink("/gone.txt") == 0,
	    strerror(errno));
	errno = 0;
	result("its name is gone at once",
	    stat("/gone.txt", &st) != 0 && errno == ENOENT, "stat");
	rewind(f);
	result("it is still read through its stream",
	    fgets(line, sizeof(line), f) != NULL &&
		strcmp(line, "still here\n") == 0,
	    line);
	result("while open, it is hidden in /", count_root(".toro-") == 1,
	    "count");
	fclose(f);
	result("closed, nothing of it is left", count_root(".toro-") == 0,
	    "count");
	g = tmpfile(); /* left open: exit removes it */
	result("a second tmpfile", g != NULL && fputs("left\n", g) >= 0,
	    strerror(errno));
}

static void
test_dirs(void)
{
	struct dirent *de;
	struct stat st;
	FILE *f;
	DIR *d;
	int found = 0, n = 0;

	result("mkdir", mkdir("/d", 0755) == 0, strerror(errno));
	if ((f = fopen("/d/a.txt", "w")) != NULL) {
		fputs("12345", f);
		fclose(f);
	}
	result("rename", rename("/d/a.txt", "/d/b.txt") == 0, strerror(errno));
	result("stat",
	    stat("/d/b.txt", &st) == 0 && S_ISREG(st.st_mode) &&
		st.st_size == 5,
	    "size or type");
	if ((d = opendir("/d")) == NULL) {
		result("opendir", 0, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		n++;
		found |=
		    strcmp(de->d_name, "b.txt") == 0 && de->d_type == DT_REG;
	}
	closedir(d);
	result("readdir lists the one file", found && n == 1, "listing");
	result("remove and rmdir", remove("/d/b.txt") == 0 && rmdir("/d") == 0,
	    strerror(errno));
	errno = 0;
	result("stat of a removed folder gives ENOENT",
	    stat("/d", &st) < 0 && errno == ENOENT, "errno");
}

/*
 * The one user is root: a server dropping its rights to root again
 * (memcached -u root) succeeds as on Linux; another id cannot be had.
 */
static void
test_ids(void)
{
	gid_t g[2] = { 0, 0 };

	result("getuid, geteuid, getgid are root's",
	    getuid() == 0 && geteuid() == 0 && getgid() == 0, "not 0");
	result("setgroups(0, NULL), setgid(0), setuid(0) succeed",
	    setgroups(0, NULL) == 0 && setgroups(2, g) == 0 && setgid(0) == 0 &&
		setuid(0) == 0 && setresuid(-1, 0, -1) == 0,
	    strerror(errno));
	errno = 0;
	result("setuid(1000) is EINVAL: there is no other user",
	    setuid(1000) < 0 && errno == EINVAL && getuid() == 0, "errno");
	g[1] = 100;
	errno = 0;
	result("setgroups of a group but 0 is EINVAL",
	    setgroups(2, g) < 0 && errno == EINVAL, "errno");
	errno = 0;
	result("setgroups of a bad list is EFAULT",
	    setgroups(1, (gid_t *)8) < 0 && errno == EFAULT, "errno");
	result("getgroups: none", getgroups(2, g) == 0, "count");
}

static volatile sig_atomic_t caught;

static void
on_usr1(int sig)
{
	caught = sig;
}

static void
test_signals(void)
{
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	result("raise runs the handler", caught == SIGUSR1, "not run");
	caught = 0;
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	result("SIG_IGN ignores", caught == 0, "run");
}

#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;

static void *
adder(void *arg)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (i % 1000 == 0)
			sched_yield();
	}
	errno = 1000 + toro_cpu_id(); /* each thread its own */
	pthread_mutex_lock(&lock);
	ready++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	return (void *)(intptr_t)(errno == 1000 + toro_cpu_id() ? toro_cpu_id()
								: -1);
}

/* Bytes of every value reach the console, NUL included. */
static void
test_console(void)
{
	static const char bytes[] = "nul<\0>end\n";

	fflush(stdout);
	result("write of a NUL byte",
	    write(1, bytes, sizeof(bytes) - 1) == (ssize_t)sizeof(bytes) - 1,
	    strerror(errno));
}

static void
test_threads(void)
{
	pthread_t t[2];
	pthread_attr_t attr;
	cpu_set_t set;
	void *ret[2];
	int i;

	result("sysconf counts 2 CPUs", sysconf(_SC_NPROCESSORS_ONLN) == 2,
	    "count");
	pthread_attr_init(&attr);
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	errno = 0;
	result("pthread_create on CPU 1",
	    pthread_create(&t[0], &attr, adder, NULL) == 0, "create");
	result("pthread_create, default CPU",
	    pthread_create(&t[1], NULL, adder, NULL) == 0, "create");
	pthread_mutex_lock(&lock);
	while (ready < 2)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	result("pthread_cond_wait", ready == 2, "not woken");
	for (i = 0; i < 2; i++)
		pthread_join(t[i], &ret[i]);
	result("the mutex counted every increment", counter == 2 * ROUNDS,
	    "lost increments");
	result("the first thread ran on CPU 1", (intptr_t)ret[0] == 1,
	    "another CPU");
	result("errno is per thread", errno == 0 && (intptr_t)ret[1] >= 0,
	    "shared");
	pthread_attr_destroy(&attr);
}

#define PORT 7777

/* The server: one connection, it echoes what it reads, upper-cased. */
static void *
server(void *arg)
{
	int ls = *(int *)arg, c, i;
	char buf[64];
	ssize_t n;

	if ((c = accept(ls, NULL, NULL)) < 0)
		return (void *)(intptr_t)-1;
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] -= 'a' - 'A';
		write(c, buf, (size_t)n);
	}
	close(c);
	return NULL;
}

static void
test_sockets(void)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	struct sockaddr_in sa = { 0 }, peer;
	socklen_t len = sizeof(peer);
	struct pollfd pfd;
	pthread_t t;
	char buf[64], text[INET_ADDRSTRLEN];
	int ls, s, one = 1, u1, u2;
	ssize_t n;

	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	result("getaddrinfo localhost",
	    getaddrinfo("localhost", "7777", &hints, &ai) == 0 &&
		((struct sockaddr_in *)ai->ai_addr)->sin_port == htons(PORT) &&
		((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr ==
		    htonl(INADDR_LOOPBACK),
	    "address");
	if (ai != NULL)
		freeaddrinfo(ai);
	result("inet_pton and inet_ntop",
	    inet_pton(AF_INET, "10.1.2.3", &sa.sin_addr) == 1 &&
		strcmp(inet_ntop(AF_INET, &sa.sin_addr, text, sizeof(text)),
		    "10.1.2.3") == 0,
	    text);

	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(PORT);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	result("socket, bind, listen",
	    ls >= 0 && bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		listen(ls, 4) == 0,
	    strerror(errno));
	pthread_create(&t, NULL, server, &ls);
	s = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	result("connect to 127.0.0.1",
	    s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0,
	    strerror(errno));
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	result("getpeername",
	    getpeername(s, (struct sockaddr *)&peer, &len) == 0 &&
		peer.sin_port == htons(PORT),
	    strerror(errno));
	send(s, "ping", 4, 0);
	pfd.fd = s;
	pfd.events = POLLIN;
	result("poll sees the answer",
	    poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLIN), "not ready");
	n = recv(s, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	result("TCP echo over loopback", strcmp(buf, "PING") == 0, buf);
	close(s);
	pthread_join(t, NULL);
	close(ls);

	u1 = socket(AF_INET, SOCK_DGRAM, 0);
	u2 = socket(AF_INET, SOCK_DGRAM, 0);
	sa.sin_port = htons(PORT + 1);
	bind(u1, (struct sockaddr *)&sa, sizeof(sa));
	sendto(u2, "datagram", 8, 0, (struct sockaddr *)&sa, sizeof(sa));
	len = sizeof(peer);
	n = recvfrom(
	    u1, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&peer, &len);
	buf[n > 0 ? n : 0] = '\0';
	result("UDP over loopback",
	    strcmp(buf, "datagram") == 0 &&
		peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	    buf);
	close(u1);
	close(u2);
	errno = 0;
	result("a socket of another family is refused",
	    socket(AF_UNIX, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT,
	    strerror(errno));
}

int
main(int argc, char **argv)
{
	printf("argv[0]=%s argc=%d\n", argv[0], argc);
	test_strings();
	test_memory();
	test_time();
	test_startup();
	test_files();
	test_dirs();
	test_unlinked();
	test_ids();
	test_signals();
	test_console();
	test_threads();
	test_sockets();
	/* No newline: exit() must flush it when main returns. */
	printf("cenv: %d failed", failed);
	return failed;
}
