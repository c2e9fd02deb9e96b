/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Frame crafting and an independent Internet checksum for the BPF tests (see pkt.h). */
#include "tests/support/pkt.h"

#include <string.h>
#include <netinet/in.h>

#include "bpfnic.h"
#include "wire.h"

const uint8_t pkt_cli_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
const uint8_t pkt_srv_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
const uint8_t pkt_cli_ip4[4] = { 198, 18, 0, 2 };
const uint8_t pkt_srv_ip4[4] = { 198, 18, 0, 1 };
const uint8_t pkt_cli_ip6[16] = { 0x20, 0x01, 0, 0x02, [15] = 2 };
const uint8_t pkt_srv_ip6[16] = { 0x20, 0x01, 0, 0x02, [15] = 1 };

uint16_t pkt_get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
void pkt_put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* RFC 1071: big-endian 16-bit words, an odd last byte padded with zero. */
uint32_t pkt_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = sum;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

bool pkt_ipv4_csum_ok(const uint8_t *ip)
{
	return pkt_csum_fold(pkt_csum_add(0, ip, (size_t)(ip[0] & 0xf) * 4)) == 0xffff;
}

/* Sum of the pseudo-header for the L4 segment at lo->l4 of length l4_len. */
static uint32_t pseudo_sum(const uint8_t *frame, const struct pkt_layout *lo, uint8_t proto,
			   size_t l4_len)
{
	uint8_t tail[4] = { 0, proto, (uint8_t)(l4_len >> 8), (uint8_t)l4_len };
	uint32_t s;

	if (lo->family == 4) {
		s = pkt_csum_add(0, frame + lo->l3 + 12, 8);
		return pkt_csum_add(s, tail, 4);
	}
	/* IPv6: src, dst, 32-bit length, 3 zero bytes, next header. */
	uint8_t len32[8] = { 0, 0, (uint8_t)(l4_len >> 8), (uint8_t)l4_len, 0, 0, 0, proto };

	s = pkt_csum_add(0, frame + lo->l3 + 8, 32);
	return pkt_csum_add(s, len32, 8);
}

uint16_t pkt_udp_csum_expected(const uint8_t *frame, const struct pkt_layout *lo)
{
	const uint8_t *udp = frame + lo->l4;
	size_t len = pkt_get_be16(udp + 4);
	uint8_t hdr[8];
	uint32_t s;
	uint16_t c;

	memcpy(hdr, udp, 8);
	hdr[6] = hdr[7] = 0;
	s = pseudo_sum(frame, lo, IPPROTO_UDP, len);
	s = pkt_csum_add(s, hdr, 8);
	s = pkt_csum_add(s, udp + 8, len - 8);
	c = (uint16_t)~pkt_csum_fold(s);
	return c ? c : 0xffff;
}

uint16_t pkt_udp_csum_partial(const uint8_t *frame, const struct pkt_layout *lo)
{
	const uint8_t *udp = frame + lo->l4;

	return pkt_csum_fold(pseudo_sum(frame, lo, IPPROTO_UDP, pkt_get_be16(udp + 4)));
}

bool pkt_udp_csum_ok(const uint8_t *frame, const struct pkt_layout *lo)
{
	const uint8_t *udp = frame + lo->l4;

	if (lo->family == 4 && pkt_get_be16(udp + 6) == 0)
		return true;
	return pkt_get_be16(udp + 6) == pkt_udp_csum_expected(frame, lo);
}

int pkt_parse(const uint8_t *f, size_t len, struct pkt_layout *lo)
{
	size_t off = 12;
	uint16_t proto;
	uint8_t l4;

	memset(lo, 0, sizeof(*lo));
	if (len < 14)
		return -1;
	proto = pkt_get_be16(f + off);
	off += 2;
	for (int tags = 0; tags < 2 && (proto == PKT_ETH_P_8021Q || proto == PKT_ETH_P_8021AD); tags++) {
		if (len < off + 4)
			return -1;
		proto = pkt_get_be16(f + off + 2);
		off += 4;
	}
	lo->l3 = off;
	if (proto == 0x0800) {
		if (len < off + 20)
			return -1;
		lo->family = 4;
		l4 = f[off + 9];
		off += (size_t)(f[off] & 0xf) * 4;
	} else if (proto == 0x86dd) {
		if (len < off + 40)
			return -1;
		lo->family = 6;
		l4 = f[off + 6];
		off += 40;
		if (l4 == 44) {
			if (len < off + 8)
				return -1;
			l4 = f[off];
			off += 8;
		}
	} else {
		return -1;
	}
	lo->l4 = off;
	lo->payload = off + (l4 == IPPROTO_TCP ? 20 : 8);
	return lo->payload <= len ? 0 : -1;
}

enum pkt_verdict pkt_classify(const uint8_t *f, size_t len, uint16_t port, uint8_t *class_byte)
{
	size_t l3 = 14, l4, ip_payload, udp_len;
	uint16_t type;

