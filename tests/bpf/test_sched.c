/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The XDP scheduler (bpfnic_sched) through BPF_PROG_TEST_RUN on crafted frames:
 * everything that is not a request leaves with XDP_PASS byte-for-byte unchanged,
 * requests are stamped and redirected to the CPU the policy picks, and the
 * statistics say so. The process is pinned to CPU 0 so that the per-CPU
 * round-robin cursors are one cursor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfnic.skel.h"
#include "tests/support/dptest.h"
#include "tests/support/pkt.h"
#include "clock.h"

#define PORT 7777

static uint8_t frame[PKT_MAX], out[PKT_MAX];
static const unsigned both[] = { 0, 1 }, rev[] = { 1, 0 }, cpu0[] = { 0 }, cpu1[] = { 1 };

/* ------------------------------------------------------------------------------ */

/* Every test starts from the default config, main group {0,1}, no long group and
 * round-robin cursors at slot 0 (written on every CPU). */
static void set_cursors_zero(void)
{
	__u32 zeros[BPFNIC_MAX_CPUS] = { 0 };
	int fd = bpf_map__fd(dpt_fixture.skel->maps.bpfnic_rr);

	for (__u32 g = 0; g < BPFNIC_NR_GROUPS; g++)
		assert_int_equal(bpf_map_update_elem(fd, &g, zeros, BPF_ANY), 0);
}

static int test_setup(void **state)
{
	struct bpfnic_settings cfg = dpt_default_settings();

	(void)state;
	if (bpfnic_dp_set_settings(dpt_fixture.dp, &cfg) < 0 ||
	    bpfnic_dp_set_group(dpt_fixture.dp, BPFNIC_GROUP_MAIN, both, 2) < 0 ||
	    bpfnic_dp_set_group(dpt_fixture.dp, BPFNIC_GROUP_LONG, NULL, 0) < 0)
		return -1;
	set_cursors_zero();
	return 0;
}

static void set_policy(uint8_t policy, uint16_t port)
{
	struct bpfnic_settings cfg = dpt_default_settings();

	cfg.policy = policy;
	cfg.port = port;
	assert_int_equal(bpfnic_dp_set_settings(dpt_fixture.dp, &cfg), 0);
}

static void set_group(enum bpfnic_group g, const unsigned *cpus, unsigned n)
{
	assert_int_equal(bpfnic_dp_set_group(dpt_fixture.dp, g, cpus, n), 0);
}

/* split: short requests to the main group main_cpus[0..n_main), long ones to the long group
 * long_cpus[0..n_long) (n_long 0: empty). */
static void set_split(const unsigned *main_cpus, unsigned n_main, const unsigned *long_cpus,
		      unsigned n_long)
{
	set_policy(BPFNIC_POLICY_SPLIT, PORT);
	set_group(BPFNIC_GROUP_MAIN, main_cpus, n_main);
	set_group(BPFNIC_GROUP_LONG, long_cpus, n_long);
}

static void read_sums(struct dpt_sums *s)
{
	assert_int_equal(dpt_read(&dpt_fixture, s), 0);
}

static uint64_t total_requests(const struct bpfnic_sched_stats *s)
{
	return s->requests[0] + s->requests[1] + s->requests[2];
}

/* ------------------------------------------------------------------------------
 * Frames
 */
static uint8_t req_payload[BPFNIC_REQ_EXT_LEN + 16];

static size_t udp_frame(int family, uint16_t dport, size_t payload_len, uint8_t class)
{
	struct pkt_spec s = { .family = family, .sport = 40000, .dport = dport,
			      .payload = req_payload, .payload_len = payload_len };

	pkt_fill_request(req_payload, payload_len >= BPFNIC_REQ_EXT_LEN, class, 123456789, 7, 0);
	return pkt_build(frame, sizeof(frame), &s);
}

static size_t build_spec(struct pkt_spec s)
{
	if (!s.payload) {
		pkt_fill_request(req_payload, false, 0, 123456789, 0, 0);
		s.payload = req_payload;
		s.payload_len = s.payload_len ? s.payload_len : BPFNIC_REQ_LEN;
	}
	s.sport = s.sport ? s.sport : 40000;
	return pkt_build(frame, sizeof(frame), &s);
}

