# bench/local.mk: benchmark programs, built by `make bench-programs`
# (./toro bench does it), never by `make` alone.

BENCH_PROGS = bench/bin/switch bench/bin/alloc bench/bin/swapcontext \
	bench/bin/pingpong bench/bin/alloc-glibc bench/bin/alloc-jemalloc \
	bench/bin/fs
EXTRA_PROGRAMS = $(BENCH_PROGS)
CLEANFILES += $(BENCH_PROGS) bench/bin/empty-exit.elf bench/bin/empty-halt.elf

bench_bin_switch_SOURCES = bench/switch/main.c
bench_bin_switch_CFLAGS = $(HOST_CFLAGS)
bench_bin_switch_LDADD = $(SIM_LINK)
bench_bin_switch_DEPENDENCIES = $(SIM_DEPS)
bench_bin_alloc_SOURCES = bench/alloc/main.c bench/alloc/workload.h
bench_bin_alloc_CFLAGS = $(HOST_CFLAGS)
bench_bin_alloc_LDADD = $(SIM_LINK)
bench_bin_alloc_DEPENDENCIES = $(SIM_DEPS)
bench_bin_fs_SOURCES = bench/fs/main.c
bench_bin_fs_CFLAGS = $(HOST_CFLAGS)
bench_bin_fs_LDADD = $(SIM_LINK)
bench_bin_fs_DEPENDENCIES = $(SIM_DEPS)

bench_bin_swapcontext_SOURCES = bench/peers/swapcontext.c
bench_bin_pingpong_SOURCES = bench/peers/pingpong.c
bench_bin_pingpong_LDADD = -lpthread
bench_bin_alloc_glibc_SOURCES = bench/peers/alloc.c
bench_bin_alloc_glibc_LDADD = -lpthread
bench_bin_alloc_jemalloc_SOURCES = bench/peers/alloc.c
bench_bin_alloc_jemalloc_CFLAGS = $(AM_CFLAGS)
bench_bin_alloc_jemalloc_LDADD = -ljemalloc -lpthread

bench/bin/empty-exit.elf: $(srcdir)/bench/empty/empty.S
	@mkdir -p bench/bin
	$(AM_V_CCAS)$(CC) -nostdlib -static -no-pie -Wl,--build-id=none \
	    -Wl,-Ttext=0x100000 -Wl,-e,start -o $@ $<
bench/bin/empty-halt.elf: $(srcdir)/bench/empty/empty.S
	@mkdir -p bench/bin
	$(AM_V_CCAS)$(CC) -DHALT -nostdlib -static -no-pie \
	    -Wl,--build-id=none -Wl,-Ttext=0x100000 -Wl,-e,start -o $@ $<

bench-programs: $(BENCH_PROGS) bench/bin/empty-exit.elf \
	bench/bin/empty-halt.elf
.PHONY: bench-programs

EXTRA_DIST += bench/empty/empty.S bench/README.md bench/common.sh \
	bench/switch.sh bench/message.sh bench/alloc.sh bench/boot.sh \
	bench/idle.sh bench/fs.sh bench/http.sh bench/tcp.sh \
	bench/native-http.sh bench/linux/build.sh bench/linux/init \
	bench/linux/udhcpc.sh \
	bench/seed/run.sh bench/seed/sample.py bench/seed/burst.py \
	bench/seed/latency.py bench/seed/boottime.py bench/seed/minmem.py \
	bench/seed/results.py bench/seed/plot.py bench/seed/report.py \
	bench/seed/readme.py
