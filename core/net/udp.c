/*
 * udp.c: the User Datagram Protocol (RFC 768, RFC 1122 section 4.1).
 *
 * Interface (stack.h): net_udp_input() checks a datagram and gives its
 * payload to the DHCP client or to the socket bound to its port;
 * net_udp_output() adds the header and checksum and sends.
 *
 * Rules: the length field must be at least 8 and fit in the IP payload
 * (extra bytes are dropped); a non-zero checksum must verify (zero means
 * the sender computed none) unless the NIC verified it already.  We always send a checksum.  A datagram
 * for a port nobody has gets ICMP port unreachable (RFC 1122 4.1.3.1),
 * unless it was a broadcast.  Before we have an address only DHCP's
 * port listens.
 */
#include "core/net/stack.h"
#include "toro/errno.h"

void
net_udp_input(struct net_buf *b, const struct net_ipinfo *ii)
{
	const uint8_t *h = b->data;
	uint16_t ulen, sport, dport;
	uint32_t sum;

	net_stats.udp_in++;
	if (b->len < NET_UDP_HLEN) {
		net_stats.udp_bad_len++;
		goto drop;
	}
	ulen = net_get16(h + 4);
	if (ulen < NET_UDP_HLEN || ulen > b->len) {
		net_stats.udp_bad_len++;
		goto drop;
	}
	net_buf_trim(b, ulen);
	/* The NIC may have checked it (or it never left the machine). */
	if (net_get16(h + 6) != 0 && b->csum != NET_CSUM_OK) {
		sum = net_csum_pseudo(ii->src, ii->dst, NET_PROTO_UDP, ulen);
		if (net_csum_fold(net_csum_add(sum, h, ulen)) != 0) {
			net_stats.udp_bad_csum++;
			goto drop;
		}
	}
	sport = net_get16(h);
	dport = net_get16(h + 2);
	if (dport == NET_DHCP_CLIENT_PORT && net_dhcp_active()) {
		net_buf_pull(b, NET_UDP_HLEN);
		net_dhcp_input(b, ii->src);
		return;
	}
	if (net_if.addr == 0 && !ii->bcast && !net_ip_is_local(ii->dst)) {
		net_stats.ip_not_ours++;
		goto drop;
	}
	if (dport == 0 || sport == 0) {
		/* Port 0 is reserved; nobody listens or answers there. */
		net_stats.udp_no_port++;
		goto drop;
	}
	/* Keep the header in front: ICMP quotes it if nobody listens. */
	net_buf_pull(b, NET_UDP_HLEN);
	if (net_dgram_input(b, ii->src, sport, ii->dst, dport))
		return;
	net_stats.udp_no_port++;
	b->data -= NET_UDP_HLEN;
	b->len += NET_UDP_HLEN;
	net_icmp_error(b, ii, NET_ICMP_UNREACH, NET_ICMP_UNREACH_PORT);
drop:
	net_buf_free(b);
}

int
net_udp_output(struct net_buf *b, uint32_t src, uint16_t sport,
    uint32_t dst, uint16_t dport)
{
	uint16_t ulen = (uint16_t)(b->len + NET_UDP_HLEN), csum;
	uint8_t *h;

	if (b->len + NET_UDP_HLEN > 0xffff) {
		net_buf_free(b);
		return -TORO_EMSGSIZE;
	}
	if (src == 0)
		src = net_ip_source(dst);
	h = net_buf_push(b, NET_UDP_HLEN);
	net_put16(h, sport);
	net_put16(h + 2, dport);
	net_put16(h + 4, ulen);
	net_put16(h + 6, 0);
	csum = net_csum_fold(net_csum_add(net_csum_pseudo(src, dst,
	    NET_PROTO_UDP, ulen), h, ulen));
	/* RFC 768: a computed zero is sent as all ones. */
	net_put16(h + 6, csum == 0 ? 0xffff : csum);
	net_stats.udp_out++;
	return net_ip_output(b, src, dst, NET_PROTO_UDP);
}
