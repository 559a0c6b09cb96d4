/*
 * net/fuzz.c: frames into the whole network stack (Ethernet, ARP,
 * IPv4, ICMP, UDP, DHCP, DNS, TCP) on a fresh fake machine per input.
 *
 * The machine has one CPU and the fake NIC; the harness plays the peer
 * 10.0.2.2 (MAC 02:00:00:00:00:02) and the applications: a TCP echo
 * server listening on port 80, a UDP echo on port 7, a client that
 * connects from port 40001 to the peer's port 9000, and a DNS lookup.
 *
 * Input: byte 0 picks the setup (bit 0: DHCP, else the static address
 * 10.0.2.15/24 and, before the input, an established connection to port
 * 80 from the peer's port 40000).  Then records, each
 *	flags (1 byte), length (2 bytes, big-endian), frame (length bytes)
 * flags bits 0-3: after the frame the virtual clock advances by
 * 2^bits * 100 us (0: 1 us), so timers run between frames; bit 4 (fix):
 * IPv4 total length and checksum, UDP length and UDP, TCP and ICMP
 * checksums filled in; bit 5 (rel, with fix): what a real peer would
 * have learnt from the stack filled in: TCP sequence and ack numbers are
 * relative to each side's initial one, and a UDP datagram from port 53
 * or 67 answers the stack's last DNS query or DHCP message (its port and
 * ID, or its xid).  At the end the clock runs on for 10 minutes.
 *
 * Every frame the stack sends is checked: our MAC as the source, a
 * valid IPv4 header and total length.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/net/net.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakenet.h"
#include "hal/hal.h"
#include "tests/fuzz/machine.h"
#include "toro/socket.h"
#include "toro/toro.h"

#define OUR_IP TORO_IPV4(10, 0, 2, 15)
#define PEER_IP TORO_IPV4(10, 0, 2, 2)
#define US 1000ull
#define SEC 1000000000ull
#define TUPLES 16

#define F_STEP 0x0f
#define F_FIX 0x10
#define F_REL 0x20

static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

/* What the peer knows of each TCP connection: both initial numbers. */
struct tuple {
	uint16_t peer_port, our_port;
	uint32_t peer_iss, our_iss;
	bool have_peer, have_our;
};

static struct {
	const uint8_t *data;
	size_t size;
	bool dhcp;
	struct tuple t[TUPLES];
	int nt;
	uint16_t dns_port, dns_id; /* the last query the stack sent */
	uint32_t xid;		   /* the last DHCP xid it sent */
} fz;

static struct tuple *
tuple(uint16_t peer_port, uint16_t our_port, bool make)
{
	struct tuple *t;
	int i;

	for (i = 0; i < fz.nt; i++)
		if (fz.t[i].peer_port == peer_port &&
		    fz.t[i].our_port == our_port)
			return &fz.t[i];
	if (!make)
		return NULL;
	t = &fz.t[fz.nt < TUPLES ? fz.nt++ : TUPLES - 1];
	memset(t, 0, sizeof(*t));
	t->peer_port = peer_port;
	t->our_port = our_port;
	return t;
}

static uint16_t
csum(uint32_t sum, const uint8_t *p, size_t n)
{
	return net_csum_fold(net_csum_add(sum, p, n));
}

/* Fill in lengths and checksums of an IPv4 frame (F_FIX). */
static void
fix(uint8_t *f, size_t len)
{
	uint8_t *ip = f + 14, *l4;
	size_t hl, l4len;
	uint32_t src, dst;
	uint16_t c;

	if (len < 34 || net_get16(f + 12) != 0x0800)
		return;
	hl = (size_t)(ip[0] & 15) * 4;
	if (hl < 20 || 14 + hl > len || len - 14 > 0xffff)
		return;
	net_put16(ip + 2, (uint16_t)(len - 14));
	net_put16(ip + 10, 0);
	net_put16(ip + 10, csum(0, ip, hl));
	l4 = ip + hl;
	l4len = len - 14 - hl;
	src = net_get32(ip + 12);
	dst = net_get32(ip + 16);
	if (ip[9] == 6 && l4len >= 20) {
		net_put16(l4 + 16, 0);
		net_put16(l4 + 16,
		    csum(net_csum_pseudo(src, dst, 6, (uint16_t)l4len), l4,
			l4len));
	} else if (ip[9] == 17 && l4len >= 8) {
		net_put16(l4 + 4, (uint16_t)l4len);
		net_put16(l4 + 6, 0);
		c = csum(
		    net_csum_pseudo(src, dst, 17, (uint16_t)l4len), l4, l4len);
		net_put16(l4 + 6, c == 0 ? 0xffff : c);
	} else if (ip[9] == 1 && l4len >= 4) {
		net_put16(l4 + 2, 0);
		net_put16(l4 + 2, csum(0, l4, l4len));
	}
}

