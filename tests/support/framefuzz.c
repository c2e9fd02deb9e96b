/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The data path's frame fuzzer: see framefuzz.h. */
#include "tests/support/framefuzz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>

#include "why.h"

static const unsigned cpus[] = { 0, 1 };

int framefuzz_open(struct framefuzz *ff)
{
	/* No service time: a request that asks for one would spin the worker for it. */
	struct bpfnic_settings cfg = dpt_default_settings();
	int r;

	memset(ff, 0, sizeof(*ff));
	cfg.port = FRAMEFUZZ_PORT;
	cfg.service_ns[0] = cfg.service_ns[1] = 0;
	cfg.max_service_ns = 0;
	r = dpt_group_open(&ff->dp, &cfg, cpus, 2, 0);
	if (r < 0)
		return -EIO;
	return dpt_read(&ff->dp, &ff->last);
}

void framefuzz_close(struct framefuzz *ff)
{
	dpt_close(&ff->dp);
}

/* ---- checking ---------------------------------------------------------------------- */

static uint64_t total_requests(const struct bpfnic_sched_stats *s)
{
	return s->requests[0] + s->requests[1] + s->requests[2];
}

/* The counters moved by exactly what the verdict says, once. */
static int check_counters(const struct dpt_sums *a, const struct dpt_sums *b, enum pkt_verdict v,
			  uint8_t class_byte, char *why, size_t why_size)
{
	const struct bpfnic_sched_stats *x = &a->sched, *y = &b->sched;
	unsigned slot = class_byte <= BPFNIC_CLASS_LONG ? class_byte : BPFNIC_CLASS_UNKNOWN;
	bool req = v == PKT_REQUEST;

	if (y->rx - x->rx != 1 || y->passed - x->passed != (v == PKT_NOT_OURS) ||
	    y->short_payload - x->short_payload != (v == PKT_SHORT) ||
	    y->too_long - x->too_long != (v == PKT_TOO_LONG) ||
	    total_requests(y) - total_requests(x) != req ||
	    (req && y->requests[slot] - x->requests[slot] != 1) ||
	    y->redirected - x->redirected != req || y->redirect_err != x->redirect_err ||
	    y->no_cpu != x->no_cpu)
		return bpfnic_why(why, why_size, "scheduler counters: rx +%llu passed +%llu short +%llu "
				  "too_long +%llu requests +%llu redirected +%llu (verdict %d)",
				  (unsigned long long)(y->rx - x->rx),
				  (unsigned long long)(y->passed - x->passed),
				  (unsigned long long)(y->short_payload - x->short_payload),
				  (unsigned long long)(y->too_long - x->too_long),
				  (unsigned long long)(total_requests(y) - total_requests(x)),
				  (unsigned long long)(y->redirected - x->redirected), v);
	if (b->worker.malformed - a->worker.malformed != !req ||
	    b->worker.processed[slot] - a->worker.processed[slot] != req ||
	    b->worker.tx - a->worker.tx != req || b->worker.tx_err != a->worker.tx_err)
		return bpfnic_why(why, why_size, "worker counters: malformed +%llu tx +%llu (verdict %d)",
				  (unsigned long long)(b->worker.malformed - a->worker.malformed),
				  (unsigned long long)(b->worker.tx - a->worker.tx), v);
	return 0;
}

/* The scheduler's output: untouched, or only the arrival stamp written. */
static int check_sched_output(const uint8_t *in, const uint8_t *out, size_t len, uint32_t ret,
			      enum pkt_verdict v, char *why, size_t why_size)
{
	struct pkt_layout lo;
	size_t stamp = 0;

	if (v != PKT_REQUEST) {
		if (ret != XDP_PASS)
			return bpfnic_why(why, why_size, "scheduler: not a request (verdict %d), "
					  "action %u, not XDP_PASS", v, ret);
		if (memcmp(in, out, len))
			return bpfnic_why(why, why_size, "scheduler: passed a frame it changed");
		return 0;
	}
	if (ret != XDP_REDIRECT)
		return bpfnic_why(why, why_size, "scheduler: a request got action %u, not XDP_REDIRECT",
				  ret);
	if (pkt_parse(in, len, &lo) < 0)
		return bpfnic_why(why, why_size, "test: a request pkt_parse cannot lay out");
	stamp = lo.payload + BPFNIC_OFF_ARRIVAL;
	for (size_t i = 0; i < len; i++)
		if (in[i] != out[i] && (i < stamp || i >= stamp + 8))
			return bpfnic_why(why, why_size, "scheduler: byte %zu of a request changed", i);
	return 0;
}

