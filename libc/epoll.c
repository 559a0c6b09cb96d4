/*
 * epoll.c: epoll_create1, epoll_ctl and epoll_wait over the kernel's
 * epoll sets (toro_epoll_create, toro_epoll_ctl, toro_epoll_wait in
 * toro/socket.h), in the one descriptor table.
 *
 * Interface: libc_epoll_create(), libc_epoll_ctl(), libc_epoll_wait()
 * (toroc.h), behind epoll_create, epoll_create1, epoll_ctl, epoll_wait
 * and epoll_pwait.
 *
 * An epoll descriptor (KIND_EPOLL) is a kernel set; its entries are
 * keyed, as Linux's, by the watched description's kernel socket and the
 * descriptor number, so a dup() of a watched descriptor can be added
 * on its own, and an entry stays while any descriptor of its socket is
 * open (it goes when the last one closes).  A wait costs the entries
 * that are ready, not the whole set; the kernel writes the events into
 * the caller's array (struct epoll_event is the kernel's layout, bits
 * and all), and a bad array is EFAULT with nothing taken.  When more
 * are ready than maxevents, the next wait goes on after the last one
 * reported.  EPOLLET reports a descriptor again only after its socket
 * changed; EPOLLONESHOT disables an entry once reported, until
 * EPOLL_CTL_MOD.  An epoll_ctl from another thread that makes an entry
 * ready ends a wait at once.
 *
 * Rules: as Linux, with these limits: only what the kernel polls can
 * be watched (sockets, pipes, event counters; a file, a folder, the
 * console or another epoll set is EPERM); EPOLLRDHUP says that a TCP
 * or pair peer sends no more (never on a pipe, as Linux); EPOLLRDNORM
 * and EPOLLWRNORM are EPOLLIN's and EPOLLOUT's twins; other bits
 * (EPOLLPRI, EPOLLEXCLUSIVE, EPOLLWAKEUP) are accepted and never fire.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "libc/toroc.h"
#include "toro/toro.h"

_Static_assert(sizeof(struct epoll_event) == sizeof(struct toro_epoll_event),
    "the kernel writes struct epoll_event");
_Static_assert(EPOLLIN == TORO_EPOLLIN && EPOLLOUT == TORO_EPOLLOUT &&
	EPOLLERR == TORO_EPOLLERR && EPOLLHUP == TORO_EPOLLHUP &&
	EPOLLRDNORM == TORO_EPOLLRDNORM && EPOLLWRNORM == TORO_EPOLLWRNORM &&
	EPOLLRDHUP == TORO_EPOLLRDHUP && EPOLLET == TORO_EPOLLET &&
	EPOLLONESHOT == TORO_EPOLLONESHOT,
    "Linux's bits are the kernel's");
_Static_assert(EPOLL_CTL_ADD == TORO_EPOLL_ADD &&
	EPOLL_CTL_DEL == TORO_EPOLL_DEL && EPOLL_CTL_MOD == TORO_EPOLL_MOD,
    "Linux's operations are the kernel's");

long
libc_epoll_create(long flags)
{
	struct libc_desc *d;
	long fd;
	int h;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	if ((d = toro_calloc(1, sizeof(*d))) == NULL)
		return -ENOMEM;
	if ((h = toro_epoll_create(0)) < 0) {
		toro_free(d);
		return h;
	}
	d->kind = KIND_EPOLL;
	d->flags = O_RDWR;
	d->handle = h;
	if ((fd = libc_fd_install(d, 0)) < 0) {
		d->refs = 1;
		libc_fd_put(d); /* closes the set */
	}
	return fd;
}

long
libc_epoll_ctl(long epfd, long op, long fd, const struct epoll_event *ev)
{
	struct epoll_event e = { 0 };
	struct libc_desc *d, *t;
	long r;

	if ((d = libc_fd_get(epfd)) == NULL)
		return -EBADF;
	if ((t = libc_fd_get(fd)) == NULL) {
		libc_fd_put(d);
		return -EBADF;
	}
	if (d->kind != KIND_EPOLL || fd == epfd)
		r = -EINVAL;
	else if (!LIBC_KERNEL_POLLED(t))
		r = -EPERM;
	else if (op != EPOLL_CTL_DEL &&
	    (ev == NULL || toro_copy(&e, ev, sizeof(e)) < 0))
		r = -EFAULT;
	else
		r = toro_epoll_ctl(d->handle, (int)op, t->handle, (int)fd,
		    e.events, e.data.u64);
	libc_fd_put(t);
	libc_fd_put(d);
	return r;
}

long
libc_epoll_wait(long epfd, void *events, long max, long timeout_ms)
{
	struct libc_desc *d;
	int64_t ns;
	long r;

	if (max <= 0 || max > INT32_MAX / (long)sizeof(struct epoll_event))
		return -EINVAL;
	if ((d = libc_fd_get(epfd)) == NULL)
		return -EBADF;
	ns = (int)timeout_ms < 0 ? TORO_FOREVER
				 : (int64_t)(int)timeout_ms * 1000000;
	if (d->kind != KIND_EPOLL)
		r = -EINVAL;
	else
		r = toro_epoll_wait(d->handle, events, (int)max, ns);
	libc_fd_put(d);
	return r;
}