static size_t f_arp(void) { return pkt_build_arp(frame, sizeof(frame)); }
static size_t f_icmp4(void) { return build_spec((struct pkt_spec){ .family = 4, .l4 = IPPROTO_ICMP }); }
static size_t f_icmp6(void) { return build_spec((struct pkt_spec){ .family = 6, .l4 = IPPROTO_ICMPV6 }); }
static size_t f_tcp4(void) { return build_spec((struct pkt_spec){ .family = 4, .l4 = IPPROTO_TCP, .dport = PORT }); }
static size_t f_tcp6(void) { return build_spec((struct pkt_spec){ .family = 6, .l4 = IPPROTO_TCP, .dport = PORT }); }
static size_t f_udp4_other(void) { return udp_frame(4, PORT + 1, BPFNIC_REQ_LEN, 0); }
static size_t f_udp6_other(void) { return udp_frame(6, PORT - 1, BPFNIC_REQ_EXT_LEN, 0); }
static size_t f_udp4_from_port(void)
{
	/* A reply leaving the client's own server on our port: source, not destination. */
	return build_spec((struct pkt_spec){ .family = 4, .sport = PORT, .dport = 5555 });
}
static size_t f_frag4_mf(void) { return build_spec((struct pkt_spec){ .family = 4, .dport = PORT, .frag = 0x2000 }); }
static size_t f_frag4_mf_df(void) { return build_spec((struct pkt_spec){ .family = 4, .dport = PORT, .frag = 0x6000 }); }
static size_t f_frag4_offset(void)
{
	/* A later fragment whose data happens to look like a UDP header to our port. */
	return build_spec((struct pkt_spec){ .family = 4, .dport = PORT, .frag = 185 });
}
static size_t f_frag6(void) { return build_spec((struct pkt_spec){ .family = 6, .dport = PORT, .v6_frag_hdr = true }); }
static size_t f_ihl4(void)
{
	size_t n = build_spec((struct pkt_spec){ .family = 4, .dport = PORT });

	frame[14] = 0x44; /* ihl 4: not a valid IPv4 header */
	return n;
}
static size_t f_ipver(void)
{
	size_t n = build_spec((struct pkt_spec){ .family = 4, .dport = PORT });

	frame[14] = 0x65; /* EtherType IPv4, version field 6 */
	return n;
}
static size_t f_vlan_icmp(void) { return build_spec((struct pkt_spec){ .family = 4, .vlan = true, .l4 = IPPROTO_ICMP }); }
static size_t f_trunc_eth(void)
{
	build_spec((struct pkt_spec){ .family = 4, .dport = PORT });
	return 14; /* Ethernet header, EtherType IPv4, nothing after */
}
static size_t f_trunc_vlan(void)
{
	build_spec((struct pkt_spec){ .family = 4, .vlan = true, .dport = PORT });
	return 16; /* the tag cut in half */
}
static size_t f_trunc_qinq(void)
{
	build_spec((struct pkt_spec){ .family = 4, .vlan = true, .qinq = true, .dport = PORT });
	return 14 + 4 + 2; /* the outer tag whole, the inner one cut */
}
static size_t f_three_tags(void)
{
	/* Two tags looked through, and a third EtherType that says "another tag": the
	 * scheduler goes no deeper and passes it. */
	size_t n = build_spec((struct pkt_spec){ .family = 4, .vlan = true, .qinq = true, .dport = PORT });

	pkt_put_be16(frame + 14 + 4 + 2, PKT_ETH_P_8021Q);
	return n;
}
static size_t f_vlan_tcp6(void) { return build_spec((struct pkt_spec){ .family = 6, .vlan = true, .l4 = IPPROTO_TCP, .dport = PORT }); }
static size_t f_vlan_udp4_other(void)
{
	pkt_fill_request(req_payload, false, 0, 123456789, 0, 0);
	return build_spec((struct pkt_spec){ .family = 4, .vlan = true, .dport = PORT + 1,
					     .payload = req_payload, .payload_len = BPFNIC_REQ_LEN });
}
static size_t f_vlan_short6(void)
{
	return build_spec((struct pkt_spec){ .family = 6, .vlan = true, .qinq = true, .dport = PORT,
					     .payload = req_payload, .payload_len = 24 });
}
static size_t f_trunc_ip4(void)
{
	build_spec((struct pkt_spec){ .family = 4, .dport = PORT });
	return 14 + 19;
}
static size_t f_trunc_ip4_opts(void)
{
	build_spec((struct pkt_spec){ .family = 4, .ihl = 7, .dport = PORT });
	return 14 + 24; /* ihl says 28 bytes of header, 24 present */
}
static size_t f_trunc_udp4(void)
{
	build_spec((struct pkt_spec){ .family = 4, .dport = PORT });
	return 14 + 20 + 7;
}
static size_t f_trunc_udp4_opts(void)
{
	build_spec((struct pkt_spec){ .family = 4, .ihl = 6, .dport = PORT });
	return 14 + 24 + 7;
}
static size_t f_trunc_ip6(void)
{
	build_spec((struct pkt_spec){ .family = 6, .dport = PORT });
	return 14 + 39;
}
static size_t f_trunc_udp6(void)
{
	build_spec((struct pkt_spec){ .family = 6, .dport = PORT });
	return 14 + 40 + 7;
}
/* Short payloads: UDP to our port, fewer than 25 bytes. */
static size_t f_short4_0(void) { return udp_frame(4, PORT, 0, 0); }
static size_t f_short4_1(void) { return udp_frame(4, PORT, 1, 0); }
static size_t f_short4_24(void) { return udp_frame(4, PORT, 24, 0); }
static size_t f_short6_24(void) { return udp_frame(6, PORT, 24, 0); }
static size_t f_short4_cut(void)
{
	/* UDP length says 25 bytes of payload, the frame holds 20 of them. */
	return udp_frame(4, PORT, BPFNIC_REQ_LEN, 0) - 5;
}
static size_t f_short4_udplen(void)
{
	/* 25 bytes present, UDP length claims 24 (8 + 24): the datagram is short. */
	size_t n = udp_frame(4, PORT, BPFNIC_REQ_LEN, 0);

	pkt_put_be16(frame + 14 + 20 + 4, 8 + 24);
	return n;
}
static size_t f_short6_ext_cut(void)
{
	/* A whole extended request in the frame, but the UDP length claims one byte more:
	 * the reply's checksum could not cover the datagram. */
	size_t n = udp_frame(6, PORT, BPFNIC_REQ_EXT_LEN, 0);

	pkt_put_be16(frame + 14 + 40 + 4, 8 + BPFNIC_REQ_EXT_LEN + 1);
	return n;
}
/* Longer than the worker serves (BPFNIC_MAX_DGRAM_LEN), by the UDP length field. */
static size_t f_long4_udplen(void)
{
	size_t n = udp_frame(4, PORT, BPFNIC_REQ_EXT_LEN, 0);

	pkt_put_be16(frame + 14 + 20 + 4, BPFNIC_MAX_DGRAM_LEN + 1);
	return n;
}
static size_t f_long6_udplen(void)
{
	size_t n = udp_frame(6, PORT, BPFNIC_REQ_LEN, 0);

	pkt_put_be16(frame + 14 + 40 + 4, 0xffff);
	return n;
}

