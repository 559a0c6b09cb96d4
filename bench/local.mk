# bench/local.mk: benchmark programs, built by `make bench-programs`
# (./toro bench does it), never by `make` alone, all under out/bench/.
#
# Every bench/NAME/main.c folder is a Toro program, built by rule
# (mk/program.mk) as out/bench/sim/NAME.  Its peers, plain Linux
# programs, are in bench/peers: out/bench/peers/NAME.

TORO_BENCH_DIRS = $(patsubst %/main.c,%,$(wildcard $(srcdir)/bench/*/main.c))
BENCH_NAMES = $(notdir $(TORO_BENCH_DIRS))
BENCH_TORO = $(BENCH_NAMES:%=out/bench/sim/%)
BENCH_PEERS = out/bench/peers/swapcontext out/bench/peers/pingpong \
	out/bench/peers/alloc-glibc out/bench/peers/alloc-jemalloc \
	out/bench/peers/synflood
EXTRA_PROGRAMS = $(BENCH_PEERS)

out_bench_peers_swapcontext_SOURCES = bench/peers/swapcontext.c
out_bench_peers_pingpong_SOURCES = bench/peers/pingpong.c
out_bench_peers_pingpong_LDADD = -lpthread
out_bench_peers_synflood_SOURCES = bench/peers/synflood.c
out_bench_peers_alloc_glibc_SOURCES = bench/peers/alloc.c
out_bench_peers_alloc_glibc_LDADD = -lpthread
out_bench_peers_alloc_jemalloc_SOURCES = bench/peers/alloc.c
out_bench_peers_alloc_jemalloc_CFLAGS = $(AM_CFLAGS)
out_bench_peers_alloc_jemalloc_LDADD = -ljemalloc -lpthread

# The epoll benchmark's peer: its own source with the host's glibc.
out/bench/peers/epoll-glibc: $(srcdir)/bench/epoll/main.c
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(CC) $(WARN_CFLAGS) -O2 -o $@ $<

out/bench/empty-exit.elf: $(srcdir)/bench/empty/empty.S
	@mkdir -p out/bench
	$(AM_V_CCAS)$(CC) -nostdlib -static -no-pie -Wl,--build-id=none \
	    -Wl,-Ttext=0x100000 -Wl,-e,start -o $@ $<
out/bench/empty-halt.elf: $(srcdir)/bench/empty/empty.S
	@mkdir -p out/bench
	$(AM_V_CCAS)$(CC) -DHALT -nostdlib -static -no-pie \
	    -Wl,--build-id=none -Wl,-Ttext=0x100000 -Wl,-e,start -o $@ $<

bench-programs: $(BENCH_TORO) $(BENCH_PEERS) out/bench/peers/epoll-glibc \
	out/bench/native/nothing.pvh.elf out/bench/empty-exit.elf \
	out/bench/empty-halt.elf
.PHONY: bench-programs

EXTRA_DIST += bench/alloc bench/epoll bench/fs bench/nothing bench/switch \
	bench/peers
EXTRA_DIST += bench/empty/empty.S bench/README.md bench/common.sh \
	bench/memcached.sh \
	bench/switch.sh bench/message.sh bench/alloc.sh bench/boot.sh \
	bench/idle.sh bench/epoll.sh bench/fs.sh bench/http.sh bench/tcp.sh bench/conn.sh \
	bench/native-http.sh bench/linux/build.sh bench/linux/init \
	bench/linux/udhcpc.sh \
	bench/seed/run.sh bench/seed/sample.py bench/seed/burst.py \
	bench/seed/latency.py bench/seed/boottime.py bench/seed/minmem.py \
	bench/seed/results.py bench/seed/plot.py bench/seed/report.py \
	bench/seed/readme.py
