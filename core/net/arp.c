/*
 * arp.c: the Address Resolution Protocol (RFC 826) for IPv4 on Ethernet,
 * with the cache rules of RFC 1122 section 2.3.2.
 *
 * Interface (stack.h): net_arp_input() for received ARP packets,
 * net_arp_output() to send an IP packet to an on-link next hop,
 * net_arp_announce() for a gratuitous ARP, net_arp_flush() when our
 * address changes, net_arp_timer() for expiry and retries,
 * net_arp_held() for the machine's exit.
 *
 * Rules: a fixed cache of ARP_SLOTS entries; a resolved entry lives
 * ARP_TTL after it was last confirmed by the peer's own ARP packet.
 * While an address resolves, up to ARP_HOLD packets wait for it, and
 * ARP_HOLD_BYTES for all addresses together (the oldest goes first:
 * RFC 1122 wants the latest kept); so a burst of datagrams to a new
 * neighbour is not cut to its last few (Linux keeps 101).  A request is
 * sent at most once a second, ARP_TRIES times, then the held packets
 * are dropped.  We answer requests for our address only once we have one.
 *
 * Floods: every SYN from a spoofed on-link address wants an answer,
 * and so an entry whose resolution never completes.  Such an entry
 * never pushes out a resolved one, nor a pending one younger than
 * ARP_YOUNG: past that the packet is dropped.  So the hosts we talk to
 * keep their entries, and a flood costs at most ARP_SLOTS requests per
 * ARP_YOUNG.  A host that speaks ARP to us may take any slot.
 */
#include "core/net/stack.h"

#define ARP_SLOTS 64
#define ARP_TTL (60 * NET_SEC)
#define ARP_RETRY (1 * NET_SEC)
#define ARP_TRIES 3
#define ARP_HOLD 64
#define ARP_HOLD_BYTES (256u * 1024)
#define ARP_YOUNG (NET_SEC / 4)
#define ARP_LEN 28

#define ARP_REQUEST 1
#define ARP_REPLY 2

enum arp_state {
	ARP_FREE,
	ARP_PENDING,
	ARP_RESOLVED,
};

struct arp_entry {
	uint32_t ip;
	uint8_t mac[6];
	uint8_t state;
	uint8_t tries; /* requests sent while pending */
	int nheld;
	uint64_t when;	/* resolved: expiry; pending: next request */
	uint64_t asked; /* pending: when the first request went */
	struct list held;
};

static struct arp_entry cache[ARP_SLOTS];
static size_t held_bytes; /* in every entry's held list */

static struct arp_entry *
lookup(uint32_t ip)
{
	int i;

	for (i = 0; i < ARP_SLOTS; i++)
		if (cache[i].state != ARP_FREE && cache[i].ip == ip)
			return &cache[i];
	return NULL;
}

/* The oldest packet held for e, out of the list and the count. */
static struct net_buf *
pop_held(struct arp_entry *e)
{
	struct list *l = list_pop_front(&e->held);
	struct net_buf *b;

	if (l == NULL)
		return NULL;
	b = container_of(l, struct net_buf, link);
	e->nheld--;
	held_bytes -= b->len;
	return b;
}

static void
drop_held(struct arp_entry *e)
{
	struct net_buf *b;

	while ((b = pop_held(e)) != NULL) {
		net_stats.arp_unresolved++;
		net_buf_free(b);
	}
}

static void
release(struct arp_entry *e)
{
	if (e->state == ARP_PENDING)
		drop_held(e);
	e->state = ARP_FREE;
}

/*
 * A slot for ip: a free one, else (confirmed: the peer spoke ARP to
 * us) the resolved entry closest to expiry, else the pending entry
 * asked about longest ago.  Not confirmed, a resolved entry is taken
 * only when none is pending (no flood), and a pending one only once
 * ARP_YOUNG old.  NULL: no slot may be taken.
 */
static struct arp_entry *
alloc_entry(uint32_t ip, bool confirmed)
{
	struct arp_entry *e, *best = NULL, *res = NULL, *pend = NULL;
	uint64_t now = net_now();
	int i;

	for (i = 0; i < ARP_SLOTS && best == NULL; i++) {
		e = &cache[i];
		if (e->state == ARP_FREE)
			best = e;
		else if (e->state == ARP_RESOLVED &&
		    (res == NULL || e->when < res->when))
			res = e;
		else if (e->state == ARP_PENDING &&
		    (pend == NULL || e->tries > pend->tries ||
			(e->tries == pend->tries && e->when < pend->when)))
			pend = e;
	}
	if (best == NULL && res != NULL && (confirmed || pend == NULL))
		best = res;
	if (best == NULL && pend != NULL &&
	    (confirmed || now - pend->asked >= ARP_YOUNG))
		best = pend;
	if (best == NULL)
		return NULL;
	release(best);
	best->ip = ip;
	best->nheld = 0;
	best->tries = 0;
	list_init(&best->held);
	return best;
}

