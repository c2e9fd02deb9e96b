/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* daemon/stats: one window from two synthetic readings of the data path's counters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"

#include <json-c/json.h>

#include "datapath/dpstats.h"
#include "daemon/stats.h"

#define NCPU 4

/* A reading as bpfnic_dp_read_stats leaves it: every field set, arrays zeroed, the
 * drops at full queues estimated (no tracer) unless a test says otherwise. */
static void alloc(struct bpfnic_dp_stats *s)
{
	*s = (struct bpfnic_dp_stats){
		.nr_cpus = NCPU,
		.sched = calloc(NCPU, sizeof(*s->sched)),
		.worker = calloc(NCPU, sizeof(*s->worker)),
		.handed = calloc(NCPU, sizeof(*s->handed)),
		.queue_drops = calloc(NCPU, sizeof(*s->queue_drops)),
		.queue_drops_exact = false,
	};
	assert_true(s->sched && s->worker && s->handed && s->queue_drops);
}

static void release(struct bpfnic_dp_stats *s)
{
	free(s->sched);
	free(s->worker);
	free(s->handed);
	free(s->queue_drops);
}

/* n requests served on cpu, each with queuing delay qd_ns and service svc_ns. */
static void serve(struct bpfnic_dp_stats *s, unsigned cpu, unsigned n, uint64_t qd_ns, uint64_t svc_ns)
{
	struct bpfnic_worker_stats *w = &s->worker[cpu];

	w->processed[BPFNIC_CLASS_SHORT] += n;
	w->qdelay_sum_ns += n * qd_ns;
	if (qd_ns > w->qdelay_max_ns)
		w->qdelay_max_ns = qd_ns;
	w->service_sum_ns += n * svc_ns;
	w->tx += n;
	w->qdelay_hist[bpfnic_log_bucket(qd_ns, BPFNIC_HIST_SUB_BITS)] += n;
	s->handed[cpu] += n;
	s->sched[0].requests[BPFNIC_CLASS_SHORT] += n;
	s->sched[0].redirected += n;
	s->sched[0].rx += n;
}

