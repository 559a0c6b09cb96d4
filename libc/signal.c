/*
 * signal.c: signals, as far as they mean something on Toro.
 *
 * Interface: sigaction (and signal, musl's, over it), and
 * libc_signal_raise() for the kill, tkill and tgkill system calls that
 * raise, abort and kill make.
 *
 * Rules: the signals are the ones the program raises itself, delivered
 * at once, on the calling thread, inside the call: a handler runs,
 * SIG_IGN does nothing, and the default action of a signal that would
 * end a process ends the program: the machine stops with status 128 +
 * the signal's number, as a shell reports a process killed by it.  The
 * one kind that comes from outside is the host's request to stop
 * (toro_on_stop: Ctrl-C, SIGTERM, the power button), which arrives as
 * SIGINT or SIGTERM on a thread of its own, as to a process whose
 * threads all block it but one: a handler runs there, SIG_IGN ignores
 * it, the default lets the kernel stop the machine (status 130).  There
 * are no timer signals and no other processes.  Masks have nothing to
 * hold back, so they are accepted and ignored.  Replaces musl's
 * sigaction.lo, which installs handlers in a kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "libc/toroc.h"
#include "toro/toro.h"

static struct sigaction actions[_NSIG];
static int actions_lock;

/* The signals whose default action is to be ignored. */
static int
ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG ||
	    sig == SIGWINCH;
}

static int host_stop(int sig);

int
__libc_sigaction(int sig, const struct sigaction *restrict sa,
    struct sigaction *restrict old)
{
	if (sig < 1 || sig >= _NSIG) {
		errno = EINVAL;
		return -1;
	}
	if (sa != NULL && (sig == SIGKILL || sig == SIGSTOP)) {
		errno = EINVAL;
		return -1;
	}
	libc_lock(&actions_lock);
	if (old != NULL)
		*old = actions[sig];
	if (sa != NULL)
		actions[sig] = *sa;
	libc_unlock(&actions_lock);
	/* host_stop() reads the action when the host asks, each time. */
	if (sa != NULL && (sig == SIGINT || sig == SIGTERM))
		toro_on_stop(host_stop);
	return 0;
}

int
__sigaction(int sig, const struct sigaction *restrict sa,
    struct sigaction *restrict old)
{
	return __libc_sigaction(sig, sa, old);
}

weak_alias(__sigaction, sigaction);

/* sig's action, taken (SA_RESETHAND resets it) under the lock. */
static struct sigaction
take_action(int sig)
{
	struct sigaction sa;

	libc_lock(&actions_lock);
	sa = actions[sig];
	if (sa.sa_flags & SA_RESETHAND)
		actions[sig].sa_handler = SIG_DFL;
	libc_unlock(&actions_lock);
	return sa;
}

/* Run sa's handler for sig, with si_code `code` for SA_SIGINFO. */
static void
deliver(const struct sigaction *sa, int sig, int code)
{
	siginfo_t si;

	if (sa->sa_flags & SA_SIGINFO) {
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = code;
		sa->sa_sigaction(sig, &si, NULL);
	} else
		sa->sa_handler(sig);
}

/*
 * The host's request to stop, on the kernel's "stop" thread: with the
 * default action the kernel stops the machine (0); handled or ignored,
 * it is the program's (1), as another process's kill would be.
 */
static int
host_stop(int sig)
{
	struct sigaction sa = take_action(sig);

	if (sa.sa_handler == SIG_DFL)
		return 0;
	if (sa.sa_handler != SIG_IGN)
		deliver(&sa, sig, SI_USER);
	return 1;
}

long
libc_signal_raise(int sig)
{
	struct sigaction sa;

	if (sig == 0)
		return 0;
	if (sig < 1 || sig >= _NSIG)
		return -EINVAL;
	sa = take_action(sig);
	if (sa.sa_handler == SIG_IGN && sig != SIGKILL && sig != SIGSTOP)
		return 0;
	if (sa.sa_handler != SIG_DFL && sig != SIGKILL && sig != SIGSTOP) {
		deliver(&sa, sig, SI_TKILL);
		return 0;
	}
	if (ignored_by_default(sig))
		return 0;
	toro_printf("\ntoro: the program ended by signal %d (%s)\n", sig,
	    strsignal(sig));
	toro_poweroff(128 + sig);
}
