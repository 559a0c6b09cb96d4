# core/local.mk: the kernel core, built once for the host (the simulator
# and the unit tests) and once for the native image.

CORE_SOURCES = \
	core/lib/caller.c \
	core/lib/cmdline.c \
	core/lib/console.c \
	core/lib/error.c \
	core/lib/fmt.c \
	core/lib/mpsc.c \
	core/lib/panic.c \
	core/lib/random.c \
	core/lib/spin.c \
	core/lib/symbol.c \
	core/mem/heap.c \
	core/mem/page.c \
	core/sched/call.c \
	core/sched/conin.c \
	core/sched/except.c \
	core/sched/mbox.c \
	core/sched/sched.c \
	core/sched/thread.c \
	core/sched/watchdog.c \
	core/kern/boot.c \
	core/kern/close.c \
	core/kern/machine.c

CORE_HDRS = \
	core/kern/kern.h core/lib/fmt.h core/lib/klib.h core/lib/lib.h \
	core/lib/mpsc.h core/mem/mem.h core/sched/sched.h hal/hal.h \
	include/toro/console.h include/toro/errno.h include/toro/except.h \
	include/toro/mbox.h \
	include/toro/mem.h include/toro/thread.h include/toro/toro.h

noinst_LIBRARIES += libcore-host.a libcore-native.a
libcore_host_a_SOURCES = $(CORE_SOURCES) $(CORE_HDRS)
libcore_host_a_CFLAGS = $(HOST_CFLAGS) -ffreestanding -fno-builtin-printf
libcore_native_a_SOURCES = $(CORE_SOURCES) $(CORE_HDRS)
libcore_native_a_CFLAGS = $(NATIVE_CFLAGS)
