/*
 * except.c: exceptions: the TORO_TRY chain, toro_raise(), and CPU faults
 * turned into exceptions of the thread that took them.
 *
 * Interface: toro/except.h, and sched_trap() for the platform (hal.h).
 *
 * Each thread keeps its active TORO_TRY blocks as a chain of records on
 * its own stack (try_top, innermost first).  Raising fills the thread's
 * exception record (struct sched_exc), takes the innermost block off the
 * chain, copies what the handler sees into it and jumps there
 * (hal_jump).  With no block the exception is uncaught: uncaught()
 * reports it and ends the thread, or for main the machine, with
 * TORO_EXCEPTION_STATUS (123: below 128, so it survives QEMU's
 * isa-debug-exit, and not the panic's 125).
 *
 * A CPU fault reaches sched_trap() on the platform's trap stack.  Nothing
 * is unwound there: sched_trap fills the record and says where the thread
 * resumes when the trap returns.  With a block, that is hal_jump itself,
 * which needs no stack, so a handler catches an overflow of the very
 * stack it runs on: the jump lands in the frame of the TORO_TRY, far
 * above the exhausted part.  Without one, it is uncaught() on the
 * thread's stack: below the faulting frame, or from the top of the
 * stack when too little is left (an overflow); the frames there are dead,
 * as the thread never returns to them, and the report's backtrace was
 * taken in the trap.
 *
 * A fault belongs to a thread only if it happened on that thread's stack
 * or guard page.  In the idle loop, in an interrupt handler (its own
 * stack), in the kernel's own threads (SCHED_THREAD_SYSTEM) or while a
 * report is being written, nobody can take it: the same report, then the
 * machine stops with LIB_PANIC_STATUS.
 */
#include "core/lib/fmt.h"
#include "core/lib/lib.h"
#include "core/sched/sched.h"
#include "toro/console.h"
#include "toro/except.h"
#include "toro/thread.h"

/* Stack the report and the thread's end need below a fault. */
#define UNCAUGHT_STACK (16u * 1024)
/* How far up a fault in kernel context may look for frames. */
#define KERNEL_FRAMES (32u * 1024)

_Static_assert(sizeof(((struct toro_try *)0)->jmp) ==
    HAL_JMP_WORDS * sizeof(uint64_t), "toro_try's buffer is jump.S's");

static const char *const kind_names[] = {
	[TORO_EXC_USER] = "user exception",
	[TORO_EXC_DIVIDE] = "divide error",
	[TORO_EXC_INVALID_OPCODE] = "invalid opcode",
	[TORO_EXC_PROTECTION] = "general protection fault",
	[TORO_EXC_PAGE_FAULT] = "page fault",
	[TORO_EXC_STACK_OVERFLOW] = "stack overflow",
	[TORO_EXC_ARITHMETIC] = "floating-point exception",
	[TORO_EXC_CPU] = "CPU exception",
};

const char *
toro_exception_name(int kind)
{
	if (kind <= 0 || kind >= (int)nitems(kind_names))
		return "unknown exception";
	return kind_names[kind];
}

void
toro_try_push(struct toro_try *f)
{
	struct toro_thread *t = sched_current();

	if (t->idle)
		lib_panic("TORO_TRY outside a thread");
	/* An enclosing block's frame is never deeper than this one's. */
	if (t->try_top != NULL &&
	    hal_jump_sp(t->try_top->jmp) < hal_jump_sp(f->jmp))
		lib_panic("thread %s: a TORO_TRY block was left by return, "
		    "goto or break", t->name);
	f->prev = t->try_top;
	t->try_top = f;
}

void
toro_try_pop(struct toro_try *f)
{
	struct toro_thread *t = sched_current();

	if (t->try_top != f)
		lib_panic("thread %s: TORO_TRY blocks out of order (one was "
		    "left by return, goto or break)", t->name);
	t->try_top = f->prev;
}

/*
 * The caller of a function that faulted before it built its frame (hal.h),
 * if it is code; else 0.
 */