static void test_window(void **state)
{
	struct bpfnic_dp_stats a, b;
	struct bpfnicd_window w;
	const unsigned cpus[] = { 2, 1 };
	(void)state;

	alloc(&a);
	alloc(&b);
	serve(&a, 1, 100, 5000, 6000);       /* before the window */
	serve(&b, 1, 100, 5000, 6000);
	serve(&b, 1, 200, 10000, 6000);      /* in the window: 200 on CPU 1 at 10 us */
	serve(&b, 2, 100, 40000, 60000);     /* and 100 on CPU 2 at 40 us */
	b.handed[2] += 7;                    /* 7 handed to CPU 2 never served: dropped */
	b.sched[0].requests[BPFNIC_CLASS_SHORT] += 7;
	b.sched[1].passed = 11;
	b.sched[1].no_cpu = 2;
	b.worker[3].tx_err = 3;

	bpfnicd_window_compute(&b, &a, cpus, 2, 500.0, &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.cpu[0].cpu, 2);
	assert_true(w.cpu[0].rps > 199.9 && w.cpu[0].rps < 200.1);          /* 100 in 0.5 s */
	assert_true(w.cpu[0].qdelay_avg_us > 39.9 && w.cpu[0].qdelay_avg_us < 40.1);
	assert_true(w.cpu[0].qdelay_p99_us > 36 && w.cpu[0].qdelay_p99_us <= 40.0);
	assert_true(w.cpu[0].service_us > 59.9 && w.cpu[0].service_us < 60.1);
	assert_int_equal(w.cpu[0].handed, 107);
	assert_true(w.cpu[0].in_rps > 213.9 && w.cpu[0].in_rps < 214.1);   /* 107 handed in 0.5 s */
	assert_int_equal(w.cpu[0].window_queue_drops, 7);
	assert_int_equal(w.cpu[0].processed, 100);
	assert_true(w.cpu[0].kthread_util < 0);
	assert_true(w.cpu[1].rps > 399.9 && w.cpu[1].rps < 400.1);
	assert_true(w.cpu[1].qdelay_avg_us > 9.9 && w.cpu[1].qdelay_avg_us < 10.1);
	assert_int_equal(w.cpu[1].processed, 300);
	assert_true(w.cpu[1].in_rps > 399.9 && w.cpu[1].in_rps < 400.1);   /* 200 of its 300 */
	assert_int_equal(w.cpu[1].window_queue_drops, 0);
	/* All workers together: 300 served, mean (200*10 + 100*40)/300 = 20 us. */
	assert_true(w.traffic);
	assert_int_equal(w.served, 300);
	assert_true(w.qdelay_avg_us > 19.9 && w.qdelay_avg_us < 20.1);
	assert_true(w.qdelay_p99_us > 36 && w.qdelay_p99_us <= 40.0);
	assert_true(w.qdelay_p50_us > 9 && w.qdelay_p50_us <= 10.0);          /* 200 of 300 at 10 us */
	assert_true(w.in_rps > 613.9 && w.in_rps < 614.1);                   /* 307 in 0.5 s */
	assert_true(w.out_rps > 599.9 && w.out_rps < 600.1);
	assert_int_equal(w.requests, 407);
	assert_int_equal(w.replies, 400);
	assert_int_equal(w.passed, 11);
	assert_false(w.drops_queue_exact);
	assert_int_equal(w.cpu[0].queue_drops, 7); /* estimated: handed - processed */
	assert_int_equal(w.cpu[1].queue_drops, 0);
	assert_int_equal(w.drops_queue, 7);
	assert_int_equal(w.drops_no_cpu, 2);
	assert_int_equal(w.drops_tx_err, 3);

	/* A quiet window: no traffic, zero delays. */
	bpfnicd_window_compute(&b, &b, cpus, 2, 500.0, &w);
	assert_false(w.traffic);
	assert_true(w.qdelay_avg_us == 0 && w.in_rps == 0 && w.cpu[1].rps == 0);
	assert_int_equal(w.requests, 407); /* totals are since attach */

	/* No previous reading, no duration: counters only. */
	bpfnicd_window_compute(&b, NULL, cpus, 2, 0, &w);
	assert_int_equal(w.served, 400);
	assert_true(w.in_rps == 0);
	release(&a);
	release(&b);
}

/* With the tracer loaded the kernel's own count is used, not handed - processed
 * (which also counts the requests still in flight). */
static void test_exact_queue_drops(void **state)
{
	static const struct {
		bool exact;
		uint64_t cpu1, cpu2; /* drops at each CPU's queue */
	} cases[] = {
		{ true, 0, 3 },  /* the tracer's count */
		{ false, 9, 4 }, /* handed - processed */
	};
	struct bpfnic_dp_stats s;
	struct bpfnicd_window w;
	const unsigned cpus[] = { 1, 2 };
	(void)state;

	alloc(&s);
	serve(&s, 1, 50, 5000, 6000);
	serve(&s, 2, 50, 5000, 6000);
	s.handed[1] += 9; /* 9 in flight or dropped */
	s.handed[2] += 4;
	s.queue_drops[2] = 3;
	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		s.queue_drops_exact = cases[i].exact;
		bpfnicd_window_compute(&s, NULL, cpus, 2, 0, &w);
		assert_int_equal(w.drops_queue_exact, cases[i].exact);
		assert_int_equal(w.cpu[0].queue_drops, cases[i].cpu1);
		assert_int_equal(w.cpu[1].queue_drops, cases[i].cpu2);
		assert_int_equal(w.drops_queue, cases[i].cpu1 + cases[i].cpu2);
	}
	release(&s);
}

/*
 * Replies the interface did not send: tx counts what the devmap took, replies what
 * left; the difference is a drop by cause "transmit", per worker CPU, and the out rate
 * counts only what left. The scheduler's CPUs are listed with what they took, and UDP
 * for other addresses is counted apart.
 */
