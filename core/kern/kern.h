/*
 * kern.h: the top layer: boot, shutdown, and the wiring of the layers
 * below (lib -> mem -> sched -> net, fs -> kern; see tests/layers.sh).
 *
 * kern_boot() (hal.h) runs the pieces below in order: the machine, the
 * options, the services, main, the other CPUs, the watchdog, then the
 * scheduler.  The fake HAL boots through the same pieces, with its test
 * thread in place of the services and main.
 */
#ifndef CORE_KERN_KERN_H
#define CORE_KERN_KERN_H

#include "core/lib/klib.h"

/* Exit status when the host asked the machine to stop (as for SIGINT). */
#define KERN_STOP_STATUS 130

/*
 * On CPU 0, first: the schedulers of every CPU, the command line, the
 * RAM, and the hooks the scheduler calls on the way out.  Panics when
 * any of them fails.
 */
void kern_boot_machine(void);

/* Start every CPU but 0; they wait for work in their schedulers. */
void kern_boot_cpus(void);

/* Become CPU 0's idle thread, for good. */
__attribute__((noreturn)) void kern_boot_run(void);

/*
 * Stop the machine cleanly with this status: the program's other
 * threads stop, its sockets close and the network gets up to
 * kern_exit_linger_ns to deliver what they hold, the file systems are
 * synced, then the machine powers off.  The first caller's status wins;
 * a later caller never returns.
 */
__attribute__((noreturn)) void kern_shutdown(int status);

/* exit_linger=SECONDS, read at boot (default KERN_EXIT_LINGER_S). */
#define KERN_EXIT_LINGER_S 5
extern uint64_t kern_exit_linger_ns;

#endif
