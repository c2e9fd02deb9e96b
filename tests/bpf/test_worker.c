/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The worker through its plain-XDP twin bpfnic_worker_xdp (BPF_PROG_TEST_RUN refuses
 * cpumap programs): pick-up stamped, queuing delay recorded exactly, the workload
 * spun for the requested time, the frame turned into a reply whose IPv4 header and
 * UDP checksums this test recomputes from scratch, and the statistics updated.
 * Also the scheduler and the worker chained, as the cpumap chains them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "bpfnic.skel.h"
#include "tests/support/dptest.h"
#include "tests/support/pkt.h"
#include "clock.h"

#define PORT 7777
/* The test pins itself here: bpf_get_smp_processor_id() says so. Not 0, so that the
 * CPU field's two bytes differ and their order shows. */
#define CPU  1
#define LONG_NS 10000000ull /* 10 ms: unmistakable next to the short class's 2 µs */

static struct dpt T;
static uint8_t frame[PKT_MAX], out[PKT_MAX];
static uint8_t payload[BPFNIC_REQ_EXT_LEN + 16];
static const unsigned both[] = { 0, 1 };

static struct bpfnic_settings worker_config(void)
{
	struct bpfnic_settings c = dpt_default_settings();

	c.service_ns[BPFNIC_CLASS_LONG] = LONG_NS;
	c.max_service_ns = LONG_NS;
	return c;
}

static int group_setup(void **state)
{
	struct bpfnic_settings cfg = worker_config();

	(void)state;
	return dpt_group_open(&T, &cfg, both, 2, CPU);
}

static int group_teardown(void **state)
{
	(void)state;
	dpt_close(&T);
	return 0;
}

static int test_setup(void **state)
{
	struct bpfnic_settings cfg = worker_config();

	(void)state;
	return bpfnic_dp_set_settings(T.dp, &cfg) < 0 ? -1 : 0;
}

static void set_config(struct bpfnic_settings cfg)
{
	assert_int_equal(bpfnic_dp_set_settings(T.dp, &cfg), 0);
}

/* ------------------------------------------------------------------------------ */

struct req {
	int family;
	unsigned ihl;
	bool ext, no_udp_csum, bad_magic;
	uint8_t class;
	uint64_t service_ns; /* requested (ext) */
	uint64_t qdelay_ns;  /* arrival = now - qdelay_ns */
};

/* A request as the scheduler hands it over: arrival stamped, checksums valid. */
static size_t make_request(const struct req *q)
{
	size_t plen = pkt_fill_request(payload, q->ext, q->class, 1111, 0xabcdef0123456789ull,
				       q->service_ns);
	struct pkt_spec s = { .family = q->family, .ihl = q->ihl, .sport = 40001, .dport = PORT,
			      .payload = payload, .payload_len = plen,
			      .no_udp_csum = q->no_udp_csum };

	pkt_put_le64(payload + BPFNIC_OFF_ARRIVAL, bpfnic_mono_ns() - q->qdelay_ns);
	if (q->bad_magic)
		payload[BPFNIC_OFF_EXT_MAGIC] ^= 0xff;
	return pkt_build(frame, sizeof(frame), &s);
}

struct served {
	uint32_t ret;
	struct pkt_layout lo;
	uint64_t arrival, pickup, finish, t0, t1;
	struct dpt_sums before, after;
};

