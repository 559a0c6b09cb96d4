/*
 * layout.h: numbers that the assembly and the C of hal/native share.
 *
 * Only #defines, so that .S files may include it too.
 */
#ifndef HAL_NATIVE_LAYOUT_H
#define HAL_NATIVE_LAYOUT_H

/* GDT selectors; the TSS descriptor takes two slots. */
#define HAL_SEL_CODE 0x08
#define HAL_SEL_DATA 0x10
#define HAL_SEL_TSS 0x18
#define HAL_GDT_ENTRIES 5

/* Interrupt vectors. */
#define HAL_VEC_TIMER 0x20   /* LAPIC timer: a hal_cpu_wait() deadline */
#define HAL_VEC_KICK 0x21    /* IPI from hal_cpu_kick() */
#define HAL_VEC_SERIAL 0x24  /* COM1, ISA IRQ 4 through the IOAPIC */
#define HAL_VEC_POWER 0x25   /* the power button: the SCI or the GED */
#define HAL_VEC_KBD 0x26     /* the i8042's keyboard, ISA IRQ 1 */
#define HAL_VEC_NET 0x30     /* the NIC: MSI-X, or its IOAPIC input */
#define HAL_VEC_BLK 0x31     /* virtio-blk: MSI-X, or its IOAPIC input */
#define HAL_VEC_ATA 0x32     /* the IDE primary channel, ISA IRQ 14 */
#define HAL_VEC_PIC 0xe0     /* the masked 8259s, 16 vectors */
#define HAL_VEC_SPURIOUS 0xff

/* IST slots: interrupts, exceptions, and NMI/#DF/#MC. */
#define HAL_IST_IRQ 1
#define HAL_IST_EXC 2
#define HAL_IST_NMI 3
#define HAL_IST_SIZE 16384
#define HAL_STACK_SIZE 65536

/* Where the AP start-up code is copied: SIPI vector 0x08. */
#define HAL_AP_BASE 0x8000

/* Offsets of the AP trampoline's parameters from its start. */
#define HAL_AP_CR3 0xfe8
#define HAL_AP_STACK 0xff0
#define HAL_AP_CPU 0xff8

/* Our boot protocol numbers, passed from entry.S to hal_boot_main(). */
#define HAL_PROTO_PVH 1
#define HAL_PROTO_MULTIBOOT 2

#endif