static uintptr_t
frameless_return(const struct hal_trap *tr, uintptr_t lo, uintptr_t hi)
{
	uintptr_t fn = lib_symbol_start(hal_regs_pc(&tr->regs)), ret;

	ret = hal_frameless_return(&tr->regs, fn, lo, hi);
	return ret != 0 && lib_symbol_start(ret) != 0 ? ret : 0;
}

static int
kind_of(enum hal_trap_kind kind)
{
	switch (kind) {
	case HAL_TRAP_DIVIDE:
		return TORO_EXC_DIVIDE;
	case HAL_TRAP_INVALID_OPCODE:
		return TORO_EXC_INVALID_OPCODE;
	case HAL_TRAP_PROTECTION:
		return TORO_EXC_PROTECTION;
	case HAL_TRAP_PAGE_FAULT:
		return TORO_EXC_PAGE_FAULT;
	case HAL_TRAP_ARITHMETIC:
		return TORO_EXC_ARITHMETIC;
	default:
		return TORO_EXC_CPU;
	}
}

/* What a page fault tried, at what, in a report's words. */
static const char *const access_names[] = {
	[HAL_ACCESS_READ] = "read",
	[HAL_ACCESS_WRITE] = "write",
	[HAL_ACCESS_EXECUTE] = "execute",
};

/* The message of a fault other than an overflow; `at` names the pc. */
static void
fault_message(struct sched_exc *x, const struct hal_trap *tr, const char *at)
{
	const char *op = "access", *why = "not mapped";
	char what[64];

	switch (x->pub.kind) {
	case TORO_EXC_PAGE_FAULT:
		if ((size_t)tr->access < nitems(access_names))
			op = access_names[tr->access];
		if (tr->addr < 4096)
			why = "NULL pointer";
		else if (tr->denied)
			why = "not allowed";
		toro_snprintf(x->pub.message, sizeof(x->pub.message),
		    "%s at %#lx (%s), in %s", op, (unsigned long)tr->addr, why,
		    at);
		break;
	case TORO_EXC_PROTECTION:
	case TORO_EXC_CPU:
		hal_trap_describe(tr, what, sizeof(what));
		toro_snprintf(x->pub.message, sizeof(x->pub.message),
		    "%s, in %s", what, at);
		break;
	default:
		toro_snprintf(
		    x->pub.message, sizeof(x->pub.message), "in %s", at);
	}
}

/* Fill x from a trap; lo..hi bounds the frames worth following. */
static void
record_fault(struct sched_exc *x, const struct hal_trap *tr, uintptr_t lo,
    uintptr_t hi, const struct toro_thread *t)
{
	uintptr_t pc = hal_regs_pc(&tr->regs), sp = hal_regs_sp(&tr->regs);
	uintptr_t stack = t != NULL ? lo : 0;
	bool pf = tr->kind == HAL_TRAP_PAGE_FAULT;
	char at[64];

	memset(x, 0, sizeof(*x));
	x->pub.kind = kind_of(tr->kind);
	x->pub.code = tr->code;
	x->pub.pc = pc;
	x->has_regs = true;
	x->regs = tr->regs;
	x->trace[0] = pc;
	x->ntrace = 1;
	if ((x->trace[1] = frameless_return(tr, lo, hi)) != 0)
		x->ntrace++;
	x->ntrace += hal_frames(hal_regs_fp(&tr->regs), lo, hi,
	    x->trace + x->ntrace, SCHED_TRACE_MAX - x->ntrace);
	lib_symbolize(pc, at, sizeof(at));
	if (pf)
		x->pub.addr = tr->addr;
	/* The guard page, or a stack pointer already in it. */
	if (stack != 0 &&
	    ((pf && tr->addr < stack && tr->addr >= stack - HAL_STACK_GUARD) ||
		(sp < stack && sp >= stack - HAL_STACK_GUARD))) {
		x->pub.kind = TORO_EXC_STACK_OVERFLOW;
		if (x->pub.addr == 0)
			x->pub.addr = sp;
		toro_snprintf(x->pub.message, sizeof(x->pub.message),
		    "%#lx is below the %zu-byte stack, in %s",
		    (unsigned long)x->pub.addr, t->stack_size, at);
		return;
	}
	fault_message(x, tr, at);
}

