/*
 * net.c: the NIC of hal.h on the simulated machine.
 *
 * Interface: hal_net_open, hal_net_send, hal_net_recv, hal_net_peek and
 * hal_net_tx_pending,
 * over the NIC of sim/net.c (libslirp, a TAP interface, or none: --net).
 *
 * Rules: host errno codes become TORO_E* codes through hal_sim_error().
 */
#include "hal/hal.h"
#include "hal/sim/error.h"
#include "sim/sim.h"
#include "toro/errno.h"

int
hal_net_open(int cpu, struct hal_net_info *info)
{
	uint16_t mtu;
	int error;

	if ((error = sim_net_open(cpu, info->mac, &mtu, &info->offloads)) != 0)
		return hal_sim_error(error);
	info->mtu = mtu;
	return 0;
}

int
hal_net_send(const void *frame, size_t len, const struct hal_net_meta *m)
{
	return hal_sim_error(sim_net_send(frame, len, m));
}

int
hal_net_recv(void *buf, size_t size, struct hal_net_meta *m)
{
	return hal_sim_error(sim_net_recv(buf, size, m));
}

size_t
hal_net_peek(void)
{
	return sim_net_peek();
}

int
hal_net_tx_pending(void)
{
	/* The host took every frame before sim_net_send() returned. */
	return 0;
}
