# mk/program.mk: a program is a folder.  GNU make, read as it is:
# Makefile.am includes it through a path automake does not inline, since
# automake cannot read make functions.
#
# $(call toro_program,NAME,DIR,OUT,CFLAGS,LIBS,DEPS) makes the rules of the
# Toro program whose sources are DIR/*.c and DIR/*.S (DIR may be any
# folder, in this tree or not):
#	OUT/sim/NAME		  the program as a Linux process (the sim)
#	OUT/native/NAME.elf	  the program as a bootable image
#	OUT/native/NAME.pvh.elf	  its PVH-only twin (hal/native/local.mk)
# Every program is a C environment program (libc/README.md): its files
# are compiled once, against the C environment's headers only (never
# the host's /usr/include), into OUT/obj/NAME/ (with -MMD dependency
# files), and those objects are linked twice, with main wrapped by the C
# library's start-up (--wrap=main):
#	native: objects, LIBS, libtoroc.a, musl, the kernel and the HAL;
#	sim:	objects, LIBS, libtoroc.a, musl and the kernel pre-linked
#		into OUT/obj/NAME/sim.o with every symbol made local but
#		the kernel's side of the HAL (libc/prelink.sh), then linked
#		with the simulator and the host's libraries.
# DIR and DIR/include are on the include path before Toro's headers.
# CFLAGS are added to the compiler's flags; LIBS (static libraries,
# objects, -L and -l flags: ld takes them in both links) come after the
# program's objects and before Toro's libraries, with musl's folder
# searched first (-lm, -lpthread... are its archives, never the host's,
# as with the SDK's toro-cc); DEPS (generated
# headers) are made before any of its files is compiled.  Both links go through
# hal/x86_64/symtab.sh, so reports and gdb name the program's functions.
#
# Unit tests by pattern: tests/unit/test_NAME.c becomes out/tests/unit/
# NAME.t, a Check program on the fake HAL, linked with out/tests/
# libunit.a, the helpers of tests/unit (every file there that is not a
# test_*.c).  They are host programs, not C environment ones.
#
# Rules: a program name is defined once per OUT (a second folder of the
# same name is an error, not a silent override); nothing is built in the
# source tree.

