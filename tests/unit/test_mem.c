/*
 * test_mem.c: the allocator on the fake machine: every size class,
 * alignment and no overlap, remote free, out of memory, realloc and
 * calloc, the page allocator's reuse.
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdint.h>
#include <string.h>

#include "core/mem/mem.h"
#include "hal/fake/fake.h"
#include "toro/toro.h"

#define MB (1024 * 1024)

static void
fill(void *p, size_t n, unsigned seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(seed + i * 7);
}

static int
check_fill(const void *p, size_t n, unsigned seed)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)(seed + i * 7))
			return 0;
	return 1;
}

/* Every size from 1 to 9000, then large ones: aligned, usable, intact. */
static void *
sizes_main(void *unused)
{
	static void *p[9100];
	size_t n;

	for (n = 1; n < 9100; n++) {
		p[n] = toro_malloc(n);
		ck_assert_ptr_nonnull(p[n]);
		ck_assert_uint_eq((uintptr_t)p[n] % 16, 0);
		ck_assert_uint_ge(toro_malloc_usable_size(p[n]), n);
		fill(p[n], n, (unsigned)n);
	}
	for (n = 1; n < 9100; n++) {
		ck_assert(check_fill(p[n], n, (unsigned)n));
		toro_free(p[n]);
	}
	for (n = 10000; n < 40 * MB; n = n * 3 + 1) {
		void *q = toro_malloc(n);

		ck_assert_ptr_nonnull(q);
		ck_assert_uint_eq((uintptr_t)q % 16, 0);
		fill(q, n, 3);
		ck_assert(check_fill(q, n, 3));
		toro_free(q);
	}
	toro_free(NULL);
	return NULL;
}

START_TEST(every_size_class)
{
	ck_assert_int_eq(fake_run(1, 128 * MB, sizes_main, NULL), 0);
}
END_TEST

/* Blocks allocated on CPU 1 and freed on CPU 0 go back to CPU 1. */
enum { NBLK = 20000 };
static void *blocks[NBLK];

static void *
producer(void *arg)
{
	int i;

	for (i = 0; i < NBLK; i++) {
		blocks[i] = toro_malloc(64 + (size_t)(i % 5) * 100);
		if (blocks[i] == NULL)
			return (void *)1;
		fill(blocks[i], 64, (unsigned)i);
	}
	return NULL;
}

static void *
remote_main(void *unused)
{
	struct toro_mem_stats before, after;
	struct toro_thread *t;
	void *ret;
	int i, round;

	for (round = 0; round < 5; round++) {
		ck_assert_int_eq(toro_thread_create(&t, 1, producer, NULL,
		    NULL), 0);
		ck_assert_int_eq(toro_thread_join(t, &ret), 0);
		ck_assert_ptr_null(ret);
		if (round == 1)
			toro_mem_stats(&before);
		for (i = 0; i < NBLK; i++) {
			ck_assert(check_fill(blocks[i], 64, (unsigned)i));
			toro_free(blocks[i]);
		}
	}
	toro_sleep_ms(1);
	toro_mem_stats(&after);
	/* Rounds reuse what CPU 1 got back: no growth after round 1. */
	ck_assert_uint_ge(after.free_pages, before.free_pages);
	return NULL;
}

START_TEST(remote_free)
{
	ck_assert_int_eq(fake_run(2, 64 * MB, remote_main, NULL), 0);
}
END_TEST

/*
 * Heap in use per CPU: blocks count for the CPU that allocated them,
 * small and large, and stop counting once freed, even on another CPU
 * (after the owner takes them back).
 */
static void *
in_use_other(void *unused)
{
	int i;

	for (i = 0; i < NBLK; i++)
		toro_free(blocks[i]);
	return NULL;
}

static void *
in_use_main(void *unused)
{
	struct toro_mem_stats m0, m1, m2;
	struct toro_thread *t;
	void *big;
	int i;

	toro_mem_stats(&m0);
	ck_assert_int_eq(m0.ncpus, 2);
	for (i = 0; i < NBLK; i++)
		ck_assert_ptr_nonnull(blocks[i] = toro_malloc(100));
	ck_assert_ptr_nonnull(big = toro_malloc(1 << 20));
	toro_mem_stats(&m1);
	ck_assert_uint_eq(m1.cpu_in_use[0] - m0.cpu_in_use[0],
	    (size_t)NBLK * 112 + (1 << 20) + 4096);
	ck_assert_uint_eq(m1.cpu_in_use[1], m0.cpu_in_use[1]);
	ck_assert_uint_eq(m1.in_use, m1.cpu_in_use[0] + m1.cpu_in_use[1]);
	toro_free(big);
	ck_assert_int_eq(toro_thread_create(&t, 1, in_use_other, NULL, NULL),
	    0);
	ck_assert_int_eq(toro_thread_join(t, NULL), 0);
	mem_cpu_reclaim();
	toro_mem_stats(&m2);
	ck_assert_uint_eq(m2.cpu_in_use[0], m0.cpu_in_use[0]);
	return NULL;
}