/* The worker's reply to a request: addresses and ports swapped, checksums right. */
static int check_reply(const uint8_t *in, const uint8_t *out, size_t len, char *why,
		       size_t why_size)
{
	struct pkt_layout lo;
	const uint8_t *udp_in, *udp_out;
	size_t alen;

	if (pkt_parse(out, len, &lo) < 0)
		return bpfnic_why(why, why_size, "worker: the reply does not parse");
	if (memcmp(out, in + 6, 6) || memcmp(out + 6, in, 6))
		return bpfnic_why(why, why_size, "worker: MAC addresses not swapped");
	alen = lo.family == 4 ? 4 : 16;
	if (memcmp(out + lo.l3 + (lo.family == 4 ? 12 : 8), in + lo.l3 + (lo.family == 4 ? 12 : 8) + alen,
		   alen) ||
	    memcmp(out + lo.l3 + (lo.family == 4 ? 12 : 8) + alen, in + lo.l3 + (lo.family == 4 ? 12 : 8),
		   alen))
		return bpfnic_why(why, why_size, "worker: IP addresses not swapped");
	udp_in = in + lo.l4;
	udp_out = out + lo.l4;
	if (memcmp(udp_out, udp_in + 2, 2) || memcmp(udp_out + 2, udp_in, 2))
		return bpfnic_why(why, why_size, "worker: UDP ports not swapped");
	if (pkt_get_be16(udp_out + 6) != pkt_udp_csum_expected(out, &lo))
		return bpfnic_why(why, why_size, "worker: UDP checksum 0x%04x, want 0x%04x",
				  pkt_get_be16(udp_out + 6), pkt_udp_csum_expected(out, &lo));
	if (lo.family == 4 && pkt_ipv4_csum_ok(in + lo.l3) && !pkt_ipv4_csum_ok(out + lo.l3))
		return bpfnic_why(why, why_size, "worker: the IPv4 header checksum went bad");
	return 0;
}

int framefuzz_check(struct framefuzz *ff, const uint8_t *frame, size_t len, char *why,
		    size_t why_size)
{
	uint8_t out[FRAMEFUZZ_MAX], reply[FRAMEFUZZ_MAX], class_byte = 0;
	size_t out_len = sizeof(out), reply_len = sizeof(reply);
	struct dpt_sums now;
	enum pkt_verdict v;
	uint32_t ret = 0, wret = 0;
	int r;

	if (len < 14) { /* BPF_PROG_TEST_RUN wants an Ethernet header; so does any NIC */
		ff->refused++;
		return 0;
	}
	if (len > FRAMEFUZZ_MAX)
		len = FRAMEFUZZ_MAX;
	v = pkt_classify(frame, len, FRAMEFUZZ_PORT, &class_byte);
	r = dpt_run(dpt_prog_fd_sched(&ff->dp), frame, len, out, &out_len, &ret, NULL);
	if (r == 0)
		r = dpt_run(dpt_prog_fd_worker_xdp(&ff->dp), frame, len, reply, &reply_len, &wret, NULL);
	if (r == 0)
		r = dpt_read(&ff->dp, &now);
	if (r < 0)
		return bpfnic_why(why, why_size, "BPF_PROG_TEST_RUN of %zu bytes: %s", len, strerror(-r));
	ff->verdicts[v]++;
	if (out_len != len || reply_len != len)
		r = bpfnic_why(why, why_size, "the frame changed length: %zu in, %zu and %zu out", len,
			       out_len, reply_len);
	if (r == 0)
		r = check_sched_output(frame, out, len, ret, v, why, why_size);
	if (r == 0 && v != PKT_REQUEST && (wret != XDP_PASS || memcmp(frame, reply, len)))
		r = bpfnic_why(why, why_size, "worker: not a request, action %u or bytes changed", wret);
	if (r == 0 && v == PKT_REQUEST && wret != XDP_REDIRECT)
		r = bpfnic_why(why, why_size, "worker: a request got action %u, not XDP_REDIRECT", wret);
	if (r == 0 && v == PKT_REQUEST)
		r = check_reply(frame, reply, len, why, why_size);
	if (r == 0)
		r = check_counters(&ff->last, &now, v, class_byte, why, why_size);
	ff->last = now;
	return r < 0 ? -1 : 0;
}

/* ---- generating -------------------------------------------------------------------- */

static unsigned below(struct bpfnic_rng *rng, unsigned n)
{
	return (unsigned)(bpfnic_rng_next(rng) % n);
}

static bool one_in(struct bpfnic_rng *rng, unsigned n)
{
	return below(rng, n) == 0;
}