/* Requests: stamped and redirected (run_request), counted in their class. */
static size_t f_req4_paper(void) { return udp_frame(4, PORT, BPFNIC_REQ_LEN, BPFNIC_CLASS_SHORT); }
static size_t f_req6_paper(void) { return udp_frame(6, PORT, BPFNIC_REQ_LEN, BPFNIC_CLASS_LONG); }
static size_t f_req4_ext(void) { return udp_frame(4, PORT, BPFNIC_REQ_EXT_LEN, BPFNIC_CLASS_LONG); }
static size_t f_req6_ext(void) { return udp_frame(6, PORT, BPFNIC_REQ_EXT_LEN, BPFNIC_CLASS_SHORT); }
/* A request with bytes after the extension is still a request. */
static size_t f_req4_longer(void) { return udp_frame(4, PORT, BPFNIC_REQ_EXT_LEN + 9, 0); }
/* Linux sets DF on UDP: DF alone is not a fragment. */
static size_t f_req4_df(void) { return build_spec((struct pkt_spec){ .family = 4, .dport = PORT, .frag = 0x4000 }); }
static size_t f_req4_no_csum(void) { return build_spec((struct pkt_spec){ .family = 4, .dport = PORT, .no_udp_csum = true }); }
static size_t f_req4_ihl6(void) { return build_spec((struct pkt_spec){ .family = 4, .dport = PORT, .ihl = 6 }); }
static size_t f_req4_ihl7_ext(void)
{
	pkt_fill_request(req_payload, true, BPFNIC_CLASS_LONG, 99, 1, 0);
	return build_spec((struct pkt_spec){ .family = 4, .dport = PORT, .ihl = 7,
					     .payload = req_payload, .payload_len = BPFNIC_REQ_EXT_LEN });
}
static size_t f_req4_ihl15(void) { return build_spec((struct pkt_spec){ .family = 4, .dport = PORT, .ihl = 15 }); }
/*
 * Tagged requests: the scheduler looks through an 802.1Q tag, or an 802.1ad one with
 * an 802.1Q one inside (QinQ), and leaves them in place (run_request checks that no
 * byte but the arrival stamp moved), so the reply leaves on the request's VLAN.
 */
static size_t f_req_vlan4(void) { return build_spec((struct pkt_spec){ .family = 4, .vlan = true, .dport = PORT }); }
static size_t f_req_vlan6_ext(void)
{
	pkt_fill_request(req_payload, true, BPFNIC_CLASS_LONG, 99, 1, 0);
	return build_spec((struct pkt_spec){ .family = 6, .vlan = true, .vlan_id = 4094, .dport = PORT,
					     .payload = req_payload, .payload_len = BPFNIC_REQ_EXT_LEN });
}
static size_t f_req_qinq4_options(void)
{
	return build_spec((struct pkt_spec){ .family = 4, .vlan = true, .qinq = true, .ihl = 7, .dport = PORT });
}
static size_t f_req_qinq6(void) { return build_spec((struct pkt_spec){ .family = 6, .vlan = true, .qinq = true, .dport = PORT }); }

/* Which statistic counts a frame: why it was passed, or the class of a request. */
enum counted_as { C_PASSED, C_SHORT, C_TOO_LONG, C_OTHER_ADDR, C_REQUEST_SHORT, C_REQUEST_LONG };

struct frame_case {
	const char *name;
	size_t (*build)(void);
	enum counted_as counter;
};