static void
send_arp(uint16_t op, const uint8_t *dstmac, const uint8_t *tha,
    uint32_t spa, uint32_t tpa)
{
	struct net_buf *b = net_buf_alloc(ARP_LEN);
	uint8_t *p;

	if (b == NULL)
		return;
	p = net_buf_put(b, ARP_LEN);
	net_put16(p, 1);
	net_put16(p + 2, NET_ETHERTYPE_IP);
	p[4] = 6;
	p[5] = 4;
	net_put16(p + 6, op);
	memcpy(p + 8, net_if.mac, 6);
	net_put32(p + 14, spa);
	memcpy(p + 18, tha, 6);
	net_put32(p + 24, tpa);
	net_stats.arp_out++;
	net_eth_output(b, dstmac, NET_ETHERTYPE_ARP);
}

static void
send_request(uint32_t ip)
{
	static const uint8_t zero[6];

	send_arp(ARP_REQUEST, net_eth_bcast, zero, net_if.addr, ip);
}

void
net_arp_announce(void)
{
	if (net_if.addr != 0)
		send_request(net_if.addr);
}

/* The peer's address is confirmed: send what waited for it. */
static void
resolved(struct arp_entry *e, const uint8_t *mac)
{
	struct net_buf *b;

	memcpy(e->mac, mac, 6);
	e->state = ARP_RESOLVED;
	e->when = net_now() + ARP_TTL;
	while ((b = pop_held(e)) != NULL)
		net_eth_output(b, e->mac, NET_ETHERTYPE_IP);
}

void
net_arp_input(struct net_buf *b)
{
	const uint8_t *p = b->data, *sha;
	struct arp_entry *e;
	uint32_t spa, tpa;
	uint16_t op;

	net_stats.arp_in++;
	if (b->len < ARP_LEN || net_get16(p) != 1 ||
	    net_get16(p + 2) != NET_ETHERTYPE_IP || p[4] != 6 || p[5] != 4)
		goto bad;
	op = net_get16(p + 6);
	sha = p + 8;
	spa = net_get32(p + 14);
	tpa = net_get32(p + 24);
	/* A group address cannot own an IP address; nor can we, twice. */
	if ((op != ARP_REQUEST && op != ARP_REPLY) || (sha[0] & 1) != 0 ||
	    memcmp(sha, net_if.mac, 6) == 0 || (spa >> 28) >= 14 ||
	    spa == 0xffffffffu)
		goto bad;
	/* RFC 826: update the sender's entry if we have one... */
	e = spa != 0 ? lookup(spa) : NULL;
	if (e != NULL && spa != net_if.addr)
		resolved(e, sha);
	if (net_if.addr == 0 || tpa != net_if.addr) {
		net_buf_free(b);
		return;
	}
	/* ...and add it if the packet is for us. */
	if (e == NULL && spa != 0 && spa != net_if.addr)
		resolved(alloc_entry(spa, true), sha);
	if (op == ARP_REQUEST)
		send_arp(ARP_REPLY, sha, sha, net_if.addr, spa);
	net_buf_free(b);
	return;
bad:
	net_stats.arp_bad++;
	net_buf_free(b);
}

int
net_arp_output(struct net_buf *b, uint32_t nexthop)
{
	struct arp_entry *e = lookup(nexthop);

	if (e != NULL && e->state == ARP_RESOLVED && e->when > net_now()) {
		net_eth_output(b, e->mac, NET_ETHERTYPE_IP);
		return 0;
	}
	if (e == NULL && (e = alloc_entry(nexthop, false)) == NULL) {
		net_stats.arp_unresolved++; /* a flood holds every slot */
		net_buf_free(b);
		return 0;
	}
	if (e->state != ARP_PENDING) {
		e->state = ARP_PENDING;
		e->tries = 1;
		e->nheld = 0;
		list_init(&e->held);
		e->asked = net_now();
		e->when = e->asked + ARP_RETRY;
		send_request(nexthop);
		net_timer_hint(e->when);
	}
	/* Room: this address's oldest packets go first, never another's. */
	while (e->nheld > 0 && (e->nheld >= ARP_HOLD ||
	    held_bytes + b->len > ARP_HOLD_BYTES)) {
		net_buf_free(pop_held(e));
		net_stats.arp_queue_full++;
	}
	if (held_bytes + b->len > ARP_HOLD_BYTES) {
		net_buf_free(b);
		net_stats.arp_queue_full++;
		return 0;
	}
	list_push_back(&e->held, &b->link);
	e->nheld++;
	held_bytes += b->len;
	return 0;
}

void
net_arp_flush(void)
{
	int i;

	for (i = 0; i < ARP_SLOTS; i++)
		release(&cache[i]);
}

int
net_arp_held(void)
{
	int i, n = 0;

	for (i = 0; i < ARP_SLOTS; i++)
		n += cache[i].state == ARP_PENDING ? cache[i].nheld : 0;
	return n;
}

uint64_t
net_arp_timer(uint64_t now)
{
	struct arp_entry *e;
	uint64_t next = NET_NEVER;
	int i;

	for (i = 0; i < ARP_SLOTS; i++) {
		e = &cache[i];
		if (e->state == ARP_FREE)
			continue;
		if (e->when <= now) {
			if (e->state == ARP_RESOLVED || e->tries >= ARP_TRIES) {
				release(e);
				continue;
			}
			e->tries++;
			e->when = now + ARP_RETRY;
			send_request(e->ip);
		}
		next = MIN(next, e->when);
	}
	return next;
}
