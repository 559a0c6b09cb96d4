/*
 * heap.c: per-CPU heaps of small blocks, and large blocks from pages.
 *
 * Small blocks (up to 8 KiB) come in 32 size classes.  Each CPU carves
 * them from its own 64 KiB "spans", which are aligned so that a block's
 * span (and so its owner and class) is found by masking its address.
 * Allocating and freeing on the owner CPU takes no lock and no atomic.
 * A block freed on another CPU is pushed on its owner's lock-free return
 * stack; the owner takes the whole stack back when it runs short or
 * idles.  A span whose blocks are all free goes back to the pages.
 *
 * Large blocks are pages with a 16-byte header before the block.  A byte
 * map with one entry per 64 KiB of RAM tells spans from large blocks.
 *
 * toro_copy(), the rest of toro/mem.h, is the platform's hal_copy().
 */
#include "core/mem/mem.h"
#include "toro/mem.h"

#define SPAN_SIZE (64u * 1024)
#define SPAN_HDR 64u
#define NCLASS 32
#define SMALL_MAX 8192u
#define LARGE_MAGIC 0x4c617267u

struct span {
	struct list link; /* in the owner's list for the class */
	void *free;       /* freed blocks of this span */
	char *bump;       /* next never-used block */
	char *end;
	uint16_t cpu;
	uint16_t cls;
	uint32_t nfree; /* free blocks, counting the bump area */
	uint32_t nblocks;
	bool listed;
};

struct large {
	uint32_t magic;
	uint32_t cpu; /* whose in-use count has it */
	size_t size;  /* bytes of pages, header included */
};

struct heap_cpu {
	struct list partial[NCLASS]; /* spans with free blocks */
	void *returned;              /* blocks freed by other CPUs */
	size_t small_in_use;         /* written by the owner only */
	size_t large_in_use;         /* atomic: freed on any CPU */
} __attribute__((aligned(CACHELINE)));

_Static_assert(HAL_CPU_MAX <= TORO_MEM_CPUS, "toro_mem_stats' CPUs");

static struct heap_cpu heaps[HAL_CPU_MAX];
static uint8_t *spanmap; /* one byte per 64 KiB of [lo, hi) */
static uintptr_t map_lo, map_hi;

static const uint16_t class_size[NCLASS] = {
	16, 32, 48, 64, 80, 96, 112, 128,
	160, 192, 224, 256, 320, 384, 448, 512,
	640, 768, 896, 1024, 1280, 1536, 1792, 2048,
	2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
};

static int
size_class(size_t n)
{
	int k;
	size_t step;

	if (n <= 128)
		return n == 0 ? 0 : (int)((n + 15) / 16) - 1;
	k = 63 - __builtin_clzll((unsigned long long)(n - 1));
	step = (size_t)1 << (k - 2);
	return 8 + (k - 7) * 4 + (int)((n - ((size_t)1 << k) + step - 1) / step) -
	    1;
}

static uint8_t *
map_entry(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	if (spanmap == NULL || a < map_lo || a >= map_hi)
		return NULL;
	return &spanmap[(a - map_lo) / SPAN_SIZE];
}

int
mem_heap_init(uintptr_t lo, uintptr_t hi)
{
	size_t entries;
	int i, c;

	map_lo = lo & ~(uintptr_t)(SPAN_SIZE - 1);
	map_hi = ROUNDUP(hi, (uintptr_t)SPAN_SIZE);
	entries = (map_hi - map_lo) / SPAN_SIZE;
	spanmap = mem_page_alloc(entries, MEM_PAGE);
	if (spanmap == NULL)
		return -1;
	memset(spanmap, 0, ROUNDUP(entries, (size_t)MEM_PAGE));
	for (c = 0; c < HAL_CPU_MAX; c++) {
		for (i = 0; i < NCLASS; i++)
			list_init(&heaps[c].partial[i]);
		heaps[c].returned = NULL;
		heaps[c].small_in_use = heaps[c].large_in_use = 0;
	}
	return 0;
}

static inline struct heap_cpu *
my_heap(void)
{
	return &heaps[hal_cpu_id()];
}

static struct span *
span_new(int cpu, int cls)
{
	struct span *s = mem_page_alloc(SPAN_SIZE, SPAN_SIZE);

	if (s == NULL)
		return NULL;
	s->free = NULL;
	s->bump = (char *)s + SPAN_HDR;
	s->end = (char *)s + SPAN_SIZE;
	s->cpu = (uint16_t)cpu;
	s->cls = (uint16_t)cls;
	s->nblocks = (SPAN_SIZE - SPAN_HDR) / class_size[cls];
	s->nfree = s->nblocks;
	s->listed = false;
	list_init(&s->link);
	/* Pages are RAM, inside the map: no bounds to check. */
	__atomic_store_n(
	    &spanmap[((uintptr_t)s - map_lo) / SPAN_SIZE], 1, __ATOMIC_RELEASE);
	return s;
}

static void
span_release(struct span *s)
{
	__atomic_store_n(map_entry(s), 0, __ATOMIC_RELEASE);
	mem_page_free(s, SPAN_SIZE);
}

/* Free a block of this CPU's span. */
static void
local_free(struct heap_cpu *h, struct span *s, void *p)
{
	struct list *cl = &h->partial[s->cls];

	*(void **)p = s->free;
	s->free = p;
	s->nfree++;
	__atomic_store_n(&h->small_in_use, h->small_in_use - class_size[s->cls],
	    __ATOMIC_RELAXED);
	if (!s->listed) {
		list_push_front(cl, &s->link);
		s->listed = true;
	} else if (s->nfree == s->nblocks &&
	    (cl->next != &s->link || cl->prev != &s->link)) {
		/* Keep one empty span per class to avoid churning pages. */
		list_remove(&s->link);
		span_release(s);
	}
}

