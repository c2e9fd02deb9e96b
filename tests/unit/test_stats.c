/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* daemon/stats: one window from two synthetic readings of the data path's counters. */
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"

#include <json-c/json.h>

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
	assert_int_equal(w.cpu[0].processed, 100);
	assert_true(w.cpu[0].kthread_util < 0);
	assert_true(w.cpu[1].rps > 399.9 && w.cpu[1].rps < 400.1);
	assert_true(w.cpu[1].qdelay_avg_us > 9.9 && w.cpu[1].qdelay_avg_us < 10.1);
	assert_int_equal(w.cpu[1].processed, 300);
	/* All workers together: 300 served, mean (200*10 + 100*40)/300 = 20 us. */
	assert_true(w.traffic);
	assert_int_equal(w.served, 300);
	assert_true(w.qdelay_avg_us > 19.9 && w.qdelay_avg_us < 20.1);
	assert_true(w.qdelay_p99_us > 36 && w.qdelay_p99_us <= 40.0);
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

UNIT_TEST_MAIN(
	cmocka_unit_test(test_window),
	cmocka_unit_test(test_exact_queue_drops),
	cmocka_unit_test(test_transmit_drops_and_rx_cpus))