/* What a reply to orig must be, bytes the worker may choose copied from the reply. */
static void expected_reply(uint8_t *exp, const uint8_t *orig, const uint8_t *reply, size_t len,
			   const struct pkt_layout *lo, bool ext)
{
	uint8_t *l3 = exp + lo->l3, *udp = exp + lo->l4, *pl = exp + lo->payload;
	uint8_t t[16];
	size_t alen = lo->family == 4 ? 4 : 16, aoff = lo->family == 4 ? 12 : 8;

	memcpy(exp, orig, len);
	memcpy(exp, orig + 6, 6);
	memcpy(exp + 6, orig, 6);
	memcpy(t, l3 + aoff, alen);
	memcpy(l3 + aoff, l3 + aoff + alen, alen);
	memcpy(l3 + aoff + alen, t, alen);
	memcpy(t, udp, 2);
	memcpy(udp, udp + 2, 2);
	memcpy(udp + 2, t, 2);
	/* Written by the worker, checked on their own. */
	memcpy(udp + 6, reply + lo->l4 + 6, 2);
	memcpy(pl + BPFNIC_OFF_PICKUP, reply + lo->payload + BPFNIC_OFF_PICKUP, 8);
	if (ext) {
		memcpy(pl + BPFNIC_OFF_EXT_CPU, reply + lo->payload + BPFNIC_OFF_EXT_CPU, 2);
		memcpy(pl + BPFNIC_OFF_EXT_FINISH, reply + lo->payload + BPFNIC_OFF_EXT_FINISH, 8);
	}
}

/* Run the worker on frame[0..len) and assert everything a reply must be. */
static void serve(size_t len, bool ext, struct served *sv)
{
	uint8_t orig[PKT_MAX], exp[PKT_MAX];
	size_t out_len = sizeof(out);

	memset(sv, 0, sizeof(*sv));
	memcpy(orig, frame, len);
	assert_int_equal(pkt_parse(orig, len, &sv->lo), 0);
	assert_int_equal(dpt_read(&T, &sv->before), 0);
	sv->t0 = bpfnic_mono_ns();
	assert_int_equal(dpt_run(dpt_prog_fd_worker_xdp(&T), frame, len, out, &out_len, &sv->ret,
				 NULL), 0);
	sv->t1 = bpfnic_mono_ns();
	assert_int_equal(dpt_read(&T, &sv->after), 0);

	assert_int_equal(sv->ret, XDP_REDIRECT);
	assert_int_equal(out_len, len);
	expected_reply(exp, orig, out, len, &sv->lo, ext);
	assert_memory_equal(out, exp, len);

	/* Checksums, recomputed from scratch. */
	if (sv->lo.family == 4)
		assert_true(pkt_ipv4_csum_ok(out + sv->lo.l3));
	if (sv->lo.family == 4 && pkt_get_be16(orig + sv->lo.l4 + 6) == 0)
		assert_int_equal(pkt_get_be16(out + sv->lo.l4 + 6), 0);
	else
		assert_int_equal(pkt_get_be16(out + sv->lo.l4 + 6),
				 pkt_udp_csum_expected(out, &sv->lo));

	sv->arrival = pkt_get_le64(out + sv->lo.payload + BPFNIC_OFF_ARRIVAL);
	sv->pickup = pkt_get_le64(out + sv->lo.payload + BPFNIC_OFF_PICKUP);
	assert_in_range(sv->pickup, sv->t0, sv->t1);
	if (ext) {
		sv->finish = pkt_get_le64(out + sv->lo.payload + BPFNIC_OFF_EXT_FINISH);
		assert_in_range(sv->finish, sv->pickup, sv->t1);
		/* The CPU, little-endian: low byte first. */
		assert_int_equal(out[sv->lo.payload + BPFNIC_OFF_EXT_CPU], CPU & 0xff);
		assert_int_equal(out[sv->lo.payload + BPFNIC_OFF_EXT_CPU + 1], CPU >> 8);
		/* seq echoed untouched: covered by the byte comparison; say it anyway. */
		assert_int_equal(pkt_get_le64(out + sv->lo.payload + BPFNIC_OFF_EXT_SEQ),
				 0xabcdef0123456789ull);
	}

	/* Statistics: one processed, one sent, the queuing delay recorded exactly. */
	const struct bpfnic_worker_stats *a = &sv->before.worker, *b = &sv->after.worker;
	uint64_t qd = sv->pickup >= sv->arrival ? sv->pickup - sv->arrival : 0;
	unsigned bucket = bpfnic_log_bucket(qd, BPFNIC_HIST_SUB_BITS);

	if (bucket >= BPFNIC_HIST_BUCKETS)
		bucket = BPFNIC_HIST_BUCKETS - 1;
	assert_int_equal(b->tx - a->tx, 1);
	assert_int_equal(b->tx_err - a->tx_err, 0);
	assert_int_equal(b->malformed - a->malformed, 0);
	assert_int_equal(b->qdelay_sum_ns - a->qdelay_sum_ns, qd);
	assert_true(b->qdelay_max_ns >= qd);
	assert_int_equal(b->qdelay_hist[bucket] - a->qdelay_hist[bucket], 1);
	uint64_t hist_total = 0;
	for (unsigned i = 0; i < BPFNIC_HIST_BUCKETS; i++)
		hist_total += b->qdelay_hist[i] - a->qdelay_hist[i];
	assert_int_equal(hist_total, 1);
	assert_int_equal((b->processed[0] + b->processed[1] + b->processed[2]) -
				 (a->processed[0] + a->processed[1] + a->processed[2]), 1);
	if (ext)
		assert_int_equal(b->service_sum_ns - a->service_sum_ns, sv->finish - sv->pickup);
	assert_true(b->service_sum_ns - a->service_sum_ns <= sv->t1 - sv->t0);
}