static const struct frame_case frame_cases[] = {
	{ "pass: ARP request", f_arp, C_PASSED },
	{ "pass: ICMPv4 echo", f_icmp4, C_PASSED },
	{ "pass: ICMPv6 echo", f_icmp6, C_PASSED },
	{ "pass: TCPv4 SYN to the request port", f_tcp4, C_PASSED },
	{ "pass: TCPv6 SYN to the request port", f_tcp6, C_PASSED },
	{ "pass: UDPv4 request-shaped to another port", f_udp4_other, C_PASSED },
	{ "pass: UDPv6 request-shaped to another port", f_udp6_other, C_PASSED },
	{ "pass: UDPv4 from the request port (not to it)", f_udp4_from_port, C_PASSED },
	{ "pass: IPv4 first fragment (MF)", f_frag4_mf, C_PASSED },
	{ "pass: IPv4 first fragment (MF+DF)", f_frag4_mf_df, C_PASSED },
	{ "pass: IPv4 later fragment (offset 185) looking like a request", f_frag4_offset, C_PASSED },
	{ "pass: IPv6 with a fragment header", f_frag6, C_PASSED },
	{ "pass: IPv4 with ihl 4 (invalid)", f_ihl4, C_PASSED },
	{ "pass: EtherType IPv4 with version 6", f_ipver, C_PASSED },
	{ "pass: VLAN-tagged ICMPv4", f_vlan_icmp, C_PASSED },
	{ "pass: truncated after Ethernet (14 bytes)", f_trunc_eth, C_PASSED },
	{ "pass: truncated VLAN tag", f_trunc_vlan, C_PASSED },
	{ "pass: QinQ with the inner tag cut", f_trunc_qinq, C_PASSED },
	{ "pass: a third VLAN tag is not looked through", f_three_tags, C_PASSED },
	{ "pass: 802.1Q-tagged TCPv6 to the request port", f_vlan_tcp6, C_PASSED },
	{ "pass: 802.1Q-tagged UDPv4 request-shaped to another port", f_vlan_udp4_other, C_PASSED },
	{ "pass: truncated IPv4 header (19 bytes)", f_trunc_ip4, C_PASSED },
	{ "pass: truncated IPv4 options (ihl 7, 24 bytes)", f_trunc_ip4_opts, C_PASSED },
	{ "pass: truncated UDP header after IPv4", f_trunc_udp4, C_PASSED },
	{ "pass: truncated UDP header after IPv4 options", f_trunc_udp4_opts, C_PASSED },
	{ "pass: truncated IPv6 header (39 bytes)", f_trunc_ip6, C_PASSED },
	{ "pass: truncated UDP header after IPv6", f_trunc_udp6, C_PASSED },
	{ "short: UDPv4 to the port, 0-byte payload", f_short4_0, C_SHORT },
	{ "short: UDPv4 to the port, 1-byte payload", f_short4_1, C_SHORT },
	{ "short: UDPv4 to the port, 24-byte payload", f_short4_24, C_SHORT },
	{ "short: UDPv6 to the port, 24-byte payload", f_short6_24, C_SHORT },
	{ "short: UDPv4 payload cut to 20 of 25 bytes", f_short4_cut, C_SHORT },
	{ "short: UDPv4 length field says 24 bytes", f_short4_udplen, C_SHORT },
	{ "short: UDPv6 length past the frame's end", f_short6_ext_cut, C_SHORT },
	{ "short: QinQ-tagged UDPv6 to the port, 24-byte payload", f_vlan_short6, C_SHORT },
	{ "too long: UDPv4 length 1 past the longest served", f_long4_udplen, C_TOO_LONG },
	{ "too long: UDPv6 length 65535", f_long6_udplen, C_TOO_LONG },
	{ "request: IPv4 25 bytes stamped, redirected", f_req4_paper, C_REQUEST_SHORT },
	{ "request: IPv6 25 bytes class 1 stamped, redirected", f_req6_paper, C_REQUEST_LONG },
	{ "request: IPv4 extended stamped, redirected", f_req4_ext, C_REQUEST_LONG },
	{ "request: IPv6 extended stamped, redirected", f_req6_ext, C_REQUEST_SHORT },
	{ "request: IPv4 with bytes after the extension", f_req4_longer, C_REQUEST_SHORT },
	{ "request: IPv4 with DF set (not a fragment)", f_req4_df, C_REQUEST_SHORT },
	{ "request: IPv4 without UDP checksum keeps 0", f_req4_no_csum, C_REQUEST_SHORT },
	{ "request: IPv4 ihl 6 parsed via ihl", f_req4_ihl6, C_REQUEST_SHORT },
	{ "request: IPv4 ihl 7 extended, class 1", f_req4_ihl7_ext, C_REQUEST_LONG },
	{ "request: IPv4 ihl 15 (40 bytes of options)", f_req4_ihl15, C_REQUEST_SHORT },
	{ "request: 802.1Q-tagged IPv4 stamped, redirected, tag kept", f_req_vlan4, C_REQUEST_SHORT },
	{ "request: 802.1Q-tagged IPv6 extended (VID 4094), tag kept", f_req_vlan6_ext, C_REQUEST_LONG },
	{ "request: QinQ-tagged IPv4 with options, tags kept", f_req_qinq4_options, C_REQUEST_SHORT },
	{ "request: QinQ-tagged IPv6, tags kept", f_req_qinq6, C_REQUEST_SHORT },
};

