/*
 * pipe.c: pipe2, socketpair and eventfd2 over the kernel's pipes, pairs
 * and event counters (toro/socket.h), in the one descriptor table.
 *
 * Interface: libc_pipe2(), libc_socketpair(), libc_eventfd2() (toroc.h),
 * behind pipe, pipe2, socketpair, eventfd and eventfd_read/write.
 *
 * Rules: as Linux.  A pipe's ends are KIND_PIPE descriptors, fds[0]
 * O_RDONLY and fds[1] O_WRONLY, so read, write, poll, fcntl(O_NONBLOCK)
 * and close work and the socket calls say ENOTSOCK; a pair is two
 * AF_UNIX stream sockets; a counter is a KIND_PIPE descriptor that
 * reads and writes 8 bytes.  O_CLOEXEC changes nothing: there is no
 * exec.  They live in the network CPU's socket table; a machine
 * without a network interface starts it for them, loopback alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "libc/toroc.h"
#include "toro/toro.h"

/* Descriptors for kernel handles h[0..n-1], or the error (all closed). */
static long
install(const int *h, int n, const struct libc_desc *proto, int *fds)
{
	struct libc_desc *d[2] = { NULL, NULL };
	int i, k, got[2];
	long fd;

	for (i = 0; i < n; i++) {
		if ((d[i] = toro_calloc(1, sizeof(*d[i]))) == NULL)
			goto fail;
		*d[i] = proto[i];
		d[i]->handle = h[i];
	}
	for (i = 0; i < n; i++) {
		if ((fd = libc_fd_install(d[i], 0)) < 0) {
			for (k = 0; k < i; k++)
				libc_fd_close(got[k]);
			/* The rest were never in the table. */
			for (k = i; k < n; k++) {
				d[k]->refs = 1;
				libc_fd_put(d[k]);
			}
			return fd;
		}
		got[i] = (int)fd;
	}
	/* The caller's array: a bad one undoes it all. */
	if (toro_copy(fds, got, (size_t)n * sizeof(*got)) == 0)
		return 0;
	for (k = 0; k < n; k++)
		libc_fd_close(got[k]);
	return -EFAULT;
fail:
	for (i = 0; i < n; i++) {
		toro_free(d[i]);
		toro_close(h[i]);
	}
	return -ENOMEM;
}

long
libc_pipe2(int *fds, long flags)
{
	struct libc_desc p[2] = { { .kind = KIND_PIPE, .flags = O_RDONLY },
		{ .kind = KIND_PIPE, .flags = O_WRONLY } };
	int h[2], nb = (flags & O_NONBLOCK) != 0, r;

	if (flags & ~(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL; /* O_DIRECT's packets: not here */
	if ((r = toro_pipe(h, nb ? TORO_SOCK_NONBLOCK : 0)) < 0)
		return r;
	p[0].flags |= nb ? O_NONBLOCK : 0;
	p[1].flags |= nb ? O_NONBLOCK : 0;
	return install(h, 2, p, fds);
}

long
libc_socketpair(long domain, long type, long proto, int *fds)
{
	struct libc_desc p = { .kind = KIND_SOCKET,
		.flags = O_RDWR,
		.type = SOCK_STREAM,
		.domain = AF_UNIX };
	struct libc_desc pp[2];
	int kind = (int)type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	int h[2], nb = (type & SOCK_NONBLOCK) != 0, r;

	if (domain == AF_INET)
		return -EOPNOTSUPP;
	if (domain != AF_UNIX)
		return -EAFNOSUPPORT;
	if (kind != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (proto != 0)
		return -EPROTONOSUPPORT;
	if ((r = toro_socketpair(h, nb ? TORO_SOCK_NONBLOCK : 0)) < 0)
		return r;
	p.flags |= nb ? O_NONBLOCK : 0;
	pp[0] = pp[1] = p;
	return install(h, 2, pp, fds);
}

long
libc_eventfd2(unsigned long init, long flags)
{
	struct libc_desc p = {
		.kind = KIND_PIPE, .flags = O_RDWR, .type = PIPE_COUNTER
	};
	int h, fd, nb = (flags & EFD_NONBLOCK) != 0;
	long r;

	if (flags & ~(EFD_NONBLOCK | EFD_CLOEXEC | EFD_SEMAPHORE))
		return -EINVAL;
	if ((h = toro_eventfd((unsigned)init,
		 (nb ? TORO_SOCK_NONBLOCK : 0) |
		     (flags & EFD_SEMAPHORE ? TORO_EFD_SEMAPHORE : 0))) < 0)
		return h;
	p.flags |= nb ? O_NONBLOCK : 0;
	if ((r = install(&h, 1, &p, &fd)) < 0)
		return r;
	return fd;
}
