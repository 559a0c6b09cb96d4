/*
 * workload.h: the allocator benchmark's workload, shared by the Toro
 * program and its host peers so both do exactly the same work: each
 * thread keeps 1024 live blocks of 16..511 bytes and replaces a random
 * one per step (one malloc and one free per step).
 */
#ifndef BENCH_ALLOC_WORKLOAD_H
#define BENCH_ALLOC_WORKLOAD_H

#include <stdint.h>

#define WORK_SLOTS 1024

static inline long
work_run(void *(*alloc)(size_t), void (*release)(void *), long steps,
    uint64_t seed)
{
	void *slot[WORK_SLOTS] = { 0 };
	uint64_t x = seed | 1;
	long i, failures = 0;
	unsigned k;

	for (i = 0; i < steps; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = (unsigned)(x % WORK_SLOTS);
		release(slot[k]);
		slot[k] = alloc(16 + (size_t)((x >> 20) % 496));
		if (slot[k] == NULL)
			failures++;
		else
			*(volatile char *)slot[k] = (char)i;
	}
	for (k = 0; k < WORK_SLOTS; k++)
		release(slot[k]);
	return failures;
}

#endif
