/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* daemon/stats: one window from two synthetic readings of the data path's counters. */
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"

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
	assert_non_null(s->sched);
	assert_non_null(s->worker);
	assert_non_null(s->handed);
	assert_non_null(s->queue_drops);
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
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s.queue_drops_exact = cases[i].exact;
		bpfnicd_window_compute(&s, NULL, cpus, 2, 0, &w);
		assert_int_equal(w.drops_queue_exact, cases[i].exact);
		assert_int_equal(w.cpu[0].queue_drops, cases[i].cpu1);
		assert_int_equal(w.cpu[1].queue_drops, cases[i].cpu2);
		assert_int_equal(w.drops_queue, cases[i].cpu1 + cases[i].cpu2);
	}
	release(&s);
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

UNIT_TEST_MAIN(
	cmocka_unit_test(test_window_queue_drops),
	cmocka_unit_test(test_window),
	cmocka_unit_test(test_exact_queue_drops))
