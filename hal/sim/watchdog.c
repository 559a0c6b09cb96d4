/*
 * watchdog.c: the watchdog of hal.h on the simulated machine.
 *
 * Interface: hal_watchdog_start() starts a host thread that calls
 * sched_watchdog_check() every period; hal_watchdog_interrupt() sends
 * SIGUSR1 to a CPU's pthread, whose handler, on the CPU's signal stack
 * (sim/cpus.c), hands the interrupted rip, rsp and rbp to
 * sched_watchdog_report().
 *
 * Rules: the checker blocks every signal, so SIGINT and SIGTERM still go
 * to the host loop.  It stops when the machine powers off: the shutdown
 * hooks (a shared folder's copy back) may take a while, and a CPU in
 * hal_exit() is not stuck.  Under gdb, SIGUSR1 should pass silently
 * (tools/gdb/toro.py says so).
 */
#define _GNU_SOURCE /* REG_RIP, pthread_setname_np */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "hal/hal.h"
#include "sim/sim.h"
#include "toro/errno.h"

#define WATCHDOG_SIGNAL SIGUSR1

static uint64_t period;
static atomic_bool off;

static void
on_signal(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	int saved = errno;

	sched_watchdog_report((uintptr_t)uc->uc_mcontext.gregs[REG_RIP],
	    (uintptr_t)uc->uc_mcontext.gregs[REG_RSP],
	    (uintptr_t)uc->uc_mcontext.gregs[REG_RBP]);
	errno = saved;
}

static void *
checker(void *unused)
{
	struct timespec ts;

	while (!atomic_load(&off)) {
		ts.tv_sec = (time_t)(period / 1000000000u);
		ts.tv_nsec = (long)(period % 1000000000u);
		while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
			;
		if (!atomic_load(&off))
			sched_watchdog_check();
	}
	return NULL;
}

static void
stop(void)
{
	atomic_store(&off, true);
}

int
hal_watchdog_start(uint64_t period_ns)
{
	struct sigaction sa;
	sigset_t all, old;
	pthread_t t;
	int error;

	if (period_ns == 0)
		return -TORO_EINVAL;
	period = period_ns;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(WATCHDOG_SIGNAL, &sa, NULL) == -1)
		return -TORO_EINVAL;
	sim_at_exit(stop);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	error = pthread_create(&t, NULL, checker, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (error != 0)
		return -TORO_ENOMEM;
	pthread_setname_np(t, "watchdog");
	pthread_detach(t);
	return 0;
}

void
hal_watchdog_interrupt(int cpu)
{
	sim_cpu_signal(cpu, WATCHDOG_SIGNAL);
}