static uint64_t service_of(const struct served *sv)
{
	return sv->after.worker.service_sum_ns - sv->before.worker.service_sum_ns;
}

static uint64_t processed_delta(const struct served *sv, unsigned slot)
{
	return sv->after.worker.processed[slot] - sv->before.worker.processed[slot];
}

/* ------------------------------------------------------------------------------ */

static void test_v4_paper_reply(void **state)
{
	struct req q = { .family = 4, .class = BPFNIC_CLASS_SHORT, .qdelay_ns = 3000 };
	struct served sv;

	(void)state;
	serve(make_request(&q), false, &sv);
	assert_true(sv.pickup - sv.arrival >= 3000);
	assert_int_equal(processed_delta(&sv, BPFNIC_CLASS_SHORT), 1);
	assert_true(service_of(&sv) >= 2000); /* the short class's configured 2 µs */
}

static void test_v6_paper_reply(void **state)
{
	struct req q = { .family = 6, .class = BPFNIC_CLASS_SHORT, .qdelay_ns = 150000 };
	struct served sv;

	(void)state;
	serve(make_request(&q), false, &sv);
	assert_int_equal(processed_delta(&sv, BPFNIC_CLASS_SHORT), 1);
	assert_true(sv.after.worker.qdelay_max_ns >= 150000);
}

static void test_qdelay_histogram_clamps(void **state)
{
	uint64_t now = bpfnic_mono_ns(), big = 80000000000ull; /* 80 s: past the last bucket */
	struct req q = { .family = 4, .class = 0, .qdelay_ns = big < now ? big : now - 1 };
	struct served sv;

	(void)state;
	/* serve() checks the delay lands in bpfnic_log_bucket's bucket, clamped to the last. */
	serve(make_request(&q), false, &sv);
	assert_true(sv.after.worker.qdelay_max_ns >= q.qdelay_ns);
}

static void test_v4_ihl6_reply(void **state)
{
	struct req q = { .family = 4, .ihl = 6, .class = BPFNIC_CLASS_SHORT, .qdelay_ns = 10 };
	struct served sv;

	(void)state;
	serve(make_request(&q), false, &sv);
}

static void test_v4_ihl7_ext_reply(void **state)
{
	struct req q = { .family = 4, .ihl = 7, .ext = true, .class = BPFNIC_CLASS_SHORT,
			 .service_ns = 30000, .qdelay_ns = 7777 };
	struct served sv;

	(void)state;
	serve(make_request(&q), true, &sv);
	assert_true(sv.finish - sv.pickup >= 30000);
}