/* Fill in what the peer learnt from the stack (F_REL). */
static void
relative(uint8_t *f, size_t len)
{
	uint8_t *ip = f + 14, *l4;
	struct tuple *t;
	size_t hl, l4len;
	uint16_t sport;

	if (len < 34 || net_get16(f + 12) != 0x0800)
		return;
	hl = (size_t)(ip[0] & 15) * 4;
	if (hl < 20 || 14 + hl > len)
		return;
	l4 = ip + hl;
	l4len = len - 14 - hl;
	if (ip[9] == 6 && l4len >= 20) {
		t = tuple(net_get16(l4), net_get16(l4 + 2), true);
		if (l4[13] & 0x02) {
			t->peer_iss = net_get32(l4 + 4);
			t->have_peer = true;
		} else if (t->have_peer) {
			net_put32(l4 + 4, net_get32(l4 + 4) + t->peer_iss);
		}
		if ((l4[13] & 0x10) && t->have_our)
			net_put32(l4 + 8, net_get32(l4 + 8) + t->our_iss);
	} else if (ip[9] == 17 && l4len >= 8) {
		sport = net_get16(l4);
		if (sport == 53 && l4len >= 10) {
			net_put16(l4 + 2, fz.dns_port);
			net_put16(l4 + 8, fz.dns_id);
		} else if (sport == 67 && l4len >= 8 + 8) {
			net_put32(l4 + 8 + 4, fz.xid);
		}
	}
}

/*
 * The peer's ARP packet: a request for us, or the answer for any other
 * address of the LAN (the peer is its gateway, DNS server and the rest,
 * as QEMU's user networking is).
 */
