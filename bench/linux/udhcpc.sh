#!/bin/sh
# udhcpc.sh: the Linux guest's udhcpc script (bench/linux/init runs
# `udhcpc -s /bin/udhcpc.sh` without toro.ip=): udhcpc calls it with the
# event as $1 and the lease in the environment ($interface, $ip, $mask
# in bits, $router).
case $1 in
deconfig)
	ip addr flush dev "$interface"
	;;
bound | renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	for r in $router; do
		ip route add default via "$r" dev "$interface" && break
	done
	;;
esac
exit 0