void
mem_cpu_reclaim(void)
{
	struct heap_cpu *h = my_heap();
	void *p, *next;

	if (__atomic_load_n(&h->returned, __ATOMIC_RELAXED) == NULL)
		return;
	p = __atomic_exchange_n(&h->returned, NULL, __ATOMIC_ACQUIRE);
	for (; p != NULL; p = next) {
		next = *(void **)p;
		local_free(h, (struct span *)((uintptr_t)p &
		    ~(uintptr_t)(SPAN_SIZE - 1)), p);
	}
}

static void *
small_alloc(size_t n)
{
	int cpu = hal_cpu_id();
	struct heap_cpu *h = &heaps[cpu];
	int cls = size_class(n);
	struct list *cl = &h->partial[cls];
	struct span *s;
	void *p;

	if (unlikely(list_empty(cl))) {
		mem_cpu_reclaim();
		if (list_empty(cl)) {
			s = span_new(cpu, cls);
			if (s == NULL)
				return NULL;
			list_push_front(cl, &s->link);
			s->listed = true;
		}
	}
	s = container_of(cl->next, struct span, link);
	if (s->free != NULL) {
		p = s->free;
		s->free = *(void **)p;
	} else {
		p = s->bump;
		s->bump += class_size[cls];
	}
	if (--s->nfree == 0) {
		list_remove(&s->link);
		s->listed = false;
	}
	__atomic_store_n(&h->small_in_use, h->small_in_use + class_size[cls],
	    __ATOMIC_RELAXED);
	return p;
}

static void *
large_alloc(size_t n)
{
	struct large *l;
	size_t size;

	if (n > SIZE_MAX - sizeof(*l) - MEM_PAGE)
		return NULL;
	size = ROUNDUP(n + sizeof(*l), (size_t)MEM_PAGE);
	l = mem_page_alloc(size, MEM_PAGE);
	if (l == NULL)
		return NULL;
	l->magic = LARGE_MAGIC;
	l->size = size;
	l->cpu = (uint32_t)hal_cpu_id();
	__atomic_fetch_add(&heaps[l->cpu].large_in_use, size, __ATOMIC_RELAXED);
	return l + 1;
}

void *
toro_malloc(size_t n)
{
	if (n <= SMALL_MAX)
		return small_alloc(n);
	return large_alloc(n);
}

static struct span *
span_of(const void *p)
{
	uint8_t *m = map_entry(p);

	if (m == NULL || __atomic_load_n(m, __ATOMIC_ACQUIRE) == 0)
		return NULL;
	return (struct span *)((uintptr_t)p & ~(uintptr_t)(SPAN_SIZE - 1));
}

void
toro_free(void *p)
{
	struct span *s;
	struct heap_cpu *owner;
	struct large *l;
	int cpu;

	if (p == NULL)
		return;
	s = span_of(p);
	if (s == NULL) {
		l = (struct large *)p - 1;
		if (l->magic != LARGE_MAGIC)
			return; /* not ours: ignore rather than corrupt */
		l->magic = 0;
		__atomic_fetch_sub(&heaps[l->cpu].large_in_use, l->size,
		    __ATOMIC_RELAXED);
		mem_page_free(l, l->size);
		return;
	}
	cpu = hal_cpu_id();
	if (s->cpu == cpu) {
		local_free(&heaps[cpu], s, p);
		return;
	}
	owner = &heaps[s->cpu];
	*(void **)p = __atomic_load_n(&owner->returned, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&owner->returned, (void **)p, p,
	    true, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

size_t
toro_malloc_usable_size(const void *p)
{
	struct span *s;

	if (p == NULL)
		return 0;
	s = span_of(p);
	if (s != NULL)
		return class_size[s->cls];
	return ((const struct large *)p - 1)->size - sizeof(struct large);
}

void *
toro_calloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	p = toro_malloc(n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

void *
toro_realloc(void *p, size_t n)
{
	size_t have;
	void *q;

	if (p == NULL)
		return toro_malloc(n);
	if (n == 0) {
		toro_free(p);
		return NULL;
	}
	have = toro_malloc_usable_size(p);
	/* Keep the block unless it shrinks to less than half. */
	if (n <= have && n >= have / 2)
		return p;
	q = toro_malloc(n);
	if (q == NULL)
		return NULL;
	memcpy(q, p, MIN(n, have));
	toro_free(p);
	return q;
}

void
toro_mem_stats(struct toro_mem_stats *st)
{
	size_t n;
	int c;

	memset(st, 0, sizeof(*st));
	st->total = mem_page_total_bytes();
	st->free_pages = mem_page_free_bytes();
	st->ncpus = hal_cpu_count();
	for (c = 0; c < st->ncpus && c < HAL_CPU_MAX; c++) {
		n = __atomic_load_n(&heaps[c].small_in_use, __ATOMIC_RELAXED) +
		    __atomic_load_n(&heaps[c].large_in_use, __ATOMIC_RELAXED);
		st->cpu_in_use[c] = n;
		st->in_use += n;
	}
}

int
toro_copy(void *dst, const void *src, size_t n)
{
	return hal_copy(dst, src, n);
}
