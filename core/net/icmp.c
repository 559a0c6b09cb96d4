/*
 * icmp.c: the Internet Control Message Protocol (RFC 792, host rules of
 * RFC 1122 section 3.2.2).
 *
 * Interface (stack.h): net_icmp_input() answers echo requests and passes
 * "destination unreachable" on to the datagram sockets; every other type
 * is counted.  net_icmp_error() reports a packet we could not deliver.
 *
 * Rules: echo requests sent to a broadcast address are not answered
 * (RFC 1122 allows it; it keeps us out of smurf attacks).  Errors are
 * never sent about ICMP packets or broadcasts, never before we have an
 * address, and at most ERR_PER_SEC a second.
 */
#include "core/net/stack.h"
#include "toro/errno.h"

#define ICMP_HLEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO 8
#define ERR_PER_SEC 100
#define ERR_QUOTE 64 /* payload bytes quoted after the IP header */

static uint64_t err_window;
static int err_count;

static void
echo_reply(const struct net_buf *req, const struct net_ipinfo *ii)
{
	struct net_buf *b = net_buf_alloc(req->len);
	uint8_t *p;

	if (b == NULL)
		return;
	p = net_buf_put(b, req->len);
	memcpy(p, req->data, req->len);
	p[0] = ICMP_ECHO_REPLY;
	p[1] = 0;
	net_put16(p + 2, 0);
	net_put16(p + 2, net_csum_fold(net_csum_add(0, p, b->len)));
	net_stats.icmp_out++;
	net_ip_output(b, ii->dst, ii->src, NET_PROTO_ICMP);
}

/* Type 3: find what we sent from the header quoted in the message. */
static void
unreachable(const struct net_buf *b)
{
	const uint8_t *q = b->data + ICMP_HLEN;
	size_t len = b->len - ICMP_HLEN, hlen;
	int err;

	if (len < NET_IP_HLEN || (q[0] >> 4) != 4)
		return;
	hlen = (size_t)(q[0] & 0x0f) * 4;
	if (hlen < NET_IP_HLEN || len < hlen + 8 || q[9] != NET_PROTO_UDP)
		return;
	switch (b->data[1]) {
	case NET_ICMP_UNREACH_PROTO:
	case NET_ICMP_UNREACH_PORT:
		err = -TORO_ECONNREFUSED;
		break;
	case 0: /* network */
		err = -TORO_ENETUNREACH;
		break;
	default:
		err = -TORO_EHOSTUNREACH;
		break;
	}
	net_dgram_error(net_get16(q + hlen), net_get32(q + 16),
	    net_get16(q + hlen + 2), err);
}

void
net_icmp_input(struct net_buf *b, const struct net_ipinfo *ii)
{
	net_stats.icmp_in++;
	if (b->len < ICMP_HLEN ||
	    net_csum_fold(net_csum_add(0, b->data, b->len)) != 0) {
		net_stats.icmp_bad++;
		net_buf_free(b);
		return;
	}
	switch (b->data[0]) {
	case ICMP_ECHO:
		if (b->data[1] != 0) {
			net_stats.icmp_bad++;
			break;
		}
		net_stats.icmp_echo_in++;
		if (!ii->bcast)
			echo_reply(b, ii);
		break;
	case NET_ICMP_UNREACH:
		net_stats.icmp_unreach_in++;
		unreachable(b);
		break;
	default:
		net_stats.icmp_other_in++;
		break;
	}
	net_buf_free(b);
}

void
net_icmp_error(const struct net_buf *b, const struct net_ipinfo *ii,
    uint8_t type, uint8_t code)
{
	struct net_buf *e;
	size_t quote = MIN(b->len, (size_t)ERR_QUOTE);
	uint64_t now = net_now();
	uint8_t *p;

	if (ii->proto == NET_PROTO_ICMP || ii->bcast || net_if.addr == 0 ||
	    ii->src == 0 || (ii->src >> 24) == 127)
		return;
	if (now - err_window >= NET_SEC) {
		err_window = now;
		err_count = 0;
	}
	if (err_count >= ERR_PER_SEC)
		return;
	err_count++;
	e = net_buf_alloc(ICMP_HLEN + ii->hlen + quote);
	if (e == NULL)
		return;
	p = net_buf_put(e, ICMP_HLEN + ii->hlen + quote);
	p[0] = type;
	p[1] = code;
	memset(p + 2, 0, 6);
	memcpy(p + ICMP_HLEN, ii->hdr, ii->hlen);
	memcpy(p + ICMP_HLEN + ii->hlen, b->data, quote);
	net_put16(p + 2, net_csum_fold(net_csum_add(0, p, e->len)));
	net_stats.icmp_out++;
	net_ip_output(e, net_if.addr, ii->src, NET_PROTO_ICMP);
}
