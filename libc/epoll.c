/*
 * epoll.c: epoll_create1, epoll_ctl and epoll_wait over the kernel's
 * poll (toro_poll), in the one descriptor table.
 *
 * Interface: libc_epoll_create(), libc_epoll_ctl(), libc_epoll_wait()
 * (toroc.h), behind epoll_create, epoll_create1, epoll_ctl, epoll_wait
 * and epoll_pwait.
 *
 * An epoll descriptor (KIND_EPOLL) holds its interest list; a wait
 * polls the kernel sockets behind it, from a rotating start so that a
 * busy descriptor cannot starve the others past maxevents.  EPOLLET
 * uses the kernel's edge mode (TORO_POLLET): a descriptor is reported
 * again only after its socket changed.  EPOLLONESHOT disables an entry
 * once reported, until EPOLL_CTL_MOD.  A call of epoll_ctl while
 * another thread waits wakes it through an event counter of the set's
 * own, so the wait goes on with the new list.
 *
 * Rules: as Linux, with these limits: only what the kernel polls can
 * be watched (sockets, pipes, event counters; a file, a folder, the
 * console or another epoll set is EPERM); an entry is keyed by its
 * descriptor number and dropped when that number is closed (Linux
 * keeps it while a dup() of it is open); EPOLLRDHUP is reported with
 * EPOLLHUP only; EPOLLRDNORM and EPOLLWRNORM are EPOLLIN's and
 * EPOLLOUT's twins; other bits (EPOLLPRI, EPOLLEXCLUSIVE, EPOLLWAKEUP)
 * are accepted and never fire.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>

#include "libc/toroc.h"
#include "toro/toro.h"

/* Linux's poll bits that say the same as EPOLLIN and EPOLLOUT. */
#define WANT_IN (EPOLLIN | EPOLLRDNORM)
#define WANT_OUT (EPOLLOUT | EPOLLWRNORM)
/* Entries a wait keeps on the caller's stack; more go to the heap. */
#define ON_STACK 32

struct item {
	int fd;
	const struct libc_desc *d; /* what fd was when added (no reference) */
	uint32_t serial; /* and its serial: d's address may be reused */
	uint32_t events;
	uint64_t data;
	uint32_t gen; /* EPOLLET: the socket's count of changes seen */
	int off;      /* EPOLLONESHOT fired */
};

struct libc_epoll {
	int lock;
	struct item *items;
	int n, cap;
	int wake;	  /* an event counter's handle, or -1 */
	int waiters;	  /* threads in epoll_wait */
	unsigned changes; /* epoll_ctl calls that changed the list */
	unsigned rot;
};

static struct libc_epoll *
set_of(long epfd, struct libc_desc **dp)
{
	struct libc_desc *d = libc_fd_get(epfd);

	if (d == NULL)
		return NULL;
	if (d->kind != KIND_EPOLL) {
		libc_fd_put(d);
		return NULL;
	}
	*dp = d;
	return d->ep;
}

long
libc_epoll_create(long flags)
{
	struct libc_desc *d;
	struct libc_epoll *ep;
	long fd;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	if ((d = toro_calloc(1, sizeof(*d))) == NULL ||
	    (ep = toro_calloc(1, sizeof(*ep))) == NULL) {
		toro_free(d);
		return -ENOMEM;
	}
	/* Without a network there is nothing to watch, nor to wake. */
	if ((ep->wake = toro_eventfd(0, TORO_SOCK_NONBLOCK)) < 0)
		ep->wake = -1;
	d->kind = KIND_EPOLL;
	d->flags = O_RDWR;
	d->handle = ep->wake;
	d->ep = ep;
	if ((fd = libc_fd_install(d, 0)) < 0) {
		d->refs = 1;
		libc_fd_put(d);
	}
	return fd;
}

/* The last reference to an epoll descriptor went (fd.c). */
void
libc_epoll_free(struct libc_epoll *ep)
{
	toro_free(ep->items);
	toro_free(ep);
}

/*
 * fd's entry, if fd still stands for what was added; an entry left by a
 * descriptor closed since (its number now another's) goes.
 */
static struct item *
find(struct libc_epoll *ep, long fd, const struct libc_desc *t)
{
	int i;

	for (i = 0; i < ep->n; i++) {
		if (ep->items[i].fd != fd)
			continue;
		if (ep->items[i].d == t && ep->items[i].serial == t->serial)
			return &ep->items[i];
		ep->items[i] = ep->items[--ep->n];
		return NULL;
	}
	return NULL;
}