/* An IPv6 extension header of type type (8 bytes) put before the UDP header. */
static size_t insert_v6_ext(uint8_t *buf, size_t len, size_t cap, uint8_t type)
{
	const size_t l3 = 14, at = l3 + 40;

	if (len + 8 > cap || len < at)
		return len;
	memmove(buf + at + 8, buf + at, len - at);
	memset(buf + at, 0, 8);
	buf[at] = buf[l3 + 6];   /* the next header it points to: what followed */
	buf[l3 + 6] = type;
	pkt_put_be16(buf + l3 + 4, (uint16_t)(pkt_get_be16(buf + l3 + 4) + 8));
	return len + 8;
}

/* A request payload (or what looks close to one) of payload_len bytes. */
static void fill_payload(struct bpfnic_rng *rng, uint8_t *p, size_t payload_len)
{
	uint8_t req[BPFNIC_REQ_EXT_LEN];
	bool ext = one_in(rng, 2);
	uint8_t class = one_in(rng, 4) ? (uint8_t)below(rng, 256) : (uint8_t)below(rng, 2);
	size_t n = pkt_fill_request(req, ext, class, bpfnic_rng_next(rng), bpfnic_rng_next(rng),
				    one_in(rng, 2) ? 0 : bpfnic_rng_next(rng) % 2000000);

	for (size_t i = 0; i < payload_len; i++)
		p[i] = (uint8_t)bpfnic_rng_next(rng);
	memcpy(p, req, n < payload_len ? n : payload_len);
}

static size_t pick_payload_len(struct bpfnic_rng *rng)
{
	switch (below(rng, 6)) {
	case 0: return below(rng, BPFNIC_REQ_LEN);                        /* short */
	case 1: return BPFNIC_REQ_LEN;
	case 2: return BPFNIC_REQ_EXT_LEN;
	case 3: return BPFNIC_REQ_LEN + below(rng, 80);
	case 4: return BPFNIC_MAX_DGRAM_LEN - 8 - 4 + below(rng, 9);      /* the limit */
	default: return below(rng, 1600);
	}
}

/* A structured frame: any family, tag, protocol, header length, fragment, port. */
static size_t build_structured(struct bpfnic_rng *rng, uint8_t *buf, size_t cap)
{
	static const uint8_t protos[] = { IPPROTO_UDP, IPPROTO_UDP, IPPROTO_UDP, IPPROTO_TCP,
					  IPPROTO_ICMP };
	static const uint16_t frags[] = { 0, 0, 0, 0x4000, 0x2000, 0x6000, 185, 0x2001, 0x1fff };
	static const uint8_t v6_ext[] = { 0, 43, 60, 51, 135 };
	static uint8_t payload[FRAMEFUZZ_MAX];
	struct pkt_spec s = { 0 };
	size_t n;

	if (one_in(rng, 20))
		return pkt_build_arp(buf, cap);
	s.family = one_in(rng, 2) ? 4 : 6;
	s.vlan = one_in(rng, 8);
	s.qinq = s.vlan && one_in(rng, 3);
	s.l4 = protos[below(rng, sizeof(protos))];
	if (s.l4 == IPPROTO_ICMP && s.family == 6)
		s.l4 = IPPROTO_ICMPV6;
	s.ihl = one_in(rng, 4) ? 5 + below(rng, 11) : 5;
	s.frag = one_in(rng, 6) ? frags[below(rng, sizeof(frags) / sizeof(frags[0]))] : 0;
	s.v6_frag_hdr = s.family == 6 && one_in(rng, 10);
	s.sport = (uint16_t)below(rng, 65536);
	s.dport = one_in(rng, 5) ? (uint16_t)below(rng, 65536) : FRAMEFUZZ_PORT;
	s.no_udp_csum = one_in(rng, 4);
	s.payload_len = pick_payload_len(rng);
	fill_payload(rng, payload, s.payload_len);
	s.payload = payload;
	n = pkt_build(buf, cap, &s);
	if (n && s.family == 6 && !s.vlan && !s.v6_frag_hdr && one_in(rng, 8))
		n = insert_v6_ext(buf, n, cap, v6_ext[below(rng, sizeof(v6_ext))]);
	return n;
}

