/*
 * power.c: switching the machine off.
 *
 * Interface: sim_at_exit(fn) registers a shutdown hook (a device backend
 * flushing its disk file, say); sim_exit(status) runs the hooks, last
 * registered first, and ends the process with `status`.
 *
 * Rules: the first caller of sim_exit() wins; another CPU calling it
 * meanwhile sleeps until the process ends.  The process ends with
 * _exit(), not exit(): other CPU threads still run, and atexit handlers
 * or destructors must not pull the C runtime from under them.  Hooks must
 * not block on other CPUs; a hook that calls sim_exit() ends the process
 * at once.  The hooks run on a host thread of their own, with a host-sized
 * stack: the caller may be a kernel thread on 64 KiB with a guard page
 * below, and hooks do host I/O with large buffers (share.c).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim.h"

enum { HOOKS_MAX = 32 };

static void (*hooks[HOOKS_MAX])(void);
static int nhooks;
static pthread_mutex_t hooks_lock = PTHREAD_MUTEX_INITIALIZER;

static atomic_bool exiting;
static __thread bool exiting_here;

void
sim_at_exit(void (*fn)(void))
{
	pthread_mutex_lock(&hooks_lock);
	if (nhooks == HOOKS_MAX)
		sim_fatal("too many shutdown hooks (%d)", HOOKS_MAX);
	hooks[nhooks++] = fn;
	pthread_mutex_unlock(&hooks_lock);
}

static void *
run_hooks(void *unused)
{
	int i;

	exiting_here = true;
	pthread_mutex_lock(&hooks_lock);
	for (i = nhooks - 1; i >= 0; i--)
		hooks[i]();
	pthread_mutex_unlock(&hooks_lock);
	return NULL;
}

void
sim_exit(int status)
{
	pthread_t t;

	if (exiting_here)
		_exit(status);
	if (atomic_exchange(&exiting, true)) {
		/* Someone else is switching off; wait for the end. */
		for (;;)
			pause();
	}
	exiting_here = true;

	/* A hook's own sim_exit() ends the process from that thread. */
	if (pthread_create(&t, NULL, run_hooks, NULL) == 0)
		pthread_join(t, NULL);
	else
		run_hooks(NULL); /* no thread to be had: try on this stack */

	/* Only host-side debugging output could be buffered here. */
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}
