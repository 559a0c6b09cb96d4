/*
 * dhcp.c: the DHCP client (RFC 2131, options of RFC 2132).
 *
 * Interface (stack.h): net_dhcp_start() begins with a DISCOVER; UDP
 * hands replies for port 68 to net_dhcp_input(); net_dhcp_timer() does
 * retransmissions, renewal at T1, rebinding at T2 and expiry.
 *
 * Rules: one exchange at a time, named by its xid; replies that do not
 * match it, our MAC, or are malformed are ignored.  The first OFFER is
 * taken.  Retransmissions wait 4, 8, 16, 32, then 64 s, each +-1 s at
 * random; a REQUEST unanswered four times starts over.  While renewing
 * or rebinding, retries wait half the time left, at least 60 s.  A NAK
 * or the end of the lease drops the address.  Messages are padded to
 * the 548 bytes of a full BOOTP message (QEMU's slirp reads that much).
 */
#include "core/net/stack.h"

#define BOOTP_LEN 236
#define MSG_LEN 548
#define COOKIE 0x63825363u

#define DISCOVER 1
#define OFFER 2
#define REQUEST 3
#define ACK 5
#define NAK 6

#define OPT_PAD 0
#define OPT_MASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_REQ_ADDR 50
#define OPT_LEASE 51
#define OPT_TYPE 53
#define OPT_SERVER 54
#define OPT_PARAMS 55
#define OPT_T1 58
#define OPT_T2 59
#define OPT_CLIENT_ID 61
#define OPT_END 255

#define REQUEST_TRIES 4
#define INFINITE 0xffffffffu

enum dhcp_state {
	OFF,
	INIT,
	SELECTING,
	REQUESTING,
	BOUND,
	RENEWING,
	REBINDING,
};

static enum dhcp_state state;
static uint32_t xid;
static int tries;
static uint64_t next, started, sent;
static uint32_t offered, server;
static uint64_t t1, t2, expiry; /* NET_NEVER: an infinite lease */

struct reply {
	int type;
	uint32_t yiaddr, server, mask, router, dns;
	uint32_t lease, t1, t2; /* seconds; 0: not given */
};

bool
net_dhcp_active(void)
{
	return state != OFF;
}

uint64_t
net_dhcp_lease_left(void)
{
	uint64_t now = net_now();

	if (state < BOUND || expiry == NET_NEVER || expiry <= now)
		return 0;
	return expiry - now;
}

static uint8_t *
put_opt(uint8_t *p, uint8_t code, uint8_t len, const void *data)
{
	*p++ = code;
	*p++ = len;
	memcpy(p, data, len);
	return p + len;
}

static uint8_t *
put_addr_opt(uint8_t *p, uint8_t code, uint32_t a)
{
	uint8_t v[4];

	net_put32(v, a);
	return put_opt(p, code, 4, v);
}

static void
send_msg(uint8_t type)
{
	static const uint8_t params[] = { OPT_MASK, OPT_ROUTER, OPT_DNS,
		OPT_LEASE, OPT_T1, OPT_T2 };
	struct net_buf *b = net_buf_alloc(MSG_LEN);
	uint64_t secs = (net_now() - started) / NET_SEC;
	uint8_t *m, *p, id[7];
	bool have_addr = state >= BOUND;
	uint32_t dst = 0xffffffffu;

	if (b == NULL)
		return;
	m = net_buf_put(b, MSG_LEN);
	memset(m, 0, MSG_LEN);
	m[0] = 1; /* BOOTREQUEST */
	m[1] = 1;
	m[2] = 6;
	net_put32(m + 4, xid);
	net_put16(m + 8, (uint16_t)MIN(secs, 0xffffu));
	/* Without an address we cannot take unicast replies for sure. */
	net_put16(m + 10, have_addr ? 0 : 0x8000);
	if (have_addr)
		net_put32(m + 12, net_if.addr);
	memcpy(m + 28, net_if.mac, 6);
	net_put32(m + BOOTP_LEN, COOKIE);
	p = m + BOOTP_LEN + 4;
	p = put_opt(p, OPT_TYPE, 1, &type);
	id[0] = 1;
	memcpy(id + 1, net_if.mac, 6);
	p = put_opt(p, OPT_CLIENT_ID, sizeof(id), id);
	if (state == REQUESTING) {
		p = put_addr_opt(p, OPT_REQ_ADDR, offered);
		p = put_addr_opt(p, OPT_SERVER, server);
	}
	p = put_opt(p, OPT_PARAMS, sizeof(params), params);
	*p = OPT_END;
	if (state == RENEWING)
		dst = server;
	sent = net_now();
	net_stats.dhcp_out++;
	net_udp_output(b, have_addr ? net_if.addr : 0, NET_DHCP_CLIENT_PORT,
	    dst, NET_DHCP_SERVER_PORT);
}