/* Past the console lock when `force` (nothing must stop a panic). */
static void
emit(bool force, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	lib_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (force)
		lib_printf_force("%s", buf);
	else
		toro_printf("%s", buf);
}

/* The report: what, where, the registers, the backtrace. */
static void
report(const struct sched_exc *x, const char *headline, bool force)
{
	char sym[96];
	int i;

	emit(force, "\ntoro: %s\n", headline);
	emit(force, "toro: %s: %s\n", toro_exception_name(x->pub.kind),
	    x->pub.message);
	/* A CPU fault's pc is the instruction, toro_raise's a return. */
	if (x->has_regs)
		lib_symbolize(x->pub.pc, sym, sizeof(sym));
	else
		lib_symbolize_return(x->pub.pc, sym, sizeof(sym));
	emit(force, "toro: at pc %#lx %s, address %#lx, code %d\n",
	    (unsigned long)x->pub.pc, sym, (unsigned long)x->pub.addr,
	    x->pub.code);
	if (x->has_regs) {
		emit(force, "registers:\n");
		for (i = 0; hal_regs_line(&x->regs, i, sym, sizeof(sym)); i++)
			emit(force, "  %s\n", sym);
	}
	emit(force, "backtrace:\n");
	for (i = 0; i < x->ntrace; i++) {
		if (i == 0 && x->has_regs)
			lib_symbolize(x->trace[i], sym, sizeof(sym));
		else
			lib_symbolize_return(x->trace[i], sym, sizeof(sym));
		emit(force, "  #%d %#018lx %s\n", i, (unsigned long)x->trace[i],
		    sym);
	}
}

/* A fault nobody can take: report it and stop the machine. */
__attribute__((noreturn)) static void
fatal(const struct hal_trap *tr, struct toro_thread *t, const char *where)
{
	struct sched_exc x;
	char head[128];
	uintptr_t sp = hal_regs_sp(&tr->regs);

	if (t != NULL && t->stack != NULL)
		record_fault(&x, tr, (uintptr_t)t->stack,
		    (uintptr_t)t->stack + t->stack_size, t);
	else
		record_fault(&x, tr, sp, sp + KERNEL_FRAMES, NULL);
	toro_snprintf(head, sizeof(head), "panic: fault %s, CPU %d%s%s",
	    where, hal_cpu_id(), t != NULL ? ", thread " : "",
	    t != NULL ? t->name : "");
	report(&x, head, true);
	hal_exit(LIB_PANIC_STATUS);
}

/* The end of a thread with an uncaught exception; on its own stack. */
__attribute__((noreturn)) static void
uncaught(void *arg)
{
	struct toro_thread *t = arg;
	char head[128];

	t->dying = true;
	toro_snprintf(head, sizeof(head),
	    "uncaught exception in thread %s (id %llu) on CPU %d", t->name,
	    (unsigned long long)t->id, t->cpu);
	report(&t->exc, head, (t->flags & SCHED_THREAD_SYSTEM) != 0);
	if (t->flags & SCHED_THREAD_SYSTEM) {
		lib_console_force("toro: a kernel thread died\n", 27);
		hal_exit(LIB_PANIC_STATUS);
	}
	if (t->flags & SCHED_THREAD_MAIN) {
		toro_printf("toro: main died: powering off (status %d)\n",
		    TORO_EXCEPTION_STATUS);
		sched_shutdown(TORO_EXCEPTION_STATUS);
	}
	toro_printf("toro: thread %s ends; the others go on\n", t->name);
	toro_thread_exit(TORO_THREAD_ABORTED);
}

