/*
 * ipv4.c: the Internet Protocol, version 4 (RFC 791, host rules of
 * RFC 1122 section 3).
 *
 * Interface: net_ip_input() (stack.h) checks a received packet and hands
 * its payload to ICMP, UDP or TCP; net_ip_output() (net.h) adds the
 * header, picks the next hop and sends.
 *
 * Rules: a packet is dropped, and counted, unless its version is 4, its
 * header length is at least 20 bytes and within the total length, the
 * total length within the frame, the header checksum right, and it is
 * sent to us (our address, a broadcast address, or, before we have an
 * address, anything: DHCP offers may be unicast).  Fragments are
 * neither reassembled nor parsed: counted and dropped.  Options are
 * skipped.  Output never fragments (a TCP segment the NIC cuts,
 * net_buf's gso_size, may exceed the MTU); the TTL is 64; a destination on
 * our network is reached directly, any other through the gateway; our
 * own addresses (127/8 included) loop back inside the stack.
 */
#include "core/net/stack.h"
#include "toro/errno.h"

#define IP_TTL 64
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

static uint16_t ip_id;

bool
net_ip_is_bcast(uint32_t a)
{
	if (a == 0xffffffffu)
		return true;
	/* /31 and /32 networks have no broadcast address (RFC 3021). */
	return net_if.addr != 0 && net_if.mask < 0xfffffffeu &&
	    ((a ^ net_if.addr) & net_if.mask) == 0 &&
	    (a | net_if.mask) == 0xffffffffu;
}

bool
net_ip_is_local(uint32_t a)
{
	return (a >> 24) == 127 || (a != 0 && a == net_if.addr);
}

uint32_t
net_ip_source(uint32_t dst)
{
	return (dst >> 24) == 127 ? NET_IP_LOOPBACK : net_if.addr;
}

static void
deliver(struct net_buf *b, const struct net_ipinfo *ii)
{
	switch (ii->proto) {
	case NET_PROTO_ICMP:
		net_icmp_input(b, ii);
		break;
	case NET_PROTO_UDP:
		net_udp_input(b, ii);
		break;
	case NET_PROTO_TCP:
		net_stats.tcp_in++;
		net_stream_input(b, ii);
		break;
	default:
		net_stats.ip_unknown_proto++;
		if (!ii->bcast)
			net_icmp_error(b, ii, NET_ICMP_UNREACH,
			    NET_ICMP_UNREACH_PROTO);
		net_buf_free(b);
		break;
	}
}

void
net_ip_input(struct net_buf *b)
{
	const uint8_t *h = b->data;
	struct net_ipinfo ii;
	size_t hlen, tlen;
	uint16_t frag;

	net_stats.ip_in++;
	if (b->len < NET_IP_HLEN) {
		net_stats.ip_bad_len++;
		goto drop;
	}
	if ((h[0] >> 4) != 4) {
		net_stats.ip_bad_version++;
		goto drop;
	}
	hlen = (size_t)(h[0] & 0x0f) * 4;
	tlen = net_get16(h + 2);
	if (hlen < NET_IP_HLEN || hlen > tlen || hlen > b->len) {
		net_stats.ip_bad_hdrlen++;
		goto drop;
	}
	if (tlen > b->len) {
		net_stats.ip_bad_len++;
		goto drop;
	}
	if (net_csum_fold(net_csum_add(0, h, hlen)) != 0) {
		net_stats.ip_bad_csum++;
		goto drop;
	}
	frag = net_get16(h + 6);
	if ((frag & (IP_MF | IP_OFFMASK)) != 0) {
		net_stats.ip_fragments++;
		goto drop;
	}
	ii.src = net_get32(h + 12);
	ii.dst = net_get32(h + 16);
	ii.proto = h[9];
	ii.hdr = h;
	ii.hlen = hlen;
	ii.bcast = net_ip_is_bcast(ii.dst);
	/* RFC 1122 3.2.1.3: no datagram comes from a group address. */
	if ((ii.src >> 28) >= 14 || net_ip_is_bcast(ii.src)) {
		net_stats.ip_bad_src++;
		goto drop;
	}
	if (!ii.bcast && !net_ip_is_local(ii.dst) &&
	    !(net_if.addr == 0 && ii.proto == NET_PROTO_UDP)) {
		net_stats.ip_not_ours++;
		goto drop;
	}
	/* Ethernet may have padded the frame: keep the datagram only. */
	net_buf_trim(b, tlen);
	net_buf_pull(b, hlen);
	deliver(b, &ii);
	return;
drop:
	net_buf_free(b);
}

/* The next hop towards dst, or 0 if there is none. */
static uint32_t
route(uint32_t dst)
{
	if (net_if.addr == 0)
		return 0;
	if (((dst ^ net_if.addr) & net_if.mask) == 0)
		return dst;
	return net_if.gw;
}

int
net_ip_output(struct net_buf *b, uint32_t src, uint32_t dst, uint8_t proto)
{
	uint32_t nexthop = 0;
	uint8_t *h;
	size_t tlen = b->len + NET_IP_HLEN;
	bool local = net_ip_is_local(dst), bcast = net_ip_is_bcast(dst);

	/* A TCP segment the NIC cuts may be as long as IPv4 allows. */
	if (tlen > (b->gso_size != 0 ? 65535u : net_if.mtu)) {
		net_stats.ip_too_big++;
		net_buf_free(b);
		return -TORO_EMSGSIZE;
	}
	/* Before we have an address, only broadcasts (DHCP) go out. */
	if (net_if.cpu < 0 || (!local && !bcast &&
	    (nexthop = route(dst)) == 0)) {
		net_stats.ip_no_route++;
		net_buf_free(b);
		return -TORO_ENETUNREACH;
	}
	if (src == 0)
		src = net_ip_source(dst);
	h = net_buf_push(b, NET_IP_HLEN);
	h[0] = 0x45;
	h[1] = 0;
	net_put16(h + 2, (uint16_t)tlen);
	net_put16(h + 4, ip_id++);
	/* The NIC numbers the pieces of a TSO segment on from this one. */
	if (b->gso_size != 0)
		ip_id += (uint16_t)((tlen - 1) / b->gso_size);
	/* No DF: without path MTU discovery, let routers fragment. */
	net_put16(h + 6, 0);
	h[8] = IP_TTL;
	h[9] = proto;
	net_put16(h + 10, 0);
	net_put32(h + 12, src);
	net_put32(h + 16, dst);
	net_put16(h + 10, net_csum_fold(net_csum_add(0, h, NET_IP_HLEN)));
	net_stats.ip_out++;
	if (proto == NET_PROTO_TCP)
		net_stats.tcp_out++;
	if (local)
		net_loopback(b);
	else if (bcast)
		net_eth_output(b, net_eth_bcast, NET_ETHERTYPE_IP);
	else
		return net_arp_output(b, nexthop);
	return 0;
}
