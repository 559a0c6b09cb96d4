# libc/local.mk: Toro's C library, and the programs of the C environment.
#
# The C library is Debian's musl, fetched and built once under out/musl
# by libc/musl.sh, plus libtoroc.a (libc/*.c): the system calls, the
# descriptor table, malloc, threads, start-up.  One build of both serves
# the simulator and the native image.  A C environment program compiles
# against musl's headers and Toro's only (never the host's), once, and
# links twice:
#   native: its objects, libtoroc.a, musl, the kernel and the HAL, into
#           out/native/NAME.elf;
#   sim:    its objects, libtoroc.a, musl and the kernel pre-linked into
#           one object with its symbols made local (libc/prelink.sh),
#           then linked with the simulator, which uses the host's C
#           library, into out/sim/NAME.
# Both take main through --wrap=main (libc/start.c).

MUSL_OUT = out/musl
MUSL_STAMP = $(MUSL_OUT)/.done
MUSL_SRC = out/src/musl
MUSL_LIB = $(MUSL_OUT)/lib/libc.a
GCC_INCLUDE = `$(CC) -print-file-name=include`

$(MUSL_STAMP): $(srcdir)/libc/musl.sh $(srcdir)/libc/musl-drop.txt \
    $(srcdir)/libc/musl/syscall_arch.h $(srcdir)/libc/musl/pthread_arch.h \
    $(srcdir)/tools/debsrc.sh
	$(AM_V_GEN)CC="$(CC)" $(SHELL) $(srcdir)/libc/musl.sh $(srcdir) \
	    $(MUSL_OUT)

# What an application of the C environment compiles with.
LIBC_APP_CFLAGS = -nostdinc -isystem $(srcdir)/libc/include \
	-isystem $(MUSL_OUT)/include \
	-isystem $(GCC_INCLUDE) -I$(srcdir)/include $(WARN_CFLAGS) -fPIE

# libtoroc.a fills musl's own structures, so it sees musl's inside.
noinst_LIBRARIES += libtoroc.a
libtoroc_a_SOURCES = libc/toroc.h libc/thread.h libc/dir.c libc/fd.c \
	libc/futex.c libc/socket.c \
	libc/lock.c libc/malloc.c libc/math.c libc/process.c libc/pthread.c libc/resolve.c \
	libc/signal.c libc/start.c libc/strtod.c libc/syscall.c libc/time.c \
	libc/tp.c
libtoroc_a_CPPFLAGS = -nostdinc -iquote $(srcdir)/libc/musl -I$(srcdir) \
	-I$(srcdir)/include -isystem $(MUSL_SRC)/arch/x86_64 \
	-isystem $(MUSL_SRC)/arch/generic \
	-isystem $(MUSL_OUT)/build/obj/src/internal \
	-isystem $(MUSL_SRC)/src/include -isystem $(MUSL_SRC)/src/internal \
	-isystem $(MUSL_SRC)/src/network \
	-isystem $(MUSL_OUT)/build/obj/include -isystem $(MUSL_SRC)/include \
	-isystem $(GCC_INCLUDE) -D_XOPEN_SOURCE=700
libtoroc_a_CFLAGS = $(WARN_CFLAGS) -std=c99 -fPIC -fno-stack-protector \
	-Wno-missing-prototypes
$(libtoroc_a_OBJECTS): $(MUSL_STAMP)

EXTRA_DIST += libc/README.md libc/musl.sh libc/musl-drop.txt \
	libc/prelink.sh libc/musl/syscall_arch.h libc/musl/pthread_arch.h \
	libc/include/pthread.h \
	tools/debsrc.sh

LIBC_SIM_INPUTS = libtoroc.a $(MUSL_LIB) \
	`$(CC) -print-libgcc-file-name`
LIBC_NATIVE_LIBS = -Wl,--wrap=main -Wl,--start-group libtoroc.a \
	$(MUSL_LIB) libcore-native.a libhal-native.a -lgcc -Wl,--end-group
LIBC_DEPS = libtoroc.a $(MUSL_STAMP)

# A program's objects: out/libc/DIR/FILE.o from DIR/FILE.c.
out/libc/%.o: $(srcdir)/%.c $(MUSL_STAMP)
	@mkdir -p $(@D)
	$(AM_V_CC)$(CC) $(LIBC_APP_CFLAGS) $(CFLAGS) -c -o $@ $<

# The pre-linked half of a simulator program (libc/prelink.sh).
out/libc/%.sim.o: $(LIBC_DEPS) libcore-host.a libhal-sim.a \
    $(srcdir)/libc/prelink.sh
	$(AM_V_GEN)$(SHELL) $(srcdir)/libc/prelink.sh $@ libhal-sim.a \
	    libcore-host.a \
	    $(LIBC_$(subst -,_,$*)_OBJS) $(LIBC_SIM_INPUTS)

# The programs: LIBC_NAME_OBJS lists each one's objects.
# C environment programs, linked by the rules below for now, not by
# mk/program.mk (examples/local.mk leaves them out).
LIBC_PROGRAM_DIRS = $(srcdir)/examples/myapp
LIBC_myapp_OBJS = out/libc/examples/myapp/main.o
out/libc/myapp.sim.o: $(LIBC_myapp_OBJS)
out/sim/myapp: out/libc/myapp.sim.o libhal-sim.a
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(SIM_PROG_LINK) out/libc/myapp.sim.o libhal-sim.a \
	    $(SIM_LIBS)
out/native/myapp.elf: $(LIBC_myapp_OBJS) $(LIBC_DEPS) $(NATIVE_DEPS)
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(NATIVE_PROG_LINK) $(LIBC_myapp_OBJS) \
	    $(LIBC_NATIVE_LIBS)

noinst_DATA += out/sim/myapp out/native/myapp.elf out/native/myapp.pvh.elf
CLEANFILES += out/sim/myapp out/native/myapp.elf out/libc/*.sim.o \
	out/libc/examples/*/*.o out/libc/tests/*/*.o

# The slice's test program (tests/libc/cenv.sh).
LIBC_cenv_OBJS = out/libc/tests/libc/cenv.o
out/libc/cenv.sim.o: $(LIBC_cenv_OBJS)
out/tests/libc/cenv: out/libc/cenv.sim.o libhal-sim.a
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(SIM_PROG_LINK) out/libc/cenv.sim.o libhal-sim.a \
	    $(SIM_LIBS)
out/tests/libc/cenv.elf: $(LIBC_cenv_OBJS) $(LIBC_DEPS) $(NATIVE_DEPS)
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(NATIVE_PROG_LINK) $(LIBC_cenv_OBJS) $(LIBC_NATIVE_LIBS)
check_DATA += out/tests/libc/cenv out/tests/libc/cenv.elf out/tests/libc/cenv.pvh.elf

TESTS += tests/libc/cenv.sh
EXTRA_DIST += tests/libc/cenv.sh tests/libc/nolink.c tests/libc/onlylibc

# The oracles (tests/libc/oracle.mk builds their programs): the
# differential test against glibc, Lua 5.4 and zlib from Debian sources.
TESTS += tests/libc/diff.sh tests/libc/lua.sh tests/libc/zlib.sh
EXTRA_DIST += tests/libc/diff tests/libc/diff.sh tests/libc/diffcmp.py \
	tests/libc/lua.sh tests/lua tests/libc/zlib.sh