static long
add(struct libc_epoll *ep, long fd, const struct libc_desc *t,
    const struct epoll_event *ev)
{
	struct item *it;
	int cap;

	if (find(ep, fd, t) != NULL)
		return -EEXIST;
	if (ep->n == ep->cap) {
		cap = ep->cap == 0 ? 8 : ep->cap * 2;
		if ((it = toro_malloc((size_t)cap * sizeof(*it))) == NULL)
			return -ENOMEM;
		if (ep->n > 0)
			memcpy(it, ep->items, (size_t)ep->n * sizeof(*it));
		toro_free(ep->items);
		ep->items = it;
		ep->cap = cap;
	}
	it = &ep->items[ep->n++];
	it->fd = (int)fd;
	it->d = t;
	it->serial = t->serial;
	it->events = ev->events;
	it->data = ev->data.u64;
	it->gen = 0;
	it->off = 0;
	return 0;
}

/* Apply op to the list; the set is locked. */
static long
change(struct libc_epoll *ep, long op, long fd, const struct libc_desc *t,
    const struct epoll_event *ev)
{
	struct item *it = find(ep, fd, t);

	switch (op) {
	case EPOLL_CTL_ADD:
		return add(ep, fd, t, ev);
	case EPOLL_CTL_MOD:
		if (it == NULL)
			return -ENOENT;
		it->events = ev->events;
		it->data = ev->data.u64;
		it->gen = 0;
		it->off = 0;
		return 0;
	case EPOLL_CTL_DEL:
		if (it == NULL)
			return -ENOENT;
		*it = ep->items[--ep->n];
		return 0;
	}
	return -EINVAL;
}

long
libc_epoll_ctl(long epfd, long op, long fd, const struct epoll_event *ev)
{
	struct libc_desc *d, *t;
	struct libc_epoll *ep;
	uint64_t one = 1;
	long r;

	if ((t = libc_fd_get(fd)) == NULL)
		return -EBADF;
	if ((ep = set_of(epfd, &d)) == NULL) {
		libc_fd_put(t);
		return libc_fd_peek(epfd) == NULL ? -EBADF : -EINVAL;
	}
	if (fd == epfd)
		r = -EINVAL;
	else if (!LIBC_KERNEL_POLLED(t))
		r = -EPERM;
	else if (op != EPOLL_CTL_DEL && ev == NULL)
		r = -EFAULT;
	else {
		libc_lock(&ep->lock);
		if ((r = change(ep, op, fd, t, ev)) == 0)
			ep->changes++;
		if (r == 0 && ep->waiters > 0 && ep->wake >= 0)
			toro_send(
			    ep->wake, &one, sizeof(one), TORO_MSG_DONTWAIT);
		libc_unlock(&ep->lock);
	}
	libc_fd_put(t);
	libc_fd_put(d);
	return r;
}

/*
 * The kernel's poll entries for the list in k (the wake counter last),
 * with map[i] the item of k[i]; how many.  Entries whose descriptor
 * was closed leave the list.  The set is locked.
 */
static int
snapshot(struct libc_epoll *ep, struct toro_pollfd *k, int *map)
{
	struct libc_desc *now;
	struct item *it;
	int i, nk = 0;

	libc_fd_lock_table();
	for (i = 0; i < ep->n;) {
		it = &ep->items[i];
		now = libc_fd_peek(it->fd);
		if (now != it->d || now->serial != it->serial) {
			*it = ep->items[--ep->n];
			continue;
		}
		if (!it->off) {
			k[nk].fd = now->handle;
			k[nk].events =
			    (short)((it->events & WANT_IN ? TORO_POLLIN : 0) |
				(it->events & WANT_OUT ? TORO_POLLOUT : 0) |
				(it->events & EPOLLET ? TORO_POLLET : 0));
			k[nk].gen = it->gen;
			map[nk++] = i;
		}
		i++;
	}
	libc_fd_unlock_table();
	if (ep->wake >= 0) {
		k[nk].fd = ep->wake;
		k[nk].events = TORO_POLLIN;
		map[nk++] = -1;
	}
	return nk;
}

static uint32_t
to_epoll(short rv, uint32_t want)
{
	uint32_t e = (rv & TORO_POLLIN ? WANT_IN : 0) |
	    (rv & TORO_POLLOUT ? WANT_OUT : 0) |
	    (rv & TORO_POLLERR ? EPOLLERR : 0) |
	    (rv & TORO_POLLHUP ? EPOLLHUP | (want & EPOLLRDHUP) : 0);

	return e & (want | EPOLLERR | EPOLLHUP);
}

