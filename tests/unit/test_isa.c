/*
 * test_isa.c: the x86-64 ISA layer (hal/x86_64) that every platform
 * shares: vectors made trap kinds, the words of a trap report, the one
 * register dump, frame-pointer walks and the prologue heuristics on
 * made-up stacks and code, jump.S's stack pointer, and where a trapped
 * thread resumes.
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdint.h>
#include <string.h>

#include "hal/hal.h"
#include "hal/x86_64/x86.h"
#include "toro/except.h"

static struct hal_trap
trap_of(int vector, uint64_t error, uintptr_t addr)
{
	struct hal_trap t;

	memset(&t, 0xa5, sizeof(t));
	hal_x86_trap(&t, vector, error, addr);
	return t;
}

START_TEST(vectors_become_kinds)
{
	static const struct {
		int vector;
		enum hal_trap_kind kind;
	} map[] = {
		{ 0, HAL_TRAP_DIVIDE },
		{ 1, HAL_TRAP_OTHER },
		{ 3, HAL_TRAP_OTHER },
		{ 6, HAL_TRAP_INVALID_OPCODE },
		{ 12, HAL_TRAP_PROTECTION },
		{ 13, HAL_TRAP_PROTECTION },
		{ 14, HAL_TRAP_PAGE_FAULT },
		{ 16, HAL_TRAP_ARITHMETIC },
		{ 17, HAL_TRAP_OTHER },
		{ 19, HAL_TRAP_ARITHMETIC },
	};
	struct hal_trap t;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		t = trap_of(map[i].vector, 4, 0x1234);
		ck_assert_int_eq(t.kind, map[i].kind);
		ck_assert_int_eq(t.code, map[i].vector);
		ck_assert_uint_eq(t.error, 4);
		/* Only a page fault has a data address. */
		ck_assert_uint_eq(t.addr, map[i].vector == 14 ? 0x1234 : 0);
	}
	ck_assert_str_eq(hal_x86_vector_name(14), "page fault");
	ck_assert_str_eq(hal_x86_vector_name(0), "divide error");
	ck_assert_str_eq(hal_x86_vector_name(32), "interrupt");
	ck_assert_str_eq(hal_x86_vector_name(-1), "interrupt");
}
END_TEST

/* The page-fault error code: present (1), write (2), fetch (16). */
START_TEST(page_fault_access)
{
	struct hal_trap t;

	t = trap_of(14, 0, 8);
	ck_assert_int_eq(t.access, HAL_ACCESS_READ);
	ck_assert(!t.denied);
	t = trap_of(14, 2, 8);
	ck_assert_int_eq(t.access, HAL_ACCESS_WRITE);
	ck_assert(!t.denied);
	t = trap_of(14, 3, 8);
	ck_assert_int_eq(t.access, HAL_ACCESS_WRITE);
	ck_assert(t.denied);
	t = trap_of(14, 16 | 1, 8);
	ck_assert_int_eq(t.access, HAL_ACCESS_EXECUTE);
	ck_assert(t.denied);
	/* The bits mean nothing in another vector's error code. */
	t = trap_of(13, 3, 8);
	ck_assert_int_eq(t.access, HAL_ACCESS_READ);
	ck_assert(!t.denied);
}
END_TEST

