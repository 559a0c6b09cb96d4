/*
 * native.h: what the files of the x86-64 bare-metal HAL share.
 *
 * Port and MSR access, the vectors and selectors, the per-CPU block, the
 * trap frame, what the boot protocol told us, and the internal functions
 * each file offers the others.  Only hal/native includes it.  Addresses
 * are physical: all of RAM and the MMIO below 4 GiB are identity mapped,
 * and device memory above 4 GiB once hal_paging_map_mmio() has seen it.
 */
#ifndef HAL_NATIVE_NATIVE_H
#define HAL_NATIVE_NATIVE_H

#include "hal/hal.h"
#include "hal/native/layout.h"

#include <stdarg.h>

#define HAL_PAGE 4096u
#define HAL_ROUNDUP(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define HAL_ROUNDDOWN(x, a) ((x) & ~((uint64_t)(a)-1))

/* Exit statuses of the HAL's own failures. */
#define HAL_EXIT_ASSERT 2
#define HAL_EXIT_FAULT 3
#define HAL_EXIT_STACK 4
#define HAL_EXIT_BOOT 5

/*
 * Code that runs once per boot (or once per CPU) is compiled for size:
 * under QEMU's TCG every instruction is translated the first time it
 * runs, which costs far more than running it.
 */
#define HAL_BOOT_FN __attribute__((cold))

static inline void
hal_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
hal_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
hal_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
hal_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t
hal_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t
hal_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t
hal_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void
hal_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
	    "d"((uint32_t)(v >> 32)));
}

static inline void
hal_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	    : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	    : "a"(leaf), "c"(sub));
}

static inline uint64_t
hal_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint8_t
hal_mmio_read8(uintptr_t a)
{
	return *(volatile uint8_t *)a;
}

static inline uint16_t
hal_mmio_read16(uintptr_t a)
{
	return *(volatile uint16_t *)a;
}

static inline uint32_t
hal_mmio_read32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void
hal_mmio_write8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

static inline void
hal_mmio_write16(uintptr_t a, uint16_t v)
{
	*(volatile uint16_t *)a = v;
}

static inline void
hal_mmio_write32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

#define HAL_MSR_APIC_BASE 0x1bu
#define HAL_MSR_EFER 0xc0000080u
#define HAL_MSR_FS_BASE 0xc0000100u
#define HAL_MSR_GS_BASE 0xc0000101u

/* The registers an interrupt stub saves, lowest address first. */
struct hal_trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct hal_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap;
} __attribute__((packed));

/*
 * One per CPU; %gs points at it.  The first fields have fixed offsets
 * because hal_cpu_id() and hal_cpu_local() read them through %gs.
 */
struct hal_pcpu {
	struct hal_pcpu *self; /* %gs:0 */
	int id;                /* %gs:8, the logical index */
	uint32_t apic_id;
	void *local;           /* %gs:16, hal_cpu_set_local() */
	uint32_t pending;      /* event bits, updated atomically */
	uint32_t sleeping;     /* 1 while in hlt: kicks must send an IPI;
				  2 in mwait, which a store to pending ends */
	uint32_t started;      /* set by the CPU once it runs */
	uint32_t watchdog;     /* 1: the watchdog sent this CPU an NMI */
	uint32_t trapping;     /* in sched_trap(): a fault now is fatal */
	uint32_t pad;
	uint64_t fs_block[8];  /* %fs points here: word 5 is the canary */
	uint64_t gdt[HAL_GDT_ENTRIES];
	struct hal_tss tss;
	uintptr_t stack_top;   /* the stack entry() runs on (APs) */
	void (*entry)(void);
	uint64_t watchdog_next; /* when this CPU, idle, checks the others */
};

/* What the boot protocol told us, copied out of the loader's memory. */
#define HAL_BOOT_MEMMAP_MAX 64
#define HAL_CMDLINE_MAX 1024

struct hal_boot_range {
	uint64_t base;
	uint64_t size;
	uint32_t type; /* 1 = usable RAM, as in E820 */
};

struct hal_boot_info {
	const char *protocol; /* "pvh" or "multiboot" */
	uint64_t rsdp;        /* 0 when the loader did not say */
	int nmemmap;
	struct hal_boot_range memmap[HAL_BOOT_MEMMAP_MAX];
	char cmdline[HAL_CMDLINE_MAX];
};

