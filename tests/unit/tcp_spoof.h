/*
 * tcp_spoof.h: two TCP stacks on a link (tcp_link.h) with a spoofed
 * client beside A, for the tests of SYN cookies and of TIME_WAIT
 * (test_tcp_cookie.c, test_tcp_conn.c).
 *
 * Segments B sends to the spoofed client (any address, port
 * SPOOF_PORT) go nowhere, as a flood's answers do.
 */
#ifndef TESTS_UNIT_TCP_SPOOF_H
#define TESTS_UNIT_TCP_SPOOF_H

#include "tests/unit/tcp_link.h"

#define SPOOF_ADDR 0x0b000001u
#define SPOOF_PORT 7777

/* Two stacks on lk; timestamps on A and B as asked. */
void spoof_stacks(struct link *lk, bool ts_a, bool ts_b);

/* A SYN by hand to B, from addr:port, with timestamps if tsval != 0. */
void spoof_syn_to_b(struct link *lk, uint32_t addr, uint16_t port,
    uint16_t dport, uint32_t seq, uint32_t tsval);

/* The link's filter (lk->filter) that loses what B sends the spoofed. */
bool spoof_drop(struct link *lk, int from, uint8_t *seg, size_t len, void *arg);

/* For link_run(): the struct ev arg saw its connection made. */
bool spoof_connected(void *arg);

#endif