START_TEST(describe)
{
	struct hal_trap t;
	char buf[64];

	t = trap_of(13, 0, 0);
	hal_trap_describe(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vector 13, error 0x0");
	t = trap_of(12, 0x1a8, 0);
	hal_trap_describe(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vector 12, error 0x1a8");
	t = trap_of(17, 5, 0);
	hal_trap_describe(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vector 17");
	t = trap_of(3, 0, 0);
	hal_trap_describe(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vector 3");
	t = trap_of(200, 0, 0);
	hal_trap_describe(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vector 200");
	/* Cut to the buffer, and always terminated. */
	t = trap_of(13, 0xffff, 0);
	hal_trap_describe(&t, buf, 12);
	ck_assert_str_eq(buf, "vector 13, ");
	memset(buf, 'x', sizeof(buf));
	hal_trap_describe(&t, buf, 1);
	ck_assert_str_eq(buf, "");
	hal_trap_describe(&t, buf, 0);
	ck_assert_int_eq(buf[1], 'x');
}
END_TEST

/* The dump of register_dump's registers, line by line. */
static const char *const want_dump[] = {
	"rax 0000000000000000 rbx 0000000000000001 rcx 0000000000000002",
	"rdx 0000000000000003 rsi 0000000000000004 rdi 0000000000000005",
	"rbp 0000000000000006 rsp 0000000000000007 r8  0000000000000008",
	"r9  0000000000000009 r10 000000000000000a r11 000000000000000b",
	"r12 000000000000000c r13 000000000000000d r14 000000000000000e",
	"r15 ffffffffffffffff rip 00007f0012345678 rflags 00010246",
};

START_TEST(register_dump)
{
	struct hal_regs r;
	char line[96];
	int i;

	for (i = 0; i < HAL_X86_NREGS; i++)
		r.word[i] = (uint64_t)i;
	r.word[HAL_X86_R15] = UINT64_MAX;
	r.word[HAL_X86_RIP] = 0x7f0012345678;
	r.word[HAL_X86_RFLAGS] = 0x10246;
	for (i = 0; hal_regs_line(&r, i, line, sizeof(line)); i++) {
		ck_assert_int_lt(i, 6);
		ck_assert_str_eq(line, want_dump[i]);
	}
	ck_assert_int_eq(i, 6);
	ck_assert(!hal_regs_line(&r, -1, line, sizeof(line)));
	ck_assert(hal_regs_line(&r, 0, line, 9));
	ck_assert_str_eq(line, "rax 0000");
	ck_assert_uint_eq(hal_regs_pc(&r), 0x7f0012345678);
	ck_assert_uint_eq(hal_regs_sp(&r), 7);
	ck_assert_uint_eq(hal_regs_fp(&r), 6);
}
END_TEST

/* A stack of frames: {saved fp, return address} pairs, climbing. */
START_TEST(frame_walk)
{
	uintptr_t st[32], out[8];
	uintptr_t lo = (uintptr_t)st, hi = (uintptr_t)(st + 32);

	memset(st, 0, sizeof(st));
	st[2] = (uintptr_t)&st[6]; /* frame at st+2 */
	st[3] = 0x1111;
	st[6] = (uintptr_t)&st[10];
	st[7] = 0x2222;
	st[10] = (uintptr_t)&st[20];
	st[11] = 0x3333;
	st[20] = 0; /* the outermost frame: a zero return address */
	st[21] = 0;
	ck_assert_int_eq(hal_frames((uintptr_t)&st[2], lo, hi, out, 8), 3);
	ck_assert_uint_eq(out[0], 0x1111);
	ck_assert_uint_eq(out[1], 0x2222);
	ck_assert_uint_eq(out[2], 0x3333);
	/* At most max. */
	ck_assert_int_eq(hal_frames((uintptr_t)&st[2], lo, hi, out, 2), 2);
	/* A chain that leaves the bounds stops there. */
	ck_assert_int_eq(
	    hal_frames((uintptr_t)&st[2], lo, (uintptr_t)&st[11], out, 8), 2);
	ck_assert_int_eq(
	    hal_frames((uintptr_t)&st[2], (uintptr_t)&st[3], hi, out, 8), 0);
	/* A loop ends the walk: the chain must climb. */
	st[10] = (uintptr_t)&st[6];
	ck_assert_int_eq(hal_frames((uintptr_t)&st[2], lo, hi, out, 8), 3);
	/* Misaligned, or NULL with no lower bound: nothing. */
	ck_assert_int_eq(hal_frames((uintptr_t)&st[2] + 4, lo, hi, out, 8), 0);
	ck_assert_int_eq(hal_frames(0, 0, UINTPTR_MAX, out, 8), 0);
	ck_assert_int_eq(hal_frames(lo, lo, 8, out, 8), 0);
}
END_TEST

START_TEST(frameless_functions)
{
	static const uint8_t endbr_push[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x55,
		0x48, 0x89, 0xe5, 0x90 };
	static const uint8_t push[] = { 0x55, 0x48, 0x89, 0xe5, 0x90 };
	static const uint8_t leaf[] = { 0x8b, 0x05, 0, 0, 0, 0, 0xc3 };
	uintptr_t st[4] = { 0xaaaa, 0xbbbb, 0xcccc, 0xdddd };
	uintptr_t lo = (uintptr_t)st, hi = (uintptr_t)(st + 4);
	uintptr_t f = (uintptr_t)endbr_push, p = (uintptr_t)push;
	struct hal_regs r;

	memset(&r, 0, sizeof(r));
	r.word[HAL_X86_RSP] = (uintptr_t)st;
	/* Before the push, the return address is at sp... */
	r.word[HAL_X86_RIP] = f + 4;
	ck_assert_uint_eq(hal_frameless_return(&r, f, lo, hi), 0xaaaa);
	r.word[HAL_X86_RIP] = p;
	ck_assert_uint_eq(hal_frameless_return(&r, p, lo, hi), 0xaaaa);
	/* ...after it, one word up... */
	r.word[HAL_X86_RIP] = f + 5;
	ck_assert_uint_eq(hal_frameless_return(&r, f, lo, hi), 0xbbbb);
	r.word[HAL_X86_RIP] = p + 1;
	ck_assert_uint_eq(hal_frameless_return(&r, p, lo, hi), 0xbbbb);
	/* ...and once rbp is set, the chain has the caller. */
	r.word[HAL_X86_RIP] = f + 8;
	ck_assert_uint_eq(hal_frameless_return(&r, f, lo, hi), 0);
	/* A leaf never pushes: at sp anywhere in it. */
	r.word[HAL_X86_RIP] = (uintptr_t)leaf + 6;
	ck_assert_uint_eq(
	    hal_frameless_return(&r, (uintptr_t)leaf, lo, hi), 0xaaaa);
	/* Unknown function, or sp off the stack or misaligned: 0. */
	ck_assert_uint_eq(hal_frameless_return(&r, 0, lo, hi), 0);
	r.word[HAL_X86_RIP] = p;
	r.word[HAL_X86_RSP] = (uintptr_t)&st[3];
	ck_assert_uint_eq(hal_frameless_return(&r, p, lo, hi), 0);
	r.word[HAL_X86_RSP] = (uintptr_t)st + 4;
	ck_assert_uint_eq(hal_frameless_return(&r, p, lo, hi), 0);
	r.word[HAL_X86_RSP] = (uintptr_t)st;
	ck_assert_uint_eq(hal_frameless_return(&r, p, lo + 8, hi), 0);
}
END_TEST

static void
nowhere(void *arg)
{
}

START_TEST(resumption)
{
	uint64_t buf[HAL_JMP_WORDS] = { 0 };
	uintptr_t stack[64];
	uintptr_t top = (uintptr_t)&stack[60] + 3;
	struct hal_trap t;
	int x;

	buf[HAL_X86_JMP_SP] = 0x7000123;
	ck_assert_uint_eq(hal_jump_sp(buf), 0x7000123);
	hal_trap_resume_jump(&t, buf);
	ck_assert_uint_eq(t.resume_pc, (uintptr_t)hal_jump);
	ck_assert_uint_eq(t.resume_arg, (uintptr_t)buf);
	ck_assert_uint_lt(t.resume_sp, 0x7000123);
	ck_assert_uint_eq(t.resume_sp % 16, 0);

	/* As if called: 8 below a 16-byte boundary, a zero return. */
	memset(stack, 0xff, sizeof(stack));
	hal_trap_resume_call(&t, nowhere, &x, top);
	ck_assert_uint_eq(t.resume_pc, (uintptr_t)nowhere);
	ck_assert_uint_eq(t.resume_arg, (uintptr_t)&x);
	ck_assert_uint_eq(t.resume_sp % 16, 8);
	ck_assert_uint_lt(t.resume_sp, top);
	ck_assert_uint_ge(t.resume_sp + 24, top);
	ck_assert_uint_eq(*(uintptr_t *)t.resume_sp, 0);
}
END_TEST

/* jump.S saves the stack pointer its caller has after the call. */
__attribute__((noipa)) static uintptr_t
saved_sp(uint64_t *buf)
{
	toro_try_save((struct toro_try *)buf);
	return (uintptr_t)__builtin_frame_address(0);
}

START_TEST(jump_buffer_sp)
{
	struct toro_try f;
	uint64_t *buf = f.jmp;
	uintptr_t fp = saved_sp(buf);

	/* Below the caller's frame, above its own call. */
	ck_assert_uint_le(hal_jump_sp(buf), fp);
	ck_assert_uint_gt(hal_jump_sp(buf) + 4096, fp);
	ck_assert_uint_eq(hal_jump_sp(buf) % 8, 0);
}
END_TEST

__attribute__((noipa)) static uintptr_t
capture_here(struct hal_regs *r)
{
	hal_x86_capture(r);
	return (uintptr_t)__builtin_frame_address(0);
}

START_TEST(capture)
{
	struct hal_regs r;
	uintptr_t fp;

	memset(&r, 0, sizeof(r));
	fp = capture_here(&r);
	ck_assert_uint_eq(hal_regs_fp(&r), fp);
	ck_assert_uint_lt(hal_regs_sp(&r), fp + 1);
	ck_assert_uint_gt(hal_regs_sp(&r) + 4096, fp);
	ck_assert_uint_eq(r.word[HAL_X86_RDI], (uintptr_t)&r);
	/* Bit 1 of rflags always reads 1. */
	ck_assert_uint_eq(r.word[HAL_X86_RFLAGS] & 2, 2);
	/* rip is inside capture_here, after its start. */
	ck_assert_uint_gt(hal_regs_pc(&r), (uintptr_t)capture_here);
	ck_assert_uint_lt(hal_regs_pc(&r), (uintptr_t)capture_here + 256);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("isa");
	TCase *tc = tcase_create("x86_64");

	tcase_add_test(tc, vectors_become_kinds);
	tcase_add_test(tc, page_fault_access);
	tcase_add_test(tc, describe);
	tcase_add_test(tc, register_dump);
	tcase_add_test(tc, frame_walk);
	tcase_add_test(tc, frameless_functions);
	tcase_add_test(tc, resumption);
	tcase_add_test(tc, jump_buffer_sp);
	tcase_add_test(tc, capture);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