/* 4 s, 8 s, ... 64 s after transmission `n` (1-based), +-1 s. */
static uint64_t
backoff(int n)
{
	uint64_t base = (uint64_t)4 << MIN(n - 1, 4);

	return base * NET_SEC - NET_SEC + (net_random() % 2001) * 1000000ull;
}

/* Half the time left before `end`, at least 60 s, never past it. */
static uint64_t
halfway(uint64_t now, uint64_t end)
{
	uint64_t wait = MAX((end - now) / 2, 60 * NET_SEC);

	return end == NET_NEVER ? NET_NEVER : MIN(now + wait, end);
}

static void
begin(enum dhcp_state s, uint64_t now)
{
	state = s;
	xid = net_random();
	started = now;
	tries = 0;
}

static void
drop_lease(void)
{
	net_set_addr(0, 0, 0, 0);
	state = INIT;
}

static void
act(uint64_t now)
{
	switch (state) {
	case OFF:
		next = NET_NEVER;
		break;
	case INIT:
		begin(SELECTING, now);
		/* FALLTHROUGH */
	case SELECTING:
		send_msg(DISCOVER);
		next = now + backoff(++tries);
		break;
	case REQUESTING:
		if (tries >= REQUEST_TRIES) {
			state = INIT;
			next = now;
			break;
		}
		send_msg(REQUEST);
		next = now + backoff(++tries);
		break;
	case BOUND:
		begin(RENEWING, now);
		/* FALLTHROUGH */
	case RENEWING:
		if (now >= t2) {
			state = REBINDING;
			next = now;
			break;
		}
		send_msg(REQUEST);
		next = halfway(now, t2);
		break;
	case REBINDING:
		if (now >= expiry) {
			drop_lease();
			next = now;
			break;
		}
		send_msg(REQUEST);
		next = halfway(now, expiry);
		break;
	}
}

uint64_t
net_dhcp_timer(uint64_t now)
{
	while (state != OFF && next <= now)
		act(now);
	return state == OFF ? NET_NEVER : next;
}

void
net_dhcp_start(void)
{
	state = INIT;
	next = net_now();
	net_wakeup();
}

static uint32_t
seconds_opt(const uint8_t *v, uint8_t len)
{
	return len == 4 ? net_get32(v) : 0;
}

/* Parse the options; false if they are malformed. */
static bool
parse(const uint8_t *p, size_t len, struct reply *r)
{
	const uint8_t *end = p + len, *v;
	uint8_t code, olen;

	memset(r, 0, sizeof(*r));
	while (p < end) {
		code = *p++;
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return r->type != 0;
		if (p >= end || (size_t)(end - p) < (size_t)1 + *p)
			return false;
		olen = *p++;
		v = p;
		p += olen;
		switch (code) {
		case OPT_TYPE:
			if (olen != 1)
				return false;
			r->type = v[0];
			break;
		case OPT_MASK:
			if (olen == 4)
				r->mask = net_get32(v);
			break;
		case OPT_ROUTER:
			if (olen >= 4 && olen % 4 == 0)
				r->router = net_get32(v);
			break;
		case OPT_DNS:
			if (olen >= 4 && olen % 4 == 0)
				r->dns = net_get32(v);
			break;
		case OPT_SERVER:
			if (olen == 4)
				r->server = net_get32(v);
			break;
		case OPT_LEASE:
			r->lease = seconds_opt(v, olen);
			break;
		case OPT_T1:
			r->t1 = seconds_opt(v, olen);
			break;
		case OPT_T2:
			r->t2 = seconds_opt(v, olen);
			break;
		}
	}
	/* RFC 2131 says END is there; some servers stop at the end. */
	return r->type != 0;
}