static void test_v4_ihl15_ext_reply(void **state)
{
	struct req q = { .family = 4, .ihl = 15, .ext = true, .class = BPFNIC_CLASS_SHORT };
	struct served sv;

	(void)state;
	serve(make_request(&q), true, &sv);
}

static void test_v4_no_udp_csum_stays_zero(void **state)
{
	struct req q = { .family = 4, .ext = true, .no_udp_csum = true, .class = 0 };
	struct served sv;

	(void)state;
	serve(make_request(&q), true, &sv); /* serve() asserts the 0 stays 0 */
	assert_int_equal(pkt_get_be16(out + sv.lo.l4 + 6), 0);
}

static void test_v6_ext_reply(void **state)
{
	struct req q = { .family = 6, .ext = true, .class = BPFNIC_CLASS_SHORT,
			 .service_ns = 40000, .qdelay_ns = 2000 };
	struct served sv;

	(void)state;
	serve(make_request(&q), true, &sv);
	assert_true(sv.finish - sv.pickup >= 40000);
}

/* Many arrival values and payload contents: the incremental UDP checksum update must
 * agree with the full recomputation whatever the carries do. */
static void test_checksum_many(void **state)
{
	struct served sv;

	(void)state;
	for (unsigned i = 0; i < 64; i++) {
		struct req q = { .family = i % 2 ? 6 : 4, .ihl = 5 + i % 3, .ext = i % 4 >= 2,
				 .class = (uint8_t)(i % 3), .qdelay_ns = (uint64_t)i * 977 };

		/* Vary the client's bytes too, including values near 0xffff. */
		size_t len = make_request(&q);
		struct pkt_layout lo;

		assert_int_equal(pkt_parse(frame, len, &lo), 0);
		pkt_put_le64(frame + lo.payload, i & 1 ? ~0ull - i : (uint64_t)i << 48);
		pkt_put_be16(frame + lo.l4 + 6, 0);
		pkt_put_be16(frame + lo.l4 + 6, pkt_udp_csum_expected(frame, &lo));
		serve(len, q.ext, &sv);
	}
}

static void test_ext_service_requested(void **state)
{
	struct req q = { .family = 4, .ext = true, .class = BPFNIC_CLASS_LONG,
			 .service_ns = 60000 };
	struct served sv;

	(void)state;
	/* A requested time replaces the class's (10 ms here). */
	serve(make_request(&q), true, &sv);
	assert_true(sv.finish - sv.pickup >= 60000);
	assert_true(sv.finish - sv.pickup < LONG_NS);
	assert_int_equal(processed_delta(&sv, BPFNIC_CLASS_LONG), 1);
}

static void test_ext_service_capped(void **state)
{
	struct bpfnic_settings cfg = worker_config();
	struct req q = { .family = 6, .ext = true, .class = 0, .service_ns = 5 * LONG_NS };
	struct served sv;

	(void)state;
	cfg.max_service_ns = 200000;
	set_config(cfg);
	serve(make_request(&q), true, &sv);
	assert_true(sv.finish - sv.pickup >= 200000);
	assert_true(sv.finish - sv.pickup < 5 * LONG_NS);
}

static void test_ext_service_zero_uses_class(void **state)
{
	struct bpfnic_settings cfg = worker_config();
	struct req q = { .family = 4, .ext = true, .class = BPFNIC_CLASS_LONG, .service_ns = 0 };
	struct served sv;

	(void)state;
	cfg.service_ns[BPFNIC_CLASS_LONG] = 50000;
	set_config(cfg);
	serve(make_request(&q), true, &sv);
	assert_true(sv.finish - sv.pickup >= 50000);
}

static void test_class_long_service(void **state)
{
	struct req q = { .family = 4, .class = BPFNIC_CLASS_LONG };
	struct served sv;

	(void)state;
	serve(make_request(&q), false, &sv);
	assert_int_equal(processed_delta(&sv, BPFNIC_CLASS_LONG), 1);
	assert_true(service_of(&sv) >= LONG_NS);
}