/*
 * Copy the ready entries out (k[0..n-1], not the wake counter), from
 * the rotating start, at most max; how many.  The set is locked and
 * unchanged since snapshot().
 */
static int
collect(struct libc_epoll *ep, struct toro_pollfd *k, int *map, int n,
    struct epoll_event *out, int max)
{
	struct epoll_event e;
	int i, j, got = 0;
	struct item *it;

	for (j = 0; j < n && got < max; j++) {
		i = (int)((ep->rot + (unsigned)j) % (unsigned)n);
		if (k[i].revents == 0)
			continue;
		it = &ep->items[map[i]];
		e.events = to_epoll(k[i].revents, it->events);
		e.data.u64 = it->data;
		/* The caller's array: a bad one reports (and spends) nothing.
		 */
		if (toro_copy(&out[got], &e, sizeof(e)) < 0)
			return got > 0 ? got : -EFAULT;
		it->gen = k[i].gen;
		if (it->events & EPOLLONESHOT)
			it->off = 1;
		got++;
	}
	ep->rot++;
	return got;
}

/* Room for n entries in k and map: the caller's, or the heap's. */
static int
room(
    int n, struct toro_pollfd **k, int **map, struct toro_pollfd *sk, int *smap)
{
	if (n <= ON_STACK) {
		*k = sk;
		*map = smap;
		return 0;
	}
	*k = toro_malloc((size_t)n * sizeof(**k));
	*map = toro_malloc((size_t)n * sizeof(**map));
	if (*k == NULL || *map == NULL) {
		toro_free(*k);
		toro_free(*map);
		return -ENOMEM;
	}
	return 0;
}

/*
 * One poll of the list with ns left; the entries reported, 0 on a
 * timeout, or -EAGAIN when the list changed under it (look again).
 */
static long
wait_once(struct libc_epoll *ep, struct epoll_event *out, int max, int64_t ns)
{
	struct toro_pollfd sk[ON_STACK], *k;
	int smap[ON_STACK], *map, nk, n;
	unsigned seen;
	uint64_t v;
	long r;

	libc_lock(&ep->lock);
	if ((r = room(ep->n + 1, &k, &map, sk, smap)) < 0) {
		libc_unlock(&ep->lock);
		return r;
	}
	nk = snapshot(ep, k, map);
	n = ep->wake >= 0 ? nk - 1 : nk;
	seen = ep->changes;
	ep->waiters++;
	libc_unlock(&ep->lock);
	r = 0;
	if (nk > 0)
		r = toro_poll(k, nk, ns);
	else if (ns != 0)
		toro_sleep_ns(ns == TORO_FOREVER ? UINT64_MAX : (uint64_t)ns);
	libc_lock(&ep->lock);
	ep->waiters--;
	if (r > 0 && seen != ep->changes)
		r = -EAGAIN;
	else if (r > 0)
		r = collect(ep, k, map, n, out, max);
	libc_unlock(&ep->lock);
	/* Woken by epoll_ctl: take the count, look again. */
	if (nk > n && k[n].revents != 0) {
		toro_recv(ep->wake, &v, sizeof(v), TORO_MSG_DONTWAIT);
		if (r == 0)
			r = -EAGAIN;
	}
	if (k != sk) {
		toro_free(k);
		toro_free(map);
	}
	return r;
}

long
libc_epoll_wait(long epfd, void *events, long max, long timeout_ms)
{
	int64_t start = (int64_t)toro_time_ns(), ns, left;
	struct libc_epoll *ep;
	struct libc_desc *d;
	long r;

	if (max <= 0 || max > INT32_MAX / (long)sizeof(struct epoll_event))
		return -EINVAL;
	if ((ep = set_of(epfd, &d)) == NULL)
		return libc_fd_peek(epfd) == NULL ? -EBADF : -EINVAL;
	ns = (int)timeout_ms < 0 ? TORO_FOREVER
				 : (int64_t)(int)timeout_ms * 1000000;
	for (;;) {
		left = ns;
		if (ns != TORO_FOREVER) {
			left = ns - ((int64_t)toro_time_ns() - start);
			left = left < 0 ? 0 : left;
		}
		r = wait_once(ep, events, (int)max, left);
		if (r != -EAGAIN)
			break;
		if (left == 0) {
			r = 0;
			break;
		}
	}
	libc_fd_put(d);
	return r;
}