/* ------------------------------------------------------------------------------
 * Expectations
 */
static void expect_pass(size_t len, enum counted_as counter)
{
	struct dpt_sums a, b;
	size_t out_len = sizeof(out);
	uint32_t ret = 0;
	uint8_t orig[PKT_MAX];

	assert_true(len >= 14 && len <= sizeof(orig));
	memcpy(orig, frame, len);
	read_sums(&a);
	assert_int_equal(dpt_run(dpt_prog_fd_sched(&dpt_fixture), frame, len, out, &out_len, &ret,
				 NULL), 0);
	read_sums(&b);
	assert_int_equal(ret, XDP_PASS);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, orig, len);
	assert_int_equal(b.sched.rx - a.sched.rx, 1);
	assert_int_equal(b.sched.redirected - a.sched.redirected, 0);
	assert_int_equal(total_requests(&b.sched) - total_requests(&a.sched), 0);
	assert_int_equal(b.sched.passed - a.sched.passed, counter == C_PASSED);
	assert_int_equal(b.sched.short_payload - a.sched.short_payload, counter == C_SHORT);
	assert_int_equal(b.sched.too_long - a.sched.too_long, counter == C_TOO_LONG);
	assert_int_equal(b.sched.other_addr - a.sched.other_addr, counter == C_OTHER_ADDR);
}

/*
 * Run one request through the scheduler; assert the redirect, the arrival stamp and
 * that no other byte changed, the UDP checksum included: the worker computes the
 * reply's over the whole datagram, so the scheduler does not spend time on it. Returns
 * the target CPU (from bpfnic_sched_target) or -1 when it was dropped (expect_drop).
 */
static int run_request(size_t len, unsigned class_slot, bool expect_drop)
{
	struct dpt_sums a, b;
	struct pkt_layout lo;
	size_t out_len = sizeof(out);
	uint32_t ret = 0;
	uint64_t t0, t1, arrival;
	uint8_t orig[PKT_MAX], tmp[PKT_MAX];
	int target = -1;

	memcpy(orig, frame, len);
	assert_int_equal(pkt_parse(orig, len, &lo), 0);
	read_sums(&a);
	t0 = bpfnic_mono_ns();
	assert_int_equal(dpt_run(dpt_prog_fd_sched(&dpt_fixture), frame, len, out, &out_len, &ret,
				 NULL), 0);
	t1 = bpfnic_mono_ns();
	read_sums(&b);

	assert_int_equal(out_len, len);
	assert_int_equal(b.sched.rx - a.sched.rx, 1);
	assert_int_equal(b.sched.requests[class_slot] - a.sched.requests[class_slot], 1);
	assert_int_equal(total_requests(&b.sched) - total_requests(&a.sched), 1);
	assert_int_equal(b.sched.passed - a.sched.passed, 0);

	/* The arrival stamp, on the clock bpf_ktime_get_ns() reads. */
	arrival = pkt_get_le64(out + lo.payload + BPFNIC_OFF_ARRIVAL);
	assert_in_range(arrival, t0, t1);
	/* Nothing else moved: put the stamp back and compare. */
	memcpy(tmp, out, len);
	memcpy(tmp + lo.payload + BPFNIC_OFF_ARRIVAL, orig + lo.payload + BPFNIC_OFF_ARRIVAL, 8);
	assert_memory_equal(tmp, orig, len);

	if (expect_drop) {
		assert_int_equal(ret, XDP_DROP);
		assert_int_equal(b.sched.redirected - a.sched.redirected, 0);
		return -1;
	}
	assert_int_equal(ret, XDP_REDIRECT);
	assert_int_equal(b.sched.redirected - a.sched.redirected, 1);
	for (unsigned c = 0; c < dpt_fixture.nr_cpus && c < BPFNIC_MAX_CPUS; c++) {
		uint64_t d = b.handed[c] - a.handed[c];

		assert_true(d <= 1);
		if (d) {
			assert_int_equal(target, -1);
			target = (int)c;
		}
	}
	assert_int_not_equal(target, -1);
	return target;
}

static void test_frame_case(void **state)
{
	const struct frame_case *c = *state;
	size_t len = c->build();

	if (c->counter == C_REQUEST_SHORT)
		run_request(len, BPFNIC_CLASS_SHORT, false);
	else if (c->counter == C_REQUEST_LONG)
		run_request(len, BPFNIC_CLASS_LONG, false);
	else
		expect_pass(len, c->counter);
}

/* ------------------------------------------------------------------------------
 * Requests
 */

static void test_req_unknown_class(void **state)
{
	(void)state;
	/* Served as short: rr and split both send it to the main group. */
	set_split(cpu0, 1, cpu1, 1);
	assert_int_equal(run_request(udp_frame(4, PORT, BPFNIC_REQ_LEN, 7), BPFNIC_CLASS_UNKNOWN, false), 0);
	assert_int_equal(run_request(udp_frame(6, PORT, BPFNIC_REQ_EXT_LEN, 255), BPFNIC_CLASS_UNKNOWN, false), 0);
}

