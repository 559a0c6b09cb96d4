/*
 * posix.h: the POSIX calls of the webserver's request handling, mapped
 * onto the kernel's own API for the http fuzzer.
 *
 * The webserver is a C environment program: on Toro these names are the
 * C library's (libc/), over the kernel.  The fuzzer runs the kernel on
 * the fake HAL inside a host process, where they would be glibc's and
 * reach the host's files and sockets.  So the webserver's objects in
 * the fuzzer are compiled with this header forced first (-include): each
 * call becomes a fz_ function (posix.c) over toro_*, with errno set as
 * the C library sets it (Toro's error numbers are Linux's).
 *
 * Only what http.c, out.c, files.c and stats.c call; loop.c, which
 * polls and accepts, is the harness's (fuzz.c serves one connection).
 */
#ifndef TESTS_FUZZ_HTTP_POSIX_H
#define TESTS_FUZZ_HTTP_POSIX_H

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int fz_open(const char *path, int flags, ...);
ssize_t fz_read(int fd, void *buf, size_t n);
int fz_close(int fd);
int fz_stat(const char *path, struct stat *st);
int fz_fstat(int fd, struct stat *st);
DIR *fz_opendir(const char *path);
struct dirent *fz_readdir(DIR *d);
int fz_closedir(DIR *d);
ssize_t fz_send(int fd, const void *buf, size_t n, int flags);

#define open fz_open
#define read fz_read
#define close fz_close
#define stat(p, s) fz_stat(p, s)
#define fstat fz_fstat
#define opendir fz_opendir
#define readdir fz_readdir
#define closedir fz_closedir
#define send fz_send

#endif
