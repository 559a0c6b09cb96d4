# mk/program.mk: a program is a folder.  GNU make, read as it is:
# Makefile.am includes it through a path automake does not inline, since
# automake cannot read make functions.
#
# $(call toro_program,NAME,DIR,OUT,CFLAGS,LIBS) makes the rules of the
# Toro program whose sources are DIR/*.c and DIR/*.S (DIR may be any
# folder, in this tree or not):
#	OUT/sim/NAME		  the program as a Linux process (the sim)
#	OUT/native/NAME.elf	  the program as a bootable image
#	OUT/native/NAME.pvh.elf	  its PVH-only twin (hal/native/local.mk)
# Objects and their dependency files (-MMD) go to OUT/obj/TARGET/NAME/.
# DIR and DIR/include are on the include path before Toro's headers.
# CFLAGS are added when compiling for both targets; LIBS (static
# libraries, -l flags) are linked after the program's objects and before
# Toro's libraries, which are linked once, as a group.
#
# Unit tests by pattern: tests/unit/test_NAME.c becomes out/tests/unit/
# NAME.t, a Check program on the fake HAL, linked with out/tests/
# libunit.a, the helpers of tests/unit (every file there that is not a
# test_*.c).
#
# Rules: a program name is defined once per OUT (a second folder of the
# same name is an error, not a silent override); nothing is built in the
# source tree.

# The libraries of each target, as one group: core and the HAL call each
# other both ways.
TORO_SIM_LIBS = -Wl,--start-group libcore-host.a libhal-sim.a \
	-Wl,--end-group $(SIM_LIBS)
TORO_SIM_DEPS = libcore-host.a libhal-sim.a
TORO_NATIVE_LIBS = -Wl,--start-group libcore-native.a libhal-native.a \
	-Wl,--end-group -lgcc
TORO_NATIVE_DEPS = libcore-native.a libhal-native.a \
	$(srcdir)/hal/native/kernel.ld
TORO_UNIT_LIBS = out/tests/libunit.a -Wl,--start-group libcore-host.a \
	libhal-fake.a -Wl,--end-group $(CHECK_LIBS) -lpthread
TORO_UNIT_DEPS = out/tests/libunit.a libcore-host.a libhal-fake.a

# The flags of each target, after a program's own -I.
TORO_SIM_FLAGS = $(AM_CPPFLAGS) $(CPPFLAGS) $(HOST_CFLAGS) $(CFLAGS) \
	-MMD -MP
TORO_NATIVE_FLAGS = $(AM_CPPFLAGS) $(CPPFLAGS) $(NATIVE_CFLAGS) \
	$(CFLAGS) -MMD -MP

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

$(3)/obj/sim/$(1)/%.c.o: $(2)/%.c
	@mkdir -p $$(@D)
	$$(AM_V_CC)$$(CC) -I$(2) -I$(2)/include $$(TORO_SIM_FLAGS) $(4) -c -o $$@ $$<
$(3)/obj/sim/$(1)/%.S.o: $(2)/%.S
	@mkdir -p $$(@D)
	$$(AM_V_CCAS)$$(CC) -I$(2) -I$(2)/include $$(TORO_SIM_FLAGS) $(4) -c -o $$@ $$<
$(3)/obj/native/$(1)/%.c.o: $(2)/%.c
	@mkdir -p $$(@D)
	$$(AM_V_CC)$$(CC) -I$(2) -I$(2)/include $$(TORO_NATIVE_FLAGS) $(4) -c -o $$@ $$<
$(3)/obj/native/$(1)/%.S.o: $(2)/%.S
	@mkdir -p $$(@D)
	$$(AM_V_CCAS)$$(CC) -I$(2) -I$(2)/include $$(TORO_NATIVE_FLAGS) $(4) -c -o $$@ $$<

$(3)/sim/$(1): $$(call toro_objects,$(2),$(3)/obj/sim/$(1)) $$(TORO_SIM_DEPS)
	@mkdir -p $$(@D)
	$$(AM_V_CCLD)$$(SIM_PROG_LINK) \
	    $$(call toro_objects,$(2),$(3)/obj/sim/$(1)) $(5) $$(TORO_SIM_LIBS)
$(3)/native/$(1).elf: $$(call toro_objects,$(2),$(3)/obj/native/$(1)) \
    $$(TORO_NATIVE_DEPS)
	@mkdir -p $$(@D)
	$$(AM_V_CCLD)$$(NATIVE_PROG_LINK) \
	    $$(call toro_objects,$(2),$(3)/obj/native/$(1)) $(5) \
	    $$(TORO_NATIVE_LIBS)

-include $$(wildcard $(3)/obj/*/$(1)/*.d)
endef

# The helpers every unit test may use: tests/unit/*.c but the tests.
TORO_UNIT_HELPERS = $(filter-out $(srcdir)/tests/unit/test_%, \
	$(wildcard $(srcdir)/tests/unit/*.c))

out/tests/obj/unit/%.o: $(srcdir)/tests/unit/%.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(CC) $(TORO_SIM_FLAGS) $(CHECK_CFLAGS) -c -o $@ $<
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
	$(d))_EXTRA_LIBS))))
$(foreach d,$(TORO_TEST_PROGRAM_DIRS),$(eval $(call \
	toro_program,$(notdir $(d)),$(d),out/tests)))
$(foreach d,$(TORO_BENCH_DIRS),$(eval $(call toro_program,$(notdir \
	$(d)),$(d),out/bench)))
$(foreach d,$(patsubst %/,%,$(TORO_PROGRAMS)),$(eval $(call \
	toro_program,$(notdir $(d)),$(abspath $(d)),out, \
	$(TORO_PROGRAM_CFLAGS),$(TORO_PROGRAM_LIBS))))
