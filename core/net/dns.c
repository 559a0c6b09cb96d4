/*
 * dns.c: a stub resolver (RFC 1035): one A query over UDP to the
 * interface's DNS server (DHCP's, or dns= on the command line), answered
 * from the first A record of the reply.
 *
 * Interface: toro_resolve() (socket.h); net_dns_query() builds a query
 * and net_dns_reply() judges a reply (stack.h, so tests can feed it).
 *
 * Rules: it runs in the calling thread, on any CPU, over the datagram
 * socket API, so the network CPU does nothing new.  A reply is untrusted
 * input: every length and name pointer is bounds-checked, a compression
 * pointer may only point backwards, and a datagram that is not the
 * answer to our question (wrong server, port, ID or question) is ignored
 * rather than taken as an error, as a forged or late one might be.
 */
#include "core/lib/lib.h"
#include "core/net/stack.h"
#include "hal/hal.h"
#include "toro/errno.h"
#include "toro/socket.h"
#include "toro/thread.h"

#define PORT 53
#define HDR 12
#define TYPE_A 1
#define CLASS_IN 1
#define FLAG_QR 0x8000
#define FLAG_TC 0x0200
#define FLAG_RD 0x0100
#define RCODE_NXDOMAIN 3
#define RCODE_REFUSED 5
#define TRY_NS (1000ull * 1000 * 1000) /* the first wait; it doubles */
#define DEFAULT_NS (5ull * 1000 * 1000 * 1000)

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A query ID hard to guess off the wire (RFC 5452). */
static uint16_t
query_id(void)
{
	return (uint16_t)lib_random_u32();
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

long
net_dns_query(const char *name, uint16_t id, uint8_t *buf, size_t len)
{
	size_t n = strlen(name), pos = HDR, label;
	const char *p = name;

	/* A trailing dot names the root, as in "example.org.". */
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > NET_DNS_NAME_MAX)
		return -TORO_EINVAL;
	if (len < HDR + n + 2 + 4)
		return -TORO_ENOBUFS;
	memset(buf, 0, HDR);
	put16(buf, id);
	put16(buf + 2, FLAG_RD);
	put16(buf + 4, 1); /* one question */
	while (p < name + n) {
		for (label = 0; p + label < name + n && p[label] != '.';
		    label++)
			;
		if (label == 0 || label > 63)
			return -TORO_EINVAL;
		buf[pos++] = (uint8_t)label;
		memcpy(buf + pos, p, label);
		pos += label;
		p += label + 1;
	}
	buf[pos++] = 0;
	put16(buf + pos, TYPE_A);
	put16(buf + pos + 2, CLASS_IN);
	return (long)(pos + 4);
}

/*
 * The offset just past the name at off, or -1.  Pointers end a name;
 * following them is not needed to skip one.
 */
static long
skip_name(const uint8_t *m, size_t len, size_t off)
{
	while (off < len) {
		if (m[off] == 0)
			return (long)off + 1;
		if ((m[off] & 0xc0) == 0xc0) {
			if (off + 2 > len || (size_t)(get16(m + off) & 0x3fff) >=
			    off)
				return -1;
			return (long)off + 2;
		}
		if (m[off] & 0xc0)
			return -1; /* the reserved label types */
		off += 1u + m[off];
	}
	return -1;
}