/* Set one header field of a frame to a value near the edges, or random. */
static void mutate_field(struct bpfnic_rng *rng, uint8_t *buf, size_t len)
{
	/* Offsets in an untagged frame: EtherType, IPv4 (ver/ihl, total length, fragment,
	 * protocol), IPv6 (payload length, next header), UDP after IPv4 and IPv6 (port,
	 * length). A tagged frame gets them shifted: wrong on purpose too. */
	static const struct { uint16_t off; uint8_t size; } fields[] = {
		{ 12, 2 }, { 14, 1 }, { 16, 2 }, { 20, 2 }, { 23, 1 },
		{ 18, 2 }, { 20, 1 },
		{ 36, 2 }, { 38, 2 }, { 56, 2 }, { 58, 2 },
	};
	static const uint16_t edges[] = { 0, 1, 7, 8, 32, 33, 34, 64, 89, 1480, 1481, 1488,
					  0x0800, 0x86dd, 0x8100, 0x4500, 17, 44, 7777, 0xffff };
	unsigned i = below(rng, sizeof(fields) / sizeof(fields[0]));
	uint16_t v = one_in(rng, 3) ? (uint16_t)bpfnic_rng_next(rng) :
				      edges[below(rng, sizeof(edges) / sizeof(edges[0]))];

	if (fields[i].off + fields[i].size > len)
		return;
	if (fields[i].size == 1)
		buf[fields[i].off] = (uint8_t)v;
	else
		pkt_put_be16(buf + fields[i].off, v);
}

/* One more tag in front (802.1Q or 802.1ad): tagged frames with one to three tags. */
static size_t insert_tag(struct bpfnic_rng *rng, uint8_t *buf, size_t len, size_t cap)
{
	if (len + 4 > cap || len < 14)
		return len;
	memmove(buf + 16, buf + 12, len - 12);
	pkt_put_be16(buf + 12, one_in(rng, 2) ? PKT_ETH_P_8021Q : PKT_ETH_P_8021AD);
	pkt_put_be16(buf + 14, (uint16_t)below(rng, 4096));
	return len + 4;
}

size_t framefuzz_generate(struct bpfnic_rng *rng, uint8_t *buf, size_t cap)
{
	size_t len = build_structured(rng, buf, cap);

	if (len == 0 || one_in(rng, 50)) { /* noise */
		len = 14 + below(rng, 200);
		for (size_t i = 0; i < len && i < cap; i++)
			buf[i] = (uint8_t)bpfnic_rng_next(rng);
		return len < cap ? len : cap;
	}
	if (one_in(rng, 12))
		len = insert_tag(rng, buf, len, cap);
	if (one_in(rng, 3))
		for (unsigned k = 1 + below(rng, 4); k > 0; k--)
			buf[below(rng, (unsigned)len)] = (uint8_t)bpfnic_rng_next(rng);
	if (one_in(rng, 3))
		for (unsigned k = 1 + below(rng, 2); k > 0; k--)
			mutate_field(rng, buf, len);
	if (one_in(rng, 6))
		len = below(rng, (unsigned)len + 1);
	if (one_in(rng, 8)) { /* trailing bytes, as Ethernet padding or a sloppy sender */
		size_t extra = 1 + below(rng, 64);

		for (size_t i = 0; i < extra && len < cap; i++)
			buf[len++] = (uint8_t)bpfnic_rng_next(rng);
	}
	return len;
}

/* ---- the requests that get cut at every length --------------------------------------- */

static const struct {
	int family;
	unsigned ihl;
	size_t payload_len;
	bool vlan, qinq;
} requests[] = {
	{ 4, 5, BPFNIC_REQ_LEN, false, false }, { 4, 5, BPFNIC_REQ_EXT_LEN, false, false },
	{ 4, 15, BPFNIC_REQ_LEN, false, false }, { 6, 0, BPFNIC_REQ_LEN, false, false },
	{ 6, 0, BPFNIC_REQ_EXT_LEN + 7, false, false },
	{ 4, 5, BPFNIC_MAX_DGRAM_LEN - 8, false, false }, /* the longest datagram served */
	{ 4, 5, BPFNIC_REQ_EXT_LEN, true, false }, { 6, 0, BPFNIC_REQ_LEN, true, true },
};
const unsigned framefuzz_n_requests = sizeof(requests) / sizeof(requests[0]);

size_t framefuzz_request(unsigned i, uint8_t *buf, size_t cap)
{
	static uint8_t payload[FRAMEFUZZ_MAX];
	struct pkt_spec s = { .family = requests[i].family, .ihl = requests[i].ihl, .sport = 40000,
			      .dport = FRAMEFUZZ_PORT, .payload = payload,
			      .payload_len = requests[i].payload_len, .vlan = requests[i].vlan,
			      .qinq = requests[i].qinq };

	memset(payload, 0xa5, sizeof(payload));
	pkt_fill_request(payload, requests[i].payload_len >= BPFNIC_REQ_EXT_LEN, BPFNIC_CLASS_LONG,
			 123456789, i, 0);
	return pkt_build(buf, cap, &s);
}
