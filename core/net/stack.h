/*
 * stack.h: the interfaces between the layers of the IPv4 stack below
 * TCP and the socket layer: the interface (netif.c), Ethernet (eth.c),
 * ARP (arp.c), IPv4 (ipv4.c), ICMP (icmp.c), UDP (udp.c), DHCP (dhcp.c)
 * and the sockets (socket.c, sock_dgram.c, sock_stream.c).
 *
 * Rules: everything declared here runs on the network CPU only (in its
 * network thread or in a message handler of its scheduler), never
 * blocks and takes no lock.  A function given a struct net_buf owns it
 * from then on: it frees it or passes it on.
 */
#ifndef CORE_NET_STACK_H
#define CORE_NET_STACK_H

#include "core/net/net.h"
#include "toro/socket.h"

#define NET_ETH_HLEN 14
#define NET_ETHERTYPE_IP 0x0800
#define NET_ETHERTYPE_ARP 0x0806
#define NET_IP_HLEN 20
#define NET_IP_LOOPBACK 0x7f000001u
#define NET_UDP_HLEN 8
#define NET_SEC 1000000000ull

/* The interface: constant after net_start() but for the addresses. */
struct net_iface {
	int cpu;             /* the network CPU; -1: the stack is down */
	bool up;             /* a NIC is there (else the loopback alone) */
	uint8_t mac[6];
	uint16_t mtu;
	uint32_t offloads;   /* hal.h's HAL_NET_* in effect */
	uint32_t tso_max;    /* largest TCP payload the NIC cuts; 0: none */
	bool dhcp;           /* addresses come from DHCP */
	uint32_t addr, mask, gw, dns;
	struct toro_thread *thread; /* the network thread */
};

extern struct net_iface net_if;
extern struct toro_net_stats net_stats;

/* netif.c */
/* Have the network thread look at its work and deadlines again. */
void net_wakeup(void);
/* A timer is due at `when`: wake the thread if it would sleep past it. */
void net_timer_hint(uint64_t when);
/*
 * Packets not yet on the wire: held for the NIC's room or for ARP, or
 * in the NIC's transmit ring.
 */
int net_if_unsent(void);
/* netcfg.c */
/* Set (or with addr 0, clear) the interface's addresses. */
void net_set_addr(uint32_t addr, uint32_t mask, uint32_t gw, uint32_t dns);
/*
 * Read ip=, gw=, dns= into net_if and offload= into *offloads (those to
 * ask the NIC for); 0 or -TORO_EINVAL (said why).
 */
int net_cfg_read(uint32_t *offloads);
/* The offloads the NIC gave. */
void net_cfg_offloads(uint32_t got);
/* With loglevel=info or debug, say the interface's address. */
void net_cfg_print_addr(void);
/* Hand the frame in b to the NIC, or hold it while the ring is full. */
void net_tx(struct net_buf *b);
/* Fill in the partial transport checksum of the IP packet in b. */
void net_csum_finish(struct net_buf *b);
/* Deliver an IP packet to ourselves, later, from the network thread. */
void net_loopback(struct net_buf *b);
/* A pseudo-random number (not for cryptography). */
uint32_t net_random(void);

/* dns.c */
#define NET_DNS_NAME_MAX 253 /* characters, without a trailing dot */
#define NET_DNS_MSG_MAX 512  /* a reply over UDP, without EDNS */
/* A query for name's A record; its length, -TORO_EINVAL, -TORO_ENOBUFS. */
long net_dns_query(const char *name, uint16_t id, uint8_t *buf, size_t len);
/*
 * Judge m, a datagram from the server, against the query we sent: 1 when
 * it is not the answer to it (ignore it), 0 with *addr set, -TORO_ENOENT
 * (no such name, or no address), -TORO_ECONNREFUSED (the server refused),
 * -TORO_EIO (server failure, malformed).
 */
