/*
 * test_except.c: toro/except.h on the deterministic fake machine: user
 * exceptions caught across calls, nesting, handlers raising again,
 * volatile locals, uncaught exceptions ending only their thread, and
 * blocks left the wrong way.  (CPU faults need the real platforms: see
 * tests/sim/exceptions.sh and tests/native/exceptions.sh.)
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdint.h>
#include <string.h>

#include "hal/fake/fake.h"
#include "toro/toro.h"

#define MB (1024 * 1024)

__attribute__((noipa)) static void
raise_deep(int depth, int code)
{
	if (depth < 0)
		return;
	if (depth == 0)
		toro_raise(code, "raised %d deep", code);
	raise_deep(depth - 1, code);
}

static void *
catch_main(void *unused)
{
	volatile int caught = 0, after = 0;
	int i;

	for (i = 0; i < 100; i++) {
		TORO_TRY {
			raise_deep(i % 10, i);
			after = 1; /* never reached */
		} TORO_EXCEPT(e) {
			ck_assert_int_eq(e->kind, TORO_EXC_USER);
			ck_assert_int_eq(e->code, i);
			ck_assert_str_eq(toro_exception_name(e->kind),
			    "user exception");
			ck_assert_ptr_ne((void *)e->pc, NULL);
			ck_assert_uint_eq(e->addr, 0);
			caught++;
		} TORO_END;
	}
	ck_assert_int_eq(caught, 100);
	ck_assert_int_eq(after, 0);
	return NULL;
}

/* Raised from 0 to 9 calls down, a hundred times: all caught. */
START_TEST(user_exception_across_calls)
{
	ck_assert_int_eq(fake_run(1, 8 * MB, catch_main, NULL), 0);
}
END_TEST

static void *
message_main(void *unused)
{
	char big[300];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	TORO_TRY {
		toro_raise(7, "%s", big);
	} TORO_EXCEPT(e) {
		ck_assert_uint_eq(strlen(e->message), sizeof(e->message) - 1);
	} TORO_END;
	TORO_TRY {
		toro_raise(-TORO_EINVAL, "bad value %d in %s", 12, "field");
	} TORO_EXCEPT(e) {
		ck_assert_int_eq(e->code, -TORO_EINVAL);
		ck_assert_str_eq(e->message, "bad value 12 in field");
	} TORO_END;
	return NULL;
}

/* Messages are formatted and cut to fit. */
START_TEST(user_exception_message)
{
	ck_assert_int_eq(fake_run(1, 8 * MB, message_main, NULL), 0);
}
END_TEST

static char order[64];
static size_t norder;

static void
step(char c)
{
	ck_assert_uint_lt(norder, sizeof(order) - 1);
	order[norder++] = c;
}

__attribute__((noipa)) static void
middle(void)
{
	TORO_TRY {
		step('b');
		toro_raise(1, "inner");
	} TORO_EXCEPT(e) {
		step('c');
		ck_assert_int_eq(e->code, 1);
		toro_raise(2, "from a handler");
	} TORO_END;
	step('!'); /* skipped: the handler raised */
}

static void *
nesting_main(void *unused)
{
	TORO_TRY {
		step('a');
		TORO_TRY {
			middle();
		} TORO_EXCEPT(e) {
			ck_assert_int_eq(e->code, 2);
			step('d');
		} TORO_END;
		step('e');
		TORO_TRY {
			step('f');
		} TORO_EXCEPT(e) {
			step('!');
		} TORO_END;
		toro_raise(3, "outermost");
	} TORO_EXCEPT(e) {
		ck_assert_int_eq(e->code, 3);
		step('g');
	} TORO_END;
	step('h');
	return NULL;
}

/* Inner blocks catch first; a handler raises to the enclosing block. */
START_TEST(nesting)
{
	ck_assert_int_eq(fake_run(1, 8 * MB, nesting_main, NULL), 0);
	ck_assert_str_eq(order, "abcdefgh");
}
END_TEST

static void *
reraise_main(void *unused)
{
	struct toro_exception first;
	volatile int handlers = 0;

	TORO_TRY {
		TORO_TRY {
			TORO_TRY {
				raise_deep(3, 99);
			} TORO_EXCEPT(e) {
				first = *e;
				handlers++;
				toro_reraise(e);
			} TORO_END;
		} TORO_EXCEPT(e) {
			handlers++;
			toro_reraise(e);
		} TORO_END;
	} TORO_EXCEPT(e) {
		handlers++;
		ck_assert_mem_eq(e, &first, sizeof(first));
	} TORO_END;
	ck_assert_int_eq(handlers, 3);
	return NULL;
}

