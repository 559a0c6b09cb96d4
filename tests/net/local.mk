# tests/net/local.mk: network tests.  The fake machine's NIC joins the
# fake HAL; tests/unit/net, net_udp, net_sock and net_dns check the IPv4
# stack below TCP, the sockets on it and the resolver (Check, TAP).

libhal_fake_a_SOURCES += hal/fake/fakenet.c hal/fake/fakenet.h

NET_UTIL = tests/unit/net_util.c tests/unit/net_util.h
check_PROGRAMS += tests/unit/net tests/unit/net_udp tests/unit/net_sock \
	tests/unit/net_dns
tests_unit_net_SOURCES = tests/unit/test_net.c $(NET_UTIL)
tests_unit_net_CFLAGS = $(UNIT_CFLAGS)
tests_unit_net_LDADD = $(UNIT_LINK)
tests_unit_net_DEPENDENCIES = $(UNIT_DEPS)
tests_unit_net_udp_SOURCES = tests/unit/test_net_udp.c $(NET_UTIL)
tests_unit_net_udp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_net_udp_LDADD = $(UNIT_LINK)
tests_unit_net_udp_DEPENDENCIES = $(UNIT_DEPS)
tests_unit_net_sock_SOURCES = tests/unit/test_net_sock.c $(NET_UTIL)
tests_unit_net_sock_CFLAGS = $(UNIT_CFLAGS)
tests_unit_net_sock_LDADD = $(UNIT_LINK)
tests_unit_net_sock_DEPENDENCIES = $(UNIT_DEPS)

tests_unit_net_dns_SOURCES = tests/unit/test_net_dns.c $(NET_UTIL)
tests_unit_net_dns_CFLAGS = $(UNIT_CFLAGS)
tests_unit_net_dns_LDADD = $(UNIT_LINK)
tests_unit_net_dns_DEPENDENCIES = $(UNIT_DEPS)

TESTS += tests/unit/net tests/unit/net_udp tests/unit/net_sock \
	tests/unit/net_dns

# The stack judged by real tools (ping, Linux's ARP and sockets, tshark,
# dnsmasq, QEMU) through the echo example; it skips until that example
# is built.
TESTS += tests/net/echo.sh
EXTRA_DIST += tests/net/netns.sh tests/net/echo.sh

# HTTP through the webserver and fetch examples (curl, python3's
# http.server, netem, tshark, QEMU); it skips until they are built.
TESTS += tests/net/web.sh
EXTRA_DIST += tests/net/web.sh

# Malformed frames (scapy), an nmap SYN scan, and the native webserver
# under QEMU, all over TAP; it skips until the webserver is built.
TESTS += tests/net/robust.sh
EXTRA_DIST += tests/net/robust.sh

# The webserver as a static web server over TAP: a --share folder (the
# sample site plus a 20 MiB file), MIME types, listings, HEAD, '..'.
TESTS += tests/net/static.sh
EXTRA_DIST += tests/net/static.sh