/* A mask must be contiguous ones; else guess one from the address. */
static uint32_t
good_mask(uint32_t mask, uint32_t addr)
{
	if (mask != 0 && (~mask & (~mask + 1)) == 0)
		return mask;
	if ((addr >> 31) == 0)
		return 0xff000000u;
	return (addr >> 30) == 2 ? 0xffff0000u : 0xffffff00u;
}

static void
take_lease(const struct reply *r, uint32_t yiaddr)
{
	uint64_t lease = (r->lease != 0 ? r->lease : 3600) * NET_SEC;
	uint64_t a = (uint64_t)r->t1 * NET_SEC, b = (uint64_t)r->t2 * NET_SEC;
	uint32_t mask = good_mask(r->mask, yiaddr);

	/* The lease counts from when the REQUEST left (RFC 2131 4.4.1). */
	if (r->lease == INFINITE) {
		t1 = t2 = expiry = NET_NEVER;
	} else {
		/* RFC 2131 4.4.5: T1 0.5, T2 0.875 of the lease. */
		if (a == 0 || b == 0 || a >= b || b >= lease) {
			a = lease / 2;
			b = lease / 8 * 7;
		}
		t1 = sent + a;
		t2 = sent + b;
		expiry = sent + lease;
	}
	if (r->server != 0)
		server = r->server;
	state = BOUND;
	next = t1;
	net_stats.dhcp_leases++;
	/* The router is used only if it is on our network. */
	net_set_addr(yiaddr, mask,
	    ((r->router ^ yiaddr) & mask) == 0 ? r->router : 0, r->dns);
}

/* States in which an ACK or NAK may answer our REQUEST. */
static bool
requesting(void)
{
	return state == REQUESTING || state == RENEWING || state == REBINDING;
}

void
net_dhcp_input(struct net_buf *b, uint32_t src)
{
	const uint8_t *m = b->data;
	uint64_t now = net_now();
	struct reply r;
	uint32_t yiaddr;

	if (b->len < BOOTP_LEN + 4 || m[0] != 2 || m[1] != 1 || m[2] != 6 ||
	    net_get32(m + 4) != xid || memcmp(m + 28, net_if.mac, 6) != 0 ||
	    net_get32(m + BOOTP_LEN) != COOKIE ||
	    !parse(m + BOOTP_LEN + 4, b->len - BOOTP_LEN - 4, &r))
		goto drop;
	yiaddr = net_get32(m + 16);
	if (state == SELECTING && r.type == OFFER) {
		if (yiaddr == 0 || (yiaddr >> 28) >= 14 || yiaddr >> 24 == 127)
			goto drop;
		net_stats.dhcp_in++;
		offered = yiaddr;
		server = r.server != 0 ? r.server : src;
		state = REQUESTING;
		tries = 0;
		next = now;
		net_wakeup();
	} else if (requesting() && r.type == ACK) {
		if (yiaddr == 0 || (state == REQUESTING && yiaddr != offered) ||
		    (state > REQUESTING && yiaddr != net_if.addr))
			goto drop;
		net_stats.dhcp_in++;
		take_lease(&r, yiaddr);
		net_wakeup();
	} else if (requesting() && r.type == NAK) {
		net_stats.dhcp_in++;
		if (state > REQUESTING)
			drop_lease();
		state = INIT;
		next = now;
		net_wakeup();
	}
drop:
	net_buf_free(b);
}
