# tests/libc/oracle.mk: the oracles of the C environment (issue 11),
# GNU make read as it is (Makefile.am includes it through a path automake
# does not inline).
#
# Three programs judge the C library: the differential generator
# tests/libc/diff (against the host's glibc), and two real programs
# built unchanged from Debian source packages fetched by tools/debsrc.sh
# into $(TORO_CACHE)/src (out/src by default): the Lua 5.4 interpreter and zlib's example and
# minigzip.  Each is "a folder of sources + flags -> a C environment
# program": $(call libc_oracle,NAME,SOURCES,CFLAGS) compiles SOURCES
# with the C environment's headers and CFLAGS into out/libc/obj/NAME/,
# and links out/tests/libc/NAME (the sim: libc/prelink.sh, then the
# simulator) and out/tests/libc/NAME.elf (native) with mk/program.mk's
# libraries.  Not toro_program itself: these programs are lists of
# files from a package's folder (Lua's src/ but luac.c, zlib's library
# with each test program), compiled with the package's own flags.

# The C environment's compile flags without Toro's warnings: the
# packages keep the flags their own Makefiles use.
LIBC_ORACLE_CFLAGS = -nostdinc -isystem $(srcdir)/libc/include \
	-isystem $(MUSL_OUT)/include -isystem $(GCC_INCLUDE) \
	-I$(srcdir)/include -fPIE

define libc_oracle
LIBC_$(1)_OBJS += $(patsubst %.c,out/libc/obj/$(1)/%.o,$(notdir $(2)))
out/libc/obj/$(1)/%.o: $(dir $(firstword $(2)))%.c $$(MUSL_STAMP)
	@mkdir -p $$(@D)
	$$(AM_V_CC)$$(CC) $$(LIBC_ORACLE_CFLAGS) $(3) -c -o $$@ $$<
out/libc/$(1).sim.o: $$(LIBC_$(1)_OBJS) $$(TORO_PRELINK_DEPS)
	$$(AM_V_GEN)$$(SHELL) $$(srcdir)/libc/prelink.sh $$@ libhal-sim.a \
	    libcore-host.a $$(LIBC_$(1)_OBJS) $$(TORO_PRELINK_INPUTS)
out/tests/libc/$(1): out/libc/$(1).sim.o $$(TORO_SIM_DEPS)
	@mkdir -p $$(@D)
	$$(AM_V_CCLD)$$(SIM_PROG_LINK) out/libc/$(1).sim.o $$(TORO_SIM_LIBS)
out/tests/libc/$(1).elf: $$(LIBC_$(1)_OBJS) $$(TORO_NATIVE_DEPS)
	@mkdir -p $$(@D)
	$$(AM_V_CCLD)$$(NATIVE_PROG_LINK) $$(LIBC_$(1)_OBJS) \
	    $$(TORO_NATIVE_LIBS)
check_DATA += out/tests/libc/$(1) out/tests/libc/$(1).elf \
	out/tests/libc/$(1).pvh.elf
