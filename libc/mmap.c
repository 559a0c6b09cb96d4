/*
 * mmap.c: mmap, munmap, mremap, mprotect, madvise and msync without an
 * MMU of the program's own: a mapping is memory from the allocator.
 *
 * Interface: libc_mmap(), libc_munmap(), libc_mremap(), libc_mprotect(),
 * libc_madvise(), libc_msync() (toroc.h).
 *
 * Rules: as Linux where Toro can keep the promise, an error where it
 * cannot.  Anonymous memory (private or shared: there is one process)
 * is page-aligned, zeroed and readable, writable and executable; a
 * file mapped MAP_PRIVATE is a copy of the file's bytes (zeros past its
 * end), which writes change in memory only; a file mapped MAP_SHARED is
 * the same copy, read-only (PROT_WRITE there is ENODEV), so a write()
 * to the file afterwards is not seen in it.  MAP_FIXED is ENOMEM: the
 * address is the allocator's.  munmap frees a mapping once all its
 * pages are unmapped, a piece at either end or in the middle at a time
 * (at most PIECES pieces live; past that a hole stays allocated until
 * the rest goes).  mprotect keeps read and write (0) and cannot take
 * them away (ENOTSUP: there is no fault to give); madvise(MADV_DONTNEED)
 * zeroes anonymous pages, as Linux, and other advice is a hint.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "libc/toroc.h"
#include "toro/toro.h"

#define PAGE 4096ul
#define PIECES 8

struct piece {
	uintptr_t lo, hi; /* live: [lo, hi) */
};

struct map {
	struct map *next;
	void *mem;	  /* the allocator's block */
	uintptr_t lo, hi; /* the whole mapping */
	int anon;
	int npieces;
	struct piece p[PIECES];
};

static struct map *maps;
static int lock;

static size_t
round_up(size_t n)
{
	return (n + PAGE - 1) & ~(PAGE - 1);
}

/* The mapping holding address a, or NULL.  Locked. */
static struct map *
find(uintptr_t a)
{
	struct map *m;

	for (m = maps; m != NULL; m = m->next)
		if (a >= m->lo && a < m->hi)
			return m;
	return NULL;
}

/* A file's bytes from off into buf (len), zeros past its end. */
static long
fill(long fd, char *buf, size_t len, long off)
{
	size_t got = 0;
	long n;

	while (got < len) {
		n = libc_fd_pio(fd, buf + got, len - got, off + (long)got, 0);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	memset(buf + got, 0, len - got);
	return 0;
}

/* Can fd be mapped this way?  0, or the error. */
static long
file_ok(long fd, long prot, long flags)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r = 0;

	if (d == NULL)
		return -EBADF;
	if (d->kind != KIND_FILE)
		r = -ENODEV;
	else if ((d->flags & O_ACCMODE) == O_WRONLY)
		r = -EACCES;
	else if ((flags & MAP_SHARED) && (prot & PROT_WRITE))
		r = -ENODEV; /* no write-back */
	libc_fd_put(d);
	return r;
}

long
libc_mmap(long addr, size_t len, long prot, long flags, long fd, long off)
{
	int type = (int)flags & (MAP_SHARED | MAP_PRIVATE);
	int anon = (flags & MAP_ANONYMOUS) != 0;
	struct map *m;
	size_t n;
	long r;

	if (len == 0 || (off & (long)(PAGE - 1)) != 0 || off < 0 ||
	    (type != MAP_SHARED && type != MAP_PRIVATE) || len > SIZE_MAX / 2)
		return -EINVAL;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
		return -ENOMEM;
	if (!anon && (r = file_ok(fd, prot, flags)) < 0)
		return r;
	n = round_up(len);
	if ((m = toro_calloc(1, sizeof(*m))) == NULL ||
	    (m->mem = aligned_alloc(PAGE, n)) == NULL) {
		toro_free(m);
		return -ENOMEM;
	}
	if (anon)
		memset(m->mem, 0, n);
	else if ((r = fill(fd, m->mem, n, off)) < 0) {
		free(m->mem);
		toro_free(m);
		return r;
	}
	m->lo = (uintptr_t)m->mem;
	m->hi = m->lo + n;
	m->anon = anon;
	m->p[0] = (struct piece) { m->lo, m->hi };
	m->npieces = 1;
	libc_lock(&lock);
	m->next = maps;
	maps = m;
	libc_unlock(&lock);
	return (long)m->lo;
}

