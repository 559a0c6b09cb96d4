/*
 * context.c: hal_context_switch on the simulated machine.
 *
 * Interface: hal_context_switch() and hal_context_release() from hal.h; the switch itself is the
 * shared hal_x86_switch (hal/x86_64/switch.S) and contexts are built by
 * the shared hal_context_init (hal/x86_64/context.c).
 *
 * Rules: a zeroed context is the stack the CPU runs on now (at first the
 * one its pthread started on); switching away from it records that
 * stack's bounds, so that switching back can name them.  The checkers
 * must know about stack switches, or they report nonsense:
 *  - AddressSanitizer: every switch is announced (fiber_leave) and
 *    confirmed on arrival (fiber_arrive), the first arrival in a new
 *    context too: hal_x86_start would call the entry directly, so its
 *    frame is redirected through fiber_start.
 *  - ThreadSanitizer: a context gets a fiber of its own when it first
 *    runs (the CPU's own stack has its pthread's), the switch names the
 *    fiber just before it happens (which orders what one context did
 *    before what the next does after), and a released context's fiber
 *    is destroyed.
 *  - Valgrind: every stack is registered before it is first switched to
 *    or from, and a stale registration it overlaps (a dead thread's
 *    stack) is dropped.
 */
#include <pthread.h>
#include <stdlib.h>

#include "hal/hal.h"
#include "hal/x86_64/x86.h"
#include "sim/sim.h"

void hal_x86_start(void);

/* Slots of the frame hal_context_init builds (see context.c there). */
enum { FRAME_R13 = 3, FRAME_R12 = 4, FRAME_RET = 7 };

/* The checkers' hooks, or nothing when they are not there. */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define ASAN 1
#define asan_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#define asan_leave(save, lo, n) __sanitizer_start_switch_fiber(save, lo, n)
#define asan_arrive(save) __sanitizer_finish_switch_fiber(save, NULL, NULL)
#else
#define ASAN 0
#define asan_unpoison(p, n) ((void)0)
#define asan_leave(save, lo, n) ((void)0)
#define asan_arrive(save) ((void)0)
#endif
#ifdef __SANITIZE_THREAD__
#include <sanitizer/tsan_interface.h>
#define TSAN 1
#define tsan_current() __tsan_get_current_fiber()
#define tsan_create() __tsan_create_fiber(0)
#define tsan_destroy(f) __tsan_destroy_fiber(f)
#define tsan_switch(f) __tsan_switch_to_fiber(f, 0)
#else
#define TSAN 0
#define tsan_current() NULL
#define tsan_create() NULL
#define tsan_destroy(f) ((void)0)
#define tsan_switch(f) ((void)0)
#endif
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#else
#define VALGRIND_MAKE_MEM_UNDEFINED(p, n) ((void)0)
#define RUNNING_ON_VALGRIND 0
#define VALGRIND_STACK_REGISTER(lo, hi) 0u
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#endif

/* The stack this CPU runs on now; NULL until its first switch. */
static __thread void *stack_lo;
static __thread size_t stack_size;

/* The entry of the new context this CPU is switching to (ASan only). */
static __thread void (*new_entry)(void *);
static __thread void *new_arg;

/* Stacks registered with Valgrind. */
struct vg_stack {
	uintptr_t lo, hi;
	unsigned int id;
	struct vg_stack *next;
};
static struct vg_stack *vg_stacks;
static pthread_mutex_t vg_lock = PTHREAD_MUTEX_INITIALIZER;

static void
vg_register(void *stack, size_t size)
{
	uintptr_t lo = (uintptr_t)stack, hi = lo + size;
	struct vg_stack *s, **pp;

	pthread_mutex_lock(&vg_lock);
	for (pp = &vg_stacks; (s = *pp) != NULL;) {
		if (s->lo < hi && lo < s->hi) {
			VALGRIND_STACK_DEREGISTER(s->id);
			*pp = s->next;
			free(s);
		} else
			pp = &s->next;
	}
	if ((s = malloc(sizeof(*s))) == NULL)
		sim_fatal("out of memory registering a stack with Valgrind");
	s->lo = lo;
	s->hi = hi;
	s->id = VALGRIND_STACK_REGISTER(lo, hi);
	s->next = vg_stacks;
	vg_stacks = s;
	pthread_mutex_unlock(&vg_lock);
}

static void
fiber_start(void *unused)
{
	void (*entry)(void *) = new_entry;
	void *arg = new_arg;

	asan_arrive(NULL);
	entry(arg);
	sim_fatal("a context's entry function returned");
}

/* Before the first switch to a context from hal_context_init(). */
static void
first_run(struct hal_context *to)
{
	uintptr_t *frame = (uintptr_t *)to->sp;

	if (ASAN) {
		/* The stack may hold poison from its last use. */
		asan_unpoison(to->stack, to->stack_size);
		new_entry = (void (*)(void *))frame[FRAME_R12];
		new_arg = (void *)frame[FRAME_R13];
		frame[FRAME_R12] = (uintptr_t)fiber_start;
	}
	if (TSAN && to->fiber == NULL)
		to->fiber = tsan_create();
	if (RUNNING_ON_VALGRIND)
		vg_register(to->stack, to->stack_size);
}

void
hal_context_release(struct hal_context *ctx)
{
	struct vg_stack *s, **pp;
	uintptr_t lo = (uintptr_t)ctx->stack, hi = lo + ctx->stack_size;

	/* A dead thread never unwound its frames: clear their poison. */
	asan_unpoison(ctx->stack, ctx->stack_size);
	if (ctx->fiber != NULL) {
		tsan_destroy(ctx->fiber);
		ctx->fiber = NULL;
	}
	if (!RUNNING_ON_VALGRIND)
		return;
	/* Memcheck marked the frames it saw popped as inaccessible. */
	VALGRIND_MAKE_MEM_UNDEFINED(ctx->stack, ctx->stack_size);
	pthread_mutex_lock(&vg_lock);
	for (pp = &vg_stacks; (s = *pp) != NULL;) {
		if (s->lo < hi && lo < s->hi) {
			VALGRIND_STACK_DEREGISTER(s->id);
			*pp = s->next;
			free(s);
		} else
			pp = &s->next;
	}
	pthread_mutex_unlock(&vg_lock);
}

void
hal_context_switch(struct hal_context *from, struct hal_context *to)
{
	if (from->stack == NULL) {
		if (stack_lo == NULL) {
			sim_cpu_stack(&stack_lo, &stack_size);
			if (RUNNING_ON_VALGRIND)
				vg_register(stack_lo, stack_size);
		}
		from->stack = stack_lo;
		from->stack_size = stack_size;
	}
	if (TSAN && from->fiber == NULL)
		from->fiber = tsan_current();
	if (((uintptr_t *)to->sp)[FRAME_RET] == (uintptr_t)hal_x86_start)
		first_run(to);
	stack_lo = to->stack;
	stack_size = to->stack_size;
	asan_leave(&from->fake_stack, to->stack, to->stack_size);
	tsan_switch(to->fiber);
	hal_x86_switch(&from->sp, to->sp);
	asan_arrive(from->fake_stack);
	stack_lo = from->stack;
	stack_size = from->stack_size;
}
