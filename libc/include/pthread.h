/*
 * pthread.h: musl's, and what Toro adds to it.
 *
 * C environment programs see libc/include before musl's headers, so
 * this file comes first and takes musl's with #include_next.  It adds
 * the glibc extensions a program uses to choose its threads' CPU
 * (libc/pthread.c).
 */
#ifndef LIBC_INCLUDE_PTHREAD_H
#define LIBC_INCLUDE_PTHREAD_H

#include_next <pthread.h>

#ifdef _GNU_SOURCE
int pthread_attr_setaffinity_np(pthread_attr_t *, size_t,
    const struct cpu_set_t *);
int pthread_attr_getaffinity_np(const pthread_attr_t *, size_t,
    struct cpu_set_t *);
#endif

#endif