extern struct hal_boot_info hal_boot;
extern struct hal_pcpu hal_pcpus[HAL_CPU_MAX];
extern int hal_ncpus;

/* Linker symbols (kernel.ld). */
extern char hal_image_start[], hal_image_end[];

/* libc.c: the subset gcc and the HAL need. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

/* boot.c, mem.c */
int hal_cmdline_has(const char *word);
void *hal_boot_alloc(size_t size);
void *hal_boot_reserve(size_t size);
uint64_t hal_boot_mem_end(void);
HAL_BOOT_FN void hal_mem_init(void);

/* paging.c (also hal_stack_guard and hal_stack_unguard of hal.h) */
HAL_BOOT_FN void hal_paging_init(void);
uint64_t hal_paging_root(void);
void hal_paging_map_mmio(uint64_t base, uint64_t size);

/* desc.c */
HAL_BOOT_FN void hal_cpu_setup(struct hal_pcpu *c);
extern int hal_percpu_ready;
HAL_BOOT_FN void hal_canary_init(void);

static inline struct hal_pcpu *
hal_this_cpu(void)
{
	struct hal_pcpu *c;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/* trap.c */
void hal_trap(struct hal_trap_frame *f);
extern volatile int hal_stopping;

/* lapic.c */
HAL_BOOT_FN void hal_lapic_init(void);
void hal_lapic_eoi(void);
void hal_lapic_ipi(uint32_t apic_id, uint32_t icr_low);
void hal_lapic_stop_others(void);
void hal_lapic_count_begin(void);
void hal_lapic_count_end(void);
void hal_lapic_calibrate(void);
void hal_lapic_oneshot(uint64_t ns);

/* ioapic.c */
void hal_ioapic_route_isa(int irq, int vector, uint32_t apic_id);
void hal_ioapic_route_gsi(uint32_t gsi, uint16_t flags, int vector,
    uint32_t apic_id);

/* MPS INTI flags (MADT overrides, ioapic.c): polarity, then trigger. */
#define HAL_INTI_HIGH 0x1
#define HAL_INTI_LOW 0x3
#define HAL_INTI_EDGE 0x4
#define HAL_INTI_LEVEL 0xc

/* acpi.c */
#define HAL_ACPI_MMIO_MAX 8

struct hal_acpi_info {
	uint32_t apic_ids[HAL_CPU_MAX];
	int ncpus;
	uint32_t ioapic_addr[4];
	uint32_t ioapic_gsi[4];
	int nioapic;
	uint32_t isa_gsi[16];     /* ISA IRQ to GSI, after overrides */
	uint16_t isa_flags[16];   /* MPS INTI flags of the override */
	/* The FADT's and the DSDT's, after hal_acpi_fadt(). */
	uint16_t pm1a_cnt, pm1b_cnt;
	uint16_t pm_tmr;          /* 0: no PM timer */
	int pm_tmr_32;
	int hw_reduced;
	uint64_t sleep_ctl;       /* HW-reduced sleep control (I/O port) */
	int sleep_ctl_io;         /* 1: port, 0: memory */
	int s5_typ_a, s5_typ_b;   /* -1 when \_S5 was not found */
	/* The fixed power button (FADT), after hal_acpi_fadt(). */
	int pwrbtn;               /* 1: the PM1 event block has it */
	uint16_t pm1a_evt;        /* PM1a_EVT_BLK: status, then enable */
	uint8_t pm1_evt_len;
	uint8_t acpi_enable;      /* the SMI command that enables ACPI */
	uint16_t sci_irq;         /* an ISA IRQ */
	uint32_t smi_cmd;
	/* The Generic Event Device (DSDT ACPI0013), at boot; base 0: none. */
	uint64_t ged_base;        /* its event selector (memory) */
	uint32_t ged_gsi;
	uint16_t ged_flags;
	struct hal_acpi_mmio {    /* virtio-mmio devices (DSDT LNRO0005) */
		uint64_t base;
		uint32_t size;
		uint32_t gsi;
		uint16_t flags;   /* MPS INTI flags, as in isa_flags */
	} virtio_mmio[HAL_ACPI_MMIO_MAX];
	int nvirtio_mmio;
};

extern struct hal_acpi_info hal_acpi;
HAL_BOOT_FN void hal_acpi_init(void);
void hal_acpi_fadt(void);

/* power.c */
HAL_BOOT_FN void hal_power_init(void);
void hal_power_irq(void);
/* A stop request from the host, as signal sig (hal_stop_signal). */
void hal_stop_post(int sig);

/* kbd.c */
HAL_BOOT_FN void hal_kbd_init(void);
void hal_kbd_irq(void);

/* smp.c */
HAL_BOOT_FN void hal_bsp_init(void);
HAL_BOOT_FN void hal_smp_init(void);
void hal_ap_main(int cpu);

/* serial.c */
HAL_BOOT_FN void hal_serial_init(void);
void hal_serial_irq(void);
void hal_serial_flush(void);
void hal_serial_putc_raw(char ch);

/* print.c: printf for the HAL's own messages (%s %c %d %u %x %p, l, 0N). */
void hal_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hal_vprintf(const char *fmt, va_list ap);

/* wait.c */
void hal_cpu_post(int cpu, uint32_t ev);

/* watchdog.c */
uint64_t hal_watchdog_idle(struct hal_pcpu *c, uint64_t now);
bool hal_watchdog_nmi(const struct hal_trap_frame *f);

/* pci.c: configuration mechanism 1; boot only (CPU 0, APs not started). */
struct hal_pci_dev {
	uint8_t bus, dev, fn;
	uint8_t hdr;              /* header type, without the MF bit */
	uint16_t vendor, device;
};

uint32_t hal_pci_read32(const struct hal_pci_dev *d, int off);
uint16_t hal_pci_read16(const struct hal_pci_dev *d, int off);
uint8_t hal_pci_read8(const struct hal_pci_dev *d, int off);
void hal_pci_write32(const struct hal_pci_dev *d, int off, uint32_t v);
void hal_pci_write16(const struct hal_pci_dev *d, int off, uint16_t v);
int hal_pci_present(void);
int hal_pci_scan(int (*fn)(const struct hal_pci_dev *, void *), void *arg);
uint64_t hal_pci_bar(const struct hal_pci_dev *d, int bar);
int hal_pci_cap(const struct hal_pci_dev *d, int id, int after);
uintptr_t hal_pci_msix_init(const struct hal_pci_dev *d, int *n);
void hal_pci_msix_set(uintptr_t table, int entry, uint32_t apic_id,
    int vector);

/* virtio_net.c: the NIC behind hal_net_*(). */
HAL_BOOT_FN void hal_virtio_net_init(void);
void hal_virtio_net_print(void);
void hal_virtio_net_irq(void);

/*
 * blk.c: the disks behind hal_blk_*().  A driver registers each disk it
 * finds at boot with hal_blk_add() and ops that hal.h's calls reach
 * after the common checks; its interrupt handler calls hal_blk_intr()
 * to post HAL_EV_BLK to the CPU that opened the disk.
 */
struct hal_blk_ops {
	void (*open)(void *dev, uint32_t apic_id); /* route the interrupt */
	int (*submit)(void *dev, struct hal_blk_req *r);
	struct hal_blk_req *(*complete)(void *dev);
};

/*
 * cache: the disk has a volatile write cache and takes HAL_BLK_FLUSH;
 * seg_max: the segments a request may have (1: one buffer only).
 */
int hal_blk_add(const struct hal_blk_ops *ops, void *dev, uint64_t sectors,
    bool read_only, bool cache, uint32_t seg_max, const char *what);
void hal_blk_intr(int disk);
void hal_blk_print(void);

/* virtio_blk.c, ata.c: find and register disks; interrupt handlers. */
HAL_BOOT_FN void hal_virtio_blk_init(void);
void hal_virtio_blk_irq(void);
HAL_BOOT_FN void hal_ata_init(void);
void hal_ata_irq(void);

/* virtio_mmio.c */
HAL_BOOT_FN int hal_virtio_mmio_init(void);

/* time.c */
HAL_BOOT_FN void hal_time_start(void);
HAL_BOOT_FN void hal_time_init(void);
uint64_t hal_time_idle(uint64_t now);
uint64_t hal_tsc_hz(void);
const char *hal_tsc_source(void);
void hal_tsc_delay_ns(uint64_t ns);
extern uint64_t hal_boot_tsc0; /* the TSC at the first instruction */

/* rtc.c */
int64_t hal_rtc_seconds(void);
HAL_BOOT_FN uint64_t hal_rtc_tsc_hz(void);

/* exit.c */
void hal_halt_forever(void) __attribute__((noreturn));

#endif
