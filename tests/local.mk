# tests/local.mk: unit tests (Check, on the fake HAL), then integration
# tests that run the simulator and the native image under QEMU.

noinst_LIBRARIES += libhal-fake.a
libhal_fake_a_SOURCES = hal/fake/fake.c hal/fake/fake.h \
	hal/x86_64/switch.S hal/x86_64/jump.S hal/x86_64/context.c \
	hal/x86_64/x86.h
libhal_fake_a_CFLAGS = $(HOST_CFLAGS)
libhal_fake_a_CCASFLAGS = $(HOST_CFLAGS)

# The runner every unit test program shares.
noinst_LIBRARIES += libunit.a
libunit_a_SOURCES = tests/unit/unit.c tests/unit/unit.h
libunit_a_CFLAGS = $(HOST_CFLAGS) $(CHECK_CFLAGS)

UNIT_CFLAGS = $(HOST_CFLAGS) $(CHECK_CFLAGS)
UNIT_LINK = libunit.a libcore-host.a libhal-fake.a libcore-host.a \
	$(CHECK_LIBS) -lpthread
UNIT_DEPS = libunit.a libhal-fake.a libcore-host.a

check_PROGRAMS += tests/unit/sched tests/unit/mem tests/unit/lib \
	tests/unit/except
tests_unit_sched_SOURCES = tests/unit/test_sched.c
tests_unit_sched_CFLAGS = $(UNIT_CFLAGS)
tests_unit_sched_LDADD = $(UNIT_LINK)
tests_unit_sched_DEPENDENCIES = $(UNIT_DEPS)
tests_unit_mem_SOURCES = tests/unit/test_mem.c
tests_unit_mem_CFLAGS = $(UNIT_CFLAGS)
tests_unit_mem_LDADD = $(UNIT_LINK)
tests_unit_mem_DEPENDENCIES = $(UNIT_DEPS)
tests_unit_lib_SOURCES = tests/unit/test_lib.c
tests_unit_lib_CFLAGS = $(UNIT_CFLAGS)
tests_unit_lib_LDADD = $(UNIT_LINK)
tests_unit_lib_DEPENDENCIES = $(UNIT_DEPS)

tests_unit_except_SOURCES = tests/unit/test_except.c
tests_unit_except_CFLAGS = $(UNIT_CFLAGS)
tests_unit_except_LDADD = $(UNIT_LINK)
tests_unit_except_DEPENDENCIES = $(UNIT_DEPS)

TESTS += tests/unit/sched tests/unit/mem tests/unit/lib tests/unit/except

# A Toro application for the memory checkers.
check_PROGRAMS += tests/sim/churn
tests_sim_churn_SOURCES = tests/sim/churn.c
tests_sim_churn_CFLAGS = $(HOST_CFLAGS)
tests_sim_churn_LDADD = $(SIM_LINK)
tests_sim_churn_DEPENDENCIES = $(SIM_DEPS)

# An application that writes, makes and deletes what its arguments say,
# for the tests of the shared folder (tests/sim/share.sh).
check_PROGRAMS += tests/sim/sharewrite
tests_sim_sharewrite_SOURCES = tests/sim/sharewrite.c
tests_sim_sharewrite_CFLAGS = $(HOST_CFLAGS)
tests_sim_sharewrite_LINK = $(SIM_PROG_LINK)
tests_sim_sharewrite_LDADD = $(SIM_LINK)
tests_sim_sharewrite_DEPENDENCIES = $(SIM_DEPS)

# A thread that keeps its CPU too long, for the watchdog's tests, and the
# fault matrix of the exception tests: in the simulator and as native
# images (with their PVH twins for microvm).
check_PROGRAMS += tests/sim/stuck tests/native/stuck.elf
check_PROGRAMS += tests/sim/faults tests/native/faults.elf
check_DATA = tests/native/stuck.pvh.elf tests/native/faults.pvh.elf
CLEANFILES += tests/native/*.pvh.elf
tests_sim_stuck_SOURCES = tests/sim/stuck.c
tests_sim_stuck_CFLAGS = $(HOST_CFLAGS)
tests_sim_stuck_LINK = $(SIM_PROG_LINK)
tests_sim_stuck_LDADD = $(SIM_LINK)
tests_sim_stuck_DEPENDENCIES = $(SIM_DEPS)
tests_native_stuck_elf_SOURCES = tests/sim/stuck.c
tests_native_stuck_elf_CFLAGS = $(NATIVE_CFLAGS)
tests_native_stuck_elf_LINK = $(NATIVE_PROG_LINK)
tests_native_stuck_elf_LDADD = $(NATIVE_LINK)
tests_native_stuck_elf_DEPENDENCIES = $(NATIVE_DEPS)
tests_sim_faults_SOURCES = tests/sim/faults.c
tests_sim_faults_CFLAGS = $(HOST_CFLAGS)
tests_sim_faults_LINK = $(SIM_PROG_LINK)
tests_sim_faults_LDADD = $(SIM_LINK)
tests_sim_faults_DEPENDENCIES = $(SIM_DEPS)
tests_native_faults_elf_SOURCES = tests/sim/faults.c
tests_native_faults_elf_CFLAGS = $(NATIVE_CFLAGS)
tests_native_faults_elf_LINK = $(NATIVE_PROG_LINK)
tests_native_faults_elf_LDADD = $(NATIVE_LINK)
tests_native_faults_elf_DEPENDENCIES = $(NATIVE_DEPS)

# Integration tests: shell scripts that speak TAP.
TESTS += tests/sim/examples.sh tests/sim/checkers.sh tests/native/boot.sh \
	tests/sim/disk.sh tests/native/disk.sh tests/sim/debug.sh \
	tests/native/debug.sh tests/sim/exceptions.sh \
	tests/native/exceptions.sh tests/sim/share.sh
EXTRA_DIST += tests/tap.sh tests/sim/examples.sh tests/sim/checkers.sh \
	tests/native/boot.sh tests/sim/disk.sh tests/native/disk.sh \
	tests/sim/share.sh \
	tests/sim/debug.sh tests/native/debug.sh tools/gdb/toro.py \
	tests/sim/exceptions.sh tests/native/exceptions.sh
TESTS_ENVIRONMENT = srcdir='$(srcdir)'; export srcdir;
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
	$(top_srcdir)/build-aux/tap-driver.sh
