/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Frame crafting and an independent Internet-checksum implementation for the BPF
 * tests and benchmarks. Deliberately written from RFC 1071/768/8200 byte order rules
 * (big-endian 16-bit words summed over the bytes) and not from the data path's code,
 * so that a checksum bug in bpf/ cannot cancel itself out here. No I/O.
 */
#ifndef BPFNIC_TEST_PKT_H
#define BPFNIC_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define PKT_MAX 512

/* Lab-like addresses: client 198.18.0.2 / 2001:2::2 -> server 198.18.0.1 / 2001:2::1. */
extern const uint8_t pkt_cli_mac[6], pkt_srv_mac[6];
extern const uint8_t pkt_cli_ip4[4], pkt_srv_ip4[4];
extern const uint8_t pkt_cli_ip6[16], pkt_srv_ip6[16];

struct pkt_spec {
	int family;          /* 4 or 6 */
	bool vlan;           /* one 802.1Q tag (VID vlan_id) before the IP header */
	bool qinq;           /* with vlan: an 802.1ad service tag (VID 100) outside it */
	uint16_t vlan_id;    /* the 802.1Q tag's VID; 0 = 42 */
	const uint8_t *src_mac, *dst_mac; /* NULL: the client's and the server's above */
	const uint8_t *src_ip, *dst_ip;   /* 4 or 16 bytes; NULL: the lab's client, server */
	uint8_t l4;          /* IPPROTO_UDP (default when 0), IPPROTO_TCP, IPPROTO_ICMP(V6) */
	unsigned ihl;        /* IPv4 header length in words, 5..15; 0 = 5. Options are NOPs + EOL */
	uint16_t frag;       /* IPv4 flags+fragment offset (host order, e.g. 0x2000 = MF) */
	bool v6_frag_hdr;    /* IPv6: insert a fragment extension header before UDP */
	uint16_t sport, dport;
	const void *payload; /* L4 payload (UDP payload, TCP payload, ICMP data) */
	size_t payload_len;
	bool no_udp_csum;    /* IPv4 only: UDP checksum field 0 ("none") */
};

/* Build the frame into buf; returns its length (0 if it does not fit in cap). */
size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *spec);
/* An ARP request who-has 198.18.0.1 from the client. */
size_t pkt_build_arp(uint8_t *buf, size_t cap);

/* The tags pkt_build writes: an outer 802.1ad one with qinq, the 802.1Q one. */
#define PKT_ETH_P_8021Q  0x8100
#define PKT_ETH_P_8021AD 0x88a8
#define PKT_QINQ_VID     100
#define PKT_VLAN_VID     42

/* Where things are in a frame pkt_build made (or a reply to it); up to two tags. */
struct pkt_layout {
	size_t l3;        /* offset of the IP header */
	size_t l4;        /* offset of the UDP/TCP/ICMP header */
	size_t payload;   /* offset of the L4 payload */
	int family;
};
int pkt_parse(const uint8_t *frame, size_t len, struct pkt_layout *lo);

/*
 * What a frame is to a bpfnic server listening on UDP port (host order), decided from
 * the RFCs (791, 768, 8200) and the wire format, not from bpf/: the frame fuzzer holds
 * the data path to it.
 *   NOT_OURS   not Ethernet + IPv4/IPv6 behind up to BPFNIC_MAX_VLAN_TAGS 802.1Q or
 *              802.1ad tags, a header cut short or invalid (version, ihl < 5), not
 *              UDP (IPv6: an extension header first), an IPv4 fragment, the UDP header
 *              not in the frame, another port;
 *   TOO_LONG   UDP to the port, the datagram (by its length field) over
 *              BPFNIC_MAX_DGRAM_LEN;
 *   SHORT      UDP to the port, the datagram under 8 + BPFNIC_REQ_LEN bytes, or not
 *              all of it in the frame, or longer than the IP packet says it carries
 *              (IPv4 total length - header, IPv6 payload length);
 *   REQUEST    everything else: a request the scheduler must redirect (*class_byte
 *              set). The IPv4 header checksum is not the scheduler's to verify: the
 *              reply keeps it as it came (swapping addresses keeps it valid).
 */
enum pkt_verdict { PKT_NOT_OURS, PKT_TOO_LONG, PKT_SHORT, PKT_REQUEST };
enum pkt_verdict pkt_classify(const uint8_t *frame, size_t len, uint16_t port,
			      uint8_t *class_byte);

/* The Internet checksum, computed from scratch. */
uint16_t pkt_csum_fold(uint32_t sum);
uint32_t pkt_csum_add(uint32_t sum, const uint8_t *p, size_t len);
/* true when the IPv4 header checksum is right (sums to 0xffff over ihl*4 bytes). */
bool pkt_ipv4_csum_ok(const uint8_t *ip);
/* The UDP checksum the datagram at l4 should carry (pseudo-header included); never 0. */
uint16_t pkt_udp_csum_expected(const uint8_t *frame, const struct pkt_layout *lo);
/*
 * What a sender with TX checksum offload leaves in the UDP checksum field for the
 * NIC to finish (CHECKSUM_PARTIAL; a veth hands it over as it is): the folded
 * pseudo-header sum, not complemented (Linux: ~csum_tcpudp_magic(..., 0)).
 */
uint16_t pkt_udp_csum_partial(const uint8_t *frame, const struct pkt_layout *lo);
/* true when the UDP checksum is valid (IPv4: 0 counts as valid "none"). */
bool pkt_udp_csum_ok(const uint8_t *frame, const struct pkt_layout *lo);

/* The wire format's 8-byte little-endian fields, through lib/wire. */
static inline uint64_t pkt_get_le64(const uint8_t *p) { return bpfnic_le64_get(p); }
static inline void pkt_put_le64(uint8_t *p, uint64_t v) { bpfnic_le64_put(p, v); }
/* Network byte order (headers). */
uint16_t pkt_get_be16(const uint8_t *p);
void pkt_put_be16(uint8_t *p, uint16_t v);

/* Fill a request payload (25 bytes, or 56 with the extension when ext) with
 * bpfnic_req_encode. */
size_t pkt_fill_request(uint8_t *payload, bool ext, uint8_t class, uint64_t client_ns,
			uint64_t seq, uint64_t service_ns);

#endif