# What a program compiles with, after its own -I (LIBC_APP_CFLAGS:
# libc/local.mk).
TORO_CENV_FLAGS = $(LIBC_APP_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP
TORO_CENV_DEPS = $(MUSL_STAMP)
# Before a program's LIBS.
TORO_LIBS_PATH = -L$(MUSL_OUT)/lib

# What each target links after the program's objects and LIBS: the C
# library, the kernel and the HAL as one group natively (they call each
# other every way); the simulator's half after the pre-linked object.
TORO_NATIVE_LIBS = -Wl,--wrap=main -Wl,--start-group libtoroc.a \
	$(MUSL_LIB) libcore-native.a libhal-native.a -lgcc -Wl,--end-group
TORO_NATIVE_DEPS = libtoroc.a $(MUSL_STAMP) libcore-native.a \
	libhal-native.a $(srcdir)/hal/native/kernel.ld
TORO_PRELINK_INPUTS = libtoroc.a $(MUSL_LIB) \
	`$(CC) -print-libgcc-file-name`
TORO_PRELINK_DEPS = libtoroc.a $(MUSL_STAMP) libcore-host.a libhal-sim.a \
	$(srcdir)/libc/prelink.sh
TORO_SIM_LIBS = libhal-sim.a $(SIM_LIBS)
TORO_SIM_DEPS = libhal-sim.a
TORO_UNIT_LIBS = out/tests/libunit.a -Wl,--start-group libcore-host.a \
	libhal-fake.a -Wl,--end-group $(CHECK_LIBS) -lpthread
TORO_UNIT_DEPS = out/tests/libunit.a libcore-host.a libhal-fake.a

# The flags of the unit tests' helpers (host programs).
TORO_UNIT_FLAGS = $(AM_CPPFLAGS) $(CPPFLAGS) $(HOST_CFLAGS) $(CFLAGS) \
	-MMD -MP

# toro_sources DIR: the program's source files.
toro_sources = $(sort $(wildcard $(1)/*.c $(1)/*.S))
# toro_objects DIR OBJDIR: their objects.
toro_objects = $(patsubst $(1)/%,$(2)/%.o,$(call toro_sources,$(1)))

define toro_program
ifneq ($$(toro_defined_$(3)/$(1)),)
$$(error program '$(1)' in $(2) is already defined by $$(toro_defined_$(3)/$(1)))
endif
ifeq ($$(call toro_sources,$(2)),)
$$(error program '$(1)': no .c or .S file in $(2))
endif
toro_defined_$(3)/$(1) := $(2)

$(3)/obj/$(1)/%.c.o: $(2)/%.c $$(TORO_CENV_DEPS) $(6)
	@mkdir -p $$(@D)
	$$(AM_V_CC)$$(CC) -I$(2) -I$(2)/include $$(TORO_CENV_FLAGS) $(4) -c -o $$@ $$<
$(3)/obj/$(1)/%.S.o: $(2)/%.S $$(TORO_CENV_DEPS) $(6)
	@mkdir -p $$(@D)
	$$(AM_V_CCAS)$$(CC) -I$(2) -I$(2)/include $$(TORO_CENV_FLAGS) $(4) -c -o $$@ $$<

$(3)/obj/$(1)/sim.o: $$(call toro_objects,$(2),$(3)/obj/$(1)) \
    $$(TORO_PRELINK_DEPS)
	$$(AM_V_GEN)$$(SHELL) $$(srcdir)/libc/prelink.sh $$@ libhal-sim.a \
	    libcore-host.a $$(call toro_objects,$(2),$(3)/obj/$(1)) \
	    $$(TORO_LIBS_PATH) $(5) \
	    $$(TORO_PRELINK_INPUTS)
$(3)/sim/$(1): $(3)/obj/$(1)/sim.o $$(TORO_SIM_DEPS)
	@mkdir -p $$(@D)
	$$(AM_V_CCLD)$$(SIM_PROG_LINK) $(3)/obj/$(1)/sim.o $$(TORO_SIM_LIBS)
$(3)/native/$(1).elf: $$(call toro_objects,$(2),$(3)/obj/$(1)) \
    $$(TORO_NATIVE_DEPS)
	@mkdir -p $$(@D)
	$$(AM_V_CCLD)$$(NATIVE_PROG_LINK) \
	    $$(call toro_objects,$(2),$(3)/obj/$(1)) $$(TORO_LIBS_PATH) $(5) \
	    $$(TORO_NATIVE_LIBS)

-include $$(wildcard $(3)/obj/$(1)/*.d)
endef

# The helpers every unit test may use: tests/unit/*.c but the tests.
TORO_UNIT_HELPERS = $(filter-out $(srcdir)/tests/unit/test_%, \
	$(wildcard $(srcdir)/tests/unit/*.c))

out/tests/obj/unit/%.o: $(srcdir)/tests/unit/%.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(CC) $(TORO_UNIT_FLAGS) $(CHECK_CFLAGS) -c -o $@ $<
out/tests/libunit.a: $(patsubst $(srcdir)/tests/unit/%.c, \
    out/tests/obj/unit/%.o,$(TORO_UNIT_HELPERS))
	$(AM_V_AR)rm -f $@ && $(AR) $(ARFLAGS) $@ $^ && $(RANLIB) $@
out/tests/unit/%.t: out/tests/obj/unit/test_%.o $(TORO_UNIT_DEPS)
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(CCLD) $(HOST_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(TORO_UNIT_LIBS)
-include $(wildcard out/tests/obj/unit/*.d)
# Here, not in tests/local.mk: automake would take the make functions
# of TORO_UNIT_TESTS apart, word by word, to write a rule for each.  The
# .t suffix rule that runs them is automake's (TEST_EXTENSIONS).
TESTS += $(TORO_UNIT_TESTS)

# Every program folder of the tree, and those named on the command line
# (TORO_PROGRAMS=DIR...: see ./toro run DIR).
$(foreach d,$(TORO_EXAMPLE_DIRS),$(eval $(call toro_program,$(notdir \
	$(d)),$(d),out,$($(notdir $(d))_EXTRA_CFLAGS),$($(notdir \
	$(d))_EXTRA_LIBS),$($(notdir $(d))_EXTRA_DEPS))))
$(foreach d,$(TORO_TEST_PROGRAM_DIRS),$(eval $(call \
	toro_program,$(notdir $(d)),$(d),out/tests)))
$(foreach d,$(TORO_BENCH_DIRS),$(eval $(call toro_program,$(notdir \
	$(d)),$(d),out/bench)))
# TORO_PROGRAM_DEPS is a file that changes when their flags do (./toro
# writes it), so that new flags rebuild them.
$(foreach d,$(patsubst %/,%,$(TORO_PROGRAMS)),$(eval $(call \
	toro_program,$(notdir $(d)),$(abspath $(d)),out, \
	$(TORO_PROGRAM_CFLAGS),$(TORO_PROGRAM_LIBS),$(TORO_PROGRAM_DEPS))))
