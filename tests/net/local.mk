# tests/net/local.mk: network tests.  The fake machine's NIC joins the
# fake HAL; tests/unit/net checks the IPv4 stack below TCP and the
# sockets on it (Check, TAP).

libhal_fake_a_SOURCES += hal/fake/fakenet.c hal/fake/fakenet.h

check_PROGRAMS += tests/unit/net
tests_unit_net_SOURCES = tests/unit/test_net.c
tests_unit_net_CFLAGS = $(UNIT_CFLAGS)
tests_unit_net_LDADD = $(UNIT_LINK)
tests_unit_net_DEPENDENCIES = $(UNIT_DEPS)

TESTS += tests/unit/net

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
