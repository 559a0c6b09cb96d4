# core/net/local.mk: the network stack but TCP (see tcp.mk), added to
# both core libraries.

NET_SOURCES = core/net/buf.c core/net/csum.c
NET_HDRS = core/net/net.h

libcore_host_a_SOURCES += $(NET_SOURCES) $(NET_HDRS)
libcore_native_a_SOURCES += $(NET_SOURCES) $(NET_HDRS)
