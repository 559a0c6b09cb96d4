/*
 * error.c: names of the shared error codes (include/toro/errno.h).
 */
#include "core/lib/klib.h"
#include "toro/errno.h"

static const struct {
	int code;
	const char *text;
} errors[] = {
	{ TORO_EPERM, "operation not permitted" },
	{ TORO_ENOENT, "no such file or directory" },
	{ TORO_EINTR, "interrupted" },
	{ TORO_EIO, "input/output error" },
	{ TORO_E2BIG, "argument list too long" },
	{ TORO_EBADF, "bad handle" },
	{ TORO_EAGAIN, "try again" },
	{ TORO_ENOMEM, "out of memory" },
	{ TORO_EACCES, "permission denied" },
	{ TORO_EFAULT, "bad address" },
	{ TORO_EBUSY, "resource busy" },
	{ TORO_EEXIST, "already exists" },
	{ TORO_EXDEV, "not on the same file system" },
	{ TORO_ENODEV, "no such device" },
	{ TORO_ENOTDIR, "not a directory" },
	{ TORO_EISDIR, "is a directory" },
	{ TORO_EINVAL, "invalid argument" },
	{ TORO_ENFILE, "too many open files" },
	{ TORO_EFBIG, "file too large" },
	{ TORO_ENOSPC, "no space left on device" },
	{ TORO_ESPIPE, "illegal seek" },
	{ TORO_EROFS, "read-only file system" },
	{ TORO_EPIPE, "broken pipe" },
	{ TORO_ERANGE, "result out of range" },
	{ TORO_EDEADLK, "would deadlock" },
	{ TORO_ENAMETOOLONG, "name too long" },
	{ TORO_ENOSYS, "function not available" },
	{ TORO_ENOTEMPTY, "directory not empty" },
	{ TORO_ENOTSOCK, "not a socket" },
	{ TORO_EMSGSIZE, "message too long" },
	{ TORO_ENOPROTOOPT, "protocol not available" },
	{ TORO_EPROTONOSUPPORT, "protocol not supported" },
	{ TORO_EOPNOTSUPP, "operation not supported" },
	{ TORO_EADDRINUSE, "address in use" },
	{ TORO_EADDRNOTAVAIL, "address not available" },
	{ TORO_ENETDOWN, "network is down" },
	{ TORO_ENETUNREACH, "network unreachable" },
	{ TORO_ECONNABORTED, "connection aborted" },
	{ TORO_ECONNRESET, "connection reset by peer" },
	{ TORO_ENOBUFS, "no buffer space" },
	{ TORO_EISCONN, "already connected" },
	{ TORO_ENOTCONN, "not connected" },
	{ TORO_ETIMEDOUT, "timed out" },
	{ TORO_ECONNREFUSED, "connection refused" },
	{ TORO_EHOSTUNREACH, "host unreachable" },
	{ TORO_EALREADY, "already in progress" },
	{ TORO_EINPROGRESS, "in progress" },
};

const char *
toro_strerror(int code)
{
	size_t i;

	if (code < 0)
		code = -code;
	if (code == 0)
		return "success";
	for (i = 0; i < nitems(errors); i++)
		if (errors[i].code == code)
			return errors[i].text;
	return "unknown error";
}
