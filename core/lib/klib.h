/*
 * klib.h: what every core file may use: freestanding C, the string
 * functions every platform provides (the C runtime in the sim, the HAL's
 * own in the native image), atomics and intrusive lists.
 */
#ifndef CORE_LIB_KLIB_H
#define CORE_LIB_KLIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Provided by the platform; GCC may emit calls to the first four. */
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
size_t strlen(const char *);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);

/* Copy with truncation, always terminated; returns strlen(src). */
static inline size_t
lib_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define CACHELINE 64

/*
 * Intrusive doubly linked lists with a sentinel head.
 */
struct list {
	struct list *next, *prev;
};

static inline void
list_init(struct list *l)
{
	l->next = l->prev = l;
}

static inline bool
list_empty(const struct list *l)
{
	return l->next == l;
}

static inline void
list_insert_before(struct list *pos, struct list *n)
{
	n->next = pos;
	n->prev = pos->prev;
	pos->prev->next = n;
	pos->prev = n;
}

static inline void
list_push_back(struct list *l, struct list *n)
{
	list_insert_before(l, n);
}

static inline void
list_push_front(struct list *l, struct list *n)
{
	list_insert_before(l->next, n);
}

static inline void
list_remove(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

static inline struct list *
list_pop_front(struct list *l)
{
	struct list *n = l->next;

	if (n == l)
		return NULL;
	list_remove(n);
	return n;
}

/*
 * Spin locks, for the few structures all CPUs share off the hot path
 * (the page allocator, the console).  Threads are never preempted, so a
 * holder always makes progress.
 */
struct spinlock {
	int locked;
};

/* The wait of a lock another holds (spin.c). */
void lib_spin_wait(struct spinlock *l);

/* Inline: a free lock, the usual case, costs no call. */
static inline void
lib_spin_lock(struct spinlock *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		lib_spin_wait(l);
}

static inline void
lib_spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
