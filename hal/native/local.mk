# hal/native/local.mk: the x86-64 bare-metal HAL, libhal-native.a.
#
# Linked into every native image together with libcore-native.a, as one
# group, and kernel.ld (mk/program.mk).  qemu.sh runs an image.

noinst_LIBRARIES += libhal-native.a
libhal_native_a_SOURCES = \
	hal/native/native.h \
	hal/native/layout.h \
	hal/native/entry.S \
	hal/native/boot.c \
	hal/native/mem.c \
	hal/native/paging.c \
	hal/native/desc.c \
	hal/native/vectors.S \
	hal/native/trap.c \
	hal/native/acpi.c \
	hal/native/power.c \
	hal/native/kbd.c \
	hal/native/lapic.c \
	hal/native/ioapic.c \
	hal/native/smp.c \
	hal/native/ap.S \
	hal/native/wait.c \
	hal/native/watchdog.c \
	hal/native/time.c \
	hal/native/rtc.c \
	hal/native/serial.c \
	hal/native/print.c \
	hal/native/entropy.c \
	hal/native/exit.c \
	hal/native/pci.c \
	hal/native/virtio.h \
	hal/native/virtio.c \
	hal/native/virtio_pci.c \
	hal/native/virtio_mmio.c \
	hal/native/virtio_net.c \
	hal/native/blk.c \
	hal/native/virtio_blk.c \
	hal/native/ata.c \
	hal/native/libc.c \
	hal/native/ctxswitch.c \
	hal/x86_64/x86.h \
	hal/x86_64/switch.S \
	hal/x86_64/jump.S \
	hal/x86_64/context.c \
	hal/x86_64/trap.c \
	hal/x86_64/fixup.c \
	hal/x86_64/copy.S \
	hal/x86_64/regs.c \
	hal/x86_64/dump.c \
	hal/x86_64/capture.S \
	hal/x86_64/backtrace.c
# No SSE in the HAL: gcc would vectorise loops like the IDT's (1 ms of
# QEMU TCG's time at boot), and the HAL never needs it.
libhal_native_a_CFLAGS = $(NATIVE_CFLAGS) -mgeneral-regs-only
libhal_native_a_CCASFLAGS = $(NATIVE_CFLAGS)

EXTRA_DIST += hal/native/kernel.ld hal/native/qemu.sh

# A PVH-only twin of a native image: `make out/native/NAME.pvh.elf`.
# QEMU's -kernel loader tries Multiboot before PVH on every machine when
# it finds a Multiboot header, so the twin zeroes that header (32 bytes,
# same size and layout).  It also leaves out the symbols and debugging
# sections, which QEMU's loader would read and sort at every boot (gdb
# reads NAME.elf's; the kernel's own table is in its data); what is
# loaded is byte for byte the same.
%.pvh.elf: %.elf
	$(AM_V_GEN)head -c 32 /dev/zero > $@.tmp && \
	objcopy --strip-all --update-section .multiboot=$@.tmp $< $@ && \
	rm -f $@.tmp
