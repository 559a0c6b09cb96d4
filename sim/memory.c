/*
 * memory.c: the machine's RAM, one anonymous mapping.
 *
 * Interface: sim_memory_init() maps --mem bytes once at boot;
 * sim_memory_base() and sim_memory_size() describe the mapping;
 * sim_memory_protect() makes pages of it inaccessible or accessible again
 * (stack guards).
 *
 * Rules: the mapping is MAP_NORESERVE, so RAM the kernel never touches
 * costs the host nothing, as on a real machine's untouched pages.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "sim/sim.h"

static void *base;
static size_t size;

void
sim_memory_init(size_t bytes)
{
	void *p;

	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		sim_fatal("cannot map %zu MiB of RAM: %s", bytes >> 20,
		    strerror(errno));
	base = p;
	size = bytes;
}

void *
sim_memory_base(void)
{
	return base;
}

size_t
sim_memory_size(void)
{
	return size;
}

void
sim_memory_protect(void *p, size_t n, bool access)
{
	if (mprotect(p, n, access ? PROT_READ | PROT_WRITE : PROT_NONE) == -1)
		sim_fatal("mprotect(%p, %zu): %s", p, n, strerror(errno));
}
