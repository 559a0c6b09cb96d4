/*
 * tcp_spoof.c: two TCP stacks with a spoofed client beside A (see
 * tcp_spoof.h).
 */
#include <string.h>

#include "tests/unit/tcp_spoof.h"

bool
spoof_drop(struct link *l, int from, uint8_t *seg, size_t len, void *arg)
{
	return from == 1 && net_get16(seg + 2) == SPOOF_PORT;
}

bool
spoof_connected(void *arg)
{
	return ((struct ev *)arg)->connected > 0;
}

void
spoof_stacks(struct link *lk, bool ts_a, bool ts_b)
{
	struct tcp_config ca, cb;

	memset(lk, 0, sizeof(*lk));
	link_default_config(lk, 0, &ca);
	link_default_config(lk, 1, &cb);
	ca.nots = !ts_a;
	cb.nots = !ts_b;
	link_init(lk, &ca, &cb);
	lk->filter = spoof_drop;
}

void
spoof_syn_to_b(struct link *lk, uint32_t addr, uint16_t port, uint16_t dport,
    uint32_t seq, uint32_t tsval)
{
	uint8_t seg[64], opt[12] = { 1, 1, 8, 10 };
	size_t n;

	net_put32(opt + 4, tsval);
	n = seg_build(seg, addr, B_ADDR, port, dport, seq, 0, F_SYN, 65535, opt,
	    tsval != 0 ? sizeof(opt) : 0, NULL, 0);
	link_inject(lk, 1, addr, B_ADDR, seg, n);
}
