# examples/local.mk: every example is built for both targets:
# out/sim/NAME (a Linux program) and out/native/NAME.elf (a bootable image).

# The core first: the HAL then pulls kern_boot and kern_trap from it,
# which need hal_jump from the HAL, hence the repeats.
SIM_LINK = libcore-host.a libhal-sim.a libcore-host.a libhal-sim.a \
	$(SIM_LIBS)
NATIVE_LINK = libcore-native.a libhal-native.a libcore-native.a \
	libhal-native.a -lgcc
NATIVE_DEPS = libhal-native.a libcore-native.a $(srcdir)/hal/native/kernel.ld
SIM_DEPS = libhal-sim.a libcore-host.a

noinst_PROGRAMS += out/sim/hello out/native/hello.elf \
	out/sim/threads out/native/threads.elf \
	out/sim/ticker out/native/ticker.elf \
	out/sim/echo out/native/echo.elf

out_sim_hello_SOURCES = examples/hello/main.c
out_sim_hello_CFLAGS = $(HOST_CFLAGS)
out_sim_hello_LINK = $(SIM_PROG_LINK)
out_sim_hello_LDADD = $(SIM_LINK)
out_sim_hello_DEPENDENCIES = $(SIM_DEPS)
out_native_hello_elf_SOURCES = examples/hello/main.c
out_native_hello_elf_CFLAGS = $(NATIVE_CFLAGS)
out_native_hello_elf_LINK = $(NATIVE_PROG_LINK)
out_native_hello_elf_LDADD = $(NATIVE_LINK)
out_native_hello_elf_DEPENDENCIES = $(NATIVE_DEPS)

out_sim_threads_SOURCES = examples/threads/main.c
out_sim_threads_CFLAGS = $(HOST_CFLAGS)
out_sim_threads_LINK = $(SIM_PROG_LINK)
out_sim_threads_LDADD = $(SIM_LINK)
out_sim_threads_DEPENDENCIES = $(SIM_DEPS)
out_native_threads_elf_SOURCES = examples/threads/main.c
out_native_threads_elf_CFLAGS = $(NATIVE_CFLAGS)
out_native_threads_elf_LINK = $(NATIVE_PROG_LINK)
out_native_threads_elf_LDADD = $(NATIVE_LINK)
out_native_threads_elf_DEPENDENCIES = $(NATIVE_DEPS)

out_sim_ticker_SOURCES = examples/ticker/main.c
out_sim_ticker_CFLAGS = $(HOST_CFLAGS)
out_sim_ticker_LINK = $(SIM_PROG_LINK)
out_sim_ticker_LDADD = $(SIM_LINK)
out_sim_ticker_DEPENDENCIES = $(SIM_DEPS)
out_native_ticker_elf_SOURCES = examples/ticker/main.c
out_native_ticker_elf_CFLAGS = $(NATIVE_CFLAGS)
out_native_ticker_elf_LINK = $(NATIVE_PROG_LINK)
out_native_ticker_elf_LDADD = $(NATIVE_LINK)
out_native_ticker_elf_DEPENDENCIES = $(NATIVE_DEPS)

out_sim_echo_SOURCES = examples/echo/main.c
out_sim_echo_CFLAGS = $(HOST_CFLAGS)
out_sim_echo_LINK = $(SIM_PROG_LINK)
out_sim_echo_LDADD = $(SIM_LINK)
out_sim_echo_DEPENDENCIES = $(SIM_DEPS)
out_native_echo_elf_SOURCES = examples/echo/main.c
out_native_echo_elf_CFLAGS = $(NATIVE_CFLAGS)
out_native_echo_elf_LINK = $(NATIVE_PROG_LINK)
out_native_echo_elf_LDADD = $(NATIVE_LINK)
out_native_echo_elf_DEPENDENCIES = $(NATIVE_DEPS)

# QEMU boots an image with a Multiboot header via Multiboot on every
# machine, so microvm and q35 get a PVH-only twin (hal/native/local.mk).
noinst_DATA = out/native/hello.pvh.elf out/native/threads.pvh.elf \
	out/native/ticker.pvh.elf out/native/echo.pvh.elf

