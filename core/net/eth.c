/*
 * eth.c: Ethernet II framing.
 *
 * Interface (stack.h): net_eth_input() checks a received frame and hands
 * its payload to ARP or IPv4; net_eth_output() prepends the header and
 * gives the frame to the NIC.
 *
 * Rules: a frame is ours if it is sent to our MAC or to the broadcast
 * address; multicast and other stations' frames are dropped (we join no
 * group).  Only EtherType IPv4 and ARP are understood; 802.3 length
 * fields and VLAN tags count as unknown types.  Short frames are sent
 * as they are: the NIC pads them to the Ethernet minimum.
 */
#include "core/net/stack.h"

const uint8_t net_eth_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void
net_eth_input(struct net_buf *b)
{
	const uint8_t *h;
	uint16_t type;

	if ((h = net_buf_pull(b, NET_ETH_HLEN)) == NULL) {
		net_stats.rx_runt++;
		net_buf_free(b);
		return;
	}
	if (memcmp(h, net_if.mac, 6) != 0 && memcmp(h, net_eth_bcast, 6) != 0) {
		net_stats.rx_not_ours++;
		net_buf_free(b);
		return;
	}
	type = net_get16(h + 12);
	switch (type) {
	case NET_ETHERTYPE_IP:
		net_ip_input(b);
		break;
	case NET_ETHERTYPE_ARP:
		net_arp_input(b);
		break;
	default:
		net_stats.rx_unknown_type++;
		net_buf_free(b);
		break;
	}
}

void
net_eth_output(struct net_buf *b, const uint8_t *dst, uint16_t type)
{
	uint8_t *h = net_buf_push(b, NET_ETH_HLEN);

	memcpy(h, dst, 6);
	memcpy(h + 6, net_if.mac, 6);
	net_put16(h + 12, type);
	net_tx(b);
}