/* toro_reraise passes the same exception out, level by level. */
START_TEST(reraise)
{
	ck_assert_int_eq(fake_run(1, 8 * MB, reraise_main, NULL), 0);
}
END_TEST

static void *
volatile_main(void *unused)
{
	volatile int v = 1;

	TORO_TRY {
		v = 2;
		raise_deep(2, 0);
	} TORO_EXCEPT(e) {
		ck_assert_int_eq(v, 2);
		v = 3;
	} TORO_END;
	ck_assert_int_eq(v, 3);
	return NULL;
}

/* A volatile local changed in the body keeps its value in the handler. */
START_TEST(volatile_locals)
{
	ck_assert_int_eq(fake_run(1, 8 * MB, volatile_main, NULL), 0);
}
END_TEST

static volatile int ticks;
static int token; /* what the threads that end normally return */

static void *
dies(void *arg)
{
	toro_yield();
	raise_deep(2, 5);
	return arg;
}

static void *
ticks_on(void *arg)
{
	int i;

	for (i = 0; i < 10; i++) {
		ticks++;
		toro_yield();
	}
	return arg;
}

static void *
uncaught_main(void *unused)
{
	struct toro_thread *d, *a, *b;
	void *rd, *ra, *rb;

	ck_assert_int_eq(toro_thread_create(&a, 1, ticks_on, &token, NULL),
	    0);
	ck_assert_int_eq(toro_thread_create(&d, 1, dies, &token,
	    &(struct toro_thread_attr){ "doomed", 0 }), 0);
	ck_assert_int_eq(toro_thread_create(&b, 0, ticks_on, &token, NULL),
	    0);
	ck_assert_int_eq(toro_thread_join(d, &rd), 0);
	ck_assert_int_eq(toro_thread_join(a, &ra), 0);
	ck_assert_int_eq(toro_thread_join(b, &rb), 0);
	ck_assert_ptr_eq(rd, TORO_THREAD_ABORTED);
	ck_assert_ptr_eq(ra, &token);
	ck_assert_ptr_eq(rb, &token);
	ck_assert_int_eq(ticks, 20);
	/* This thread can still catch its own. */
	TORO_TRY {
		raise_deep(0, 1);
	} TORO_EXCEPT(e) {
		ticks++;
	} TORO_END;
	ck_assert_int_eq(ticks, 21);
	return NULL;
}

/* An uncaught exception ends its thread, reported; the others go on. */
START_TEST(uncaught_ends_the_thread)
{
	const char *out;

	ck_assert_int_eq(fake_run(2, 16 * MB, uncaught_main, NULL), 0);
	out = fake_console_output();
	ck_assert_ptr_ne(strstr(out, "uncaught exception in thread doomed"),
	    NULL);
	ck_assert_ptr_ne(strstr(out, "on CPU 1"), NULL);
	ck_assert_ptr_ne(strstr(out, "user exception: raised 5 deep"), NULL);
	ck_assert_ptr_ne(strstr(out, "backtrace:\n  #0 0x"), NULL);
	ck_assert_ptr_ne(strstr(out, "thread doomed ends"), NULL);
}
END_TEST

__attribute__((noipa)) static void
leave_early(void)
{
	TORO_TRY {
		return;
	} TORO_EXCEPT(e) {
	} TORO_END;
}

static void *
stale_try_main(void *unused)
{
	leave_early();
	TORO_TRY {
	} TORO_EXCEPT(e) {
	} TORO_END;
	return NULL;
}

static void *
stale_end_main(void *unused)
{
	TORO_TRY {
		leave_early();
	} TORO_EXCEPT(e) {
	} TORO_END;
	return NULL;
}

/* A block left by return is a bug the next block or its end reports. */
START_TEST(stale_blocks_panic)
{
	ck_assert_int_eq(fake_run(1, 8 * MB, _i ? stale_end_main :
	    stale_try_main, NULL), 125);
	ck_assert_ptr_ne(strstr(fake_console_output(), _i ?
	    "out of order" : "left by return"), NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("except");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, user_exception_across_calls);
	tcase_add_test(tc, user_exception_message);
	tcase_add_test(tc, nesting);
	tcase_add_test(tc, reraise);
	tcase_add_test(tc, volatile_locals);
	tcase_add_test(tc, uncaught_ends_the_thread);
	tcase_add_loop_test(tc, stale_blocks_panic, 0, 2);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
