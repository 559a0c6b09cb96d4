# tests/net/local.mk: network tests.  The fake machine's NIC joins the
# fake HAL, for the unit tests tests/unit/test_net*.c (the IPv4 stack
# below TCP, the sockets on it and the resolver) and test_tcp_*.c.

libhal_fake_a_SOURCES += hal/fake/fakenet.c hal/fake/fakenet.h

# The stack judged by real tools (ping, Linux's ARP and sockets, tshark,
# dnsmasq, QEMU) through the echo example.
TESTS += tests/net/echo.sh
EXTRA_DIST += tests/net/netns.sh tests/net/echo.sh

# HTTP through the webserver and fetch examples (curl, python3's
# http.server, netem, tshark, QEMU).
TESTS += tests/net/web.sh
EXTRA_DIST += tests/net/web.sh

# Malformed frames (scapy), an nmap SYN scan, and the native webserver
# under QEMU, all over TAP.
TESTS += tests/net/robust.sh
EXTRA_DIST += tests/net/robust.sh

# The webserver as a static web server over TAP: a --share folder (the
# sample site plus a 20 MiB file), MIME types, listings, HEAD, '..'.
TESTS += tests/net/static.sh
EXTRA_DIST += tests/net/static.sh

# Capacity: 10,000 idle connections to the sim webserver, a new client
# answered, the limit refused cleanly, service back (manyconn.py).
TESTS += tests/net/capacity.sh
EXTRA_DIST += tests/net/capacity.sh tests/net/manyconn.py

# The webserver's spill: past 128 connections on the network CPU the
# other CPU's workers take new ones; all are served (/stats).
TESTS += tests/net/spill.sh
EXTRA_DIST += tests/net/spill.sh

# The connection table over TAP: 3,000 short connections (TIME_WAIT
# records bounded), the table full, a SYN flood met by SYN cookies.
TESTS += tests/net/churn.sh
EXTRA_DIST += tests/net/churn.sh

# The NIC's offloads on both targets, on and off, over TAP: the sim's
# virtio-net header, the native virtio-net features under QEMU.
TESTS += tests/net/offload.sh
EXTRA_DIST += tests/net/offload.sh

# A real server: redis-server from Debian's source (tests/libc/oracle.mk)
# in the sim over TAP, judged by Debian's redis-cli and redis-benchmark.
TESTS += tests/net/redis.sh
EXTRA_DIST += tests/net/redis.sh

# memcached and libevent from Debian's sources, unchanged (built by
# tests/net/memcached.mk), over TAP: python3 speaking the text protocol,
# libmemcached-tools' memcping, memcslap and memcstat.
TESTS += tests/net/memcached.sh
EXTRA_DIST += tests/net/memcached.sh tests/net/memcached-build.sh

# The machine's exit: what the program sent arrives, then the FIN
# (tests/programs/sendexit), in the sim and on microvm over TAP.
TESTS += tests/net/exit.sh
EXTRA_DIST += tests/net/exit.sh
