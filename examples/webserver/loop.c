/*
 * loop.c: the webserver's workers.  A worker is a pthread over
 * poll(): entry 0 is the listener, the others its connections.
 * One worker per CPU at a time watches the listener (it takes its
 * CPU's turn before poll() and gives it back after): a connection
 * wakes one worker per CPU, not all of them only for the losers to find
 * the accept queue empty.  Whoever gets a connection keeps it for its
 * life.  A readable
 * connection is read without waiting and fed to http.c; an answer the
 * socket cannot take at once waits in out.c, and the worker polls that
 * connection for POLLOUT instead of POLLIN until it is out.
 * Nothing here ever waits but poll().  Once a second a worker
 * closes its connections idle (nothing received or sent) for IDLE_NS.
 * The network CPU's workers take new connections alone until they hold
 * SPILL; the others then help, woken at once by their CPU's spill
 * counter (an eventfd they watch meanwhile), not at their next tick.
 *
 * Why not a thread per connection: a thread costs its stack (64 KiB),
 * an idle connection here costs its struct conn and a poll entry, so
 * 10,000 idle connections fit in 128 MiB.  Why several workers per
 * CPU: a long answer being built (a directory listing, /stats) holds
 * up only its own worker.  The shape is POSIX's: pthreads over poll().
 *
 * Past the limit (max connections open) a new connection is accepted
 * and closed at once, so the client learns at once; when the kernel's
 * own table is full it does not answer SYNs at all.  Either way
 * service comes back as connections close.
 */
#define _GNU_SOURCE /* accept4, pthread_attr_setaffinity_np */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "webserver.h"

#define WORKERS_PER_CPU 2
#define ACCEPT_BATCH 32
#define TICK_NS 1000000000ll
#define TICK_MS 1000
#define REST_NS 100000000ll /* after an accept failed (no memory) */
#define REST_MS 100
#define WORKER_STACK (256 * 1024)
#define SPILL 128 /* held by the network CPU before the others help */

struct worker {
	int cpu;	    /* its CPU: turns[cpu] */
	int n, cap;	    /* connections; room in the arrays */
	struct pollfd *pfd; /* [0] the listener, [1 + i] conns[i] */
	struct conn **conns;
	uint64_t next_sweep;
	uint64_t listen_at; /* after an accept failed: rest until then */
};

static int listener, limit, netcpu, ncpu;
static int *turns; /* per CPU: a worker of it polls the listener */
static int *spill; /* per CPU: eventfd posted when the network CPU spills */
static long *held; /* per CPU: connections its workers hold */
static long nopen, naccepted, nrefused;

uint64_t
loop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
loop_counts(long *open, long *accepted, long *refused)
{
	*open = __atomic_load_n(&nopen, __ATOMIC_RELAXED);
	*accepted = __atomic_load_n(&naccepted, __ATOMIC_RELAXED);
	*refused = __atomic_load_n(&nrefused, __ATOMIC_RELAXED);
}

int
loop_held(long *out, int max)
{
	int i, n = __atomic_load_n(&ncpu, __ATOMIC_ACQUIRE);

	for (i = 0; i < n && i < max; i++)
		out[i] = __atomic_load_n(&held[i], __ATOMIC_RELAXED);
	return i;
}

/* Twice the room; 0 or -1 (no memory). */
static int
grow(struct worker *w)
{
	int cap = w->cap == 0 ? 64 : w->cap * 2;
	struct pollfd *p;
	struct conn **c;

	if ((p = realloc(w->pfd, (size_t)(cap + 1) * sizeof(*p))) == NULL)
		return -1;
	w->pfd = p;
	if ((c = realloc(w->conns, (size_t)cap * sizeof(*c))) == NULL)
		return -1;
	w->conns = c;
	w->cap = cap;
	return 0;
}

/* Close connection i; the last one takes its place. */
static void
drop(struct worker *w, int i)
{
	close(w->conns[i]->fd);
	conn_free(w->conns[i]);
	w->n--;
	w->conns[i] = w->conns[w->n];
	w->pfd[i + 1] = w->pfd[w->n + 1];
	__atomic_fetch_sub(&nopen, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&held[w->cpu], 1, __ATOMIC_RELAXED);
}

/*
 * The network CPU's workers just reached SPILL connections: wake the
 * other CPUs' workers, which watch the listener from now on.
 */
static void
spill_wake(void)
{
	uint64_t one = 1;
	int i;

	/* A full counter is readable anyway: a failed write loses nothing. */
	for (i = 0; i < ncpu; i++)
		if (i != netcpu)
			(void)write(spill[i], &one, sizeof(one));
}

/* Accept what is waiting, up to a batch. */
static void
take(struct worker *w)
{
	struct conn *c;
	int k, fd;

	for (k = 0; k < ACCEPT_BATCH; k++) {
		if ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) < 0) {
			/*
			 * EAGAIN: another worker was faster.  Else (no
			 * memory, no descriptor) the connection still
			 * waits: leave the listener alone for a moment
			 * rather than spin on it.
			 */
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				w->listen_at = loop_now_ns() + REST_NS;
			return;
		}
		__atomic_fetch_add(&naccepted, 1, __ATOMIC_RELAXED);
		if (__atomic_load_n(&nopen, __ATOMIC_RELAXED) >= limit ||
		    (w->n == w->cap && grow(w) < 0) ||
		    (c = conn_new(fd)) == NULL) {
			/* Refused: the client sees the connection end. */
			close(fd);
			__atomic_fetch_add(&nrefused, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_fetch_add(&nopen, 1, __ATOMIC_RELAXED);
		if (__atomic_add_fetch(&held[w->cpu], 1, __ATOMIC_RELAXED) ==
		    SPILL && w->cpu == netcpu)
			spill_wake();
		w->conns[w->n] = c;
		w->pfd[w->n + 1] = (struct pollfd) { fd, POLLIN, 0 };
		w->n++;
	}
}

