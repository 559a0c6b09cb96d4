# core/net/tcp.mk: TCP, added to both core libraries.

TCP_SOURCES = \
	core/net/tcp_buf.c \
	core/net/tcp_cc.c \
	core/net/tcp_conn.c \
	core/net/tcp_cookie.c \
	core/net/tcp_input.c \
	core/net/tcp_keep.c \
	core/net/tcp_output.c \
	core/net/tcp_receive.c \
	core/net/tcp_rq.c \
	core/net/tcp_sack.c \
	core/net/tcp_stack.c \
	core/net/tcp_timer.c \
	core/net/tcp_tw.c \
	core/net/tcp_user.c
TCP_HDRS = core/net/tcp.h core/net/tcp_impl.h

libcore_host_a_SOURCES += $(TCP_SOURCES) $(TCP_HDRS)
libcore_native_a_SOURCES += $(TCP_SOURCES) $(TCP_HDRS)
