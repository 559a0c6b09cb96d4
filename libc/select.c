/*
 * select.c: select, pselect6 and ppoll, over poll() (socket.c).
 *
 * Interface: libc_select() and libc_ppoll() (toroc.h), behind musl's
 * select, pselect and ppoll.
 *
 * Rules: as Linux.  A descriptor in a set that is not open is EBADF;
 * readable means POLLIN, POLLHUP or POLLERR, writable POLLOUT or
 * POLLERR, and the exception set never fires (TCP urgent data is not
 * delivered apart).  A timeout is rounded to nothing finer than poll()
 * keeps (ns); where the caller passed one, ppoll and pselect6 write
 * back the time left, as Linux's system calls do.  The signal masks are
 * ignored: no signal arrives unasked (signal.c), so none can interrupt.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "libc/toroc.h"
#include "toro/toro.h"

#define NS 1000000000LL
/* The descriptor table's size (fd.c): no set can name more. */
#define SELECT_MAX 65536
/* Entries select() keeps on the caller's stack; more go to the heap. */
#define ON_STACK 32

/* A timeout as ns for poll: TORO_FOREVER if NULL, <0 if invalid. */
static int64_t
timeout_ns(const struct timespec *ts)
{
	long sec, nsec;

	if (ts == NULL)
		return TORO_FOREVER;
	sec = ts->tv_sec;
	nsec = ts->tv_nsec;
	if (sec < 0 || nsec < 0 || nsec >= NS)
		return -1;
	if (sec >= (TORO_FOREVER - nsec) / NS)
		return TORO_FOREVER;
	return sec * NS + nsec;
}

/* Write back what is left of the timeout, from start. */
static void
time_left(struct timespec *ts, int64_t ns, int64_t start)
{
	int64_t left;

	if (ts == NULL || ns == TORO_FOREVER)
		return;
	left = ns - ((int64_t)toro_time_ns() - start);
	if (left < 0)
		left = 0;
	ts->tv_sec = left / NS;
	ts->tv_nsec = left % NS;
}

static int
isset(const void *set, long fd)
{
	return set != NULL &&
	    (((const unsigned long *)set)[fd / (8 * sizeof(long))] >>
		    (fd % (8 * sizeof(long))) &
		1);
}

/* The pollfd entries for the descriptors in the sets; how many. */
static long
to_poll(struct pollfd *p, long n, void *r, void *w, void *e)
{
	long fd, k = 0;

	for (fd = 0; fd < n; fd++) {
		short ev = (short)((isset(r, fd) ? POLLIN : 0) |
		    (isset(w, fd) ? POLLOUT : 0));

		if (ev == 0 && !isset(e, fd))
			continue;
		if (p != NULL) {
			p[k].fd = (int)fd;
			p[k].events = ev;
		}
		k++;
	}
	return k;
}

/* Rewrite the sets from the poll results; the count, or -EBADF. */
static long
from_poll(const struct pollfd *p, long k, long n, void *r, void *w, void *e)
{
	size_t bytes = (size_t)(n + 8 * sizeof(long) - 1) / (8 * sizeof(long)) *
	    sizeof(long);
	unsigned long *sets[2] = { r, w };
	long i, count = 0;
	short rv;
	int j;

	for (i = 0; i < k; i++)
		if (p[i].revents & POLLNVAL)
			return -EBADF;
	for (j = 0; j < 2; j++)
		if (sets[j] != NULL)
			memset(sets[j], 0, bytes);
	if (e != NULL)
		memset(e, 0, bytes);
	for (i = 0; i < k; i++) {
		rv = p[i].revents;
		if ((p[i].events & POLLIN) &&
		    (rv & (POLLIN | POLLHUP | POLLERR)))
			count++,
			    sets[0][p[i].fd / (8 * sizeof(long))] |= 1ul
			    << (p[i].fd % (8 * sizeof(long)));
		if ((p[i].events & POLLOUT) && (rv & (POLLOUT | POLLERR)))
			count++,
			    sets[1][p[i].fd / (8 * sizeof(long))] |= 1ul
			    << (p[i].fd % (8 * sizeof(long)));
	}
	return count;
}

/* select and pselect6 (a timeval is made a timespec): NULL: no limit. */
long
libc_select(long n, void *r, void *w, void *e, struct timespec *ts)
{
	struct pollfd small[ON_STACK], *p = small;
	int64_t ns, start = (int64_t)toro_time_ns();
	long k, got;

	if (n < 0)
		return -EINVAL;
	if (n > SELECT_MAX)
		n = SELECT_MAX;
	ns = timeout_ns(ts);
	if (ns < 0)
		return -EINVAL;
	k = to_poll(NULL, n, r, w, e);
	if (k > ON_STACK && (p = toro_malloc((size_t)k * sizeof(*p))) == NULL)
		return -ENOMEM;
	to_poll(p, n, r, w, e);
	got = libc_poll_ns(p, k, ns);
	if (got >= 0)
		got = from_poll(p, k, n, r, w, e);
	if (p != small)
		toro_free(p);
	time_left(ts, ns, start);
	return got;
}

long
libc_ppoll(void *fds, long n, struct timespec *ts)
{
	int64_t ns, start = (int64_t)toro_time_ns();
	long got;

	ns = timeout_ns(ts);
	if (ns < 0)
		return -EINVAL;
	got = libc_poll_ns(fds, n, ns);
	time_left(ts, ns, start);
	return got;
}