static void test_class_unknown_served_short(void **state)
{
	struct req q = { .family = 6, .class = 9 };
	struct served sv;

	(void)state;
	/* Served as short (2 µs), not as long (10 ms), and counted apart. */
	serve(make_request(&q), false, &sv);
	assert_int_equal(processed_delta(&sv, BPFNIC_CLASS_UNKNOWN), 1);
	assert_true(service_of(&sv) >= 2000);
	assert_true(service_of(&sv) < LONG_NS / 2);
}

static void test_bad_magic_is_paper(void **state)
{
	struct req q = { .family = 4, .ext = true, .bad_magic = true, .class = 0, .service_ns = 1 };
	struct served sv;

	(void)state;
	/* 56 bytes without the magic: a paper request with trailing bytes, which the
	 * worker must echo untouched (no CPU, no finish time written). */
	serve(make_request(&q), false, &sv);
	assert_int_equal(pkt_get_le64(out + sv.lo.payload + BPFNIC_OFF_EXT_FINISH), 0);
}

static void test_future_arrival_no_wrap(void **state)
{
	struct req q = { .family = 4, .class = 0 };
	struct served sv;
	struct pkt_layout lo;
	size_t len = make_request(&q);

	(void)state;
	/* An arrival after the pick-up (another clock, a forged frame) must not count as
	 * a queuing delay of ~2^64 ns. */
	assert_int_equal(pkt_parse(frame, len, &lo), 0);
	pkt_put_le64(frame + lo.payload + BPFNIC_OFF_ARRIVAL, bpfnic_mono_ns() + 1000000000ull);
	pkt_put_be16(frame + lo.l4 + 6, 0);
	pkt_put_be16(frame + lo.l4 + 6, pkt_udp_csum_expected(frame, &lo));
	serve(len, false, &sv);
	assert_true(sv.after.worker.qdelay_sum_ns - sv.before.worker.qdelay_sum_ns < 1000000000ull);
}

static void test_not_a_request_counted(void **state)
{
	struct pkt_spec s = { .family = 4, .l4 = IPPROTO_TCP, .dport = PORT, .payload = payload,
			      .payload_len = BPFNIC_REQ_LEN };
	struct dpt_sums a, b;
	uint8_t orig[PKT_MAX];
	size_t out_len = sizeof(out), len;
	uint32_t ret;

	(void)state;
	len = pkt_build(frame, sizeof(frame), &s);
	memcpy(orig, frame, len);
	assert_int_equal(dpt_read(&T, &a), 0);
	assert_int_equal(dpt_run(dpt_prog_fd_worker_xdp(&T), frame, len, out, &out_len, &ret, NULL), 0);
	assert_int_equal(dpt_read(&T, &b), 0);
	assert_int_not_equal(ret, XDP_REDIRECT);
	assert_memory_equal(out, orig, len);
	assert_int_equal(b.worker.malformed - a.worker.malformed, 1);
	assert_int_equal(b.worker.tx - a.worker.tx, 0);
}

static void test_no_devmap_counted(void **state)
{
	struct bpfnic_settings cfg = worker_config();
	struct req q = { .family = 4, .class = 0 };
	struct dpt nodev;
	struct dpt_sums a, b;
	size_t out_len = sizeof(out), len;
	uint32_t ret = 0;
	int r1, r2, r3;

	(void)state;
	assert_int_equal(dpt_open(&nodev, &cfg, both, 2, 0), 0);
	len = make_request(&q);
	r1 = dpt_read(&nodev, &a);
	r2 = dpt_run(dpt_prog_fd_worker_xdp(&nodev), frame, len, out, &out_len, &ret, NULL);
	r3 = dpt_read(&nodev, &b);
	dpt_close(&nodev);
	assert_int_equal(r1 | r2 | r3, 0);
	assert_int_not_equal(ret, XDP_REDIRECT);
	assert_int_equal(b.worker.tx_err - a.worker.tx_err, 1);
	assert_int_equal(b.worker.tx - a.worker.tx, 0);
}

