# tests/net/memcached.mk: memcached from Debian's source on Toro (GNU
# make, read as it is, like tests/libc/oracle.mk).
#
# tests/net/memcached-build.sh fetches Debian's libevent and memcached
# into $(TORO_CACHE)/src and builds them unchanged with their own
# configure and Makefiles, CC being the SDK's driver toro-sim-cc; the
# SDK is staged from this tree into out/mc/sdk (make install's own
# rules, another prefix).  Not in check_DATA: tests/net/memcached.sh
# makes $(MC_OUT)/memcached itself, so a build failure fails its cases,
# and only that test pays for the build (not make distcheck's).

MC_OUT = out/mc
MC_SDK_STAMP = $(MC_OUT)/sdk/.done

# The SDK again whenever a library or the driver changed.
$(MC_SDK_STAMP): $(TORO_SDK_LIBS) $(MUSL_STAMP) $(srcdir)/sdk/toro-cc.in \
    $(srcdir)/sdk/local.mk
	@mkdir -p $(@D)
	$(AM_V_GEN)$(MAKE) -s install-exec-local install-data-local \
	    prefix=$(abspath $(MC_OUT)/sdk) >/dev/null && touch $@

# One debsrc.sh at a time (the apt state is shared): after Redis's, the
# last of tests/libc/oracle.mk's chain.
$(MC_OUT)/memcached: $(MC_SDK_STAMP) $(srcdir)/tests/net/memcached-build.sh \
    | $(REDIS_DIR)/.debsrc-done
	$(AM_V_GEN)$(SHELL) $(srcdir)/tests/net/memcached-build.sh $(srcdir) \
	    $(TORO_CACHE) $(MC_OUT)
