/*
 * toro/errno.h: the one set of error codes of the kernel and its API.
 *
 * Every function that can fail returns a negative code from this list
 * (-TORO_ENOMEM, ...) and 0 or a count on success.
 */
#ifndef TORO_ERRNO_H
#define TORO_ERRNO_H

#define TORO_EPERM 1         /* operation not permitted */
#define TORO_ENOENT 2        /* no such file or directory */
#define TORO_EINTR 4         /* interrupted */
#define TORO_EIO 5           /* input/output error */
#define TORO_E2BIG 7         /* argument list too long */
#define TORO_EBADF 9         /* bad handle */
#define TORO_EAGAIN 11       /* try again: nothing ready yet */
#define TORO_ENOMEM 12       /* out of memory */
#define TORO_EACCES 13       /* permission denied */
#define TORO_EFAULT 14       /* bad address */
#define TORO_EBUSY 16        /* resource busy */
#define TORO_EEXIST 17       /* already exists */
#define TORO_EXDEV 18	     /* not on the same file system */
#define TORO_ENOTDIR 20      /* not a directory */
#define TORO_EISDIR 21       /* is a directory */
#define TORO_EINVAL 22       /* invalid argument */
#define TORO_ENFILE 23       /* too many open files */
#define TORO_EFBIG 27        /* file too large */
#define TORO_ENOSPC 28       /* no space left on device */
#define TORO_ESPIPE 29       /* illegal seek */
#define TORO_EROFS 30        /* read-only file system */
#define TORO_EPIPE 32        /* broken pipe */
#define TORO_ERANGE 34       /* result out of range */
#define TORO_EDEADLK 35      /* would deadlock */
#define TORO_ENAMETOOLONG 36 /* name too long */
#define TORO_ENOSYS 38       /* function not available on this machine */
#define TORO_ENOTEMPTY 39    /* directory not empty */
#define TORO_ENODEV 19       /* no such device */
#define TORO_ENOTSOCK 88     /* not a socket */
#define TORO_EMSGSIZE 90     /* message too long */
#define TORO_ENOPROTOOPT 92  /* protocol not available (an option) */
#define TORO_EPROTONOSUPPORT 93
#define TORO_EOPNOTSUPP 95   /* operation not supported */
#define TORO_EADDRINUSE 98   /* address in use */
#define TORO_EADDRNOTAVAIL 99
#define TORO_ENETDOWN 100
#define TORO_ENETUNREACH 101
#define TORO_ECONNABORTED 103
#define TORO_ECONNRESET 104  /* connection reset by peer */
#define TORO_ENOBUFS 105
#define TORO_EISCONN 106
#define TORO_ENOTCONN 107
#define TORO_ETIMEDOUT 110   /* timed out */
#define TORO_ECONNREFUSED 111
#define TORO_EHOSTUNREACH 113
#define TORO_EALREADY 114
#define TORO_EINPROGRESS 115

/* A short English description of code (positive or negative). */
const char *toro_strerror(int code);

#endif