static void test_port_zero(void **state)
{
	(void)state;
	set_policy(BPFNIC_POLICY_RR, 0);
	expect_pass(udp_frame(4, PORT, BPFNIC_REQ_LEN, 0), false);
}

static void test_port_change(void **state)
{
	(void)state;
	set_policy(BPFNIC_POLICY_RR, 9999);
	expect_pass(udp_frame(4, PORT, BPFNIC_REQ_LEN, 0), false);
	run_request(udp_frame(4, 9999, BPFNIC_REQ_LEN, 0), BPFNIC_CLASS_SHORT, false);
}

/* ------------------------------------------------------------------------------
 * Policies
 */
static void expect_targets(int family, uint8_t class, unsigned slot, const unsigned *want, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int got = run_request(udp_frame(family, PORT, i % 2 ? BPFNIC_REQ_EXT_LEN : BPFNIC_REQ_LEN,
						class), slot, false);
		if (got != (int)want[i])
			fail_msg("request %u went to CPU %d, expected CPU %u", i, got, want[i]);
	}
}

static void test_rr_order(void **state)
{
	static const unsigned want[] = { 0, 1, 0, 1, 0, 1 };

	(void)state;
	expect_targets(4, 0, 0, want, 6);
}

static void test_rr_order_reversed(void **state)
{
	static const unsigned want[] = { 1, 0, 1, 0, 1 };

	(void)state;
	set_group(BPFNIC_GROUP_MAIN, rev, 2);
	set_cursors_zero();
	expect_targets(6, 0, 0, want, 5);
}

static void test_rr_ignores_class(void **state)
{
	static const unsigned want[] = { 0, 0, 0 };

	(void)state;
	/* rr: a long request goes to the one group, even when a long group exists. */
	set_group(BPFNIC_GROUP_MAIN, cpu0, 1);
	set_group(BPFNIC_GROUP_LONG, cpu1, 1);
	expect_targets(4, BPFNIC_CLASS_LONG, BPFNIC_CLASS_LONG, want, 3);
}

static void test_dynamic_is_rr(void **state)
{
	static const unsigned want[] = { 0, 1, 0, 1 };

	(void)state;
	set_policy(BPFNIC_POLICY_DYNAMIC, PORT);
	expect_targets(4, 0, 0, want, 4);
}

static void test_group_resize(void **state)
{
	static const unsigned one0[] = { 0, 0, 0 }, alt[] = { 0, 1, 0, 1 }, one1[] = { 1, 1, 1 };
	static const unsigned after_shrink[] = { 0, 0 };

	(void)state;
	set_group(BPFNIC_GROUP_MAIN, cpu0, 1);
	expect_targets(4, 0, 0, one0, 3);
	set_group(BPFNIC_GROUP_MAIN, both, 2);
	set_cursors_zero();
	expect_targets(4, 0, 0, alt, 4);
	set_group(BPFNIC_GROUP_MAIN, cpu1, 1);
	expect_targets(6, 0, 0, one1, 3);
	/* Shrink with the cursor past the new end: the next pick wraps to slot 0. */
	set_group(BPFNIC_GROUP_MAIN, both, 2);
	set_cursors_zero();
	expect_targets(4, 0, 0, one0, 1);
	set_group(BPFNIC_GROUP_MAIN, cpu0, 1);
	expect_targets(4, 0, 0, after_shrink, 2);
}

static void test_group_empty(void **state)
{
	struct dpt_sums a, b;

	(void)state;
	set_group(BPFNIC_GROUP_MAIN, NULL, 0);
	read_sums(&a);
	run_request(udp_frame(4, PORT, BPFNIC_REQ_LEN, 0), BPFNIC_CLASS_SHORT, true);
	run_request(udp_frame(6, PORT, BPFNIC_REQ_EXT_LEN, 0), BPFNIC_CLASS_SHORT, true);
	read_sums(&b);
	assert_int_equal(b.sched.no_cpu - a.sched.no_cpu, 2);
	assert_int_equal(b.sched.redirect_err - a.sched.redirect_err, 0);
	/* Non-requests still pass with an empty group. */
	expect_pass(f_icmp4(), false);
}

static void test_split(void **state)
{
	static const unsigned short_want[] = { 0, 0, 0 }, long_want[] = { 1, 1, 1 };

	(void)state;
	set_split(cpu0, 1, cpu1, 1);
	expect_targets(4, BPFNIC_CLASS_SHORT, BPFNIC_CLASS_SHORT, short_want, 3);
	expect_targets(4, BPFNIC_CLASS_LONG, BPFNIC_CLASS_LONG, long_want, 3);
	expect_targets(6, BPFNIC_CLASS_LONG, BPFNIC_CLASS_LONG, long_want, 2);
	expect_targets(6, BPFNIC_CLASS_SHORT, BPFNIC_CLASS_SHORT, short_want, 2);
}

