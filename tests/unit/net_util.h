/*
 * net_util.h: what the network unit tests share: the fake LAN's
 * addresses, a parsed view of the frames the stack sends, and helpers
 * that inject frames from the peer and check what came out.
 */
#ifndef TESTS_UNIT_NET_UTIL_H
#define TESTS_UNIT_NET_UTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/hal.h"
#include "toro/socket.h"
#include "toro/toro.h"

#define MB (1024 * 1024)
#define MS 1000000ull
#define SEC 1000000000ull

#define OUR_IP TORO_IPV4(10, 0, 2, 15)
#define PEER_IP TORO_IPV4(10, 0, 2, 2)
#define DNS_IP TORO_IPV4(10, 0, 2, 3)
#define FAR_IP TORO_IPV4(93, 184, 216, 34)
#define STATIC "ip=10.0.2.15/24 gw=10.0.2.2"
#define NET_SOCK_TEST_MAX 0x10000 /* one past the last descriptor */

extern const uint8_t peer_mac[6];
extern const uint8_t bcast_mac[6];
/* The CPU the stack runs on in this test run. */
extern int net_cpu;

/* A frame the stack sent, with its layers located. */
struct pkt {
	uint8_t f[HAL_NET_FRAME_MAX];
	size_t len;
	uint16_t type;
	uint8_t *ip, *l4; /* IPv4 header and payload, if IPv4 */
	size_t l4len;
	uint32_t src, dst;
	uint8_t proto;
};

void settle(void);
struct toro_net_stats stats(void);
int take(struct pkt *p);
void expect_none(void);
void expect_udp(struct pkt *p, uint16_t sport, uint16_t dport);
size_t mk_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type);
void ip_csum(uint8_t *f);
size_t mk_ip(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
    const void *payload, size_t plen);
size_t mk_udp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst,
    uint16_t dport, const void *data, size_t len);
void inject_udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
    const char *text);
size_t mk_arp(uint8_t *f, uint16_t op, const uint8_t *sha, uint32_t spa,
    const uint8_t *tha, uint32_t tpa);
void expect_arp(uint16_t op, const uint8_t *edst, uint32_t spa,
    const uint8_t *tha, uint32_t tpa);
void start_static(void);
void prime_arp(void);
int udp_socket(uint16_t port);

#endif