/* Is f a live block of t, above stack pointer sp? */
static bool
live(const struct toro_thread *t, const struct toro_try *f, uintptr_t sp)
{
	uintptr_t a = (uintptr_t)f, lo = (uintptr_t)t->stack;

	return a >= sp && a >= lo && a + sizeof(*f) <= lo + t->stack_size &&
	    hal_jump_sp(f->jmp) >= sp;
}

/* Deliver t->exc to t's innermost block, or end t. */
__attribute__((noreturn)) static void
deliver(struct toro_thread *t)
{
	struct toro_try *f = t->try_top;

	if (t->dying)
		lib_panic("thread %s raised %s while dying: %s", t->name,
		    toro_exception_name(t->exc.pub.kind), t->exc.pub.message);
	if (f == NULL)
		uncaught(t);
	if (!live(t, f, (uintptr_t)__builtin_frame_address(0)))
		lib_panic("thread %s: its innermost TORO_TRY is gone (left by "
		    "return, goto or break?)", t->name);
	f->exc = t->exc.pub;
	t->try_top = f->prev;
	hal_jump(f->jmp);
}

void
toro_raise(int code, const char *fmt, ...)
{
	struct toro_thread *t = sched_current();
	struct sched_exc *x = &t->exc;
	uintptr_t lo = (uintptr_t)t->stack;
	va_list ap;

	if (t->idle)
		lib_panic("toro_raise outside a thread");
	memset(x, 0, sizeof(*x));
	x->pub.kind = TORO_EXC_USER;
	x->pub.code = code;
	x->pub.pc = (uintptr_t)__builtin_return_address(0);
	va_start(ap, fmt);
	lib_vsnprintf(x->pub.message, sizeof(x->pub.message), fmt, ap);
	va_end(ap);
	x->ntrace = hal_frames((uintptr_t)__builtin_frame_address(0), lo,
	    lo + t->stack_size, x->trace, SCHED_TRACE_MAX);
	deliver(t);
}

void
toro_reraise(const struct toro_exception *e)
{
	struct toro_thread *t = sched_current();
	struct sched_exc *x = &t->exc;
	uintptr_t lo = (uintptr_t)t->stack;

	if (t->idle)
		lib_panic("toro_reraise outside a thread");
	/* The thread's last exception keeps its registers and frames. */
	if (memcmp(&x->pub, e, sizeof(*e)) != 0) {
		memset(x, 0, sizeof(*x));
		x->pub = *e;
		x->ntrace = hal_frames((uintptr_t)__builtin_frame_address(0),
		    lo, lo + t->stack_size, x->trace, SCHED_TRACE_MAX);
	}
	deliver(t);
}

void
sched_trap(struct hal_trap *tr)
{
	struct sched_cpu *c = sched_this_cpu();
	struct toro_thread *t = c != NULL ? c->cur : NULL;
	uintptr_t lo, hi, sp = hal_regs_sp(&tr->regs);
	struct toro_try *f;

	if (t == NULL || t->idle || t->stack == NULL)
		fatal(tr, NULL, "in the idle loop");
	lo = (uintptr_t)t->stack;
	hi = lo + t->stack_size;
	if (sp < lo - HAL_STACK_GUARD || sp > hi)
		fatal(tr, NULL, "off the thread's stack (interrupt handler?)");
	if (t->dying)
		fatal(tr, t, "while reporting an uncaught exception");
	lib_console_abandon();
	record_fault(&t->exc, tr, lo, hi, t);
	f = t->try_top;
	if (f == NULL && (t->flags & SCHED_THREAD_SYSTEM))
		fatal(tr, t, "in a kernel thread");
	if (f != NULL) {
		if (!live(t, f, sp))
			fatal(tr, t, "with a stale TORO_TRY block");
		f->exc = t->exc.pub;
		t->try_top = f->prev;
		hal_trap_resume_jump(tr, f->jmp);
		return;
	}
	/* Below the faulting frame, or from the top when little is left. */
	if (sp >= lo + UNCAUGHT_STACK + 256 && sp <= hi)
		hal_trap_resume_call(tr, uncaught, t, sp - 256);
	else
		hal_trap_resume_call(tr, uncaught, t, hi);
}
