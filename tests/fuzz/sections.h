/*
 * sections.h: forced into every kernel and fake-HAL file of the fuzzers
 * (mk/fuzz.mk, -include): their globals go to sections of their own,
 * toro_data and toro_bss, which the linker brackets with __start_ and
 * __stop_ symbols, so tests/fuzz/machine.c can put every one of them
 * back to its value at process start before it boots the next machine.
 */
#pragma clang section bss = "toro_bss" data = "toro_data"
