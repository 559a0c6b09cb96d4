/*
 * test_sched.c: the scheduler on the deterministic fake machine:
 * ordering, sleep deadlines, remote creation, join, mailboxes, thousands
 * of threads, bad arguments, events, the cross-CPU call and the exit's
 * freeze.
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdio.h>
#include <string.h>

#include "hal/fake/fake.h"
#include "toro/toro.h"

#define MB (1024 * 1024)

static char log_buf[4096];
static size_t log_len;

static void
logf_(const char *s)
{
	size_t n = strlen(s);

	ck_assert_uint_lt(log_len + n, sizeof(log_buf));
	memcpy(log_buf + log_len, s, n + 1);
	log_len += n;
}

/* Round robin: three threads yield in turn. */
static void *
yielder(void *arg)
{
	char s[8];
	int i;

	for (i = 1; i <= 3; i++) {
		snprintf(s, sizeof(s), "%s%d ", (char *)arg, i);
		logf_(s);
		toro_yield();
	}
	return NULL;
}

static void *
order_main(void *unused)
{
	struct toro_thread *t[3];
	static char *names[] = { "A", "B", "C" };
	int i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(toro_thread_create(&t[i], 0, yielder,
		    names[i], NULL), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(toro_thread_join(t[i], NULL), 0);
	return NULL;
}

START_TEST(round_robin_order)
{
	ck_assert_int_eq(fake_run(1, 8 * MB, order_main, NULL), 0);
	ck_assert_str_eq(log_buf, "A1 B1 C1 A2 B2 C2 A3 B3 C3 ");
}
END_TEST

/* Sleepers wake in deadline order, exactly at their deadline. */
static uint64_t woke[4];

static void *
sleeper(void *arg)
{
	int i = (int)(intptr_t)arg;
	char s[8];

	toro_sleep_ms((uint64_t)(4 - i) * 10);
	woke[i] = toro_time_ns();
	snprintf(s, sizeof(s), "%d ", i);
	logf_(s);
	return NULL;
}

static void *
sleep_main(void *unused)
{
	struct toro_thread *t[4];
	int i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(toro_thread_create(&t[i], i % toro_cpu_count(),
		    sleeper, (void *)(intptr_t)i, NULL), 0);
	for (i = 0; i < 4; i++)
		toro_thread_join(t[i], NULL);
	return NULL;
}

START_TEST(sleep_deadlines)
{
	int ncpu = _i == 0 ? 1 : 3, i;

	ck_assert_int_eq(fake_run(ncpu, 8 * MB, sleep_main, NULL), 0);
	if (ncpu == 1)
		ck_assert_str_eq(log_buf, "3 2 1 0 ");
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(woke[i], (uint64_t)(4 - i) * 10000000);
}
END_TEST

/* Threads run where they were created, including from another CPU. */
static void *
report_cpu(void *arg)
{
	return (void *)(intptr_t)toro_cpu_id();
}

static void *
spawner(void *arg)
{
	struct toro_thread *t;
	void *ret;
	int target = (int)(intptr_t)arg;

	ck_assert_int_eq(toro_thread_create(&t, target, report_cpu, NULL,
	    NULL), 0);
	ck_assert_int_eq(toro_thread_join(t, &ret), 0);
	return ret;
}

static void *
remote_main(void *unused)
{
	struct toro_thread *t;
	void *ret;
	int cpu;

	for (cpu = 0; cpu < 4; cpu++) {
		ck_assert_int_eq(toro_thread_create(&t, cpu, report_cpu, NULL,
		    NULL), 0);
		ck_assert_int_eq(toro_thread_join(t, &ret), 0);
		ck_assert_int_eq((int)(intptr_t)ret, cpu);
	}
	/* CPU 1 creates a thread on CPU 3; CPU 0 joins the creator. */
	ck_assert_int_eq(toro_thread_create(&t, 1, spawner, (void *)3, NULL),
	    0);
	ck_assert_int_eq(toro_thread_join(t, &ret), 0);
	ck_assert_int_eq((int)(intptr_t)ret, 3);
	return NULL;
}

START_TEST(remote_create_and_join)
{
	ck_assert_int_eq(fake_run(4, 16 * MB, remote_main, NULL), 0);
}
END_TEST

/* Thousands of threads spread over CPUs, all joined, memory returned. */
static int counter[4];

static void *
bump(void *arg)
{
	counter[toro_cpu_id()]++;
	toro_yield();
	return arg;
}

static void *
many_main(void *unused)
{
	enum { N = 5000 };
	static struct toro_thread *t[N];
	struct toro_mem_stats before, after;
	void *ret;
	int i, round;

	for (round = 0; round < 2; round++) {
		toro_mem_stats(&before);
		for (i = 0; i < N; i++)
			ck_assert_int_eq(toro_thread_create(&t[i], i % 4, bump,
			    (void *)(intptr_t)i, &(struct toro_thread_attr){
			    .stack_size = 16384 }), 0);
		for (i = 0; i < N; i++) {
			ck_assert_int_eq(toro_thread_join(t[i], &ret), 0);
			ck_assert_int_eq((int)(intptr_t)ret, i);
		}
		toro_sleep_ms(1); /* let every CPU reap and reclaim */
		toro_mem_stats(&after);
		/* A second round must not need more pages than the first. */
		if (round == 1)
			ck_assert_uint_ge(after.free_pages + 64 * 1024 * 4,
			    before.free_pages);
	}
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(counter[i], 2 * N / 4);
	return NULL;
}

START_TEST(thousands_of_threads)
{
	ck_assert_int_eq(fake_run(4, 256 * MB, many_main, NULL), 0);
}
END_TEST

/* Mailboxes: ping-pong across CPUs keeps order and content. */
struct note {
	struct toro_msg msg;
	int n;
};

static struct toro_mbox *to_b, *to_a;

static void *
echo(void *unused)
{
	struct toro_msg *m;
	int n;

	for (;;) {
		ck_assert_int_eq(toro_mbox_recv(to_b, &m, TORO_FOREVER), 0);
		/* After the send the note is the sender's: read it first. */
		n = ++((struct note *)m)->n;
		toro_mbox_send(to_a, m);
		if (n > 2000)
			return NULL;
	}
}

static void *
mbox_main(void *unused)
{
	struct toro_thread *t;
	struct toro_msg *m;
	struct note notes[8];
	int i, round;

	ck_assert_int_eq(toro_mbox_create(&to_a), 0);
	ck_assert_int_eq(toro_mbox_create(&to_b), 0);
	ck_assert_int_eq(toro_mbox_recv(to_a, &m, 0), -TORO_EAGAIN);
	ck_assert_int_eq(toro_mbox_recv(to_a, &m, 5000000), -TORO_ETIMEDOUT);
	ck_assert_uint_eq(toro_time_ns(), 5000000);
	ck_assert_int_eq(toro_thread_create(&t, toro_cpu_count() - 1, echo,
	    NULL, NULL), 0);
	for (round = 0; round < 100; round++) {
		for (i = 0; i < 8; i++) {
			notes[i].n = round * 10 + i;
			toro_mbox_send(to_b, &notes[i].msg);
		}
		for (i = 0; i < 8; i++) {
			ck_assert_int_eq(toro_mbox_recv(to_a, &m, TORO_FOREVER),
			    0);
			ck_assert_ptr_eq(m, &notes[i].msg);
			ck_assert_int_eq(notes[i].n, round * 10 + i + 1);
		}
	}
	notes[0].n = 5000;
	toro_mbox_send(to_b, &notes[0].msg);
	ck_assert_int_eq(toro_mbox_recv(to_a, &m, TORO_FOREVER), 0);
	ck_assert_int_eq(toro_thread_join(t, NULL), 0);
	return NULL;
}

START_TEST(mailbox_ping_pong)
{
	ck_assert_int_eq(fake_run(_i + 1, 16 * MB, mbox_main, NULL), 0);
}
END_TEST

/* Errors: bad CPU, NULL function, joining oneself, detached threads. */
static void *
nothing(void *arg)
{
	return arg;
}

static void *
errors_main(void *unused)
{
	struct toro_thread *t;

	ck_assert_int_eq(toro_thread_create(&t, 2, nothing, NULL, NULL),
	    -TORO_EINVAL);
	ck_assert_int_eq(toro_thread_create(&t, -5, nothing, NULL, NULL),
	    -TORO_EINVAL);
	ck_assert_int_eq(toro_thread_create(&t, 0, NULL, NULL, NULL),
	    -TORO_EINVAL);
	ck_assert_int_eq(toro_thread_create(&t, 0, nothing, NULL,
	    &(struct toro_thread_attr){ .stack_size = 100 }), -TORO_EINVAL);
	ck_assert_int_eq(toro_thread_join(toro_thread_self(), NULL),
	    -TORO_EDEADLK);
	ck_assert_int_eq(toro_thread_create(&t, 1, nothing, NULL,
	    &(struct toro_thread_attr){ .name = "a-very-long-thread-name" }),
	    0);
	ck_assert_str_eq(toro_thread_name(t), "a-very-long-thr");
	ck_assert_int_eq(toro_thread_detach(t), 0);
	ck_assert_int_eq(toro_thread_join(t, NULL), -TORO_EINVAL);
	toro_sleep_ms(1);
	ck_assert_int_eq(toro_thread_create(&t, 0, nothing, NULL, NULL), 0);
	toro_yield();
	toro_yield();
	/* Detaching a thread that has already ended frees it. */
	ck_assert_int_eq(toro_thread_detach(t), 0);
	return NULL;
}

START_TEST(bad_arguments)
{
	ck_assert_int_eq(fake_run(2, 8 * MB, errors_main, NULL), 0);
}
END_TEST

/* A machine whose threads all wait forever is reported, not hung. */
static void *
wait_forever(void *unused)
{
	struct toro_mbox *mb;
	struct toro_msg *m;

	ck_assert_int_eq(toro_mbox_create(&mb), 0);
	toro_mbox_recv(mb, &m, TORO_FOREVER);
	return NULL;
}

START_TEST(deadlock_detected)
{
	ck_assert_int_eq(fake_run(2, 8 * MB, wait_forever, NULL),
	    FAKE_DEADLOCK);
}
END_TEST

/* The host's stop request ends the machine with status 130. */
static void *
stop_main(void *unused)
{
	fake_post_stop();
	toro_sleep_ms(1000);
	return (void *)1;
}

START_TEST(stop_request)
{
	ck_assert_int_eq(fake_run(1, 8 * MB, stop_main, NULL), 130);
	ck_assert_ptr_nonnull(strstr(fake_console_output(), "stopped"));
}
END_TEST

/* Console input wakes a reader blocked on another CPU. */
static void *
reader(void *unused)
{
	static char buf[16];
	int n = toro_console_read(buf, sizeof(buf) - 1);

	ck_assert_int_eq(n, 5);
	buf[n] = '\0';
	return buf;
}

static void *
console_main(void *unused)
{
	struct toro_thread *t;
	void *ret;

	ck_assert_int_eq(toro_thread_create(&t, 1, reader, NULL, NULL), 0);
	toro_sleep_ms(10);
	fake_console_input("hello");
	ck_assert_int_eq(toro_thread_join(t, &ret), 0);
	ck_assert_str_eq(ret, "hello");
	return NULL;
}

START_TEST(console_input)
{
	ck_assert_int_eq(fake_run(2, 8 * MB, console_main, NULL), 0);
}
END_TEST

/* Device events reach their handler even on a CPU that never idles. */
#include "core/sched/sched.h"

static int events_seen;

static void
on_net(void)
{
	events_seen++;
}

static void *
busy_main(void *unused)
{
	int i;

	ck_assert_int_eq(sched_on_event(HAL_EV_NET, on_net), 0);
	ck_assert_int_eq(sched_on_event(HAL_EV_KICK, on_net), -TORO_EINVAL);
	ck_assert_int_eq(sched_on_event(0x18, on_net), -TORO_EINVAL);
	for (i = 0; i < 3; i++) {
		fake_post(0, HAL_EV_NET);
		toro_yield();
		ck_assert_int_eq(events_seen, i + 1);
	}
	return NULL;
}

START_TEST(events_on_busy_cpu)
{
	ck_assert_int_eq(fake_run(1, 8 * MB, busy_main, NULL), 0);
}
END_TEST

/*
 * The cross-CPU call: answered at once by the serving CPU's scheduler,
 * answered later by a thread there, and refused in a handler, which
 * cannot sleep.
 */
static struct sched_call *parked;
static struct toro_thread *replier;
static long handler_result;

/* Answers which CPU served it. */
static void
serve_now(struct sched_call *c)
{
	sched_reply(c, 40 + toro_cpu_id());
}

static void
serve_later(struct sched_call *c)
{
	parked = c;
	sched_wake(replier);
}

static void *
reply_main(void *unused)
{
	while (parked == NULL)
		sched_block(HAL_NO_DEADLINE, "test");
	toro_sleep_ms(5);
	sched_reply(parked, -7);
	return NULL;
}

static void
call_in_handler(void)
{
	struct sched_call c;

	handler_result = sched_call(1, &c, serve_now, "test");
}

static void *
call_main(void *unused)
{
	struct sched_call c;
	uint64_t t0;

	ck_assert_int_eq(sched_call(1, &c, serve_now, "test"), 41);
	ck_assert_int_eq(sched_call(0, &c, serve_now, "test"), 40);
	ck_assert_int_eq(toro_thread_create(&replier, 2, reply_main, NULL,
	    NULL), 0);
	t0 = toro_time_ns();
	ck_assert_int_eq(sched_call(2, &c, serve_later, "test"), -7);
	ck_assert_uint_ge(toro_time_ns() - t0, 5000000);
	ck_assert_int_eq(toro_thread_join(replier, NULL), 0);
	ck_assert_int_eq(sched_on_event(HAL_EV_NET, call_in_handler), 0);
	fake_post(0, HAL_EV_NET);
	toro_yield();
	ck_assert_int_eq(handler_result, -TORO_EDEADLK);
	return NULL;
}

START_TEST(cross_cpu_call)
{
	ck_assert_int_eq(fake_run(3, 8 * MB, call_main, NULL), 0);
}
END_TEST

/*
 * After sched_freeze() only the caller and the kernel's threads run:
 * threads that yield, on this CPU or another, and one that sleeps stop
 * at their next pass through the scheduler (and never count again); a
 * SCHED_THREAD_SYSTEM one goes on.
 */
static int counts[4];

static void *
freeze_counter(void *arg)
{
	int i = (int)(intptr_t)arg;

	/* The fake's clock moves only while every CPU waits: all sleep. */
	for (;;) {
		__atomic_add_fetch(&counts[i], 1, __ATOMIC_RELAXED);
		if (i != 2)
			toro_yield();
		__atomic_add_fetch(&counts[i], 1, __ATOMIC_RELAXED);
		toro_sleep_ms(1);
	}
	return NULL;
}

static void *
freeze_main(void *unused)
{
	struct toro_thread_attr attr = { "sys", 0 };
	int before[4], i;

	ck_assert_int_eq(toro_thread_create(NULL, 0, freeze_counter, (void *)0,
	    NULL), 0);
	ck_assert_int_eq(toro_thread_create(NULL, 1, freeze_counter, (void *)1,
	    NULL), 0);
	ck_assert_int_eq(toro_thread_create(NULL, 1, freeze_counter, (void *)2,
	    NULL), 0);
	ck_assert_int_eq(sched_thread_create(NULL, 1, freeze_counter, (void *)3,
	    &attr, SCHED_THREAD_SYSTEM), 0);
	toro_sleep_ms(10);
	for (i = 0; i < 4; i++)
		ck_assert_int_gt(__atomic_load_n(&counts[i], __ATOMIC_RELAXED),
		    0);
	sched_freeze();
	toro_sleep_ms(5); /* each reaches its scheduler */
	for (i = 0; i < 4; i++)
		before[i] = __atomic_load_n(&counts[i], __ATOMIC_RELAXED);
	toro_sleep_ms(20);
	toro_yield(); /* the caller still runs */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(__atomic_load_n(&counts[i], __ATOMIC_RELAXED),
		    before[i]);
	ck_assert_int_gt(__atomic_load_n(&counts[3], __ATOMIC_RELAXED),
	    before[3]);
	return NULL;
}

START_TEST(freeze)
{
	ck_assert_int_eq(fake_run(2, 8 * MB, freeze_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, round_robin_order);
	tcase_add_loop_test(tc, sleep_deadlines, 0, 2);
	tcase_add_test(tc, remote_create_and_join);
	tcase_add_test(tc, thousands_of_threads);
	tcase_add_loop_test(tc, mailbox_ping_pong, 0, 4);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, deadlock_detected);
	tcase_add_test(tc, stop_request);
	tcase_add_test(tc, console_input);
	tcase_add_test(tc, events_on_busy_cpu);
	tcase_add_test(tc, cross_cpu_call);
	tcase_add_test(tc, freeze);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
