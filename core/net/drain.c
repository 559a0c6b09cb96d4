/*
 * drain.c: the network's part in the machine's exit: net_drain().
 *
 * Interface: net.h.  net_drain(wait_ns) closes every socket descriptor
 * as close() does, then waits, at most wait_ns, until no connection
 * owes its peer data or a FIN and every packet is on the wire: what the
 * program sent arrives, and its peers see the end.  Linux closes an
 * exiting process's descriptors too, and its stack goes on sending;
 * here the machine powers off next, so the exit waits.
 *
 * Rules: call from a thread, after sched_freeze(), so that no thread of
 * the program opens or uses a socket meanwhile.  This file must not
 * depend on the rest of the stack, so that a kernel that calls
 * net_drain() but never starts the network does not link it (as
 * fs/file.c's fs_sync_all()): the stack's start sets net_drain_step.
 */
#include "core/net/net.h"
#include "toro/thread.h"

/* Between two looks at the connections. */
#define POLL_NS 2000000ull

int (*net_drain_step)(void);

void
net_drain(uint64_t wait_ns)
{
	int (*step)(void) = __atomic_load_n(&net_drain_step, __ATOMIC_ACQUIRE);
	uint64_t end;

	/*
	 * Not even the clock when there is nothing to do: natively, its
	 * first read costs a boot that never used it the TSC's rate.
	 */
	if (step == NULL || wait_ns == 0)
		return;
	end = toro_time_ns() + wait_ns;
	while (step() > 0 && toro_time_ns() < end)
		toro_sleep_ns(POLL_NS);
}
