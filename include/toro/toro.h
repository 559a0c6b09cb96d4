/*
 * toro/toro.h: the whole public API of Toro.
 *
 * An application is a C program whose main(argc, argv) runs as the first
 * thread, on CPU 0.  Of the command line's words, key=value words whose
 * key the kernel knows are its options (toro_option); other NAME=value
 * words are the environment (toro_environ, the C library's getenv);
 * argv holds the rest, and every word after a `--` (argv[0] is "toro").
 * When main returns, the machine powers off with its return value as
 * the exit status.
 */
#ifndef TORO_TORO_H
#define TORO_TORO_H

#include "toro/console.h"
#include "toro/errno.h"
#include "toro/except.h"
#include "toro/file.h"
#include "toro/mbox.h"
#include "toro/mem.h"
#include "toro/socket.h"
#include "toro/thread.h"

/* A kernel option from the command line (key=value), or NULL. */
const char *toro_option(const char *key);

/*
 * The command line's NAME=value words that are not kernel options, in
 * their order, NULL-terminated: the C library's environ.
 */
char **toro_environ(void);

/*
 * Fill buf with n bytes of cryptographic quality random numbers, from a
 * generator keyed by the machine's entropy source (the host's getrandom
 * in the simulator, RDSEED or RDRAND natively).  It never fails or
 * blocks; on a machine without a source it is keyed from clock jitter
 * and the kernel says so at boot (loglevel=info).
 */
void toro_random(void *buf, size_t n);

/* Stop the machine now with this exit status. */
__attribute__((noreturn)) void toro_poweroff(int status);

/*
 * When the host asks the machine to stop (Ctrl-C or SIGTERM to the
 * simulator, the power button natively), fn(sig) runs on a thread of
 * its own on CPU 0, sig being the signal a Unix process would get
 * (SIGINT 2, SIGTERM 15).  If it returns nonzero the program deals with
 * the request (it normally ends itself soon); if 0, or with no fn
 * (NULL, the default), the machine stops cleanly with status 130.  A
 * second request from the host powers off at once.  The C library sets
 * it when a program installs a SIGINT or SIGTERM handler.
 */
void toro_on_stop(int (*fn)(int sig));

#endif