static void test_transmit_drops_and_rx_cpus(void **state)
{
	struct bpfnic_dp_stats a, b;
	struct bpfnicd_window w;
	struct json_object *o, *d, *v;
	const unsigned cpus[] = { 1, 2 };
	(void)state;

	alloc(&a);
	alloc(&b);
	serve(&a, 1, 100, 5000, 6000);
	serve(&b, 1, 100, 5000, 6000);
	serve(&b, 1, 300, 5000, 6000);  /* in the window: 300 on CPU 1, 40 of them lost */
	serve(&b, 2, 100, 5000, 6000);  /* and 100 on CPU 2, 10 of them lost */
	b.worker[1].tx_dropped = 40;
	b.worker[2].tx_dropped = 10;
	b.tx_drops_exact = true;
	b.sched[3].requests[BPFNIC_CLASS_LONG] = 20; /* a second RX CPU */
	b.sched[3].other_addr = 5;
	bpfnicd_window_compute(&b, &a, cpus, 2, 1000.0, &w);
	assert_int_equal(w.replies, 450);
	assert_int_equal(w.drops_transmit, 50);
	assert_true(w.drops_transmit_exact);
	assert_int_equal(w.cpu[0].tx_drops, 40);
	assert_int_equal(w.cpu[1].tx_drops, 10);
	assert_true(w.out_rps > 349.9 && w.out_rps < 350.1); /* 400 handed on, 50 lost */
	assert_int_equal(w.requests, 520);
	/* requests = replies + drops by cause (here transmit only, 20 long ones unserved) */
	assert_int_equal(w.requests - 20, w.replies + w.drops_transmit);
	assert_int_equal(w.other_address, 5);
	assert_int_equal(w.n_rx, 2);
	assert_int_equal(w.rx[0].cpu, 0);
	assert_int_equal(w.rx[0].requests, 500);
	assert_int_equal(w.rx[1].cpu, 3);
	assert_int_equal(w.rx[1].requests, 20);

	o = bpfnicd_stats_totals_json(&w, &w);
	assert_true(json_object_object_get_ex(o, "drops", &d));
	assert_true(json_object_object_get_ex(d, "transmit", &v));
	assert_int_equal(json_object_get_int64(v), 50);
	assert_true(json_object_object_get_ex(d, "transmit_exact", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "other_address", &v));
	assert_int_equal(json_object_get_int64(v), 5);
	json_object_put(o);
	o = bpfnicd_stats_rx_cpus_json(&w);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "[{\"cpu\":0,\"requests\":500},{\"cpu\":3,\"requests\":20}]");
	json_object_put(o);
	release(&a);
	release(&b);
}

/* Estimated drops (handed - processed) fall as requests in flight are served: the
 * window's count never goes below 0, and the exact count is a plain difference. */
static void test_window_queue_drops(void **state)
{
	struct bpfnic_dp_stats a, b;
	struct bpfnicd_window w;
	const unsigned cpus[] = { 1 };
	(void)state;

	alloc(&a);
	alloc(&b);
	serve(&a, 1, 5, 5000, 6000);
	a.handed[1] += 5;                   /* 5 in flight at the first reading */
	serve(&b, 1, 10, 5000, 6000);       /* served by the second */
	bpfnicd_window_compute(&b, &a, cpus, 1, 100.0, &w);
	assert_int_equal(w.cpu[0].queue_drops, 0);
	assert_int_equal(w.cpu[0].window_queue_drops, 0);
	assert_true(w.cpu[0].in_rps == 0);  /* all 10 were handed before the window */
	a.queue_drops_exact = b.queue_drops_exact = true;
	a.queue_drops[1] = 4;
	b.queue_drops[1] = 10;
	bpfnicd_window_compute(&b, &a, cpus, 1, 100.0, &w);
	assert_int_equal(w.cpu[0].queue_drops, 10);
	assert_int_equal(w.cpu[0].window_queue_drops, 6);
	release(&a);
	release(&b);
}

/* ---- the histogram in Prometheus' buckets ------------------------------------------------- */

