/*
 * loop.c: the webserver's workers.  A worker is a thread over
 * toro_poll(): entry 0 is the listener, the others its connections.
 * When the listener is readable every worker may try a non-blocking
 * accept; whoever gets a connection keeps it for its life.  A readable
 * connection is read without waiting and fed to http.c; an answer the
 * socket cannot take at once waits in out.c, and the worker polls that
 * connection for TORO_POLLOUT instead of TORO_POLLIN until it is out.
 * Nothing here ever waits but toro_poll().  Once a second a worker
 * closes its connections idle (nothing received or sent) for IDLE_NS.
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
#include <toro/toro.h>

#include "webserver.h"

#define WORKERS_PER_CPU 2
#define ACCEPT_BATCH 32
#define TICK_NS 1000000000ll
#define REST_NS 100000000ll /* after an accept failed (no memory) */
#define WORKER_STACK (256 * 1024)

struct worker {
	int n, cap;		 /* connections; room in the arrays */
	struct toro_pollfd *pfd; /* [0] the listener, [1 + i] conns[i] */
	struct conn **conns;
	uint64_t next_sweep;
	uint64_t listen_at; /* after an accept failed: rest until then */
};

static int listener, limit;
static long nopen, naccepted, nrefused;

void
loop_counts(long *open, long *accepted, long *refused)
{
	*open = __atomic_load_n(&nopen, __ATOMIC_RELAXED);
	*accepted = __atomic_load_n(&naccepted, __ATOMIC_RELAXED);
	*refused = __atomic_load_n(&nrefused, __ATOMIC_RELAXED);
}

/* Twice the room; 0 or -1 (no memory). */
static int
grow(struct worker *w)
{
	int cap = w->cap == 0 ? 64 : w->cap * 2;
	struct toro_pollfd *p;
	struct conn **c;

	if ((p = toro_realloc(w->pfd, (size_t)(cap + 1) * sizeof(*p))) == NULL)
		return -1;
	w->pfd = p;
	if ((c = toro_realloc(w->conns, (size_t)cap * sizeof(*c))) == NULL)
		return -1;
	w->conns = c;
	w->cap = cap;
	return 0;
}

/* Close connection i; the last one takes its place. */
static void
drop(struct worker *w, int i)
{
	toro_close(w->conns[i]->fd);
	conn_free(w->conns[i]);
	w->n--;
	w->conns[i] = w->conns[w->n];
	w->pfd[i + 1] = w->pfd[w->n + 1];
	__atomic_fetch_sub(&nopen, 1, __ATOMIC_RELAXED);
}

/* Accept what is waiting, up to a batch. */
static void
take(struct worker *w)
{
	struct conn *c;
	int k, fd;

	for (k = 0; k < ACCEPT_BATCH; k++) {
		if ((fd = toro_accept(listener, NULL)) < 0) {
			/*
			 * -TORO_EAGAIN: another worker was faster.  Else
			 * (no memory, no descriptor) the connection still
			 * waits: leave the listener alone for a moment
			 * rather than spin on it.
			 */
			if (fd != -TORO_EAGAIN)
				w->listen_at = toro_time_ns() + REST_NS;
			return;
		}
		__atomic_fetch_add(&naccepted, 1, __ATOMIC_RELAXED);
		if (__atomic_load_n(&nopen, __ATOMIC_RELAXED) >= limit ||
		    (w->n == w->cap && grow(w) < 0) ||
		    (c = conn_new(fd)) == NULL) {
			/* Refused: the client sees the connection end. */
			toro_close(fd);
			__atomic_fetch_add(&nrefused, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_fetch_add(&nopen, 1, __ATOMIC_RELAXED);
		/* Answers go out whole; never wait for the client's ACK. */
		toro_socket_set_nodelay(fd, 1);
		w->conns[w->n] = c;
		w->pfd[w->n + 1] = (struct toro_pollfd) { fd, TORO_POLLIN, 0 };
		w->n++;
	}
}

/* What connection i waits for: to read, or to send what is queued. */
static void
want(struct worker *w, int i)
{
	w->pfd[i + 1].events =
	    conn_busy(w->conns[i]) ? TORO_POLLOUT : TORO_POLLIN;
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
		n = toro_recv(c->fd, buf, sizeof(buf), TORO_MSG_DONTWAIT);
		if (n == -TORO_EAGAIN)
			break;
		if (n < 0)
			n = 0; /* reset: as the end of the stream */
		c->last = toro_time_ns();
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

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	uint64_t now;
	int i;

	for (;;) {
		now = toro_time_ns();
		w->pfd[0] =
		    (struct toro_pollfd) { now >= w->listen_at ? listener : -1,
			    TORO_POLLIN, 0 };
		if (toro_poll(w->pfd, w->n + 1,
			now >= w->listen_at ? TICK_NS : REST_NS) < 0) {
			toro_sleep_ms(10);
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
		if (w->pfd[0].revents != 0)
			take(w);
		now = toro_time_ns();
		if (now >= w->next_sweep)
			sweep(w, now);
	}
	return NULL;
}

int
loop_start(int l, int max)
{
	struct toro_thread_attr attr = { "http", WORKER_STACK };
	struct toro_thread *t, *first = NULL;
	struct worker *w;
	int i, n = toro_cpu_count() * WORKERS_PER_CPU, err;

	listener = l;
	limit = max;
	for (i = 0; i < n; i++) {
		if ((w = toro_calloc(1, sizeof(*w))) == NULL || grow(w) < 0)
			return -TORO_ENOMEM;
		w->next_sweep = toro_time_ns() + TICK_NS;
		if ((err = toro_thread_create(
			 &t, i % toro_cpu_count(), worker_run, w, &attr)) < 0)
			return err;
		if (first == NULL)
			first = t;
		else
			toro_thread_detach(t);
	}
	/* Workers never end: the caller waits here for good. */
	return toro_thread_join(first, NULL);
}