int net_dns_reply(const uint8_t *m, size_t len, const uint8_t *query,
    size_t qlen, uint32_t *addr);

/* eth.c */
extern const uint8_t net_eth_bcast[6];
void net_eth_input(struct net_buf *b);
/* Prepend the header and send; frees b. */
void net_eth_output(struct net_buf *b, const uint8_t *dst, uint16_t type);

/* arp.c */
void net_arp_input(struct net_buf *b);
/* Send IP packet b to the on-link next hop, resolving it first. */
int net_arp_output(struct net_buf *b, uint32_t nexthop);
/* Tell the link our address (a gratuitous ARP request). */
void net_arp_announce(void);
/* Forget every entry and held packet (the address changed). */
void net_arp_flush(void);
/* Expire entries and retry requests; returns the next deadline. */
uint64_t net_arp_timer(uint64_t now);
/* Packets waiting for an address to resolve. */
int net_arp_held(void);

/* ipv4.c */
struct net_ipinfo {
	uint32_t src, dst;
	const uint8_t *hdr; /* the IP header, before b->data in the buffer */
	size_t hlen;
	uint8_t proto;
	bool bcast;         /* sent to a broadcast address */
};

void net_ip_input(struct net_buf *b);
/* A limited or directed broadcast address of our network. */
bool net_ip_is_bcast(uint32_t a);
/* One of our addresses (loopback included). */
bool net_ip_is_local(uint32_t a);
/* The source address of packets to dst. */
uint32_t net_ip_source(uint32_t dst);

/* icmp.c */
#define NET_ICMP_UNREACH 3
#define NET_ICMP_UNREACH_PROTO 2
#define NET_ICMP_UNREACH_PORT 3
void net_icmp_input(struct net_buf *b, const struct net_ipinfo *ii);
/* Report a problem with the packet whose payload is b->data. */
void net_icmp_error(const struct net_buf *b, const struct net_ipinfo *ii,
    uint8_t type, uint8_t code);

/* udp.c */
void net_udp_input(struct net_buf *b, const struct net_ipinfo *ii);
/* Prepend the UDP header to the payload in b and send it; frees b. */
int net_udp_output(struct net_buf *b, uint32_t src, uint16_t sport,
    uint32_t dst, uint16_t dport);

/* dhcp.c */
#define NET_DHCP_CLIENT_PORT 68
#define NET_DHCP_SERVER_PORT 67
void net_dhcp_start(void);
bool net_dhcp_active(void);
void net_dhcp_input(struct net_buf *b, uint32_t src);
uint64_t net_dhcp_timer(uint64_t now);
/* Time left on the lease in ns, 0 if none. */
uint64_t net_dhcp_lease_left(void);

/* socket.c: requests from other CPUs, descriptors, waiting */
void net_sock_init(void);
uint64_t net_sock_timer(uint64_t now);
/* The address changed: wake toro_net_wait() callers. */
void net_sock_addr_changed(void);

/* sock_dgram.c: the datagram sockets' input and port demultiplexing */
/* Give a datagram to its socket; false if no socket has that port. */
bool net_dgram_input(struct net_buf *b, uint32_t src, uint16_t sport,
    uint32_t dst, uint16_t dport);
/* An ICMP error about a datagram we sent from sport to dst:dport. */
void net_dgram_error(uint16_t sport, uint32_t dst, uint16_t dport, int err);

/* sock_stream.c: the TCP engine's glue */
void net_stream_input(struct net_buf *b, const struct net_ipinfo *ii);
/* Around the frames of one look at the NIC: TCP's batch (tcp.h). */
void net_stream_batch(bool begin);
uint64_t net_stream_timer(uint64_t now);
void net_stream_addr_changed(void);
/* Fill the TCP engine's part of the counters. */
void net_stream_stats(struct toro_net_stats *st);

/* A deadline that is not there. */
#define NET_NEVER UINT64_MAX

#endif