/* What connection i waits for: to read, or to send what is queued. */
static void
want(struct worker *w, int i)
{
	w->pfd[i + 1].events = conn_busy(w->conns[i]) ? POLLOUT : POLLIN;
}

/* Connection i is readable: read what is there, answer what is whole. */
static void
serve(struct worker *w, int i)
{
	struct conn *c = w->conns[i];
	char buf[4096];
	long n;

	/* Not while an answer waits: the parser is paused. */
	while (!conn_busy(c)) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			n = 0; /* reset: as the end of the stream */
		c->last = loop_now_ns();
		if (conn_feed(c, buf, (size_t)n) < 0 ||
		    (c->close && !conn_busy(c))) {
			drop(w, i);
			return;
		}
		if ((size_t)n < sizeof(buf))
			break;
	}
	want(w, i);
}

/* Connection i can take more of its answer. */
static void
writable(struct worker *w, int i)
{
	struct conn *c = w->conns[i];
	int r = conn_pump(c);

	if (r > 0)
		return;
	/* All sent: the requests that waited come next. */
	if (r < 0 || c->close || conn_resume(c) < 0 ||
	    (c->close && !conn_busy(c))) {
		drop(w, i);
		return;
	}
	want(w, i);
}

static void
sweep(struct worker *w, uint64_t now)
{
	int i;

	for (i = w->n - 1; i >= 0; i--)
		if (now - w->conns[i]->last > (uint64_t)IDLE_NS)
			drop(w, i);
	w->next_sweep = now + TICK_NS;
}

/*
 * What entry 0 of the poll watches: the listener, if this worker takes
 * the CPU's turn at it (no sibling has it: a worker parked without the
 * listener leaves it to the one that has it, which gives it back each
 * time its poll() returns); off the network CPU, while that one holds
 * fewer than SPILL connections, the CPU's spill counter instead; or
 * nothing (-1).
 */
static int
turn_take(struct worker *w, uint64_t now)
{
	if (w->cpu != netcpu &&
	    __atomic_load_n(&held[netcpu], __ATOMIC_RELAXED) < SPILL)
		return spill[w->cpu];
	if (now >= w->listen_at &&
	    __atomic_exchange_n(&turns[w->cpu], 1, __ATOMIC_ACQUIRE) == 0)
		return listener;
	return -1;
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	uint64_t now, posts;
	int i, fd0, r;

	for (;;) {
		now = loop_now_ns();
		fd0 = turn_take(w, now);
		w->pfd[0] = (struct pollfd) { fd0, POLLIN, 0 };
		r = poll(w->pfd, (nfds_t)w->n + 1,
		    now >= w->listen_at ? TICK_MS : REST_MS);
		if (fd0 == listener)
			__atomic_store_n(&turns[w->cpu], 0, __ATOMIC_RELEASE);
		if (r < 0) {
			usleep(10000);
			continue;
		}
		/* From the end: drop() moves a served entry into place. */
		for (i = w->n - 1; i >= 0; i--) {
			if (w->pfd[i + 1].revents == 0)
				continue;
			if (conn_busy(w->conns[i]))
				writable(w, i);
			else
				serve(w, i);
		}
		if (w->pfd[0].revents != 0 && fd0 == listener)
			take(w);
		else if (w->pfd[0].revents != 0) /* spilled: look again */
			(void)read(fd0, &posts, sizeof(posts));
		now = loop_now_ns();
		if (now >= w->next_sweep)
			sweep(w, now);
	}
	return NULL;
}

int
loop_start(int l, int max, int net)
{
	pthread_attr_t attr;
	pthread_t t, first = 0;
	cpu_set_t set;
	struct worker *w;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	int i, n, err;

	if (ncpus < 1)
		ncpus = 1;
	n = (int)ncpus * WORKERS_PER_CPU;
	listener = l;
	limit = max;
	/* Unknown or out of reach: CPU 0, where the kernel starts it. */
	netcpu = net >= 0 && net < ncpus ? net : 0;
	if ((turns = calloc((size_t)ncpus, sizeof(*turns))) == NULL ||
	    (held = calloc((size_t)ncpus, sizeof(*held))) == NULL ||
	    (spill = calloc((size_t)ncpus, sizeof(*spill))) == NULL)
		return ENOMEM;
	for (i = 0; i < ncpus; i++)
		if ((spill[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
			return errno;
	__atomic_store_n(&ncpu, (int)ncpus, __ATOMIC_RELEASE);
	if ((err = pthread_attr_init(&attr)) != 0 ||
	    (err = pthread_attr_setstacksize(&attr, WORKER_STACK)) != 0)
		return err;
	for (i = 0; i < n; i++) {
		if ((w = calloc(1, sizeof(*w))) == NULL || grow(w) < 0)
			return ENOMEM;
		w->next_sweep = loop_now_ns() + TICK_NS;
		/* Worker i on CPU i mod ncpus: each CPU gets its share. */
		w->cpu = (int)(i % ncpus);
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		if ((err = pthread_attr_setaffinity_np(
			 &attr, sizeof(set), &set)) != 0 ||
		    (err = pthread_create(&t, &attr, worker_run, w)) != 0)
			return err;
		if (i == 0)
			first = t;
		else
			pthread_detach(t);
	}
	pthread_attr_destroy(&attr);
	/* Workers never end: the caller waits here for good. */
	return pthread_join(first, NULL);
}
