/*
 * test_net_dns.c: the DNS resolver: queries as RFC 1035 spells them,
 * replies judged (answers, CNAME chains, errors, forgeries, truncated
 * and fuzzed messages), and toro_resolve() against a scripted server on
 * the fake machine's NIC: a lost query asked again, forged replies
 * ignored, an unknown name, a server that never answers.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/net/net.h"
#include "core/net/stack.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakenet.h"
#include "tests/unit/net_util.h"
#include "tests/unit/unit.h"

/* Off the LAN, so its packets go through the primed gateway. */
#define SERVER FAR_IP

/* The query for www.example.org with ID 0x1234. */
static uint8_t q[300];
static size_t qlen;

static void
make_query(void)
{
	long n = net_dns_query("www.example.org", 0x1234, q, sizeof(q));

	ck_assert_int_gt(n, 0);
	qlen = (size_t)n;
}

/* A reply to q: header (flags, answer count), the question, then rest. */
static size_t
reply(uint8_t *m, uint16_t flags, uint16_t ancount, const void *rest,
    size_t restlen)
{
	memcpy(m, q, qlen);
	net_put16(m + 2, flags);
	net_put16(m + 6, ancount);
	/* memcpy's pointers must be valid even for 0 bytes (C11 7.24.1). */
	if (restlen > 0)
		memcpy(m + qlen, rest, restlen);
	return qlen + restlen;
}

/* An A record for the question's name (a pointer to offset 12). */
static const uint8_t a_rec[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
	93, 184, 216, 34 };

START_TEST(query_format)
{
	static const uint8_t want[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0,
		0, 0, 0, 0, 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l',
		'e', 3, 'o', 'r', 'g', 0, 0, 1, 0, 1 };
	char name[300];
	uint8_t b[300];

	make_query();
	ck_assert_uint_eq(qlen, sizeof(want));
	ck_assert(memcmp(q, want, sizeof(want)) == 0);
	/* A trailing dot is the same name. */
	ck_assert_int_eq(net_dns_query("www.example.org.", 0x1234, b,
	    sizeof(b)), (long)qlen);
	ck_assert(memcmp(b, want, sizeof(want)) == 0);
	ck_assert_int_eq(net_dns_query("", 1, b, sizeof(b)), -TORO_EINVAL);
	ck_assert_int_eq(net_dns_query(".", 1, b, sizeof(b)), -TORO_EINVAL);
	ck_assert_int_eq(net_dns_query("a..b", 1, b, sizeof(b)),
	    -TORO_EINVAL);
	ck_assert_int_eq(net_dns_query(".a", 1, b, sizeof(b)), -TORO_EINVAL);
	memset(name, 'x', 64);
	name[64] = '\0';
	ck_assert_int_eq(net_dns_query(name, 1, b, sizeof(b)), -TORO_EINVAL);
	name[63] = '\0';
	ck_assert_int_gt(net_dns_query(name, 1, b, sizeof(b)), 0);
	/* 253 characters is the most a name has. */
	memset(name, 'x', 253);
	for (int i = 50; i < 253; i += 51)
		name[i] = '.';
	name[253] = '\0';
	ck_assert_int_gt(net_dns_query(name, 1, b, sizeof(b)), 0);
	name[253] = 'x';
	name[254] = '\0';
	ck_assert_int_eq(net_dns_query(name, 1, b, sizeof(b)), -TORO_EINVAL);
	ck_assert_int_eq(net_dns_query("www.example.org", 1, b, 20),
	    -TORO_ENOBUFS);
}
END_TEST

START_TEST(replies)
{
	uint8_t m[600], rest[100];
	uint32_t a = 0;
	size_t n;

	make_query();
	n = reply(m, 0x8180, 1, a_rec, sizeof(a_rec));
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), 0);
	ck_assert_uint_eq(a, FAR_IP);
	/* The server may change the case of the question. */
	m[13] = 'W';
	a = 0;
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), 0);
	ck_assert_uint_eq(a, FAR_IP);
	/* A CNAME to cdn.example.org, then that name's A record. */
	memcpy(rest, (const uint8_t[]){ 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0,
	    6, 3, 'c', 'd', 'n', 0xc0, 16 }, 18);
	memcpy(rest + 18, (const uint8_t[]){ 0xc0, 0, 0, 1, 0, 1, 0, 0, 0,
	    60, 0, 4, 10, 1, 2, 3 }, 16);
	rest[19] = (uint8_t)(qlen + 12); /* the CNAME's rdata */
	n = reply(m, 0x8180, 2, rest, 34);
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), 0);
	ck_assert_uint_eq(a, TORO_IPV4(10, 1, 2, 3));
	/* Records of other types are stepped over; none left: no address. */
	memcpy(rest, (const uint8_t[]){ 0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0,
	    16 }, 12);
	memset(rest + 12, 0xfe, 16);
	n = reply(m, 0x8180, 1, rest, 28);
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_ENOENT);
	n = reply(m, 0x8180, 0, NULL, 0);
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_ENOENT);
	/* Errors the server states. */
	n = reply(m, 0x8183, 0, NULL, 0);
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_ENOENT);
	n = reply(m, 0x8185, 0, NULL, 0);
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_ECONNREFUSED);
	n = reply(m, 0x8182, 0, NULL, 0);
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_EIO);
	/* Truncated with no address in what came. */
	n = reply(m, 0x8380, 0, NULL, 0);
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_EIO);
}
END_TEST