/* Take [lo, hi) out of m's live pieces; 1 if none is left.  Locked. */
static int
cut(struct map *m, uintptr_t lo, uintptr_t hi)
{
	struct piece *p;
	int i;

	for (i = 0; i < m->npieces; i++) {
		p = &m->p[i];
		if (hi <= p->lo || lo >= p->hi)
			continue;
		if (lo <= p->lo && hi >= p->hi) {
			*p = m->p[--m->npieces];
			i--;
		} else if (lo <= p->lo)
			p->lo = hi;
		else if (hi >= p->hi)
			p->hi = lo;
		else if (m->npieces < PIECES) {
			m->p[m->npieces++] = (struct piece) { hi, p->hi };
			p->hi = lo;
		}
	}
	return m->npieces == 0;
}

long
libc_munmap(long addr, size_t len)
{
	uintptr_t lo = (uintptr_t)addr, hi;
	struct map **pm, *m;

	if ((lo & (PAGE - 1)) != 0 || len == 0 || len > SIZE_MAX / 2)
		return -EINVAL;
	hi = lo + round_up(len);
	libc_lock(&lock);
	for (pm = &maps; (m = *pm) != NULL;) {
		if (hi > m->lo && lo < m->hi && cut(m, lo, hi)) {
			*pm = m->next;
			free(m->mem);
			toro_free(m);
			continue;
		}
		pm = &m->next;
	}
	libc_unlock(&lock);
	return 0;
}

/* mremap: a whole live mapping grows or shrinks, moving if allowed. */
long
libc_mremap(long addr, size_t old, size_t len, long flags)
{
	struct map *m;
	long r = 0, n;
	size_t keep, size = 0;

	if ((addr & (long)(PAGE - 1)) != 0 || len == 0 ||
	    (flags & ~MREMAP_MAYMOVE) != 0)
		return -EINVAL;
	libc_lock(&lock);
	if ((m = find((uintptr_t)addr)) == NULL)
		r = -EFAULT;
	else if (m->lo != (uintptr_t)addr || m->npieces != 1 ||
	    m->p[0].lo != m->lo || m->p[0].hi != m->hi ||
	    round_up(old) != m->hi - m->lo)
		r = -EINVAL; /* only a whole mapping, as it was made */
	else
		size = m->hi - m->lo;
	libc_unlock(&lock);
	if (r < 0)
		return r;
	if (round_up(len) == size)
		return addr;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	n = libc_mmap(
	    0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (n < 0)
		return n;
	keep = len < old ? len : old;
	memcpy((void *)n, (void *)addr, keep);
	libc_munmap(addr, old);
	return n;
}

long
libc_mprotect(long addr, size_t len, long prot)
{
	struct map *m;

	if ((addr & (long)(PAGE - 1)) != 0)
		return -EINVAL;
	libc_lock(&lock);
	m = find((uintptr_t)addr);
	libc_unlock(&lock);
	if (m == NULL)
		return -ENOMEM;
	/* Pages can be neither closed nor made read-only: nothing faults. */
	if ((prot & (PROT_READ | PROT_WRITE)) != (PROT_READ | PROT_WRITE))
		return -ENOTSUP;
	return 0;
}

long
libc_madvise(long addr, size_t len, long advice)
{
	uintptr_t lo = (uintptr_t)addr, hi;
	struct map *m;
	long r = 0;

	if ((lo & (PAGE - 1)) != 0)
		return -EINVAL;
	if (advice != MADV_DONTNEED)
		return 0; /* advice, which may be ignored */
	hi = lo + round_up(len);
	libc_lock(&lock);
	if ((m = find(lo)) == NULL || hi > m->hi)
		r = -ENOMEM;
	else if (!m->anon)
		r = -EINVAL; /* a file's copy cannot be read again */
	else
		memset((void *)lo, 0, hi - lo);
	libc_unlock(&lock);
	return r;
}

long
libc_msync(long addr, size_t len, long flags)
{
	struct map *m;

	if ((addr & (long)(PAGE - 1)) != 0 ||
	    (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) != 0)
		return -EINVAL;
	libc_lock(&lock);
	m = find((uintptr_t)addr);
	libc_unlock(&lock);
	/* Nothing is written back: no mapping writes to its file. */
	return m == NULL ? -ENOMEM : 0;
}
