/*
 * faults: a Toro application that takes every kind of fault on purpose,
 * for tests/sim/exceptions.sh and tests/native/exceptions.sh (it is built
 * for both targets).
 *
 *	faults catch KIND	main, then a thread on the last CPU, take
 *				KIND three times each and catch it
 *	faults worker KIND	a thread on the last CPU takes KIND uncaught
 *				while another one there keeps running
 *	faults main KIND	main takes KIND uncaught (status 123)
 *	faults nested		blocks nested in a function and across calls
 *	faults reraise		handlers raising again, faults and user ones
 *	faults neighbour	a stack overflow next to a thread whose
 *				stack holds a pattern, which must survive
 *	faults reuse		ten threads in turn overflow their stacks on
 *				main's CPU: the later ones get the stacks of
 *				the earlier ones, which must still be guarded
 *	faults stale		a block left by return, then another block
 *				(a kernel panic: status 125)
 *
 * KIND is divide, null, opcode, protection, overflow or user; the
 * function that faults is crash_KIND, which the reports must name.
 * Prints what it sees; returns 0 when everything was as expected.
 */
#include <stdint.h>
#include <string.h>
#include <toro/toro.h>

struct kind {
	const char *name;
	int kind;
	int (*crash)(int);
};

/*
 * Volatile and noipa: the compiler must not see the faults coming.  The
 * faults are the point: UBSan must let the CPU take them.
 */
static volatile int zero;
static volatile int stop;
static int *volatile nowhere;

__attribute__((noipa, no_sanitize("undefined"))) static int
crash_divide(int x)
{
	return x / zero;
}

__attribute__((noipa, no_sanitize("undefined"))) static int
crash_null(int x)
{
	return nowhere[x & 0];
}

__attribute__((noipa)) static int
crash_opcode(int x)
{
	__asm__ volatile("ud2");
	return x;
}

/* A non-canonical address: a general protection fault, not a #PF. */
__attribute__((noipa, no_sanitize("undefined"))) static int
crash_protection(int x)
{
	return *(volatile int *)(uintptr_t)0x8000000000000000ull + x;
}

__attribute__((noipa)) static int
crash_overflow(int x)
{
	volatile char frame[512];

	frame[0] = (char)x;
	if (stop)
		return frame[0];
	return crash_overflow(x + 1) + frame[0];
}

__attribute__((noipa)) static int
crash_user(int x)
{
	toro_raise(42, "user exception number %d", x);
}

static const struct kind kinds[] = {
	{ "divide", TORO_EXC_DIVIDE, crash_divide },
	{ "null", TORO_EXC_PAGE_FAULT, crash_null },
	{ "opcode", TORO_EXC_INVALID_OPCODE, crash_opcode },
	{ "protection", TORO_EXC_PROTECTION, crash_protection },
	{ "overflow", TORO_EXC_STACK_OVERFLOW, crash_overflow },
	{ "user", TORO_EXC_USER, crash_user },
};

static const struct kind *
find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* Take k three times, catching it; 0 when every catch was right. */
static int
catch_three(const struct kind *k, const char *where)
{
	volatile int caught = 0, i;

	for (i = 0; i < 3; i++) {
		TORO_TRY {
			k->crash(i);
			toro_printf("%s: %s did not fault\n", where, k->name);
		} TORO_EXCEPT(e) {
			if (e->kind == k->kind)
				caught++;
			toro_printf("%s: caught %s: %s\n", where,
			    toro_exception_name(e->kind), e->message);
		} TORO_END;
	}
	return caught == 3 ? 0 : 1;
}

static void *
catcher(void *arg)
{
	return (void *)(intptr_t)catch_three(arg, "worker");
}

static int
do_catch(const struct kind *k)
{
	struct toro_thread *t;
	void *ret;

	if (catch_three(k, "main") != 0)
		return 1;
	if (toro_thread_create(&t, toro_cpu_count() - 1, catcher, (void *)k,
	    NULL) < 0 || toro_thread_join(t, &ret) < 0 || ret != NULL)
		return 1;
	toro_printf("catch %s ok\n", k->name);
	return 0;
}

static void *
victim(void *arg)
{
	const struct kind *k = arg;

	toro_yield();
	return (void *)(intptr_t)k->crash(1);
}

static void *
bystander(void *arg)
{
	int i;

	for (i = 0; i < 5; i++) {
		toro_printf("bystander %d\n", i);
		toro_sleep_ms(10);
	}
	return arg;
}

static int
do_worker(const struct kind *k)
{
	struct toro_thread_attr va = { "victim", 0 }, ba = { "bystander", 0 };
	struct toro_thread *v, *b;
	int cpu = toro_cpu_count() - 1;
	void *rv, *rb;

	if (toro_thread_create(&b, cpu, bystander, &ba, &ba) < 0 ||
	    toro_thread_create(&v, cpu, victim, (void *)k, &va) < 0)
		return 1;
	if (toro_thread_join(v, &rv) < 0 || toro_thread_join(b, &rb) < 0)
		return 1;
	toro_printf("victim %s, bystander %s\n",
	    rv == TORO_THREAD_ABORTED ? "aborted" : "returned",
	    rb == &ba ? "done" : "wrong");
	if (rv != TORO_THREAD_ABORTED || rb != &ba)
		return 1;
	toro_printf("main goes on\n");
	return 0;
}