/* Not answers to our question: ignored (1), never an error. */
START_TEST(not_ours)
{
	uint8_t m[600];
	uint32_t a = 0;
	size_t n;

	make_query();
	n = reply(m, 0x8180, 1, a_rec, sizeof(a_rec));
	m[1] ^= 1; /* another ID */
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), 1);
	n = reply(m, 0x0180, 1, a_rec, sizeof(a_rec)); /* a query, not QR */
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), 1);
	n = reply(m, 0x8980, 1, a_rec, sizeof(a_rec)); /* opcode 1 */
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), 1);
	n = reply(m, 0x8180, 1, a_rec, sizeof(a_rec));
	m[14] = 'x'; /* another name */
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), 1);
	n = reply(m, 0x8180, 1, a_rec, sizeof(a_rec));
	m[qlen - 3] = 28; /* another type */
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), 1);
	ck_assert_int_eq(net_dns_reply(m, 11, q, qlen, &a), 1);
	ck_assert_uint_eq(a, 0);
}
END_TEST

/* Lengths and pointers that lead outside the message. */
START_TEST(malformed)
{
	uint8_t m[600], rest[40];
	uint32_t a = 0;
	size_t n, k;

	make_query();
	/* Every truncation of a good reply: never an address. */
	n = reply(m, 0x8180, 1, a_rec, sizeof(a_rec));
	for (k = 0; k < n; k++)
		ck_assert_int_ne(net_dns_reply(m, k, q, qlen, &a), 0);
	/* rdlength past the end. */
	memcpy(rest, a_rec, sizeof(a_rec));
	rest[11] = 200;
	n = reply(m, 0x8180, 1, rest, sizeof(a_rec));
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_EIO);
	/* A pointer forward (to itself), a reserved label type. */
	n = reply(m, 0x8180, 1, (const uint8_t[]){ 0xc0, 0 }, 2);
	m[qlen + 1] = (uint8_t)qlen;
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_EIO);
	n = reply(m, 0x8180, 1, (const uint8_t[]){ 0x80, 0, 0, 1, 0, 1, 0,
	    0, 0, 0, 0, 4, 1, 2, 3, 4 }, 16);
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_EIO);
	/* A label running off the end; a huge answer count. */
	n = reply(m, 0x8180, 1, (const uint8_t[]){ 63, 'a', 'b' }, 3);
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_EIO);
	n = reply(m, 0x8180, 0xffff, a_rec, sizeof(a_rec));
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), 0);
	n = reply(m, 0x8180, 0xffff, a_rec, 4);
	ck_assert_int_eq(net_dns_reply(m, n, q, qlen, &a), -TORO_EIO);
	/* Random damage after the question: no crash, and any "found"
	 * address comes from inside the message. */
	srandom(7);
	for (k = 0; k < 20000; k++) {
		size_t len = qlen + (size_t)random() % 80;
		size_t j;

		reply(m, 0x8180, (uint16_t)(random() % 4), a_rec,
		    sizeof(a_rec));
		for (j = qlen; j < len; j++)
			if (j >= qlen + sizeof(a_rec) || random() % 4 == 0)
				m[j] = (uint8_t)random();
		(void)net_dns_reply(m, len, q, qlen, &a);
	}
}
END_TEST

/*
 * toro_resolve() against a scripted server.
 */

static int queries;
static uint8_t last[600];
static size_t last_len;
static uint16_t last_port;

