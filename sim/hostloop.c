/*
 * hostloop.c: the host side of the machine, a libuv loop on the main
 * thread.
 *
 * Interface: sim_hostloop_init() creates the loop and its handles
 * (signals, console input, the NIC's backend); sim_hostloop() gives
 * device backends the loop to add theirs to; sim_hostloop_run() runs it
 * for good.
 *
 * Rules: handles are added and used on the main thread only; CPU threads
 * reach the loop through uv_async_send().  Host events become CPU events
 * through sim_cpu_post().  The first SIGINT or SIGTERM asks the kernel to
 * stop (HAL_EV_STOP to CPU 0); a second one ends the process at once with
 * status 130, for a kernel that does not stop.  A repeat within half a
 * second is not a second request: timeout(1), for one, forwards a signal
 * both to its child and to its process group.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "hal/hal.h"
#include "sim/sim.h"

int sim_stop_sig;
static uv_loop_t *loop;
static uv_signal_t sigint, sigterm;
static bool stopping;
static uint64_t first_stop; /* uv_hrtime() of the first request */

/* A repeat this soon is the same request delivered twice. */
enum { REPEAT_NS = 500 * 1000 * 1000 };

static void
on_signal(uv_signal_t *h, int sig)
{
	uint64_t now = uv_hrtime();

	if (!stopping) {
		stopping = true;
		first_stop = now;
		__atomic_store_n(&sim_stop_sig, sig, __ATOMIC_RELEASE);
		sim_cpu_post(0, HAL_EV_STOP);
		return;
	}
	if (now - first_stop < REPEAT_NS)
		return;
	dprintf(STDERR_FILENO, "%s: %s again: stopping at once\n",
	    sim_config.prog, sig == SIGINT ? "interrupted" : "terminated");
	_exit(130);
}

static void
watch(uv_signal_t *h, int sig)
{
	int error;

	if ((error = uv_signal_init(loop, h)) != 0 ||
	    (error = uv_signal_start(h, on_signal, sig)) != 0)
		sim_fatal("cannot handle signal %s: %s", strsignal(sig),
		    uv_strerror(error));
}

void
sim_hostloop_init(void)
{
	struct sigaction sa;

	if ((loop = uv_default_loop()) == NULL)
		sim_fatal("cannot create the libuv loop");

	/* A closed stdout or socket is an error to handle, not death. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		sim_fatal("sigaction(SIGPIPE): %s", strerror(errno));

	watch(&sigint, SIGINT);
	watch(&sigterm, SIGTERM);
	sim_console_init(loop);
	sim_net_init(loop);
}

uv_loop_t *
sim_hostloop(void)
{
	return loop;
}

void
sim_hostloop_run(void)
{
	int error;

	error = uv_run(loop, UV_RUN_DEFAULT);
	/* The signal handles keep the loop alive: this is a bug. */
	sim_fatal("the host loop ended (%d)", error);
}
