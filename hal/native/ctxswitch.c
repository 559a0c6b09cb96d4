/*
 * ctxswitch.c: hal_context_switch() for bare metal.
 *
 * Nothing to tell anyone about a stack switch here: it is the shared
 * x86-64 switch (hal/x86_64/switch.S) and nothing else.
 */
#include "hal/hal.h"
#include "hal/x86_64/x86.h"

void
hal_context_switch(struct hal_context *from, struct hal_context *to)
{
	hal_x86_switch(&from->sp, to->sp);
}

void
hal_context_release(struct hal_context *ctx)
{
	/* Bare metal keeps no per-stack state. */
}
