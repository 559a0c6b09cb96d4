/*
 * stats.c: GET /stats, the kernel's network counters (toro_net_stats) as
 * one JSON object, built in the caller's buffer: threads on several
 * CPUs may answer at once.
 */
#include <toro/toro.h>

#include "webserver.h"

/* The network counters as one JSON object in buf; returns its length. */
size_t
stats_json(char *buf, size_t size)
{
	struct toro_net_stats st;
	size_t len = 0;
	int n;

	if (toro_net_stats(&st) < 0)
		return (size_t)toro_snprintf(buf, size, "{}\n");
#define FIELD(f)                                                               \
	do {                                                                   \
		n = toro_snprintf(buf + len, size - len, "%s\"%s\": %llu",     \
		    len == 0 ? "{\n  " : ",\n  ", #f,                          \
		    (unsigned long long)st.f);                                 \
		if (n > 0 && (size_t)n < size - len)                           \
			len += (size_t)n;                                      \
	} while (0)
	FIELD(rx_frames);
	FIELD(rx_bytes);
	FIELD(tx_frames);
	FIELD(tx_bytes);
	FIELD(rx_runt);
	FIELD(rx_not_ours);
	FIELD(rx_unknown_type);
	FIELD(rx_nomem);
	FIELD(tx_full);
	FIELD(tx_errors);
	FIELD(offloads);
	FIELD(tx_gso);
	FIELD(rx_gso);
	FIELD(rx_csum_ok);
	FIELD(arp_in);
	FIELD(arp_out);
	FIELD(arp_bad);
	FIELD(arp_queue_full);
	FIELD(arp_unresolved);
	FIELD(ip_in);
	FIELD(ip_out);
	FIELD(ip_bad_version);
	FIELD(ip_bad_hdrlen);
	FIELD(ip_bad_len);
	FIELD(ip_bad_csum);
	FIELD(ip_bad_src);
	FIELD(ip_fragments);
	FIELD(ip_not_ours);
	FIELD(ip_no_route);
	FIELD(ip_too_big);
	FIELD(ip_unknown_proto);
	FIELD(icmp_in);
	FIELD(icmp_out);
	FIELD(icmp_bad);
	FIELD(icmp_echo_in);
	FIELD(icmp_unreach_in);
	FIELD(icmp_other_in);
	FIELD(udp_in);
	FIELD(udp_out);
	FIELD(udp_bad_len);
	FIELD(udp_bad_csum);
	FIELD(udp_no_port);
	FIELD(udp_queue_full);
	FIELD(tcp_in);
	FIELD(tcp_out);
	FIELD(tcp_conns);
	FIELD(tcp_active_opens);
	FIELD(tcp_passive_opens);
	FIELD(tcp_established);
	FIELD(tcp_retrans);
	FIELD(tcp_resets);
	FIELD(tcp_in_errs);
	FIELD(tcp_syn_drops);
	FIELD(dhcp_out);
	FIELD(dhcp_in);
	FIELD(dhcp_leases);
#undef FIELD
	n = toro_snprintf(buf + len, size - len, "\n}\n");
	if (n > 0 && (size_t)n < size - len)
		len += (size_t)n;
	return len;
}