int
net_dns_reply(const uint8_t *m, size_t len, const uint8_t *query,
    size_t qlen, uint32_t *addr)
{
	uint16_t flags, ancount, i, type, class, rdlen;
	long off;
	size_t k;

	/* Ours: the ID and the question, byte for byte but for case. */
	if (len < qlen || qlen < HDR || get16(m) != get16(query))
		return 1;
	flags = get16(m + 2);
	if (!(flags & FLAG_QR) || (flags & 0x7800) != 0 ||
	    get16(m + 4) != 1)
		return 1;
	for (k = HDR; k < qlen; k++)
		if (lower(m[k]) != lower(query[k]))
			return 1;
	if ((flags & 0x000f) == RCODE_NXDOMAIN)
		return -TORO_ENOENT;
	if ((flags & 0x000f) == RCODE_REFUSED)
		return -TORO_ECONNREFUSED; /* not a server for us, or for it */
	if ((flags & 0x000f) != 0)
		return -TORO_EIO;
	ancount = get16(m + 6);
	off = (long)qlen;
	for (i = 0; i < ancount; i++) {
		if ((off = skip_name(m, len, (size_t)off)) < 0 ||
		    (size_t)off + 10 > len)
			return -TORO_EIO;
		type = get16(m + off);
		class = get16(m + off + 2);
		rdlen = get16(m + off + 8);
		off += 10;
		if ((size_t)off + rdlen > len)
			return -TORO_EIO;
		/* CNAMEs come first; the A record at their end is ours. */
		if (type == TYPE_A && class == CLASS_IN && rdlen == 4) {
			*addr = (uint32_t)get16(m + off) << 16 |
			    get16(m + off + 2);
			return 0;
		}
		off += rdlen;
	}
	/* Truncated: the A record may be what was cut off. */
	return (flags & FLAG_TC) ? -TORO_EIO : -TORO_ENOENT;
}

/* Send the query and wait until `until` for its answer. */
static int
ask(int s, const struct toro_sockaddr_in *server, const uint8_t *q,
    size_t qlen, uint64_t until, uint32_t *addr)
{
	struct toro_sockaddr_in from;
	uint8_t m[NET_DNS_MSG_MAX];
	uint64_t now;
	long n;
	int err;

	if ((n = toro_sendto(s, q, qlen, 0, server)) < 0)
		return (int)n;
	while ((now = toro_time_ns()) < until) {
		if ((err = toro_socket_set_timeout(s,
		    (int64_t)(until - now))) < 0)
			return err;
		n = toro_recvfrom(s, m, sizeof(m), 0, &from);
		if (n == -TORO_ETIMEDOUT)
			break;
		if (n < 0)
			return (int)n;
		if (from.addr != server->addr || from.port != PORT)
			continue;
		if ((err = net_dns_reply(m, (size_t)n, q, qlen, addr)) <= 0)
			return err;
	}
	return -TORO_ETIMEDOUT;
}

/* The caller's name and answer go through copies (lib_caller_string). */
int
toro_resolve(const char *name_, uint32_t *addr_, int64_t timeout_ns)
{
	char name[NET_DNS_NAME_MAX + 2]; /* a trailing dot, the NUL */
	uint32_t a, *addr = &a;
	struct toro_net_info info;
	struct toro_sockaddr_in server = { TORO_AF_INET, PORT, 0 };
	uint8_t q[HDR + NET_DNS_NAME_MAX + 2 + 4];
	uint64_t end, wait = TRY_NS, until;
	long qlen;
	int s, err;

	if (name_ == NULL || addr_ == NULL)
		return -TORO_EINVAL;
	if ((err = (int)lib_caller_string(name, name_, sizeof(name))) < 0)
		return err == -TORO_EFAULT ? err : -TORO_EINVAL;
	if (toro_inet_aton(name, addr) == 0)
		return hal_copy(addr_, addr, sizeof(*addr));
	if ((err = toro_net_info(&info)) < 0)
		return err;
	if (info.dns == 0)
		return -TORO_ENETUNREACH; /* no server to ask */
	server.addr = info.dns;
	qlen = net_dns_query(name, query_id(), q, sizeof(q));
	if (qlen < 0)
		return (int)qlen;
	if ((s = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0)) < 0)
		return s;
	end = toro_time_ns() + (timeout_ns > 0 ? (uint64_t)timeout_ns :
	    DEFAULT_NS);
	/* The same question again, at 1, 2, 4... s: lost, not refused. */
	do {
		until = MIN(toro_time_ns() + wait, end);
		err = ask(s, &server, q, (size_t)qlen, until, addr);
		wait *= 2;
	} while (err == -TORO_ETIMEDOUT && toro_time_ns() < end);
	net_close(s);
	if (err == 0)
		err = hal_copy(addr_, addr, sizeof(*addr));
	return err;
}
