// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The BPF histogram bucketing (bpf/bpfnic.h) and the statistics maths (datapath/dpstats.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"
#include "datapath/dpstats.h"

static void buckets_are_contiguous_and_invertible(void **state)
{
	__u32 prev = 0;

	(void)state;
	for (__u64 v = 0; v < 100000; v++) {
		__u32 b = bpfnic_log_bucket(v, BPFNIC_HIST_SUB_BITS);

		assert_true(b == prev || b == prev + 1);
		assert_true(bpfnic_log_bucket_low(b, BPFNIC_HIST_SUB_BITS) <= v);
		assert_true(bpfnic_log_bucket_low(b + 1, BPFNIC_HIST_SUB_BITS) > v);
		prev = b;
	}
	/* Relative width of a bucket is at most 1/2^sub_bits. */
	for (__u32 b = 1u << BPFNIC_HIST_SUB_BITS; b < BPFNIC_HIST_BUCKETS; b++) {
		double lo = (double)bpfnic_log_bucket_low(b, BPFNIC_HIST_SUB_BITS);
		double hi = (double)bpfnic_log_bucket_low(b + 1, BPFNIC_HIST_SUB_BITS);

		assert_true((hi - lo) / lo <= 1.0 / (1 << BPFNIC_HIST_SUB_BITS) + 1e-12);
	}
	/* The top bucket covers values up to 2^36 ns. */
	assert_int_equal(bpfnic_log_bucket((1ull << 36) - 1, BPFNIC_HIST_SUB_BITS),
			 BPFNIC_HIST_BUCKETS - 1);
	assert_int_equal(bpfnic_fls64(0), 0);
	assert_int_equal(bpfnic_fls64(1), 1);
	assert_int_equal(bpfnic_fls64(~0ull), 64);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static void record(struct bpfnic_worker_stats *w, __u64 v)
{
	w->qdelay_hist[bpfnic_log_bucket(v, BPFNIC_HIST_SUB_BITS)]++;
	w->qdelay_sum_ns += v;
	if (v > w->qdelay_max_ns)
		w->qdelay_max_ns = v;
	w->processed[0]++;
}

static void quantiles_within_ten_percent(void **state)
{
	enum { N = 20000 };
	struct bpfnic_worker_stats *w = calloc(1, sizeof(*w));
	__u64 *vals = malloc(N * sizeof(*vals));
	const double qs[] = { 0.5, 0.9, 0.99, 0.999 };

	(void)state;
	srand(7);
	for (int i = 0; i < N; i++) {
		/* Log-uniform between ~1 µs and ~10 ms, like queuing delays are. */
		vals[i] = (__u64)(1000.0 * pow(10000.0, (double)rand() / RAND_MAX));
		record(w, vals[i]);
	}
	qsort(vals, N, sizeof(*vals), cmp_u64);
	for (size_t i = 0; i < N_ELEMENTS(qs); i++) {
		double exact = (double)vals[(size_t)ceil(qs[i] * N) - 1];
		double got = bpfnic_worker_qdelay_quantile_ns(w, qs[i]);

		assert_true(fabs(got - exact) / exact < 0.10);
	}
	assert_true(fabs(bpfnic_worker_qdelay_avg_ns(w) - (double)w->qdelay_sum_ns / N) < 1e-6);
	free(vals);
	free(w);
}

static void empty_histogram_is_zero(void **state)
{
	struct bpfnic_worker_stats *w = calloc(1, sizeof(*w));

	(void)state;
	assert_true(bpfnic_worker_qdelay_quantile_ns(w, 0.99) == 0.0);
	assert_true(bpfnic_worker_qdelay_avg_ns(w) == 0.0);
	free(w);
}

static void window_delta_and_sum(void **state)
{
	struct bpfnic_worker_stats *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct bpfnic_worker_stats *d = calloc(1, sizeof(*d)), *sum = calloc(1, sizeof(*sum));
	struct bpfnic_sched_stats s1 = { .rx = 10, .redirected = 7 }, s2 = { .rx = 25, .redirected = 9 };
	struct bpfnic_sched_stats sd;

	(void)state;
	record(a, 5000);
	record(a, 900000); /* a lifetime maximum from an earlier window */
	*b = *a;
	record(b, 2000);
	record(b, 3000);
	bpfnic_worker_stats_delta(d, b, a);
	assert_int_equal(bpfnic_worker_processed(d), 2);
	assert_int_equal(d->qdelay_sum_ns, 5000);
	/* The window max comes from the window's own buckets, not the lifetime max. */
	assert_true(d->qdelay_max_ns >= 3000 && d->qdelay_max_ns < 3000 * 1.13);

	bpfnic_worker_stats_add(sum, a);
	bpfnic_worker_stats_add(sum, b);
	assert_int_equal(bpfnic_worker_processed(sum), 6);
	assert_int_equal(sum->qdelay_max_ns, 900000);

	bpfnic_sched_stats_delta(&sd, &s2, &s1);
	assert_int_equal(sd.rx, 15);
	assert_int_equal(sd.redirected, 2);
	/* A counter that went backwards (programs reloaded) gives 0, not 2^64 - n. */
	bpfnic_sched_stats_delta(&sd, &s1, &s2);
	assert_int_equal(sd.rx, 0);
	free(a), free(b), free(d), free(sum);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(buckets_are_contiguous_and_invertible),
	cmocka_unit_test(quantiles_within_ten_percent),
	cmocka_unit_test(empty_histogram_is_zero),
	cmocka_unit_test(window_delta_and_sum))