/* Take the next query the stack sent to SERVER:53: 1, or 0 for none. */
static int
next_query(void)
{
	struct pkt p;

	if (take(&p) == 0)
		return 0;
	ck_assert_uint_eq(p.proto, 17);
	ck_assert_uint_eq(p.dst, SERVER);
	ck_assert_uint_eq(net_get16(p.l4 + 2), 53);
	last_port = net_get16(p.l4);
	last_len = p.l4len - 8;
	memcpy(last, p.l4 + 8, last_len);
	queries++;
	return 1;
}

/* Answer the last query from `from` with flags and the A record. */
static void
answer(uint32_t from, uint16_t id_xor, uint16_t flags, int with_a)
{
	uint8_t f[HAL_NET_FRAME_MAX], m[600];
	size_t n = last_len;

	memcpy(m, last, last_len);
	m[0] ^= (uint8_t)(id_xor >> 8);
	m[1] ^= (uint8_t)id_xor;
	net_put16(m + 2, flags);
	if (with_a) {
		net_put16(m + 6, 1);
		memcpy(m + n, a_rec, sizeof(a_rec));
		m[n + 12] = 10, m[n + 13] = 9, m[n + 14] = 8, m[n + 15] = 7;
		n += sizeof(a_rec);
	}
	fake_net_inject(f, mk_udp(f, from, 53, OUR_IP, last_port, m, n));
}

static void *
peer(void *unused)
{
	uint64_t t0;

	/* The first query is lost; the second, a second later, is answered
	 * after two forgeries. */
	while (!next_query())
		settle();
	t0 = toro_time_ns();
	toro_sleep_ns(999 * MS);
	ck_assert_int_eq(next_query(), 0);
	toro_sleep_ns(2 * MS);
	ck_assert_int_eq(next_query(), 1);
	ck_assert_uint_ge(toro_time_ns() - t0, 1000 * MS);
	answer(PEER_IP, 0, 0x8180, 1);   /* not the server */
	answer(SERVER, 0x0101, 0x8180, 1); /* another ID */
	settle();
	answer(SERVER, 0, 0x8180, 1);
	/* An unknown name. */
	while (!next_query())
		settle();
	answer(SERVER, 0, 0x8183, 0);
	/* Then silence: the resolver gives up at 5 s. */
	return NULL;
}

static void *
resolve_main(void *unused)
{
	struct toro_thread *t;
	uint32_t a = 0;
	uint64_t t0;

	start_static();
	prime_arp();
	ck_assert_int_eq(toro_resolve("10.1.2.3", &a, 0), 0);
	ck_assert_uint_eq(a, TORO_IPV4(10, 1, 2, 3));
	ck_assert_int_eq(fake_net_sent_count(), 0);
	ck_assert_int_eq(toro_thread_create(&t, 1, peer, NULL, NULL), 0);
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_resolve("www.example.org", &a, 0), 0);
	ck_assert_uint_eq(a, TORO_IPV4(10, 9, 8, 7));
	ck_assert_uint_lt(toro_time_ns() - t0, 1100 * MS);
	ck_assert_int_eq(toro_resolve("nosuch.example.org", &a, 0),
	    -TORO_ENOENT);
	ck_assert_int_eq(toro_thread_join(t, NULL), 0);
	ck_assert_int_eq(queries, 3);
	/* Nobody answers: asked at 0, 1 and 3 s, given up at 5 s. */
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_resolve("slow.example.org", &a, 0),
	    -TORO_ETIMEDOUT);
	ck_assert_uint_ge(toro_time_ns() - t0, 5000 * MS);
	ck_assert_uint_lt(toro_time_ns() - t0, 5100 * MS);
	while (next_query())
		;
	ck_assert_int_eq(queries, 6);
	ck_assert_int_eq(toro_resolve("bad..name", &a, 0), -TORO_EINVAL);
	return NULL;
}

START_TEST(resolve_against_server)
{
	net_cpu = 0;
	fake_set_cmdline(STATIC " dns=93.184.216.34");
	ck_assert_int_eq(fake_run(2, 16 * MB, resolve_main, NULL), 0);
}
END_TEST

static void *
no_server_main(void *unused)
{
	uint32_t a;

	start_static();
	ck_assert_int_eq(toro_resolve("www.example.org", &a, 0),
	    -TORO_ENETUNREACH);
	return NULL;
}

START_TEST(no_server)
{
	net_cpu = 0;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(1, 16 * MB, no_server_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net_dns");
	TCase *tc = tcase_create("net_dns");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, query_format);
	tcase_add_test(tc, replies);
	tcase_add_test(tc, not_ours);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, resolve_against_server);
	tcase_add_test(tc, no_server);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
