# libc/local.mk: Toro's C library, the C environment of every program.
#
# The C library is Debian's musl, fetched and built once under
# $(TORO_CACHE)/musl (configure; out/musl by default) by libc/musl.sh, plus libtoroc.a (libc/*.c): the system calls, the
# descriptor table, malloc, threads, start-up.  One build of both serves
# the simulator and the native image.  Every program compiles against
# musl's headers and Toro's only (never the host's), once, with
# LIBC_APP_CFLAGS, and links twice (mk/program.mk has the rules):
#   native: its objects, libtoroc.a, musl, the kernel and the HAL, into
#           out/native/NAME.elf;
#   sim:    its objects, libtoroc.a, musl and the kernel pre-linked into
#           one object with its symbols made local (libc/prelink.sh),
#           then linked with the simulator, which uses the host's C
#           library, into out/sim/NAME.
# Both take main through --wrap=main (libc/start.c).

MUSL_OUT = $(TORO_CACHE)/musl
MUSL_STAMP = $(MUSL_OUT)/.done
MUSL_SRC = $(TORO_CACHE)/src/musl
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
libtoroc_a_SOURCES = libc/toroc.h libc/thread.h libc/dev.c libc/dir.c libc/fd.c \
	libc/futex.c libc/socket.c \
	libc/epoll.c libc/lock.c libc/malloc.c libc/math.c libc/mmap.c libc/path.c libc/pio.c libc/pipe.c libc/process.c libc/pthread.c \
	libc/resolve.c libc/resource.c libc/select.c libc/sendfile.c libc/signal.c libc/sockmsg.c libc/sockopt.c libc/start.c libc/stat.c libc/strtod.c libc/syscall.c \
	libc/time.c libc/tp.c libc/unlinked.c
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

# libtoronoproc.a: the process calls failing with ENOSYS, for a program
# that reaches them only through an option it can do without
# (libc/noproc.c); linked only when asked (-ltoronoproc).
noinst_LIBRARIES += libtoronoproc.a
libtoronoproc_a_SOURCES = libc/noproc.c
libtoronoproc_a_CPPFLAGS = $(libtoroc_a_CPPFLAGS)
libtoronoproc_a_CFLAGS = $(libtoroc_a_CFLAGS)
$(libtoronoproc_a_OBJECTS): $(MUSL_STAMP)

EXTRA_DIST += libc/README.md libc/musl.sh libc/musl-drop.txt \
	libc/prelink.sh libc/musl/syscall_arch.h libc/musl/pthread_arch.h \
	libc/include/pthread.h \
	tools/debsrc.sh

# The tests of the C environment: tests/programs/cenv, a program like
# any other, and what must not link (nolink.c).
TESTS += tests/libc/cenv.sh tests/libc/random.sh tests/libc/efault.sh
EXTRA_DIST += tests/libc/cenv.sh tests/libc/random.sh tests/libc/efault.sh tests/libc/nolink.c tests/libc/onlylibc

# The oracles (tests/libc/oracle.mk builds their programs): the
# differential test against glibc, Lua 5.4, zlib and SQLite from Debian
# sources, and the POSIX calls against Linux.
TESTS += tests/libc/diff.sh tests/libc/lua.sh tests/libc/zlib.sh \
	tests/libc/posix.sh tests/libc/sqlite.sh
EXTRA_DIST += tests/libc/diff tests/libc/diff.sh tests/libc/diffcmp.py \
	tests/libc/lua.sh tests/lua tests/libc/zlib.sh tests/libc/posix \
	tests/libc/sqlite.sql tests/libc/posix.sh tests/libc/sqlite.sh