START_TEST(in_use_per_cpu)
{
	ck_assert_int_eq(fake_run(2, 64 * MB, in_use_main, NULL), 0);
}
END_TEST

/* Exhausting memory gives NULL; freeing makes it usable again. */
static void *
oom_main(void *unused)
{
	static void *p[100000];
	size_t n = 0, i, sizes[] = { 48, 3000, 100000 };
	int k;

	for (k = 0; k < 3; k++) {
		n = 0;
		while ((p[n] = toro_malloc(sizes[k])) != NULL) {
			n++;
			ck_assert_uint_lt(n, 100000);
		}
		ck_assert_uint_gt(n, 0);
		ck_assert_ptr_null(toro_malloc(4 * MB));
		for (i = 0; i < n; i++)
			toro_free(p[i]);
	}
	ck_assert_ptr_null(toro_malloc(SIZE_MAX));
	ck_assert_ptr_null(toro_malloc(SIZE_MAX - 8));
	ck_assert_ptr_null(toro_calloc(SIZE_MAX / 2, 3));
	ck_assert_ptr_nonnull(p[0] = toro_malloc(MB));
	toro_free(p[0]);
	return NULL;
}

START_TEST(out_of_memory)
{
	ck_assert_int_eq(fake_run(1, 4 * MB, oom_main, NULL), 0);
}
END_TEST

/*
 * The page allocator reuses what was freed before memory never touched
 * (the sim's RAM is faulted in on first touch): a ring of buffers that
 * turns over many times stays within a few buffers' worth of addresses.
 * Aligned cuts give every byte back.
 */
static void *
reuse_main(void *unused)
{
	enum { RING = 4, BUF = 64 * 1024 };
	void *ring[RING] = { NULL }, *a, *b;
	uintptr_t lo = UINTPTR_MAX, hi = 0, p;
	size_t free0;
	int i;

	for (i = 0; i < 10000; i++) {
		mem_page_free(ring[i % RING], BUF);
		ring[i % RING] = mem_page_alloc(BUF, MEM_PAGE);
		ck_assert_ptr_nonnull(ring[i % RING]);
		p = (uintptr_t)ring[i % RING];
		lo = p < lo ? p : lo;
		hi = p + BUF > hi ? p + BUF : hi;
	}
	ck_assert_uint_le(hi - lo, (RING + 1) * BUF);
	for (i = 0; i < RING; i++)
		mem_page_free(ring[i], BUF);
	free0 = mem_page_free_bytes();
	ck_assert_ptr_nonnull(a = mem_page_alloc(MEM_PAGE, MEM_PAGE));
	ck_assert_ptr_nonnull(b = mem_page_alloc(3 * MEM_PAGE, MB));
	ck_assert_uint_eq((uintptr_t)b % MB, 0);
	mem_page_free(a, MEM_PAGE);
	ck_assert_ptr_eq(mem_page_alloc(MEM_PAGE, MEM_PAGE), a);
	mem_page_free(a, MEM_PAGE);
	mem_page_free(b, 3 * MEM_PAGE);
	ck_assert_uint_eq(mem_page_free_bytes(), free0);
	return NULL;
}

START_TEST(page_reuse)
{
	ck_assert_int_eq(fake_run(1, 64 * MB, reuse_main, NULL), 0);
}
END_TEST

/* realloc keeps contents across small/large moves; calloc zeroes. */
static void *
realloc_main(void *unused)
{
	size_t sizes[] = { 10, 100, 5000, 9000, 200000, 64, 3, 70000, 1 };
	size_t i, have = 0;
	unsigned char *p = NULL, *z;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = toro_realloc(p, sizes[i]);
		ck_assert_ptr_nonnull(p);
		if (have > 0)
			ck_assert(check_fill(p, have < sizes[i] ? have :
			    sizes[i], 9));
		fill(p, sizes[i], 9);
		have = sizes[i];
	}
	ck_assert_ptr_null(toro_realloc(p, 0));
	z = toro_malloc(5000);
	memset(z, 0xaa, 5000);
	toro_free(z);
	z = toro_calloc(50, 100);
	for (i = 0; i < 5000; i++)
		ck_assert_uint_eq(z[i], 0);
	toro_free(z);
	return NULL;
}

START_TEST(realloc_contents)
{
	ck_assert_int_eq(fake_run(1, 16 * MB, realloc_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_size_class);
	tcase_add_test(tc, remote_free);
	tcase_add_test(tc, in_use_per_cpu);
	tcase_add_test(tc, out_of_memory);
	tcase_add_test(tc, realloc_contents);
	tcase_add_test(tc, page_reuse);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