static void
arp_packet(int op, uint32_t spa, uint32_t tpa)
{
	uint8_t f[60] = { 0 };

	if (op == 1)
		memset(f, 0xff, 6);
	else
		memcpy(f, fake_net_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	net_put16(f + 12, 0x0806);
	net_put16(f + 14, 1);
	net_put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	net_put16(f + 20, (uint16_t)op);
	memcpy(f + 22, peer_mac, 6);
	net_put32(f + 28, spa);
	if (op == 2)
		memcpy(f + 32, fake_net_mac, 6);
	net_put32(f + 38, tpa);
	if (fake_net_inject(f, sizeof(f)) < 0)
		fuzz_fail("the receive queue is full");
}

static void
arp_answer(uint32_t tpa)
{
	if ((tpa >> 8) == (OUR_IP >> 8) && tpa != OUR_IP)
		arp_packet(2, tpa, OUR_IP);
}

/* Check and learn from one frame the stack sent. */
static void
learn(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *l4;
	size_t hl, tot;
	struct tuple *t;

	if (len < 14 || memcmp(f + 6, fake_net_mac, 6) != 0)
		fuzz_fail("a frame of %zu bytes not from our MAC", len);
	if (net_get16(f + 12) == 0x0806 && len >= 42 &&
	    net_get16(f + 20) == 1) {
		arp_answer(net_get32(f + 38));
		return;
	}
	if (net_get16(f + 12) != 0x0800)
		return;
	if (len < 34 || (ip[0] >> 4) != 4)
		fuzz_fail("a bad IPv4 frame of %zu bytes", len);
	hl = (size_t)(ip[0] & 15) * 4;
	tot = net_get16(ip + 2);
	if (hl < 20 || tot < hl || 14 + tot > len)
		fuzz_fail("IPv4 lengths: header %zu, total %zu, frame %zu", hl,
		    tot, len);
	if (csum(0, ip, hl) != 0)
		fuzz_fail("a bad IPv4 header checksum");
	l4 = ip + hl;
	if (ip[9] == 6 && tot - hl >= 20 && (l4[13] & 0x02)) {
		t = tuple(net_get16(l4 + 2), net_get16(l4), true);
		t->our_iss = net_get32(l4 + 4);
		t->have_our = true;
	} else if (ip[9] == 17 && tot - hl >= 8 + 4) {
		if (net_get16(l4 + 2) == 53) {
			fz.dns_port = net_get16(l4);
			fz.dns_id = net_get16(l4 + 8);
		} else if (net_get16(l4 + 2) == 67 && tot - hl >= 8 + 8) {
			fz.xid = net_get32(l4 + 8 + 4);
		}
	}
}

static void
drain(void)
{
	uint8_t f[HAL_NET_FRAME_MAX];
	size_t n;

	while ((n = fake_net_sent(f, sizeof(f))) > 0)
		learn(f, n);
}

/* Let the stack run for ns of virtual time, then read what it sent. */
static void
advance(uint64_t ns)
{
	toro_sleep_ns(ns);
	drain();
}

static void
inject(uint8_t *f, size_t len, int flags)
{
	if ((flags & (F_FIX | F_REL)) == (F_FIX | F_REL))
		relative(f, len);
	if (flags & F_FIX)
		fix(f, len);
	if (fake_net_inject(f, len) < 0) {
		/* The receive queue is full: let the stack empty it. */
		advance(US);
		(void)fake_net_inject(f, len);
	}
}

/* A TCP segment from the peer, relative numbers as in F_REL. */
static void
peer_tcp(
    uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags)
{
	uint8_t f[14 + 20 + 24] = { 0 };

	memcpy(f, fake_net_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	net_put16(f + 12, 0x0800);
	f[14] = 0x45;
	f[14 + 8] = 64;
	f[14 + 9] = 6;
	net_put32(f + 14 + 12, PEER_IP);
	net_put32(f + 14 + 16, OUR_IP);
	net_put16(f + 34, sport);
	net_put16(f + 34 + 2, dport);
	net_put32(f + 34 + 4, seq);
	net_put32(f + 34 + 8, ack);
	f[34 + 12] = 6 << 4; /* 24 bytes: an MSS option */
	f[34 + 13] = flags;
	net_put16(f + 34 + 14, 65535);
	f[34 + 20] = 2;
	f[34 + 21] = 4;
	net_put16(f + 34 + 22, 1460);
	inject(f, sizeof(f), F_FIX | F_REL);
}

static void *
echo(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[2048];
	long n;

	while ((n = toro_recv(fd, buf, sizeof(buf), 0)) > 0)
		if (toro_send(fd, buf, (size_t)n, 0) < 0)
			break;
	toro_close(fd);
	return NULL;
}

static void
spawn(void *(*fn)(void *), intptr_t arg)
{
	struct toro_thread *t;

	if (toro_thread_create(&t, 0, fn, (void *)arg, NULL) == 0)
		toro_thread_detach(t);
}

static void *
server(void *arg)
{
	int l = (int)(intptr_t)arg, fd, n;

	for (n = 0; n < 8 && (fd = toro_accept(l, NULL)) >= 0; n++)
		spawn(echo, fd);
	return NULL;
}

static void *
udp_echo(void *unused)
{
	struct toro_sockaddr_in me = { TORO_AF_INET, 7, 0 }, from;
	char buf[2048];
	long n;
	int s;

	if ((s = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0)) < 0 ||
	    toro_bind(s, &me) < 0)
		return NULL;
	while ((n = toro_recvfrom(s, buf, sizeof(buf), 0, &from)) >= 0)
		toro_sendto(s, buf, (size_t)n, 0, &from);
	return NULL;
}

static void *
client(void *unused)
{
	struct toro_sockaddr_in me = { TORO_AF_INET, 40001, 0 };
	struct toro_sockaddr_in peer = { TORO_AF_INET, 9000, PEER_IP };
	int s;

	if ((s = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0)) < 0)
		return NULL;
	if (toro_bind(s, &me) == 0 && toro_connect(s, &peer) == 0 &&
	    toro_send(s, "hello\n", 6, 0) == 6)
		return echo((void *)(intptr_t)s);
	toro_close(s);
	return NULL;
}

