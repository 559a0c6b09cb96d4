# sim/local.mk: the simulator (sim/, the machine) and the HAL over it
# (hal/sim/), as libhal-sim.a.  A program links its objects with
# libcore-host.a and libhal-sim.a as one group, then $(SIM_LIBS)
# (mk/program.mk), and runs as a Linux process: see sim/machine.c.

noinst_LIBRARIES += libhal-sim.a
libhal_sim_a_SOURCES = \
	sim/sim.h \
	sim/clock.c \
	sim/console.c \
	sim/cpus.c \
	sim/disk.c \
	sim/fault.c \
	sim/hostloop.c \
	sim/machine.c \
	sim/memory.c \
	sim/net.c \
	sim/net_slirp.c \
	sim/net_tap.c \
	sim/options.c \
	sim/pcap.c \
	sim/power.c \
	sim/share.c \
	sim/share.h \
	sim/share_back.c \
	sim/share_scan.c \
	hal/sim/blk.c \
	hal/sim/console.c \
	hal/sim/context.c \
	hal/sim/cpu.c \
	hal/sim/error.h \
	hal/sim/entropy.c \
	hal/sim/error.c \
	hal/sim/machine.c \
	hal/sim/net.c \
	hal/sim/registers.c \
	hal/sim/time.c \
	hal/sim/watchdog.c \
	hal/x86_64/x86.h \
	hal/x86_64/context.c \
	hal/x86_64/jump.S \
	hal/x86_64/switch.S \
	hal/x86_64/trap.c \
	hal/x86_64/fixup.c \
	hal/x86_64/copy.S \
	hal/x86_64/regs.c \
	hal/x86_64/dump.c \
	hal/x86_64/capture.S \
	hal/x86_64/backtrace.c
libhal_sim_a_CFLAGS = $(HOST_CFLAGS) $(UV_CFLAGS) $(SLIRP_CFLAGS)
libhal_sim_a_CCASFLAGS = $(HOST_CFLAGS)

SIM_LIBS = $(UV_LIBS) $(SLIRP_LIBS) -lpthread
