/*
 * test_lib.c: the core's small libraries: printf formatting (judged by
 * the host's snprintf), the command line split, error names, and the
 * MPSC queue under real host threads.
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/lib/lib.h"
#include "core/lib/fmt.h"
#include "core/lib/mpsc.h"
#include "toro/toro.h"

static int
kfmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lib_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#define SAME(...)                                                        \
	do {                                                             \
		char a[128], b[128];                                     \
		int na = kfmt(a, sizeof(a), __VA_ARGS__);                \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);            \
		ck_assert_str_eq(a, b);                                  \
		ck_assert_int_eq(na, nb);                                \
	} while (0)

START_TEST(printf_like_libc)
{
	char small[5];

	SAME("plain");
	SAME("%d|%i|%u", -42, 17, 4000000000u);
	SAME("%5d|%-5d|%05d|%+d|% d", 42, 42, 42, 42, 42);
	SAME("%x|%X|%#x|%08x|%o|%#o", 0xbeef, 0xbeef, 255, 0x1f, 8, 8);
	SAME("%ld|%lld|%lu|%llx", -1L, -9000000000LL, 1UL << 63, ~0ULL);
	SAME("%zu|%zd|%hhd|%hu", (size_t)123, (ssize_t)-5, 300, 70000);
	SAME("%d|%d|%lld|%llu|%li|%zu|%u", INT_MIN, 0, LLONG_MIN, ULLONG_MAX,
	    LONG_MAX, (size_t)0, 0u);
	SAME("%s%s|%d%s|%%%d%%|%lx", "", "a", 9, "b", 5, 0xabcUL);
	SAME("%s|%10s|%-10s|%.2s|%c|%%", "abc", "right", "left", "xyz", 'q');
	SAME("%.3d|%.0d|%8.3d", 7, 0, -7);
	SAME("%*d|%-*d|%.*s", 6, 1, 6, 2, 3, "abcdef");
	SAME("%f|%.2f|%.0f|%8.3f|%-8.1f|%f", 3.14159, -2.005, 2.5, 1.0 / 3,
	    9.99, 0.0);
	SAME("%.1f|%.3f", 0.05, 123456.0009);
	SAME("%.2f|%.2f|%.2f|%.1f", 0.125, 0.375, 1.005, 0.25);
	SAME("%.17f|%.0f|%.0f|%f", 1e-20, 0.5, 1.5, 1e15 + 0.3);
	SAME("%.3f|%f", 999.9999, 123456789.987654321);
	SAME("%p", (void *)0x1234);
	ck_assert_int_eq(kfmt(small, sizeof(small), "%s", "truncated"), 9);
	ck_assert_str_eq(small, "trun");
}
END_TEST

START_TEST(command_line_split)
{
	/*
	 * Kernel options, NAME=value words for the environment, the rest
	 * for argv; after --, everything is argv.  A word with = whose left
	 * side is not an identifier (a URL with a query, 1x=2) is argv.
	 */
	ck_assert_int_eq(lib_cmdline_parse(
	    "stack=128 foo loglevel=debug bar=baz \"two words\" _B2=\"a b=c\" "
	    "http://h/?q=1 1x=2 =v -- stack=1 x y=z"),
	    0);
	ck_assert_int_eq(lib_argc(), 9);
	ck_assert_str_eq(lib_argv()[0], "toro");
	ck_assert_str_eq(lib_argv()[1], "foo");
	ck_assert_str_eq(lib_argv()[2], "two words");
	ck_assert_str_eq(lib_argv()[3], "http://h/?q=1");
	ck_assert_str_eq(lib_argv()[4], "1x=2");
	ck_assert_str_eq(lib_argv()[5], "=v");
	ck_assert_str_eq(lib_argv()[6], "stack=1");
	ck_assert_str_eq(lib_argv()[7], "x");
	ck_assert_str_eq(lib_argv()[8], "y=z");
	ck_assert_ptr_null(lib_argv()[9]);
	ck_assert_str_eq(lib_environ()[0], "bar=baz");
	ck_assert_str_eq(lib_environ()[1], "_B2=a b=c");
	ck_assert_ptr_null(lib_environ()[2]);
	ck_assert_str_eq(lib_option("stack"), "128");
	ck_assert_str_eq(lib_option("loglevel"), "debug");
	ck_assert_ptr_null(lib_option("bar"));
	ck_assert_int_eq(lib_cmdline_parse("   "), 0);
	ck_assert_int_eq(lib_argc(), 1);
	ck_assert_ptr_null(lib_environ()[0]);
	ck_assert_ptr_null(lib_option("stack"));
}
END_TEST

START_TEST(command_line_too_long)
{
	static char line[20000];

	memset(line, 'a', sizeof(line) - 1);
	ck_assert_int_eq(lib_cmdline_parse(line), -TORO_E2BIG);
	memset(line, 0, sizeof(line));
	for (int i = 0; i < 300; i++)
		strcat(line, "w ");
	ck_assert_int_eq(lib_cmdline_parse(line), -TORO_E2BIG);
	/* 64 environment words fit, the 65th does not. */
	memset(line, 0, sizeof(line));
	for (int i = 0; i < 64; i++)
		strcat(line, "E=v ");
	ck_assert_int_eq(lib_cmdline_parse(line), 0);
	ck_assert_ptr_null(lib_environ()[64]);
	strcat(line, "E=v");
	ck_assert_int_eq(lib_cmdline_parse(line), -TORO_E2BIG);
}
END_TEST

START_TEST(error_names)
{
	ck_assert_str_eq(toro_strerror(-TORO_ENOMEM), "out of memory");
	ck_assert_str_eq(toro_strerror(TORO_ETIMEDOUT), "timed out");
	ck_assert_str_eq(toro_strerror(0), "success");
	ck_assert_str_eq(toro_strerror(-9999), "unknown error");
}
END_TEST

/* Four host threads push; one pops; per-producer order must hold. */
enum { PRODUCERS = 4, PER = 200000 };

struct item {
	struct mpsc_node node;
	int producer, seq;
};

static struct mpsc_queue q;
static struct item items[PRODUCERS][PER];

static void *
produce(void *arg)
{
	int p = (int)(intptr_t)arg, i;

	for (i = 0; i < PER; i++) {
		items[p][i].producer = p;
		items[p][i].seq = i;
		lib_mpsc_push(&q, &items[p][i].node);
	}
	return NULL;
}

START_TEST(mpsc_many_producers)
{
	pthread_t th[PRODUCERS];
	int next[PRODUCERS] = { 0 }, got = 0, p;
	struct mpsc_node *n;
	struct item *it;

	lib_mpsc_init(&q);
	for (p = 0; p < PRODUCERS; p++)
		pthread_create(&th[p], NULL, produce, (void *)(intptr_t)p);
	while (got < PRODUCERS * PER) {
		n = lib_mpsc_pop(&q);
		if (n == NULL)
			continue;
		it = (struct item *)n;
		ck_assert_int_eq(it->seq, next[it->producer]);
		next[it->producer]++;
		got++;
	}
	for (p = 0; p < PRODUCERS; p++)
		pthread_join(th[p], NULL);
	ck_assert_ptr_null(lib_mpsc_pop(&q));
	ck_assert(!lib_mpsc_ready(&q));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, printf_like_libc);
	tcase_add_test(tc, command_line_split);
	tcase_add_test(tc, command_line_too_long);
	tcase_add_test(tc, error_names);
	tcase_add_test(tc, mpsc_many_producers);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
