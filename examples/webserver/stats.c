/*
 * stats.c: GET /stats, the kernel's network counters (toro_net_stats),
 * TCP connections by state, heap bytes in use in all and per CPU
 * (toro_mem_stats) and the webserver's own connection counts (open
 * ones per CPU too: loop.c prefers the network's), as one
 * JSON object built in the caller's buffer: workers on several CPUs
 * may answer at once.
 */
#include <stdarg.h>
#include <stdio.h>
/*
 * The kernel's counters have no POSIX equivalent: toro_net_stats and
 * toro_mem_stats are the only Toro calls left in the webserver (with
 * main.c's wait for the network's address).
 */
#include <toro/toro.h>

#include "webserver.h"

/* Append to buf[0..len) what printf makes of fmt; the new length. */
static size_t
add(char *buf, size_t size, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	return n > 0 && (size_t)n < size - len ? len + (size_t)n : len;
}

/* Connections by TCP state, memory, and the webserver's counts. */
static size_t
more_json(char *buf, size_t size, size_t len, const struct toro_net_stats *st)
{
	static const char *names[] = TORO_TCP_STATE_NAMES;
	struct toro_mem_stats m;
	long open, accepted, refused, held[TORO_MEM_CPUS];
	int i, ncpus;

	len = add(buf, size, len, ",\n  \"tcp_states\": {");
	for (i = 0; i < TORO_TCP_NSTATES; i++)
		len = add(buf, size, len, "%s\"%s\": %llu", i ? ", " : "",
		    names[i], (unsigned long long)st->tcp_state[i]);
	toro_mem_stats(&m);
	len = add(buf, size, len,
	    "},\n  \"mem_total\": %llu,\n  \"mem_free_pages\": %llu,"
	    "\n  \"heap_in_use\": %llu,\n  \"heap_in_use_cpu\": [",
	    (unsigned long long)m.total, (unsigned long long)m.free_pages,
	    (unsigned long long)m.in_use);
	for (i = 0; i < m.ncpus && i < TORO_MEM_CPUS; i++)
		len = add(buf, size, len, "%s%llu", i ? ", " : "",
		    (unsigned long long)m.cpu_in_use[i]);
	loop_counts(&open, &accepted, &refused);
	len = add(buf, size, len,
	    "],\n  \"conns_open\": %ld,\n  \"conns_accepted\": %ld,"
	    "\n  \"conns_refused\": %ld,\n  \"conns_per_cpu\": [",
	    open, accepted, refused);
	ncpus = loop_held(held, TORO_MEM_CPUS);
	for (i = 0; i < ncpus; i++)
		len = add(buf, size, len, "%s%ld", i ? ", " : "", held[i]);
	return add(buf, size, len, "]");
}

/* The counters as one JSON object in buf; returns its length. */
size_t
stats_json(char *buf, size_t size)
{
	struct toro_net_stats st;
	size_t len = 0;
	int n;

	if (toro_net_stats(&st) < 0)
		return (size_t)snprintf(buf, size, "{}\n");
#define FIELD(f)                                                               \
	do {                                                                   \
		n = snprintf(buf + len, size - len, "%s\"%s\": %llu",          \
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
	FIELD(tcp_syncookies_sent);
	FIELD(tcp_syncookies_ok);
	FIELD(tcp_time_wait_recycled);
	FIELD(tcp_max_conns);
	FIELD(tcp_max_time_wait);
	FIELD(tcp_mem_used);
	FIELD(tcp_mem_max);
	FIELD(dhcp_out);
	FIELD(dhcp_in);
	FIELD(dhcp_leases);
#undef FIELD
	len = more_json(buf, size, len, &st);
	n = snprintf(buf + len, size - len, "\n}\n");
	if (n > 0 && (size_t)n < size - len)
		len += (size_t)n;
	return len;
}