static void test_split_swapped_groups(void **state)
{
	static const unsigned short_want[] = { 1, 1 }, long_want[] = { 0, 0 };

	(void)state;
	set_split(cpu1, 1, cpu0, 1);
	expect_targets(4, BPFNIC_CLASS_LONG, BPFNIC_CLASS_LONG, long_want, 2);
	expect_targets(4, BPFNIC_CLASS_SHORT, BPFNIC_CLASS_SHORT, short_want, 2);
}

static void test_split_rr_within_group(void **state)
{
	static const unsigned long_want[] = { 1, 0, 1, 0 }, short_want[] = { 0, 0 };

	(void)state;
	/* Each group keeps its own cursor: short requests in between do not move it. */
	set_split(cpu0, 1, rev, 2);
	set_cursors_zero();
	expect_targets(4, BPFNIC_CLASS_LONG, BPFNIC_CLASS_LONG, long_want, 2);
	expect_targets(4, BPFNIC_CLASS_SHORT, BPFNIC_CLASS_SHORT, short_want, 2);
	expect_targets(4, BPFNIC_CLASS_LONG, BPFNIC_CLASS_LONG, long_want + 2, 2);
}

static void test_split_long_group_empty(void **state)
{
	struct dpt_sums a, b;

	(void)state;
	set_split(both, 2, NULL, 0);
	read_sums(&a);
	run_request(udp_frame(4, PORT, BPFNIC_REQ_LEN, BPFNIC_CLASS_LONG), BPFNIC_CLASS_LONG, true);
	read_sums(&b);
	assert_int_equal(b.sched.no_cpu - a.sched.no_cpu, 1);
	/* Short requests are unaffected. */
	run_request(udp_frame(4, PORT, BPFNIC_REQ_LEN, BPFNIC_CLASS_SHORT), BPFNIC_CLASS_SHORT, false);
}

static void test_redirect_error_counted(void **state)
{
	struct bpfnic_settings cfg = dpt_default_settings();
	struct dpt saved = dpt_fixture, only0;
	struct dpt_sums a, b;
	struct bpfnic_group_cpus cpus = { .cpu = { 1 } };
	__u32 group = BPFNIC_GROUP_MAIN;
	int r;

	(void)state;
	/* A data path whose cpumap has CPU 0 only; its group map is forced to name CPU 1,
	 * which has no cpumap entry: the redirect fails and must be counted. */
	assert_int_equal(dpt_open(&only0, &cfg, cpu0, 1, 1), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(only0.skel->maps.bpfnic_group_cpus), &group,
					     &cpus, BPF_ANY), 0);
	dpt_fixture = only0;
	read_sums(&a);
	size_t len = udp_frame(4, PORT, BPFNIC_REQ_LEN, 0);
	size_t out_len = sizeof(out);
	uint32_t ret = 0;
	r = dpt_run(dpt_prog_fd_sched(&dpt_fixture), frame, len, out, &out_len, &ret, NULL);
	read_sums(&b);
	dpt_fixture = saved;
	dpt_close(&only0);
	assert_int_equal(r, 0);
	assert_int_not_equal(ret, XDP_REDIRECT);
	assert_int_not_equal(ret, XDP_PASS);
	assert_int_equal(b.sched.redirect_err - a.sched.redirect_err, 1);
	assert_int_equal(b.sched.redirected - a.sched.redirected, 0);
}

/* ------------------------------------------------------------------------------
 * Address=: a data path of its own, taking requests only to 198.18.0.1 and 2001:2::1
 * (the lab server's); 198.18.0.3 and 2001:2::3 belong to another service on the box.
 */
static const uint8_t other_ip4[4] = { 198, 18, 0, 3 };
static const uint8_t other_ip6[16] = { 0x20, 0x01, 0, 0x02, [15] = 3 };

static int addr_group_setup(void **state)
{
	static const struct bpfnic_addr ours[] = {
		{ { [10] = 0xff, [11] = 0xff, 198, 18, 0, 1 } },
		{ { 0x20, 0x01, 0, 0x02, [15] = 1 } },
	};
	struct bpfnic_settings cfg = dpt_default_settings();

	(void)state;
	/* The first group left libbpf silenced and this thread on CPU 0. */
	return dpt_open_addrs(&dpt_fixture, &cfg, both, 2, 1, ours, 2) < 0 ? -1 : 0;
}

static size_t to_address(int family, const uint8_t *dst, uint16_t dport, size_t payload_len)
{
	pkt_fill_request(req_payload, payload_len >= BPFNIC_REQ_EXT_LEN, 0, 5, 6, 0);
	return build_spec((struct pkt_spec){ .family = family, .dport = dport, .dst_ip = dst,
					     .payload = req_payload, .payload_len = payload_len });
}