# The webserver links Debian's libhttp_parser.a unchanged into both
# targets (configure finds it: HTTP_PARSER_LIB).
noinst_PROGRAMS += out/sim/webserver out/native/webserver.elf \
	out/sim/fetch out/native/fetch.elf
noinst_DATA += out/native/webserver.pvh.elf out/native/fetch.pvh.elf

out_sim_webserver_SOURCES = examples/webserver/main.c
out_sim_webserver_CFLAGS = $(HOST_CFLAGS)
out_sim_webserver_LINK = $(SIM_PROG_LINK)
out_sim_webserver_LDADD = $(HTTP_PARSER_LIB) $(SIM_LINK)
out_sim_webserver_DEPENDENCIES = $(SIM_DEPS)
out_native_webserver_elf_SOURCES = examples/webserver/main.c
out_native_webserver_elf_CFLAGS = $(NATIVE_CFLAGS)
out_native_webserver_elf_LINK = $(NATIVE_PROG_LINK)
out_native_webserver_elf_LDADD = $(HTTP_PARSER_LIB) $(NATIVE_LINK)
out_native_webserver_elf_DEPENDENCIES = $(NATIVE_DEPS)

out_sim_fetch_SOURCES = examples/fetch/main.c examples/fetch/sha256.c \
	examples/fetch/sha256.h
out_sim_fetch_CFLAGS = $(HOST_CFLAGS)
out_sim_fetch_LINK = $(SIM_PROG_LINK)
out_sim_fetch_LDADD = $(SIM_LINK)
out_sim_fetch_DEPENDENCIES = $(SIM_DEPS)
out_native_fetch_elf_SOURCES = examples/fetch/main.c examples/fetch/sha256.c \
	examples/fetch/sha256.h
out_native_fetch_elf_CFLAGS = $(NATIVE_CFLAGS)
out_native_fetch_elf_LINK = $(NATIVE_PROG_LINK)
out_native_fetch_elf_LDADD = $(NATIVE_LINK)
out_native_fetch_elf_DEPENDENCIES = $(NATIVE_DEPS)

noinst_PROGRAMS += out/sim/files out/native/files.elf
noinst_DATA += out/native/files.pvh.elf

out_sim_files_SOURCES = examples/files/main.c
out_sim_files_CFLAGS = $(HOST_CFLAGS)
out_sim_files_LINK = $(SIM_PROG_LINK)
out_sim_files_LDADD = $(SIM_LINK)
out_sim_files_DEPENDENCIES = $(SIM_DEPS)
out_native_files_elf_SOURCES = examples/files/main.c
out_native_files_elf_CFLAGS = $(NATIVE_CFLAGS)
out_native_files_elf_LINK = $(NATIVE_PROG_LINK)
out_native_files_elf_LDADD = $(NATIVE_LINK)
out_native_files_elf_DEPENDENCIES = $(NATIVE_DEPS)

noinst_PROGRAMS += out/sim/exceptions out/native/exceptions.elf
noinst_DATA += out/native/exceptions.pvh.elf

out_sim_exceptions_SOURCES = examples/exceptions/main.c
out_sim_exceptions_CFLAGS = $(HOST_CFLAGS)
out_sim_exceptions_LINK = $(SIM_PROG_LINK)
out_sim_exceptions_LDADD = $(SIM_LINK)
out_sim_exceptions_DEPENDENCIES = $(SIM_DEPS)
out_native_exceptions_elf_SOURCES = examples/exceptions/main.c
out_native_exceptions_elf_CFLAGS = $(NATIVE_CFLAGS)
out_native_exceptions_elf_LINK = $(NATIVE_PROG_LINK)
out_native_exceptions_elf_LDADD = $(NATIVE_LINK)
out_native_exceptions_elf_DEPENDENCIES = $(NATIVE_DEPS)

# The webserver's sample site: ./toro run webserver --share examples/webserver/www
EXTRA_DIST += examples/webserver/www/index.html examples/webserver/www/style.css \
	examples/webserver/www/toro.png examples/webserver/www/docs/notes.txt