/* Nesting: inner blocks catch first; handlers raise to the outer ones. */
__attribute__((noipa)) static void
inner_raise(volatile int *steps)
{
	TORO_TRY {
		*steps += 1;
		toro_raise(1, "inner");
	} TORO_EXCEPT(e) {
		*steps += 10;
		toro_raise(2, "from the inner handler");
	} TORO_END;
}

static int
do_nested(void)
{
	volatile int steps = 0, outer_ran = 0, code = 0;

	TORO_TRY {
		TORO_TRY {
			crash_null(0);
		} TORO_EXCEPT(e) {
			steps += 100; /* the inner block catches */
		} TORO_END;
		TORO_TRY {
			inner_raise(&steps);
		} TORO_EXCEPT(e) {
			code = e->code; /* 2: raised by the inner handler */
		} TORO_END;
		steps += 1000; /* the outer body goes on */
	} TORO_EXCEPT(e) {
		outer_ran = 1;
	} TORO_END;
	toro_printf("steps %d, code %d, outer handler %d\n", steps, code,
	    outer_ran);
	if (steps != 1111 || code != 2 || outer_ran)
		return 1;
	/* A block that ends quietly leaves the outer one in charge. */
	TORO_TRY {
		TORO_TRY {
		} TORO_EXCEPT(e) {
			outer_ran = 1;
		} TORO_END;
		crash_user(7);
	} TORO_EXCEPT(e) {
		code = e->kind == TORO_EXC_USER ? e->code : -1;
	} TORO_END;
	if (outer_ran || code != 42)
		return 1;
	toro_printf("nested ok\n");
	return 0;
}

static int
do_reraise(void)
{
	struct toro_exception first = { 0 };
	volatile int levels = 0;

	TORO_TRY {
		TORO_TRY {
			crash_null(0);
		} TORO_EXCEPT(e) {
			first = *e;
			levels++;
			toro_reraise(e);
		} TORO_END;
	} TORO_EXCEPT(e) {
		levels++;
		if (e->kind != TORO_EXC_PAGE_FAULT || e->pc != first.pc ||
		    e->addr != 0 || strcmp(e->message, first.message) != 0)
			return 1;
	} TORO_END;
	TORO_TRY {
		TORO_TRY {
			crash_user(3);
		} TORO_EXCEPT(e) {
			levels++;
			toro_reraise(e);
		} TORO_END;
	} TORO_EXCEPT(e) {
		levels++;
		if (e->kind != TORO_EXC_USER || e->code != 42 ||
		    strcmp(e->message, "user exception number 3") != 0)
			return 1;
	} TORO_END;
	if (levels != 4)
		return 1;
	toro_printf("reraise ok\n");
	return 0;
}

/* A thread whose stack holds a pattern while its neighbour overflows. */
static volatile int overflowed;

static void *
patterned(void *arg)
{
	volatile unsigned char buf[8192];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 1);
	while (!overflowed)
		toro_yield();
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != (unsigned char)(i * 7 + 1))
			return NULL;
	return arg;
}

static void *
overflower(void *arg)
{
	int r = catch_three(&kinds[4], "overflower");

	overflowed = 1;
	return (void *)(intptr_t)r;
}

static int
do_neighbour(void)
{
	struct toro_thread_attr small = { "overflower", 16 * 1024 };
	struct toro_thread *p, *o;
	void *rp, *ro;
	int cpu = toro_cpu_count() - 1;

	if (toro_thread_create(&p, cpu, patterned, &small, NULL) < 0 ||
	    toro_thread_create(&o, cpu, overflower, NULL, &small) < 0 ||
	    toro_thread_join(o, &ro) < 0 || toro_thread_join(p, &rp) < 0)
		return 1;
	toro_printf("overflower %s, pattern %s\n", ro == NULL ? "ok" : "bad",
	    rp == &small ? "intact" : "damaged");
	return ro == NULL && rp == &small ? 0 : 1;
}

static int
do_reuse(void)
{
	struct toro_thread *t;
	void *ret;
	int i;

	for (i = 0; i < 10; i++)
		if (toro_thread_create(&t, TORO_CPU_SELF, overflower, NULL,
		    NULL) < 0 || toro_thread_join(t, &ret) < 0 || ret != NULL)
			return 1;
	toro_printf("reuse ok\n");
	return 0;
}

__attribute__((noipa)) static void
leave_by_return(void)
{
	TORO_TRY {
		return;
	} TORO_EXCEPT(e) {
	} TORO_END;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const struct kind *k = find(argc > 2 ? argv[2] : NULL);

	if (strcmp(mode, "catch") == 0 && k != NULL)
		return do_catch(k);
	if (strcmp(mode, "worker") == 0 && k != NULL)
		return do_worker(k);
	if (strcmp(mode, "main") == 0 && k != NULL) {
		k->crash(0);
		return 0;
	}
	if (strcmp(mode, "nested") == 0)
		return do_nested();
	if (strcmp(mode, "reraise") == 0)
		return do_reraise();
	if (strcmp(mode, "neighbour") == 0)
		return do_neighbour();
	if (strcmp(mode, "reuse") == 0)
		return do_reuse();
	if (strcmp(mode, "stale") == 0) {
		leave_by_return();
		TORO_TRY {
			crash_user(1);
		} TORO_EXCEPT(e) {
		} TORO_END;
		return 0;
	}
	toro_printf("usage: faults catch|worker|main KIND | nested | "
	    "reraise | neighbour | reuse | stale\n");
	return 2;
}