/* The scheduler's output fed to the worker, as the cpumap does. */
static void chain(struct req q)
{
	uint8_t mid[PKT_MAX];
	size_t len = make_request(&q), mid_len = sizeof(mid);
	struct pkt_layout lo;
	struct served sv;
	uint32_t ret;
	uint64_t arrival;

	assert_int_equal(pkt_parse(frame, len, &lo), 0);
	pkt_put_le64(frame + lo.payload + BPFNIC_OFF_ARRIVAL, 0); /* as the client sends it */
	pkt_put_be16(frame + lo.l4 + 6, 0);
	if (!q.no_udp_csum || q.family == 6)
		pkt_put_be16(frame + lo.l4 + 6, pkt_udp_csum_expected(frame, &lo));
	assert_int_equal(dpt_run(dpt_prog_fd_sched(&T), frame, len, mid, &mid_len, &ret, NULL), 0);
	assert_int_equal(ret, XDP_REDIRECT);
	arrival = pkt_get_le64(mid + lo.payload + BPFNIC_OFF_ARRIVAL);
	assert_int_not_equal(arrival, 0);
	memcpy(frame, mid, mid_len);
	serve(mid_len, q.ext, &sv);
	assert_int_equal(sv.arrival, arrival);
	assert_true(sv.pickup >= arrival);
}

static void test_chain_v4(void **state)
{
	(void)state;
	chain((struct req){ .family = 4, .class = 0 });
	chain((struct req){ .family = 4, .ihl = 7, .ext = true, .class = 1, .service_ns = 1000 });
	chain((struct req){ .family = 4, .ext = true, .no_udp_csum = true, .class = 0 });
}

static void test_chain_v6(void **state)
{
	(void)state;
	chain((struct req){ .family = 6, .class = 0 });
	chain((struct req){ .family = 6, .ext = true, .class = 1, .service_ns = 1000 });
}

#define T(name, fn) { name, fn, test_setup, NULL, NULL }

int main(void)
{
	static const struct CMUnitTest tests[] = {
		T("worker: IPv4 25-byte request -> reply, checksums, stats", test_v4_paper_reply),
		T("worker: IPv6 25-byte request -> reply, checksums, stats", test_v6_paper_reply),
		T("worker: IPv4 ihl 6 request -> reply", test_v4_ihl6_reply),
		T("worker: an 80 s queuing delay lands in the last bucket", test_qdelay_histogram_clamps),
		T("worker: IPv4 ihl 7 extended request -> reply", test_v4_ihl7_ext_reply),
		T("worker: IPv4 ihl 15 extended request -> reply", test_v4_ihl15_ext_reply),
		T("worker: IPv4 UDP checksum 0 stays 0", test_v4_no_udp_csum_stays_zero),
		T("worker: IPv6 extended request -> reply, cpu, finish", test_v6_ext_reply),
		T("worker: 64 varied requests, UDP checksum always right", test_checksum_many),
		T("worker: extended request's service time honoured", test_ext_service_requested),
		T("worker: requested service time capped by max", test_ext_service_capped),
		T("worker: requested 0 uses the class's time", test_ext_service_zero_uses_class),
		T("worker: class 1 gets the long service time", test_class_long_service),
		T("worker: unknown class served as short, counted apart", test_class_unknown_served_short),
		T("worker: 56 bytes without the magic is a paper request", test_bad_magic_is_paper),
		T("worker: arrival after pick-up does not wrap the delay", test_future_arrival_no_wrap),
		T("worker: a non-request is counted malformed, untouched", test_not_a_request_counted),
		T("worker: no devmap entry counted as tx_err", test_no_devmap_counted),
		T("chain: scheduler then worker, IPv4", test_chain_v4),
		T("chain: scheduler then worker, IPv6", test_chain_v6),
	};

	return cmocka_run_group_tests_name("bpfnic_worker", tests, group_setup, group_teardown);
}