static void *
resolver(void *unused)
{
	uint32_t a;

	(void)toro_resolve("fuzz.example", &a, 5 * SEC);
	(void)toro_resolve("www.fuzz.example", &a, 5 * SEC);
	return NULL;
}

static void
setup(void)
{
	struct toro_sockaddr_in me = { TORO_AF_INET, 80, 0 };
	int l;

	if (net_start(0) < 0)
		fuzz_fail("net_start failed");
	advance(US);
	if (!fz.dhcp) {
		/* The peer asks for us: the stack learns its MAC. */
		arp_packet(1, PEER_IP, OUR_IP);
		advance(US);
	}
	if ((l = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0)) < 0 ||
	    toro_bind(l, &me) < 0 || toro_listen(l, 4) < 0)
		fuzz_fail("no listening socket");
	spawn(server, l);
	spawn(udp_echo, 0);
	spawn(client, 0);
	spawn(resolver, 0);
	advance(US);
	if (!fz.dhcp) {
		/* The established connection: peer port 40000 to 80. */
		peer_tcp(40000, 80, 1000, 0, 0x02);
		advance(US);
		peer_tcp(40000, 80, 1, 1, 0x10);
		advance(US);
	}
}

/* FUZZ_TRACE=1: what an input did, to see a seed reach its target. */
static void
trace(void)
{
	struct toro_net_stats st;

	toro_net_stats(&st);
	fprintf(stderr,
	    "net: rx %llu tx %llu arp %llu/%llu ip %llu icmp "
	    "%llu/%llu udp %llu/%llu (no port %llu) tcp %llu/%llu conns "
	    "%llu estab %llu passive %llu active %llu resets %llu retrans "
	    "%llu errs %llu dhcp %llu/%llu leases %llu\n",
	    (unsigned long long)st.rx_frames, (unsigned long long)st.tx_frames,
	    (unsigned long long)st.arp_in, (unsigned long long)st.arp_out,
	    (unsigned long long)st.ip_in, (unsigned long long)st.icmp_in,
	    (unsigned long long)st.icmp_out, (unsigned long long)st.udp_in,
	    (unsigned long long)st.udp_out, (unsigned long long)st.udp_no_port,
	    (unsigned long long)st.tcp_in, (unsigned long long)st.tcp_out,
	    (unsigned long long)st.tcp_conns,
	    (unsigned long long)st.tcp_established,
	    (unsigned long long)st.tcp_passive_opens,
	    (unsigned long long)st.tcp_active_opens,
	    (unsigned long long)st.tcp_resets,
	    (unsigned long long)st.tcp_retrans,
	    (unsigned long long)st.tcp_in_errs, (unsigned long long)st.dhcp_in,
	    (unsigned long long)st.dhcp_out,
	    (unsigned long long)st.dhcp_leases);
	fprintf(stderr, "%s", fake_console_output());
}

static void *
run(void *unused)
{
	uint8_t f[HAL_NET_FRAME_MAX];
	const uint8_t *p = fz.data + 1, *end = fz.data + fz.size;
	size_t len;
	int flags, i;

	setup();
	while (end - p >= 3) {
		flags = p[0];
		len = (size_t)p[1] << 8 | p[2];
		p += 3;
		if (len > (size_t)(end - p))
			len = (size_t)(end - p);
		if (len > sizeof(f))
			len = sizeof(f);
		memcpy(f, p, len);
		p += len;
		inject(f, len, flags);
		advance((flags & F_STEP) == 0 ? US
					      : (100 * US) << (flags & F_STEP));
	}
	for (i = 0; i < 60; i++)
		advance(10 * SEC);
	if (getenv("FUZZ_TRACE") != NULL)
		trace();
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	memset(&fz, 0, sizeof(fz));
	fz.data = data;
	fz.size = size;
	fz.dhcp = data[0] & 1;
	fuzz_machine_reset();
	fake_set_cmdline(
	    fz.dhcp ? "" : "ip=10.0.2.15/24 gw=10.0.2.2 dns=10.0.2.3");
	fuzz_machine_run(1, 16u << 20, run, NULL);
	return 0;
}
