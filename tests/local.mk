# tests/local.mk: unit tests (Check, on the fake HAL), then integration
# tests that run the simulator and the native image under QEMU.

noinst_LIBRARIES += libhal-fake.a
libhal_fake_a_SOURCES = hal/fake/fake.c hal/fake/fake.h \
	hal/x86_64/switch.S hal/x86_64/jump.S hal/x86_64/context.c \
	hal/x86_64/x86.h hal/x86_64/trap.c hal/x86_64/regs.c \
	hal/x86_64/dump.c hal/x86_64/capture.S hal/x86_64/backtrace.c
libhal_fake_a_CFLAGS = $(HOST_CFLAGS)
libhal_fake_a_CCASFLAGS = $(HOST_CFLAGS)

# Unit tests (Check, TAP): every tests/unit/test_NAME.c is one, built
# by rule as out/tests/unit/NAME.t (mk/program.mk) with the helpers of
# tests/unit (the files there that are not tests).  No list to edit.
# mk/program.mk adds them to TESTS, where automake cannot see them: it
# would split the make functions below into words.
TORO_UNIT_TESTS = $(patsubst test_%.c,out/tests/unit/%.t,$(notdir \
	$(wildcard $(srcdir)/tests/unit/test_*.c)))
check_DATA += $(TORO_UNIT_TESTS)
TEST_EXTENSIONS = .t
T_LOG_DRIVER = $(LOG_DRIVER)

# Test programs, a folder each like the examples: tests/programs/NAME
# becomes out/tests/sim/NAME and out/tests/native/NAME.elf (and its PVH
# twin).  churn is for the memory checkers, stuck keeps its CPU too long
# for the watchdog's tests, faults is the exception tests' fault matrix,
# clock prints the time for the clock's test, sendexit sends and returns
# from main for the exit's test (tests/net/exit.sh), waitstop waits for
# the power button (tests/native/power.sh).
TORO_TEST_PROGRAM_DIRS = $(patsubst %/,%,$(sort $(dir \
	$(wildcard $(srcdir)/tests/programs/*/*.c))))
TESTPROGS = $(notdir $(TORO_TEST_PROGRAM_DIRS))
check_DATA += $(TESTPROGS:%=out/tests/sim/%) \
	$(TESTPROGS:%=out/tests/native/%.elf) \
	$(TESTPROGS:%=out/tests/native/%.pvh.elf)
EXTRA_DIST += tests/unit tests/programs

# core/ as a stack of layers (and its file and function sizes).
TESTS += tests/layers.sh
EXTRA_DIST += tests/layers.sh

# Integration tests: shell scripts that speak TAP.
TESTS += tests/sim/examples.sh tests/sim/checkers.sh tests/native/boot.sh \
	tests/sim/disk.sh tests/native/disk.sh tests/sim/debug.sh \
	tests/native/debug.sh tests/sim/exceptions.sh \
	tests/native/exceptions.sh tests/sim/program.sh tests/sim/share.sh \
	tests/native/clock.sh tests/fuzz/run.sh tests/sim/image.sh \
	tests/sim/sdk.sh tests/sim/sdkapp.sh tests/dist.sh tests/native/power.sh
EXTRA_DIST += tests/tap.sh tests/sim/examples.sh tests/sim/checkers.sh \
	tests/native/boot.sh tests/sim/disk.sh tests/native/disk.sh \
	tests/sim/share.sh \
	tests/sim/debug.sh tests/native/debug.sh tools/gdb/toro.py \
	tests/sim/exceptions.sh tests/native/exceptions.sh \
	tests/sim/program.sh tests/native/clock.sh tests/fuzz tests/sim/image.sh \
	tests/sim/sdk.sh tests/sim/sdkapp.sh tests/dist.sh tests/native/power.sh \
	tools/image.sh tools/image-run-qemu.sh tools/image-README
TESTS_ENVIRONMENT = srcdir='$(srcdir)'; TORO_CACHE='$(TORO_CACHE)'; \
	export srcdir TORO_CACHE;
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
	$(top_srcdir)/build-aux/tap-driver.sh