/* The bounds are BPF bucket bounds minus one, increasing, from 2^9 - 1 ns on. */
static void test_qdelay_bounds(void **state)
{
	(void)state;
	assert_int_equal(bpfnicd_qdelay_le_ns(0), (1u << BPFNICD_QDELAY_FIRST_OCTAVE) - 1);
	for (unsigned i = 0; i < BPFNICD_QDELAY_N_LE; i++) {
		uint64_t le = bpfnicd_qdelay_le_ns(i);
		unsigned b = bpfnic_log_bucket(le + 1, BPFNIC_HIST_SUB_BITS);

		assert_int_equal(bpfnic_log_bucket_low(b, BPFNIC_HIST_SUB_BITS), le + 1);
		assert_int_equal(bpfnic_log_bucket(le, BPFNIC_HIST_SUB_BITS), b - 1);
		if (i)
			assert_true(le > bpfnicd_qdelay_le_ns(i - 1));
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void) /* xorshift64: reproducible */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A value spread log-uniformly over [lo, hi). */
static uint64_t log_uniform(double lo, double hi)
{
	double u = (double)(rng() >> 11) / (double)(1ull << 53);

	return (uint64_t)(lo * pow(hi / lo, u));
}

/* Prometheus' histogram_quantile (promql/quantile.go, classic buckets): linear
 * interpolation inside the bucket that holds the rank, from 0 in the first one. */
static double prom_quantile(double q, const uint64_t *le_count, uint64_t total)
{
	double rank = q * (double)total;
	unsigned b = 0;

	while (b < BPFNICD_QDELAY_N_LE && (double)le_count[b] < rank)
		b++;
	if (b == BPFNICD_QDELAY_N_LE) /* in +Inf: the highest finite bound */
		return (double)bpfnicd_qdelay_le_ns(b - 1);
	{
		double start = b ? (double)bpfnicd_qdelay_le_ns(b - 1) : 0;
		double below = b ? (double)le_count[b - 1] : 0;

		return start + ((double)bpfnicd_qdelay_le_ns(b) - start) * (rank - below) /
			       ((double)le_count[b] - below);
	}
}

/*
 * Each bucket counts exactly the delays at or below its bound, and Prometheus' p99
 * from them stays within 15 % of the daemon's (the issue asks 25 %): delays spread
 * over narrow and wide ranges, and every delay alike, across the whole span of the
 * bounds.
 */
static void test_qdelay_buckets_and_p99(void **state)
{
	static uint64_t values[5000];
	struct bpfnic_worker_stats *w = calloc(1, sizeof(*w));
	double worst = 0;
	(void)state;

	assert_non_null(w);
	for (unsigned run = 0; run < 200; run++) {
		/* Ranges from one value to four decades, starting anywhere in 600 ns..1 s. */
		double lo = log_uniform(600, 1e9), spread = run % 4 == 0 ? 1.0001 : pow(10, (run % 40) / 10.0);
		unsigned n = run % 2 ? 5000 : 150 + run;
		uint64_t le[BPFNICD_QDELAY_N_LE], total;
		double daemon, prom, hi = lo * spread > 1.5e9 ? 1.5e9 : lo * spread;

		memset(w, 0, sizeof(*w));
		for (unsigned i = 0; i < n; i++) {
			values[i] = log_uniform(lo, hi);
			w->qdelay_hist[bpfnic_log_bucket(values[i], BPFNIC_HIST_SUB_BITS)]++;
			w->processed[0]++;
			if (values[i] > w->qdelay_max_ns)
				w->qdelay_max_ns = values[i];
		}
		bpfnicd_qdelay_buckets(w, le, &total);
		assert_int_equal(total, n);
		for (unsigned b = 0; run % 10 == 0 && b < BPFNICD_QDELAY_N_LE; b++) {
			uint64_t at_or_below = 0;

			for (unsigned i = 0; i < n; i++)
				at_or_below += values[i] <= bpfnicd_qdelay_le_ns(b);
			assert_int_equal(le[b], at_or_below);
		}
		daemon = bpfnic_worker_qdelay_quantile_ns(w, 0.99);
		prom = prom_quantile(0.99, le, total);
		if (fabs(prom - daemon) / daemon > worst)
			worst = fabs(prom - daemon) / daemon;
		if (fabs(prom - daemon) > 0.15 * daemon) {
			print_message("# %u delays in %.0f..%.0f ns: daemon p99 %.0f ns, Prometheus %.0f ns\n",
				      n, lo, hi, daemon, prom);
			fail();
		}
	}
	print_message("# largest difference of Prometheus' p99 from the daemon's: %.1f %%\n", 100 * worst);
	free(w);
}

/* The load bookkeeping as it is now, the estimate's accuracy over the window, and each
 * class's rate and service time (the automatic split's input). */
static void test_load_estimate_and_classes(void **state)
{
	static struct bpfnic_cpu_load load[NCPU];
	struct bpfnic_load_acc acc_a[NCPU] = { 0 }, acc_b[NCPU] = { 0 };
	struct bpfnic_dp_stats a, b;
	static struct bpfnicd_window w;
	const unsigned cpus[] = { 0, 1 };

	(void)state;
	alloc(&a);
	alloc(&b);
	a.acc = acc_a;
	b.acc = acc_b;
	b.load = load;
	b.load_read_ns = 1000000;
	/* CPU 1: 3 in flight, 2 of them not started (50 us each), one in service for 20 us
	 * more: 120 us of work left. */
	load[1].outstanding = 3ull << BPFNIC_LOAD_COUNT_SHIFT | 100000;
	load[1].busy_until_ns = 1000000 + 20000;
	/* In the window: 10 estimates on CPU 0 and 30 on CPU 1, 40 in all. */
	acc_a[0] = (struct bpfnic_load_acc){ 5, 5000, 6000, 1000, 5 };
	acc_b[0] = (struct bpfnic_load_acc){ 15, 105000, 106000, 9000, 10 };
	acc_b[1] = (struct bpfnic_load_acc){ 30, 300000, 600000, 300000, 30 };
	/* Classes: 90 short requests of 60 us, 10 long ones of 600 us, in a second. */
	serve(&b, 0, 90, 1000, 60000);
	b.worker[1].processed[BPFNIC_CLASS_LONG] = 10;
	b.worker[1].service_sum_ns = b.worker[1].service_sum_long_ns = 10 * 600000;
	b.sched[0].requests[BPFNIC_CLASS_LONG] = 10;
	bpfnicd_window_compute(&b, &a, cpus, 2, 1000, &w);
	assert_int_equal(w.cpu[1].in_flight, 3);
	assert_float_equal(w.cpu[1].work_left_us, 120, 1e-9);
	assert_int_equal(w.cpu[0].in_flight, 0);
	assert_int_equal(w.estimate.requests, 40);
	assert_float_equal(w.estimate.estimated_wait_us, 400000 / 40 / 1000.0, 1e-9);
	assert_float_equal(w.estimate.wait_us, 700000 / 40 / 1000.0, 1e-9);
	assert_float_equal(w.estimate.abs_error_us, 308000 / 40 / 1000.0, 1e-9);
	assert_float_equal(w.estimate.under_pct, 100.0 * 35 / 40, 1e-9);
	assert_float_equal(w.cls[0].in_rps, 90, 1e-9);
	assert_float_equal(w.cls[1].in_rps, 10, 1e-9);
	assert_float_equal(w.cls[0].service_us, 60, 1e-9);
	assert_float_equal(w.cls[1].service_us, 600, 1e-9);
	assert_int_equal(w.cls[1].served, 10);
	release(&a);
	release(&b);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(test_window_queue_drops),
	cmocka_unit_test(test_window),
	cmocka_unit_test(test_exact_queue_drops),
	cmocka_unit_test(test_transmit_drops_and_rx_cpus),
	cmocka_unit_test(test_qdelay_bounds),
	cmocka_unit_test(test_qdelay_buckets_and_p99),
	cmocka_unit_test(test_load_estimate_and_classes))
