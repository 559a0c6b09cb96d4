/*
 * x86.h: what the x86-64 platforms (native, sim, fake) share.
 */
#ifndef HAL_X86_64_X86_H
#define HAL_X86_64_X86_H

#include <stdint.h>

/* Save the stack pointer in *save_sp and continue on new_sp (switch.S). */
void hal_x86_switch(uintptr_t *save_sp, uintptr_t new_sp);

#endif
