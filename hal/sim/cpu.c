/*
 * cpu.c: the CPU part of hal.h on the simulated machine.
 *
 * Interface: hal_cpu_count, hal_cpu_id, hal_cpu_start, hal_cpu_kick,
 * hal_cpu_set_local, hal_cpu_local, hal_cpu_relax, hal_cpu_set_idle and
 * hal_cpu_wait, over
 * the pthread CPUs of sim/cpus.c.
 *
 * Rules: a CPU is a pthread, so per-CPU state is thread-local; a kernel
 * thread never moves to another CPU, hence never to another pthread.
 */
#include <errno.h>

#include "hal/hal.h"
#include "hal/sim/error.h"
#include "sim/sim.h"
#include "toro/errno.h"

static __thread void *local;

int
hal_cpu_count(void)
{
	return sim_config.cpus;
}

int
hal_cpu_id(void)
{
	return sim_cpu_self;
}

int
hal_cpu_start(int cpu, void (*entry)(void))
{
	int error;

	if (cpu == 0)
		return -TORO_EINVAL;
	error = sim_cpu_start(cpu, entry);
	/* pthread_create's EAGAIN: out of threads or memory. */
	if (error == -EAGAIN)
		error = -ENOMEM;
	return hal_sim_error(error);
}

void
hal_cpu_kick(int cpu)
{
	sim_cpu_post(cpu, HAL_EV_KICK);
}

void
hal_cpu_set_local(void *p)
{
	local = p;
}

void *
hal_cpu_local(void)
{
	return local;
}

void
hal_cpu_relax(void)
{
	__builtin_ia32_pause();
}

uint32_t
hal_cpu_poll(void)
{
	return sim_cpu_poll();
}

/* The sim's CPUs are host threads: they can spin, but not mwait. */
int
hal_cpu_set_idle(enum hal_idle how, uint64_t poll_ns)
{
	switch (how) {
	case HAL_IDLE_HALT:
		sim_cpu_set_poll(0);
		return 0;
	case HAL_IDLE_POLL:
		sim_cpu_set_poll(poll_ns);
		return 0;
	case HAL_IDLE_MWAIT:
		return -TORO_EOPNOTSUPP;
	default:
		return -TORO_EINVAL;
	}
}

uint32_t
hal_cpu_wait(uint64_t deadline)
{
	return sim_cpu_wait(deadline);
}
