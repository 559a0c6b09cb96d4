/*
 * smp.c: the CPUs: numbering, per-CPU blocks, and starting the others.
 *
 * Interface: hal_bsp_init() sets up CPU 0 as soon as the boot allocator
 * works; hal_smp_init() after ACPI numbers the CPUs (CPU 0 is the one we
 * boot on, the others follow in MADT order) and allocates their stacks;
 * hal.h's hal_cpu_count(), hal_cpu_id(), hal_cpu_start(),
 * hal_cpu_set_local(), hal_cpu_local().
 *
 * hal_cpu_start() copies the trampoline (ap.S) below 1 MiB the first
 * time, sends INIT-SIPI-SIPI and waits until the CPU runs our code (a few
 * ms at most), because the trampoline's parameters are shared by all
 * CPUs; entry() then runs on the CPU's own 64 KiB stack, with interrupts
 * disabled like CPU 0 in kern_boot().
 */
#include "hal/native/native.h"
#include "toro/errno.h"

#define AP_ALIVE 0xfe0
#define ICR_INIT 0x4500u  /* INIT, level assert */
#define ICR_SIPI 0x4600u  /* start-up, level assert */

struct hal_pcpu hal_pcpus[HAL_CPU_MAX];
int hal_ncpus = 1;

extern char hal_ap_blob[], hal_ap_blob_end[];
extern char hal_boot_stack_top[];

static volatile int start_lock;
static int copied; /* the trampoline, under start_lock */

/*
 * One reservation: the three IST stacks, then `stack` bytes of the CPU's
 * own stack.  Stacks are written before they are read: not zeroed.
 */
static void
alloc_stacks(struct hal_pcpu *c, size_t stack)
{
	uintptr_t p = (uintptr_t)hal_boot_reserve(3 * HAL_IST_SIZE + stack);
	int i;

	for (i = 0; i < 3; i++)
		c->tss.ist[i] = p + (uintptr_t)(i + 1) * HAL_IST_SIZE;
	c->stack_top = p + 3 * HAL_IST_SIZE + stack;
}

void
hal_bsp_init(void)
{
	struct hal_pcpu *c = &hal_pcpus[0];
	uint32_t r[4];

	hal_cpuid(1, 0, r);
	c->id = 0;
	c->apic_id = r[1] >> 24;
	c->started = 1;
	alloc_stacks(c, 0);
	c->stack_top = (uintptr_t)hal_boot_stack_top;
	hal_cpu_setup(c);
}

void
hal_smp_init(void)
{
	struct hal_pcpu *c;
	int i, n = 1;

	for (i = 0; i < hal_acpi.ncpus; i++) {
		if (hal_acpi.apic_ids[i] == hal_pcpus[0].apic_id)
			continue;
		c = &hal_pcpus[n];
		c->id = n;
		c->apic_id = hal_acpi.apic_ids[i];
		alloc_stacks(c, HAL_STACK_SIZE);
		n++;
	}
	hal_ncpus = n;
}

int
hal_cpu_count(void)
{
	return hal_ncpus;
}

int
hal_cpu_id(void)
{
	int id;

	__asm__ volatile("movl %%gs:8, %0" : "=r"(id));
	return id;
}

void
hal_cpu_set_local(void *p)
{
	hal_this_cpu()->local = p;
}

void *
hal_cpu_local(void)
{
	void *p;

	__asm__ volatile("movq %%gs:16, %0" : "=r"(p));
	return p;
}

/* Wait up to `us` microseconds for *flag to become nonzero. */
static int
wait_flag(volatile uint32_t *flag, uint64_t us)
{
	uint64_t end = hal_time_ns() + us * 1000;

	while (*flag == 0)
		if (hal_time_ns() > end)
			return 0;
	return 1;
}

int
hal_cpu_start(int cpu, void (*entry)(void))
{
	volatile uint32_t *alive = (void *)(HAL_AP_BASE + AP_ALIVE);
	volatile uint64_t *param = (volatile uint64_t *)HAL_AP_BASE;
	struct hal_pcpu *c;
	int ok;

	if (cpu <= 0 || cpu >= hal_ncpus || entry == NULL)
		return -TORO_EINVAL;
	hal_lapic_calibrate(); /* on CPU 0, before the others use the rate */
	c = &hal_pcpus[cpu];
	while (__atomic_exchange_n(&start_lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	if (c->started || c->entry != NULL) {
		__atomic_store_n(&start_lock, 0, __ATOMIC_RELEASE);
		return -TORO_EBUSY;
	}
	/* The trampoline goes below 1 MiB when a CPU first needs it. */
	if (!copied) {
		memcpy((void *)HAL_AP_BASE, hal_ap_blob,
		    hal_ap_blob_end - hal_ap_blob);
		copied = 1;
	}
	c->entry = entry;
	*alive = 0;
	param[HAL_AP_CR3 / 8] = hal_paging_root();
	param[HAL_AP_STACK / 8] = c->stack_top;
	param[HAL_AP_CPU / 8] = (uint64_t)cpu;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	hal_lapic_ipi(c->apic_id, ICR_INIT);
	hal_tsc_delay_ns(100000);
	hal_lapic_ipi(c->apic_id, ICR_SIPI | HAL_AP_BASE >> 12);
	if (!wait_flag(alive, 1000))
		hal_lapic_ipi(c->apic_id, ICR_SIPI | HAL_AP_BASE >> 12);
	ok = wait_flag(&c->started, 1000000);
	__atomic_store_n(&start_lock, 0, __ATOMIC_RELEASE);
	if (!ok) {
		hal_printf("toro: CPU %d (APIC %u) did not start\n", cpu,
		    c->apic_id);
		return -TORO_EIO;
	}
	return 0;
}

void
hal_ap_main(int cpu)
{
	struct hal_pcpu *c = &hal_pcpus[cpu];

	hal_cpu_setup(c);
	hal_lapic_init();
	__atomic_store_n(&c->started, 1, __ATOMIC_RELEASE);
	c->entry();
	hal_printf("toro: CPU %d: entry returned\n", cpu);
	hal_exit(HAL_EXIT_BOOT);
}