	if (len < l3)
		return PKT_NOT_OURS;
	type = pkt_get_be16(f + 12);
	/* 802.1Q and 802.1ad tags, as many as a server looks through (BPFNIC_MAX_VLAN_TAGS):
	 * a frame with more, or a tag cut short, is not a request. */
	for (unsigned tags = 0; type == PKT_ETH_P_8021Q || type == PKT_ETH_P_8021AD; tags++) {
		if (tags == BPFNIC_MAX_VLAN_TAGS || len < l3 + 4)
			return PKT_NOT_OURS;
		type = pkt_get_be16(f + l3 + 2);
		l3 += 4;
	}
	switch (type) {
	case 0x0800: {
		size_t ihl, total;

		if (len < l3 + 20 || f[l3] >> 4 != 4 || (f[l3] & 0xf) < 5 || f[l3 + 9] != IPPROTO_UDP)
			return PKT_NOT_OURS;
		/* More fragments, or a fragment offset: the stack reassembles. */
		if (pkt_get_be16(f + l3 + 6) & 0x3fff)
			return PKT_NOT_OURS;
		ihl = (size_t)(f[l3] & 0xf) * 4;
		total = pkt_get_be16(f + l3 + 2);
		l4 = l3 + ihl;
		ip_payload = total > ihl ? total - ihl : 0;
		break;
	}
	case 0x86dd:
		if (len < l3 + 40 || f[l3] >> 4 != 6 || f[l3 + 6] != IPPROTO_UDP)
			return PKT_NOT_OURS;
		l4 = l3 + 40;
		ip_payload = pkt_get_be16(f + l3 + 4);
		break;
	default:
		return PKT_NOT_OURS;
	}
	if (len < l4 + 8 || pkt_get_be16(f + l4 + 2) != port)
		return PKT_NOT_OURS;
	udp_len = pkt_get_be16(f + l4 + 4);
	if (udp_len > BPFNIC_MAX_DGRAM_LEN)
		return PKT_TOO_LONG;
	if (udp_len < 8 + BPFNIC_REQ_LEN || l4 + udp_len > len || udp_len > ip_payload)
		return PKT_SHORT;
	if (class_byte)
		*class_byte = f[l4 + 8 + BPFNIC_OFF_CLASS];
	return PKT_REQUEST;
}

/* Ethernet (and the VLAN tag): returns where the IP header goes. */
static uint8_t *build_eth(uint8_t *buf, const struct pkt_spec *sp)
{
	uint8_t *p = buf + 12;

	memcpy(buf, sp->dst_mac ? sp->dst_mac : pkt_srv_mac, 6);
	memcpy(buf + 6, sp->src_mac ? sp->src_mac : pkt_cli_mac, 6);
	if (sp->vlan && sp->qinq) {
		pkt_put_be16(p, PKT_ETH_P_8021AD);
		pkt_put_be16(p + 2, PKT_QINQ_VID);
		p += 4;
	}
	if (sp->vlan) {
		pkt_put_be16(p, PKT_ETH_P_8021Q);
		pkt_put_be16(p + 2, sp->vlan_id ? sp->vlan_id : PKT_VLAN_VID);
		p += 4;
	}
	pkt_put_be16(p, sp->family == 4 ? 0x0800 : 0x86dd);
	return p + 2;
}

static void build_ipv4(uint8_t *p, const struct pkt_spec *sp, uint8_t l4, size_t l3_hdr,
		       size_t l4_len)
{
	p[0] = (uint8_t)(0x40 | l3_hdr / 4);
	pkt_put_be16(p + 2, (uint16_t)(l3_hdr + l4_len));
	pkt_put_be16(p + 4, 0x1234);
	pkt_put_be16(p + 6, sp->frag);
	p[8] = 64;
	p[9] = l4;
	memcpy(p + 12, sp->src_ip ? sp->src_ip : pkt_cli_ip4, 4);
	memcpy(p + 16, sp->dst_ip ? sp->dst_ip : pkt_srv_ip4, 4);
	/* Options: NOPs, then an end-of-list byte. */
	for (size_t i = 20; i < l3_hdr; i++)
		p[i] = i + 1 == l3_hdr ? 0 : 1;
	pkt_put_be16(p + 10, (uint16_t)~pkt_csum_fold(pkt_csum_add(0, p, l3_hdr)));
}

static void build_ipv6(uint8_t *p, const struct pkt_spec *sp, uint8_t l4, size_t l4_len)
{
	p[0] = 0x60;
	pkt_put_be16(p + 4, (uint16_t)(l4_len + (sp->v6_frag_hdr ? 8 : 0)));
	p[6] = sp->v6_frag_hdr ? 44 : l4;
	p[7] = 64;
	memcpy(p + 8, sp->src_ip ? sp->src_ip : pkt_cli_ip6, 16);
	memcpy(p + 24, sp->dst_ip ? sp->dst_ip : pkt_srv_ip6, 16);
	if (sp->v6_frag_hdr) {
		p[40] = l4;
		pkt_put_be16(p + 42, 1); /* offset 0, more fragments */
		pkt_put_be16(p + 46, 0x4321);
	}
}

