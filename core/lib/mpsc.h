/*
 * mpsc.h: an intrusive lock-free queue with many producers (any CPU) and
 * one consumer (the owning CPU), in FIFO order.
 *
 * Rules: lib_mpsc_push() may run on any CPU at any time.  lib_mpsc_pop()
 * runs only on the consumer.  A pop may briefly miss a node whose push is
 * still in progress; the producer always finishes its push before it
 * decides whether to wake the consumer (all operations are sequentially
 * consistent), so a consumer that sleeps after a miss is always woken.
 */
#ifndef CORE_LIB_MPSC_H
#define CORE_LIB_MPSC_H

#include "core/lib/klib.h"

struct mpsc_node {
	struct mpsc_node *next;
};

struct mpsc_queue {
	struct mpsc_node *head; /* last pushed; producers swap it */
	char pad[CACHELINE - sizeof(void *)];
	struct mpsc_node *tail; /* next to pop; consumer only */
	struct mpsc_node stub;
};

void lib_mpsc_init(struct mpsc_queue *q);
void lib_mpsc_push(struct mpsc_queue *q, struct mpsc_node *n);
struct mpsc_node *lib_mpsc_pop(struct mpsc_queue *q);

/* Whether a pop could return something (consumer only, cheap). */
static inline bool
lib_mpsc_ready(struct mpsc_queue *q)
{
	/* Both read, one test: a branch less on every scheduling pass. */
	return (q->tail != &q->stub) |
	    (__atomic_load_n(&q->stub.next, __ATOMIC_SEQ_CST) != NULL);
}

#endif
