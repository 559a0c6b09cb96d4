/*
 * mpsc.c: the many-producer, one-consumer queue of mpsc.h.
 *
 * A linked list through a permanent stub node.  Producers swap the head
 * with one atomic exchange, then link the previous head to their node;
 * between the two steps the list is briefly cut, and the consumer treats
 * the cut as "empty for now".
 */
#include "core/lib/mpsc.h"

void
lib_mpsc_init(struct mpsc_queue *q)
{
	q->stub.next = NULL;
	q->head = &q->stub;
	q->tail = &q->stub;
}

void
lib_mpsc_push(struct mpsc_queue *q, struct mpsc_node *n)
{
	struct mpsc_node *prev;

	__atomic_store_n(&n->next, NULL, __ATOMIC_RELAXED);
	prev = __atomic_exchange_n(&q->head, n, __ATOMIC_SEQ_CST);
	__atomic_store_n(&prev->next, n, __ATOMIC_SEQ_CST);
}

struct mpsc_node *
lib_mpsc_pop(struct mpsc_queue *q)
{
	struct mpsc_node *tail = q->tail;
	struct mpsc_node *next = __atomic_load_n(&tail->next, __ATOMIC_SEQ_CST);

	if (tail == &q->stub) {
		if (next == NULL)
			return NULL;
		q->tail = next;
		tail = next;
		next = __atomic_load_n(&next->next, __ATOMIC_SEQ_CST);
	}
	if (next != NULL) {
		q->tail = next;
		return tail;
	}
	/* tail is the last node unless a push is under way. */
	if (tail != __atomic_load_n(&q->head, __ATOMIC_SEQ_CST))
		return NULL;
	lib_mpsc_push(q, &q->stub);
	next = __atomic_load_n(&tail->next, __ATOMIC_SEQ_CST);
	if (next != NULL) {
		q->tail = next;
		return tail;
	}
	return NULL;
}
