/*
 * test_tcp_offload.c: the TCP engine with a NIC that offloads
 * (tcp_link.h's nic and lro): partial checksums the NIC finishes, TSO
 * segments it cuts, coalesced segments it hands over whole with the
 * checksum vouched for; and without offloads, none of it.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/tcp_link.h"
#include "toro/errno.h"

static struct link lk;

/* A's config with the NIC's offloads. */
static void
offload_config(struct tcp_config *cfg)
{
	link_default_config(&lk, 0, cfg);
	cfg->csum_offload = true;
	cfg->tso_max = 65535 - 80;
}

static void
bulk(uint64_t total)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };

	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	link_bulk(&lk, 0, a, b, total);
	ck_assert(link_run(&lk, lk.now + 120 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
}

/* TSO: 4 MiB in runs of up to 44 segments, cut by the NIC, all whole. */
TCP_TEST(tso_bulk)
{
	struct tcp_config ca;
	const struct tcp_stats *sa, *sb;

	memset(&lk, 0, sizeof(lk));
	offload_config(&ca);
	link_init(&lk, &ca, NULL);
	lk.nic[0] = true;
	bulk(4 << 20);
	sa = tcp_stack_stats(lk.st[0]);
	sb = tcp_stack_stats(lk.st[1]);
	ck_assert_uint_gt(sa->out_tso_segs, 10);
	ck_assert_uint_gt(lk.cut[0], 4 * sa->out_tso_segs);
	/* The pseudo-header sums A left were right: nothing was dropped. */
	ck_assert_uint_eq(sb->in_csum_errs, 0);
	ck_assert_uint_eq(sa->out_retrans, 0);
	ck_assert_uint_eq(sa->out_data_bytes, 4 << 20);
	fprintf(stderr, "# tso_bulk: %llu segments sent, %llu TSO, %llu "
	    "pieces cut\n", (unsigned long long)sa->out_segs,
	    (unsigned long long)sa->out_tso_segs,
	    (unsigned long long)lk.cut[0]);
	link_free(&lk);
	return NULL;
}

/* TSO under 2% loss and reordering: recovery works on the pieces. */
TCP_TEST(tso_lossy)
{
	struct tcp_config ca;

	memset(&lk, 0, sizeof(lk));
	offload_config(&ca);
	link_init(&lk, &ca, NULL);
	lk.nic[0] = true;
	lk.loss[0] = 20;
	lk.reorder[0] = 50;
	lk.reorder_extra = 2 * MS;
	bulk(2 << 20);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[0])->out_tso_segs, 0);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[0])->out_retrans, 0);
	link_free(&lk);
	return NULL;
}

/* Coalesced segments of up to 64 KiB into B, checksum vouched for. */
TCP_TEST(lro_bulk)
{
	struct tcp_config ca;
	const struct tcp_stats *sb;

	memset(&lk, 0, sizeof(lk));
	offload_config(&ca);
	link_init(&lk, &ca, NULL);
	lk.nic[0] = true;
	lk.lro[1] = true;
	bulk(4 << 20);
	sb = tcp_stack_stats(lk.st[1]);
	ck_assert_uint_gt(lk.coalesced[0], 10);
	ck_assert_uint_eq(sb->in_csum_errs, 0);
	ck_assert_uint_eq(sb->in_hdr_errs, 0);
	link_free(&lk);
	return NULL;
}

/* Without offloads: whole checksums, nothing above the MSS. */
TCP_TEST(no_offload)
{
	memset(&lk, 0, sizeof(lk));
	link_init(&lk, NULL, NULL);
	/* link_output asserts every segment is plain and fits the MTU. */
	bulk(1 << 20);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->out_tso_segs, 0);
	ck_assert_uint_eq(lk.cut[0], 0);
	/* tso_max without csum_offload is refused too. */
	{
		struct tcp_config c;
		struct tcp_stack *s;

		link_default_config(&lk, 0, &c);
		c.tso_max = 60000;
		s = tcp_stack_new(&c);
		ck_assert_ptr_nonnull(s);
		tcp_stack_free(s);
	}
	link_free(&lk);
	return NULL;
}

/*
 * A corrupt checksum: dropped when software checks it, taken when the
 * buffer says the NIC verified it.
 */
TCP_TEST(checksum_trust)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info ib;
	struct net_buf *nb;
	uint8_t seg[128];
	const struct tcp_stats *sb;
	uint64_t errs;
	size_t n;
	int pass;

	memset(&lk, 0, sizeof(lk));
	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	sb = tcp_stack_stats(lk.st[1]);
	for (pass = 0; pass < 2; pass++) {
		tcp_get_info(b, &ib);
		n = seg_build(seg, A_ADDR, B_ADDR, ib.rport, ib.lport,
		    ib.rcv_nxt, ib.snd_nxt, F_ACK | F_PSH, 8192, NULL, 0,
		    "hello", 5);
		seg[17] ^= 0x5a; /* the checksum is wrong now */
		nb = net_buf_alloc(n);
		ck_assert_ptr_nonnull(nb);
		memcpy(net_buf_put(nb, n), seg, n);
		nb->csum = pass == 0 ? NET_CSUM_NONE : NET_CSUM_OK;
		errs = sb->in_csum_errs;
		tcp_input(lk.st[1], nb, A_ADDR, B_ADDR);
		if (pass == 0) {
			ck_assert_uint_eq(sb->in_csum_errs, errs + 1);
			ck_assert_uint_eq(tcp_readable(b), 0);
		} else {
			ck_assert_uint_eq(sb->in_csum_errs, errs);
			ck_assert_uint_eq(tcp_readable(b), 5);
		}
	}
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_offload");
	TCase *tc = tcase_create("offload");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, tso_bulk);
	tcase_add_test(tc, tso_lossy);
	tcase_add_test(tc, lro_bulk);
	tcase_add_test(tc, no_offload);
	tcase_add_test(tc, checksum_trust);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
