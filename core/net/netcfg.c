/*
 * netcfg.c: the interface's configuration: the kernel options ip=, gw=,
 * dns= and offload=, the addresses as they change (from the options or
 * DHCP), and the NIC's offloads in effect.
 *
 * Interface: net_cfg_read(), net_cfg_offloads() and
 * net_cfg_print_addr() for netif.c's start;
 * net_set_addr() (stack.h) for DHCP.
 *
 * Rules: netif.c's: on the network CPU once the stack runs.  The
 * options are untrusted: each is checked, and a bad one fails the start
 * with -TORO_EINVAL and a message.
 */
#include "core/lib/lib.h"
#include "core/net/stack.h"
#include "core/sched/sched.h"
#include "toro/errno.h"

static uint32_t static_dns; /* dns= on the command line, else 0 */

static bool
verbose(void)
{
	const char *l = lib_opt(LIB_OPT_LOGLEVEL);

	return l != NULL && (strcmp(l, "info") == 0 || strcmp(l, "debug") == 0);
}

void
net_cfg_print_addr(void)
{
	char a[16], g[16];

	if (verbose())
		toro_printf("net: address %s/%d gateway %s\n",
		    toro_inet_ntoa(net_if.addr, a),
		    __builtin_popcount(net_if.mask),
		    toro_inet_ntoa(net_if.gw, g));
}

void
net_set_addr(uint32_t addr, uint32_t mask, uint32_t gw, uint32_t dns)
{
	bool changed = addr != net_if.addr;

	net_if.addr = addr;
	net_if.mask = addr != 0 ? mask : 0;
	net_if.gw = addr != 0 ? gw : 0;
	/* dns= on the command line wins over DHCP's. */
	net_if.dns = addr == 0 ? 0 : static_dns != 0 ? static_dns : dns;
	if (!changed)
		return;
	/* Entries learnt under the old address may be stale. */
	net_arp_flush();
	if (addr != 0)
		net_arp_announce();
	net_sock_addr_changed();
	net_cfg_print_addr();
}

/* Parse "A.B.C.D/N" (N defaults to 24). */
static int
parse_cidr(const char *s, uint32_t *addr, uint32_t *mask)
{
	char a[16];
	size_t i;
	int n = 24;

	for (i = 0; s[i] != '\0' && s[i] != '/'; i++)
		if (i + 1 >= sizeof(a))
			return -TORO_EINVAL;
	memcpy(a, s, i);
	a[i] = '\0';
	if (toro_inet_aton(a, addr) < 0 || *addr == 0)
		return -TORO_EINVAL;
	if (s[i] == '/') {
		s += i + 1;
		if (*s == '\0')
			return -TORO_EINVAL;
		for (n = 0; *s != '\0'; s++) {
			if (*s < '0' || *s > '9' || n > 32)
				return -TORO_EINVAL;
			n = n * 10 + (*s - '0');
		}
		if (n < 1 || n > 32)
			return -TORO_EINVAL;
	}
	*mask = n == 32 ? 0xffffffffu : ~(0xffffffffu >> n);
	return 0;
}

/* offload=on (the default) or off. */
static uint32_t
offloads_wanted(const char *o)
{
	if (o != NULL && strcmp(o, "off") == 0)
		return 0;
	if (o != NULL && strcmp(o, "on") != 0)
		toro_printf("net: offload=%s: want on or off; on\n", o);
	return HAL_NET_OFFLOADS;
}

int
net_cfg_read(uint32_t *offloads)
{
	const char *ip = lib_opt(LIB_OPT_IP), *gw = lib_opt(LIB_OPT_GW);
	const char *dns = lib_opt(LIB_OPT_DNS), *o = lib_opt(LIB_OPT_OFFLOAD);
	uint32_t addr, mask, gwaddr = 0;

	if (dns != NULL &&
	    (toro_inet_aton(dns, &static_dns) < 0 || static_dns == 0)) {
		toro_printf("net: dns=%s: want A.B.C.D\n", dns);
		return -TORO_EINVAL;
	}

	if (ip == NULL || strcmp(ip, "dhcp") == 0) {
		if (gw != NULL) {
			toro_printf("net: gw= needs ip=A.B.C.D/N\n");
			return -TORO_EINVAL;
		}
		net_if.dhcp = true;
		*offloads = offloads_wanted(o);
		return 0;
	}
	if (parse_cidr(ip, &addr, &mask) < 0) {
		toro_printf("net: ip=%s: want A.B.C.D/N or dhcp\n", ip);
		return -TORO_EINVAL;
	}
	if (gw != NULL && (toro_inet_aton(gw, &gwaddr) < 0 || gwaddr == 0)) {
		toro_printf("net: gw=%s: want A.B.C.D\n", gw);
		return -TORO_EINVAL;
	}
	net_if.dhcp = false;
	net_if.addr = addr;
	net_if.mask = mask;
	net_if.gw = gwaddr;
	net_if.dns = static_dns;
	*offloads = offloads_wanted(o);
	return 0;
}

void
net_cfg_offloads(uint32_t got)
{
	uint32_t o = got & HAL_NET_OFFLOADS;

	/* TSO needs the checksum offload; large received segments too. */
	if (!(o & HAL_NET_TX_CSUM))
		o &= ~HAL_NET_TX_TSO4;
	net_if.offloads = o;
	net_stats.offloads = o;
	/* IPv4 total length, less the IP and TCP headers with options. */
	net_if.tso_max = (o & HAL_NET_TX_TSO4) ? 65535 - NET_IP_HLEN - 60 : 0;
	if (verbose())
		toro_printf("net: NIC offloads:%s%s%s%s%s\n",
		    o == 0 ? " none" : "",
		    (o & HAL_NET_TX_CSUM) ? " tx-csum" : "",
		    (o & HAL_NET_TX_TSO4) ? " tso4" : "",
		    (o & HAL_NET_RX_CSUM) ? " rx-csum" : "",
		    (o & HAL_NET_RX_LRO) ? " lro" : "");
}
