# core/net/local.mk: the network stack but TCP (see tcp.mk), added to
# both core libraries: the interface and its thread, Ethernet, ARP,
# IPv4, ICMP, UDP, the DHCP client, the DNS resolver and the sockets
# (with pipes, pairs, event counters and epoll sets).

NET_SOURCES = core/net/buf.c core/net/csum.c \
	core/net/addr.c \
	core/net/arp.c \
	core/net/dhcp.c \
	core/net/dns.c \
	core/net/drain.c \
	core/net/eth.c \
	core/net/icmp.c \
	core/net/ipv4.c \
	core/net/netcfg.c \
	core/net/netif.c \
	core/net/sock_dgram.c \
	core/net/sock_epoll.c \
	core/net/sock_opt.c \
	core/net/sock_pipe.c \
	core/net/sock_stream.c \
	core/net/sock_table.c \
	core/net/sockapi.c \
	core/net/socket.c \
	core/net/udp.c
NET_HDRS = core/net/net.h core/net/sock.h core/net/stack.h \
	include/toro/socket.h

libcore_host_a_SOURCES += $(NET_SOURCES) $(NET_HDRS)
libcore_native_a_SOURCES += $(NET_SOURCES) $(NET_HDRS)