static void test_addr_ours_taken(void **state)
{
	(void)state;
	run_request(to_address(4, NULL, PORT, BPFNIC_REQ_LEN), BPFNIC_CLASS_SHORT, false);
	run_request(to_address(6, NULL, PORT, BPFNIC_REQ_EXT_LEN), BPFNIC_CLASS_SHORT, false);
	run_request(build_spec((struct pkt_spec){ .family = 4, .vlan = true, .qinq = true,
						  .dport = PORT }), BPFNIC_CLASS_SHORT, false);
}

static void test_addr_other_passed(void **state)
{
	(void)state;
	expect_pass(to_address(4, other_ip4, PORT, BPFNIC_REQ_LEN), C_OTHER_ADDR);
	expect_pass(to_address(6, other_ip6, PORT, BPFNIC_REQ_EXT_LEN), C_OTHER_ADDR);
	/* The address decides before the length: not ours, whatever the datagram holds. */
	expect_pass(to_address(4, other_ip4, PORT, 3), C_OTHER_ADDR);
	expect_pass(build_spec((struct pkt_spec){ .family = 6, .vlan = true, .dport = PORT,
						  .dst_ip = other_ip6 }), C_OTHER_ADDR);
	/* Another port is not ours either way, counted as any other traffic. */
	expect_pass(to_address(4, other_ip4, PORT + 1, BPFNIC_REQ_LEN), C_PASSED);
	/* The source address does not count: a request from .3 to .1 is ours. */
	run_request(build_spec((struct pkt_spec){ .family = 4, .dport = PORT, .src_ip = other_ip4 }),
		    BPFNIC_CLASS_SHORT, false);
}

/* The test's own checksum against published vectors, so it is worth trusting. */
static void test_checksum_vectors(void **state)
{
	/* RFC 1071 section 3: the sum of these words is 0xddf2. */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	/* A classic IPv4 header whose checksum is 0xb861. */
	static const uint8_t ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				      0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint8_t ip0[sizeof(ip)];

	(void)state;
	assert_int_equal(pkt_csum_fold(pkt_csum_add(0, rfc, sizeof(rfc))), 0xddf2);
	assert_true(pkt_ipv4_csum_ok(ip));
	memcpy(ip0, ip, sizeof(ip));
	ip0[10] = ip0[11] = 0;
	assert_int_equal((uint16_t)~pkt_csum_fold(pkt_csum_add(0, ip0, sizeof(ip0))), 0xb861);
	ip0[11] = 1;
	assert_false(pkt_ipv4_csum_ok(ip0));
}

int main(void)
{
	/* The tests beyond the frame table; every one starts from test_setup's state. */
	static const struct {
		const char *name;
		CMUnitTestFunction test;
	} fixed[] = {
		{ "the test's own checksum matches published vectors", test_checksum_vectors },
		{ "request: class 7/255 served as short, counted unknown", test_req_unknown_class },
		{ "config: port 0 touches nothing", test_port_zero },
		{ "config: port change is live", test_port_change },
		{ "rr: group {0,1} visited in slot order", test_rr_order },
		{ "rr: group {1,0} visited in slot order", test_rr_order_reversed },
		{ "rr: class 1 stays in the one group", test_rr_ignores_class },
		{ "dynamic: round-robin over the main group", test_dynamic_is_rr },
		{ "group: size changes between runs (grow, shrink, wrap)", test_group_resize },
		{ "group: empty group drops, counted no_cpu", test_group_empty },
		{ "split: class 1 -> long group, class 0 -> short group", test_split },
		{ "split: groups swapped follow the maps", test_split_swapped_groups },
		{ "split: each group keeps its own cursor", test_split_rr_within_group },
		{ "split: empty long group counted no_cpu", test_split_long_group_empty },
		{ "redirect: CPU without cpumap entry counted redirect_err", test_redirect_error_counted },
	};
	enum { N_FRAME = sizeof(frame_cases) / sizeof(frame_cases[0]),
	       N_FIXED = sizeof(fixed) / sizeof(fixed[0]) };
	struct CMUnitTest tests[N_FRAME + N_FIXED];

	static const struct CMUnitTest addr_tests[] = {
		{ "address: requests to Address= taken (IPv4, IPv6, QinQ)", test_addr_ours_taken, test_setup, NULL, NULL },
		{ "address: UDP to the port for other addresses passed, counted", test_addr_other_passed, test_setup, NULL, NULL },
	};
	int failed;

	for (size_t i = 0; i < N_FRAME; i++)
		tests[i] = (struct CMUnitTest){ .name = frame_cases[i].name, .test_func = test_frame_case,
						.setup_func = test_setup,
						.initial_state = (void *)&frame_cases[i] };
	for (size_t i = 0; i < N_FIXED; i++)
		tests[N_FRAME + i] = (struct CMUnitTest){ .name = fixed[i].name, .test_func = fixed[i].test,
							  .setup_func = test_setup };
	failed = _cmocka_run_group_tests("bpfnic_sched", tests, N_FRAME + N_FIXED, dpt_fixture_setup,
					 dpt_fixture_teardown);
	failed += cmocka_run_group_tests_name("bpfnic_sched_address", addr_tests, addr_group_setup,
					      dpt_fixture_teardown);
	return failed;
}