/* The L4 header at lo->l4 (the payload is in place), its checksum last. */
static void build_l4(uint8_t *buf, const struct pkt_layout *lo, const struct pkt_spec *sp,
		     uint8_t l4, size_t l4_len)
{
	uint8_t *p = buf + lo->l4;
	uint32_t s;

	if (l4 == IPPROTO_UDP) {
		pkt_put_be16(p, sp->sport);
		pkt_put_be16(p + 2, sp->dport);
		pkt_put_be16(p + 4, (uint16_t)l4_len);
		if (!(sp->family == 4 && sp->no_udp_csum))
			pkt_put_be16(p + 6, pkt_udp_csum_expected(buf, lo));
	} else if (l4 == IPPROTO_TCP) {
		pkt_put_be16(p, sp->sport);
		pkt_put_be16(p + 2, sp->dport);
		pkt_put_be16(p + 4, 0x0001); /* sequence number */
		p[12] = 5 << 4;
		p[13] = 0x02; /* SYN */
		pkt_put_be16(p + 14, 65535);
		s = pseudo_sum(buf, lo, IPPROTO_TCP, l4_len);
		pkt_put_be16(p + 16, (uint16_t)~pkt_csum_fold(pkt_csum_add(s, p, l4_len)));
	} else {
		/* ICMP / ICMPv6 echo request. */
		p[0] = sp->family == 4 ? 8 : 128;
		pkt_put_be16(p + 4, 0x0b0b);
		pkt_put_be16(p + 6, 1);
		s = sp->family == 6 ? pseudo_sum(buf, lo, l4, l4_len) : 0;
		pkt_put_be16(p + 2, (uint16_t)~pkt_csum_fold(pkt_csum_add(s, p, l4_len)));
	}
}

size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *sp)
{
	uint8_t l4 = sp->l4 ? sp->l4 : IPPROTO_UDP;
	unsigned ihl = sp->ihl ? sp->ihl : 5;
	size_t l4_hdr = l4 == IPPROTO_TCP ? 20 : 8;
	size_t l3_hdr = sp->family == 4 ? ihl * 4u : 40u + (sp->v6_frag_hdr ? 8u : 0u);
	size_t l4_len = l4_hdr + sp->payload_len;
	size_t total = 14 + (sp->vlan ? 4 : 0) + (sp->vlan && sp->qinq ? 4 : 0) + l3_hdr + l4_len;
	struct pkt_layout lo = { .family = sp->family };
	uint8_t *p;

	if (total > cap || (sp->family == 4 && (ihl < 5 || ihl > 15)))
		return 0;
	memset(buf, 0, total);
	p = build_eth(buf, sp);
	lo.l3 = (size_t)(p - buf);
	if (sp->family == 4)
		build_ipv4(p, sp, l4, l3_hdr, l4_len);
	else
		build_ipv6(p, sp, l4, l4_len);
	lo.l4 = lo.l3 + l3_hdr;
	lo.payload = lo.l4 + l4_hdr;
	if (sp->payload_len)
		memcpy(buf + lo.payload, sp->payload, sp->payload_len);
	build_l4(buf, &lo, sp, l4, l4_len);
	return total;
}

size_t pkt_build_arp(uint8_t *buf, size_t cap)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *a = buf + 14;

	if (cap < 42)
		return 0;
	memset(buf, 0, 42);
	memcpy(buf, bcast, 6);
	memcpy(buf + 6, pkt_cli_mac, 6);
	pkt_put_be16(buf + 12, 0x0806);
	pkt_put_be16(a, 1);          /* Ethernet */
	pkt_put_be16(a + 2, 0x0800); /* IPv4 */
	a[4] = 6;
	a[5] = 4;
	pkt_put_be16(a + 6, 1);      /* request */
	memcpy(a + 8, pkt_cli_mac, 6);
	memcpy(a + 14, pkt_cli_ip4, 4);
	memcpy(a + 24, pkt_srv_ip4, 4);
	return 42;
}

size_t pkt_fill_request(uint8_t *pl, bool ext, uint8_t class, uint64_t client_ns, uint64_t seq,
			uint64_t service_ns)
{
	enum bpfnic_format f = ext ? BPFNIC_FORMAT_EXT : BPFNIC_FORMAT_PAPER;

	/* The one encoder (lib/wire), so the frames carry what bpfnic-loadgen sends. */
	return (size_t)bpfnic_req_encode(pl, bpfnic_format_len(f), f, client_ns, class, seq,
					 service_ns);
}
