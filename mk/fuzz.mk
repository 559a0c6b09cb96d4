# mk/fuzz.mk: the libFuzzer harnesses, built out of tree with clang.
# GNU make, read as it is (Makefile.am includes it like mk/program.mk).
#
# Every tests/fuzz/NAME/fuzz.c is a harness: out/fuzz/NAME, linked with
# -fsanitize=fuzzer,address,undefined against its own copy of the
# kernel core and the fake HAL (out/fuzz/obj/), built with the same
# sanitizers and with tests/fuzz/sections.h forced in, so that
# tests/fuzz/machine.c can put their globals back before each input.
# A harness that needs more code names it below as fuzz_NAME_SOURCES
# (files of this tree) and fuzz_NAME_LIBS.
#
# configure sets FUZZ_CC to a clang that links -fsanitize=fuzzer (Debian:
# clang and libclang-rt-dev), or leaves it empty: then nothing here is
# built, and tests/fuzz/run.sh says why it skips.  The normal build never
# needs clang.

FUZZ_NAMES = $(notdir $(patsubst %/fuzz.c,%,$(wildcard \
	$(srcdir)/tests/fuzz/*/fuzz.c)))
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_FLAGS = -g -O1 $(WARN_CFLAGS) -pthread $(AM_CPPFLAGS) $(CPPFLAGS) \
	$(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP
# The kernel and the fake HAL: their globals in the reset sections.
FUZZ_MACHINE_FLAGS = $(FUZZ_FLAGS) -include $(srcdir)/tests/fuzz/sections.h

# Code each harness needs besides the machine.
# The webserver's request handling, its POSIX calls over the kernel's
# API (tests/fuzz/http/posix.h); fuzz.c serves its one connection.
fuzz_http_SOURCES = examples/webserver/http.c examples/webserver/files.c \
	examples/webserver/stats.c examples/webserver/out.c \
	tests/fuzz/http/posix.c
fuzz_http_CFLAGS = -I$(srcdir)/examples/webserver \
	-include $(srcdir)/tests/fuzz/http/posix.h \
	-DFUZZ_TOP='"$(abs_top_srcdir)"'
fuzz_http_LIBS = $(HTTP_PARSER_LIB)
fuzz_cmdline_SOURCES = sim/options.c

# The kernel's heap becomes the host's, for AddressSanitizer to watch,
# and its pages come back unpoisoned (tests/fuzz/machine.c).
FUZZ_WRAP = $(patsubst %,-Wl$(comma)--wrap=%,toro_malloc toro_calloc \
	toro_realloc toro_free toro_malloc_usable_size mem_page_alloc)
comma = ,

FUZZ_CORE_SRCS = $(filter %.c %.S,$(libcore_host_a_SOURCES))
FUZZ_HAL_SRCS = $(filter %.c %.S,$(libhal_fake_a_SOURCES))
FUZZ_MACHINE_OBJS = $(patsubst %,out/fuzz/obj/%.o,$(FUZZ_CORE_SRCS) \
	$(FUZZ_HAL_SRCS))

out/fuzz/obj/core/%.c.o: $(srcdir)/core/%.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_MACHINE_FLAGS) -ffreestanding \
	    -fno-builtin-printf -c -o $@ $<
out/fuzz/obj/hal/%.c.o: $(srcdir)/hal/%.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_MACHINE_FLAGS) -c -o $@ $<
out/fuzz/obj/hal/%.S.o: $(srcdir)/hal/%.S
	@mkdir -p $(@D)
	$(AM_V_CCAS)$(FUZZ_CC) $(FUZZ_MACHINE_FLAGS) -c -o $@ $<
# The harnesses and the code they add: globals of their own, not reset.
out/fuzz/obj/tests/%.c.o: $(srcdir)/tests/%.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<
out/fuzz/obj/examples/%.c.o: $(srcdir)/examples/%.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<
out/fuzz/obj/sim/%.c.o: $(srcdir)/sim/%.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<

out/fuzz/libmachine.a: $(FUZZ_MACHINE_OBJS) \
    out/fuzz/obj/tests/fuzz/machine.c.o
	$(AM_V_AR)rm -f $@ && $(AR) $(ARFLAGS) $@ $^ && $(RANLIB) $@

# fuzz_objects NAME: the harness's objects.
fuzz_objects = out/fuzz/obj/tests/fuzz/$(1)/fuzz.c.o \
	$(patsubst %,out/fuzz/obj/%.o,$(fuzz_$(1)_SOURCES))

define fuzz_harness
out/fuzz/obj/tests/fuzz/$(1)/%.c.o out/fuzz/obj/examples/%.c.o: \
    FUZZ_FLAGS += $(fuzz_$(1)_CFLAGS)
out/fuzz/$(1): $(call fuzz_objects,$(1)) out/fuzz/libmachine.a
	$$(AM_V_CCLD)$$(FUZZ_CC) $$(FUZZ_SAN) -fsanitize=fuzzer -pthread \
	    $$(FUZZ_WRAP) \
	    -o $$@ $(call fuzz_objects,$(1)) -Wl,--start-group \
	    out/fuzz/libmachine.a -Wl,--end-group $(fuzz_$(1)_LIBS)
endef

ifneq ($(FUZZ_CC),)
$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_harness,$(n))))
check_DATA += $(FUZZ_NAMES:%=out/fuzz/%)
endif
# tests/fuzz/run.sh (in TESTS, tests/local.mk) skips when it is empty.
TESTS_ENVIRONMENT += FUZZ_CC='$(FUZZ_CC)'; export FUZZ_CC;
-include $(wildcard $(patsubst %,out/fuzz/obj/%.d,$(FUZZ_CORE_SRCS) \
	$(FUZZ_HAL_SRCS)) out/fuzz/obj/tests/fuzz/*.d \
	out/fuzz/obj/tests/fuzz/*/*.d out/fuzz/obj/examples/*/*.d \
	out/fuzz/obj/sim/*.d)

# Build every harness (./toro fuzz): fails clearly without clang.
fuzz-programs:
	@test -n "$(FUZZ_CC)" || { echo "fuzz: no clang that links" \
	    "-fsanitize=fuzzer (Debian packages clang, libclang-rt-dev):" \
	    "rerun ./configure once they are installed" >&2; exit 1; }
	@$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_NAMES:%=out/fuzz/%)
.PHONY: fuzz-programs