CLEANFILES += out/libc/$(1).sim.o out/libc/obj/$(1)/*.o
endef

# 1. The differential generator: the same source with the host's glibc
# (out/tests/libc/diff-glibc) and in the C environment.  -fno-builtin:
# the libraries are judged, not the compiler's folding of them.
LIBC_DIFF_FLAGS = -O2 -std=gnu11 -Wall -Wextra -fno-builtin
LIBC_DIFF_SRCS = $(sort $(wildcard $(srcdir)/tests/libc/diff/*.c))
$(eval $(call libc_oracle,diff,$(LIBC_DIFF_SRCS),$(LIBC_DIFF_FLAGS)))
$(LIBC_diff_OBJS): $(srcdir)/tests/libc/diff/diff.h
out/tests/libc/diff-glibc: $(LIBC_DIFF_SRCS) $(srcdir)/tests/libc/diff/diff.h
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(CC) $(LIBC_DIFF_FLAGS) -o $@ $(LIBC_DIFF_SRCS) -lm

# 2. Lua 5.4 from Debian's lua5.4: the interpreter's sources (src/*.c
# but luac.c), with the flags of src/Makefile's generic (C89 library)
# target: its linux target's LUA_USE_POSIX would call popen, which
# cannot mean anything on a machine without processes and so is absent;
# without it io.popen says "'popen' not supported".
LUA_DIR = $(TORO_CACHE)/src/lua5.4
LUA_SRCS = $(addprefix $(LUA_DIR)/src/,lapi.c lauxlib.c lbaselib.c \
	lcode.c lcorolib.c lctype.c ldblib.c ldebug.c ldo.c ldump.c lfunc.c \
	lgc.c linit.c liolib.c llex.c lmathlib.c lmem.c loadlib.c lobject.c \
	lopcodes.c loslib.c lparser.c lstate.c lstring.c lstrlib.c ltable.c \
	ltablib.c ltm.c lua.c lundump.c lutf8lib.c lvm.c lzio.c)
# One debsrc.sh at a time: they share the private apt state
# ($(TORO_CACHE)/apt, as musl's; never in the source tree).
DEBSRC = DEBSRC_APT=$(abspath $(TORO_CACHE))/apt $(SHELL) \
	$(srcdir)/tools/debsrc.sh
$(LUA_DIR)/.debsrc-done: | $(MUSL_STAMP)
	$(AM_V_GEN)$(DEBSRC) lua5.4 $(LUA_DIR) >/dev/null
$(LUA_SRCS): $(LUA_DIR)/.debsrc-done ;
# Debian's luaconf.h includes the header its debian/rules writes, which
# names the multiarch folder of C modules (package.cpath only); written
# the same way.
LUA_DEB_H = out/libc/obj/lua-deb/lua5.4-deb-multiarch.h
$(LUA_DEB_H):
	@mkdir -p $(@D)
	$(AM_V_GEN)printf '%s\n' '#ifndef _LUA_DEB_MULTIARCH_' \
	    '#define _LUA_DEB_MULTIARCH_' \
	    '#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"' '#endif' >$@
$(eval $(call libc_oracle,lua,$(LUA_SRCS), \
	-std=gnu99 -O2 -Wall -Wextra -DLUA_COMPAT_5_3 \
	-I$(dir $(LUA_DEB_H))))
$(LIBC_lua_OBJS): $(LUA_DEB_H)

# 3. zlib from Debian's zlib: the library's sources with its test
# programs test/example.c and test/minigzip.c, each a program, with the
# definitions its configure makes on Linux.
ZLIB_DIR = $(TORO_CACHE)/src/zlib
ZLIB_LIB = $(addprefix $(ZLIB_DIR)/,adler32.c compress.c crc32.c \
	deflate.c gzclose.c gzlib.c gzread.c gzwrite.c infback.c inffast.c \
	inflate.c inftrees.c trees.c uncompr.c zutil.c)
ZLIB_CFLAGS = -O3 -D_LARGEFILE64_SOURCE=1 -DHAVE_HIDDEN -I$(ZLIB_DIR)
$(ZLIB_DIR)/.debsrc-done: | $(LUA_DIR)/.debsrc-done
	$(AM_V_GEN)$(DEBSRC) zlib $(ZLIB_DIR) >/dev/null
$(ZLIB_LIB) $(ZLIB_DIR)/test/example.c $(ZLIB_DIR)/test/minigzip.c: \
    $(ZLIB_DIR)/.debsrc-done ;
# The library's objects once, for both programs.
out/libc/obj/zlib/%.o: $(ZLIB_DIR)/%.c $(MUSL_STAMP)
	@mkdir -p $(@D)
	$(AM_V_CC)$(CC) $(LIBC_ORACLE_CFLAGS) $(ZLIB_CFLAGS) -c -o $@ $<
ZLIB_OBJS = $(patsubst $(ZLIB_DIR)/%.c,out/libc/obj/zlib/%.o,$(ZLIB_LIB))
LIBC_zexample_OBJS = $(ZLIB_OBJS)
LIBC_minigzip_OBJS = $(ZLIB_OBJS)
$(eval $(call libc_oracle,zexample,$(ZLIB_DIR)/test/example.c, \
	$(ZLIB_CFLAGS)))
$(eval $(call libc_oracle,minigzip,$(ZLIB_DIR)/test/minigzip.c, \
	$(ZLIB_CFLAGS)))
CLEANFILES += out/libc/obj/zlib/*.o

check_DATA += out/tests/libc/diff-glibc

# 4. The isolation: a program of the C library only (tests/libc/cenv.sh).
$(eval $(call libc_oracle,onlylibc,$(srcdir)/tests/libc/onlylibc/onlylibc.c, \
	$(WARN_CFLAGS)))

# 5. The POSIX calls of servers and clients (select, sendmsg, SO_ERROR,
# limits...): one source with the host's glibc and in the C environment,
# each run on its own system, outputs compared (tests/libc/posix.sh).
LIBC_POSIX_SRCS = $(sort $(wildcard $(srcdir)/tests/libc/posix/*.c))
$(eval $(call libc_oracle,posix,$(LIBC_POSIX_SRCS),$(WARN_CFLAGS)))
$(LIBC_posix_OBJS): $(srcdir)/tests/libc/posix/posix.h
out/tests/libc/posix-glibc: $(LIBC_POSIX_SRCS) $(srcdir)/tests/libc/posix/posix.h
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(CC) $(WARN_CFLAGS) -O2 -o $@ $(LIBC_POSIX_SRCS)
check_DATA += out/tests/libc/posix-glibc

# 6. SQLite from Debian's sqlite3: its own build makes the amalgamation
# (sqlite3.c and the shell's shell.c, with tclsh), compiled unchanged as
# the sqlite3 shell; SQLITE_OMIT_POPEN is the shell's own switch for
# systems without popen (its .output |command), which Toro is.  The
# host's sqlite3, the same version from the same source, is the oracle
# (tests/libc/sqlite.sh).
SQLITE_DIR = $(TORO_CACHE)/src/sqlite3
SQLITE_GEN = out/libc/sqlite-gen
SQLITE_SRCS = $(SQLITE_GEN)/sqlite3.c $(SQLITE_GEN)/shell.c
$(SQLITE_DIR)/.debsrc-done: | $(ZLIB_DIR)/.debsrc-done
	$(AM_V_GEN)$(DEBSRC) sqlite3 $(SQLITE_DIR) >/dev/null
$(SQLITE_GEN)/.done: $(SQLITE_DIR)/.debsrc-done
	@command -v tclsh >/dev/null || { \
	    echo "sqlite: tclsh is missing (apt-get install tcl)" >&2; exit 1; }
	@mkdir -p $(SQLITE_GEN)
	$(AM_V_GEN)cd $(SQLITE_GEN) && \
	    $(abspath $(SQLITE_DIR))/configure --disable-tcl >configure.log 2>&1 \
	    && $(MAKE) sqlite3.c shell.c >make.log 2>&1 && touch .done
$(SQLITE_SRCS): $(SQLITE_GEN)/.done ;
# Debian's flags (debian/rules and its configure's), but loadable
# extensions: there is no dlopen.
SQLITE_CFLAGS = -O1 -fno-strict-aliasing -DSQLITE_SECURE_DELETE \
	-DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_FTS3 \
	-DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_FTS4 \
	-DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE=1 -DSQLITE_SOUNDEX=1 \
	-DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_OMIT_LOOKASIDE=1 \
	-DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_ENABLE_UPDATE_DELETE_LIMIT=1 \
	-DSQLITE_ENABLE_JSON1 -DSQLITE_LIKE_DOESNT_MATCH_BLOBS \
	-DSQLITE_THREADSAFE=1 -DSQLITE_USE_URI=1 \
	-DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_OMIT_LOAD_EXTENSION \
	-DSQLITE_OMIT_POPEN
$(eval $(call libc_oracle,sqlite,$(SQLITE_SRCS),$(SQLITE_CFLAGS)))

# 7. Redis from Debian's redis: redis-server as src/Makefile builds it
# (its REDIS_SERVER_OBJ, with MALLOC=libc, no TLS, no systemd), linked,
# as there, with the archives of its deps/ (hiredis, Lua,
# hdr_histogram), each compiled with the flags of its own Makefile.
# Archives, not objects: hiredis carries its own sds.c, which the
# server's sds.o already defines.  The server is judged over TAP by
# Debian's redis-cli and redis-benchmark (tests/net/redis.sh).
REDIS_DIR = $(TORO_CACHE)/src/redis
REDIS_OBJ = adlist quicklist ae anet dict server sds zmalloc lzf_c lzf_d pqsort \
	zipmap sha1 ziplist release networking util object db replication \
	rdb t_string t_list t_set t_zset t_hash config aof pubsub multi \
	debug sort intset syncio cluster crc16 endianconv slowlog eval bio \
	rio rand memtest syscheck crcspeed crc64 bitops sentinel notify \
	setproctitle blocked hyperloglog latency sparkline redis-check-rdb \
	redis-check-aof geo lazyfree module evict expire geohash \
	geohash_helper childinfo defrag siphash rax t_stream listpack \
	localtime lolwut lolwut5 lolwut6 acl tracking connection tls sha256 \
	timeout setcpuaffinity monotonic mt19937-64 resp_parser call_reply \
	script_lua script functions function_lua commands
REDIS_SRCS = $(REDIS_OBJ:%=$(REDIS_DIR)/src/%.c)
REDIS_LUA_OBJ = lapi lcode ldebug ldo ldump lfunc lgc llex lmem lobject \
	lopcodes lparser lstate lstring ltable ltm lundump lvm lzio strbuf \
	fpconv lauxlib lbaselib ldblib liolib lmathlib loslib ltablib \
	lstrlib loadlib linit lua_cjson lua_struct lua_cmsgpack lua_bit
REDIS_HIREDIS_OBJ = alloc net hiredis sds async read sockcompat
$(REDIS_DIR)/.debsrc-done: | $(SQLITE_DIR)/.debsrc-done
	$(AM_V_GEN)$(DEBSRC) redis $(REDIS_DIR) >/dev/null
$(REDIS_SRCS) $(REDIS_LUA_OBJ:%=$(REDIS_DIR)/deps/lua/src/%.c) \
    $(REDIS_HIREDIS_OBJ:%=$(REDIS_DIR)/deps/hiredis/%.c) \
    $(REDIS_DIR)/deps/hdr_histogram/hdr_histogram.c: \
    $(REDIS_DIR)/.debsrc-done ;
# mkreleasehdr.sh's header, written here: it asks git and the clock.
REDIS_RELEASE_H = out/libc/obj/redis-gen/release.h
$(REDIS_RELEASE_H):
	@mkdir -p $(@D)
	$(AM_V_GEN)printf '%s\n' '#define REDIS_GIT_SHA1 "00000000"' \
	    '#define REDIS_GIT_DIRTY "0"' '#define REDIS_BUILD_ID "toro"' >$@
# deps/Makefile's flags for Lua, hiredis's and hdr_histogram's own.
REDIS_DEP = out/libc/obj/redis-deps
$(REDIS_DEP)/lua/%.o: $(REDIS_DIR)/deps/lua/src/%.c $(MUSL_STAMP)
	@mkdir -p $(@D)
	$(AM_V_CC)$(CC) $(LIBC_ORACLE_CFLAGS) -Wall -DLUA_ANSI \
	    -DENABLE_CJSON_GLOBAL -DREDIS_STATIC='' -DLUA_USE_MKSTEMP -O2 \
	    -c -o $@ $<
$(REDIS_DEP)/hiredis/%.o: $(REDIS_DIR)/deps/hiredis/%.c $(MUSL_STAMP)
	@mkdir -p $(@D)
	$(AM_V_CC)$(CC) $(LIBC_ORACLE_CFLAGS) -std=c99 -pedantic -O3 -fPIC \
	    -Wall -W -Wstrict-prototypes -Wwrite-strings \
	    -Wno-missing-field-initializers -g -ggdb -c -o $@ $<
$(REDIS_DEP)/hdr/%.o: $(REDIS_DIR)/deps/hdr_histogram/%.c $(MUSL_STAMP)
	@mkdir -p $(@D)
	$(AM_V_CC)$(CC) $(LIBC_ORACLE_CFLAGS) -std=c99 -Wall -Os -g \
	    '-DHDR_MALLOC_INCLUDE="hdr_redis_malloc.h"' -c -o $@ $<
REDIS_LIBS = $(REDIS_DEP)/libhiredis.a $(REDIS_DEP)/liblua.a \
	$(REDIS_DEP)/libhdrhistogram.a
$(REDIS_DEP)/libhiredis.a: $(REDIS_HIREDIS_OBJ:%=$(REDIS_DEP)/hiredis/%.o)
$(REDIS_DEP)/liblua.a: $(REDIS_LUA_OBJ:%=$(REDIS_DEP)/lua/%.o)
$(REDIS_DEP)/libhdrhistogram.a: $(REDIS_DEP)/hdr/hdr_histogram.o
$(REDIS_LIBS):
	$(AM_V_AR)rm -f $@ && $(AR) rcs $@ $^
$(eval $(call libc_oracle,redis,$(REDIS_SRCS), \
	-pedantic -DREDIS_STATIC='' -std=c11 -Wall -W \
	-Wno-missing-field-initializers -O2 -g -ggdb \
	-I$(dir $(REDIS_RELEASE_H)) -I$(REDIS_DIR)/deps/hiredis \
	-I$(REDIS_DIR)/deps/linenoise -I$(REDIS_DIR)/deps/lua/src \
	-I$(REDIS_DIR)/deps/hdr_histogram))
$(LIBC_redis_OBJS): $(REDIS_RELEASE_H)
# After the server's objects on the link line, as src/Makefile has them.
LIBC_redis_OBJS += $(REDIS_LIBS)
out/libc/redis.sim.o out/tests/libc/redis.elf: $(REDIS_LIBS)
CLEANFILES += $(REDIS_DEP)/*/*.o $(REDIS_LIBS)
