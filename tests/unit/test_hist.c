// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lib/hist: percentiles against an exact sort, merging, bucket edges, the 1 % promise. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"
#include "arrival.h"
#include "hist.h"

#define N 200000

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct bpfnic_hist *new_hist(void)
{
	struct bpfnic_hist *h = malloc(sizeof(*h));

	assert_non_null(h);
	bpfnic_hist_init(h);
	return h;
}

/* Log-uniform over [1 ns, 10 s]: every octave the histogram covers gets values. */
static uint64_t draw_log_uniform(struct bpfnic_rng *r)
{
	return (uint64_t)exp(bpfnic_rng_uniform(r) * log(1e10));
}

/* A latency-like distribution: lognormal around 20 us with a heavy tail. */
static uint64_t draw_latency(struct bpfnic_rng *r)
{
	double u1 = bpfnic_rng_uniform(r) + 1e-12, u2 = bpfnic_rng_uniform(r);
	double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);

	return (uint64_t)(20000.0 * exp(1.2 * z));
}

static void check_against_sort(uint64_t (*draw)(struct bpfnic_rng *))
{
	static const double qs[] = { 0.5, 0.9, 0.99, 0.999, 0.9999 };
	uint64_t *v = malloc(N * sizeof(*v));
	struct bpfnic_hist *h = new_hist();
	struct bpfnic_rng r;
	double sum = 0;

	assert_non_null(v);
	bpfnic_rng_seed(&r, 42, 7);
	for (int i = 0; i < N; i++) {
		v[i] = draw(&r);
		if (v[i] == 0)
			v[i] = 1;
		sum += (double)v[i];
		bpfnic_hist_record(h, v[i]);
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < N_ELEMENTS(qs); i++) {
		size_t rank = (size_t)ceil(qs[i] * N); /* 1-based */
		double exact = (double)v[rank - 1], got = bpfnic_hist_quantile(h, qs[i]);

		if (fabs(got - exact) > 0.01 * exact)
			fail_msg("q=%g: histogram %f, exact %f", qs[i], got, exact);
	}
	assert_int_equal(h->count, N);
	assert_int_equal(h->min, v[0]);
	assert_int_equal(h->max, v[N - 1]);
	assert_true(bpfnic_hist_quantile(h, 1.0) == (double)v[N - 1]);
	assert_true(fabs(bpfnic_hist_mean(h) - sum / N) <= 1e-9 * sum / N);
	free(v);
	free(h);
}

static void percentiles_match_exact_sort_log_uniform(void **state)
{
	(void)state;
	check_against_sort(draw_log_uniform);
}

static void percentiles_match_exact_sort_latency(void **state)
{
	(void)state;
	check_against_sort(draw_latency);
}

static void every_value_within_one_percent(void **state)
{
	struct bpfnic_rng r;

	(void)state;
	/* Exhaustively at the small end, randomly across the range. */
	for (uint64_t v = 1; v < 200000; v++) {
		uint32_t b = bpfnic_log_bucket(v, BPFNIC_LG_HIST_SUB_BITS);
		uint64_t lo = bpfnic_hist_bucket_low(b), hi = bpfnic_hist_bucket_low(b + 1);

		assert_true(lo <= v && v < hi);
		assert_true((double)(hi - 1 - lo) / 2.0 <= 0.01 * (double)v);
	}
	bpfnic_rng_seed(&r, 1, 1);
	for (int i = 0; i < 1000000; i++) {
		uint64_t v = draw_log_uniform(&r) + 1;
		uint32_t b;
		uint64_t lo, hi;

		if (v > BPFNIC_LG_HIST_MAX_NS)
			continue;
		b = bpfnic_log_bucket(v, BPFNIC_LG_HIST_SUB_BITS);
		assert_true(b < BPFNIC_LG_HIST_BUCKETS);
		lo = bpfnic_hist_bucket_low(b);
		hi = bpfnic_hist_bucket_low(b + 1);
		assert_true(lo <= v && v < hi);
		assert_true((double)(hi - 1 - lo) / 2.0 <= 0.01 * (double)v);
	}
}

static void merge_equals_union(void **state)
{
	struct bpfnic_hist *parts[4], *all = new_hist(), *merged = new_hist();
	struct bpfnic_rng r;

	(void)state;
	for (int p = 0; p < 4; p++)
		parts[p] = new_hist();
	bpfnic_rng_seed(&r, 9, 9);
	for (int i = 0; i < N; i++) {
		uint64_t v = i % 3 ? draw_latency(&r) : draw_log_uniform(&r);

		bpfnic_hist_record(all, v);
		bpfnic_hist_record(parts[bpfnic_rng_next(&r) % 4], v);
	}
	bpfnic_hist_record(parts[3], 20000000000ull); /* one clamped value too */
	bpfnic_hist_record(all, 20000000000ull);
	for (int p = 0; p < 4; p++)
		bpfnic_hist_merge(merged, parts[p]);
	assert_memory_equal(merged->buckets, all->buckets, sizeof(all->buckets));
	assert_int_equal(merged->count, all->count);
	assert_int_equal(merged->clamped, all->clamped);
	assert_int_equal(merged->min, all->min);
	assert_int_equal(merged->max, all->max);
	assert_true(fabs(merged->sum - all->sum) <= 1e-9 * all->sum);
	for (double q = 0.01; q < 1; q += 0.01)
		assert_true(bpfnic_hist_quantile(merged, q) == bpfnic_hist_quantile(all, q));
	/* Merging an empty histogram changes nothing. */
	bpfnic_hist_init(parts[0]);
	bpfnic_hist_merge(merged, parts[0]);
	assert_int_equal(merged->min, all->min);
	assert_int_equal(merged->count, all->count);
	for (int p = 0; p < 4; p++)
		free(parts[p]);
	free(all);
	free(merged);
}

/* Kept sparse and added back, the parts make the whole exactly; empty ones add nothing. */
static void sparse_adds_back_exactly(void **state)
{
	struct bpfnic_hist *parts[3], *all = new_hist(), *sum = new_hist();
	struct bpfnic_hist_sparse sp[3];
	struct bpfnic_rng r;

	(void)state;
	for (int p = 0; p < 3; p++)
		parts[p] = new_hist();
	bpfnic_rng_seed(&r, 5, 5);
	for (int i = 0; i < N / 10; i++) {
		uint64_t v = draw_latency(&r);

		bpfnic_hist_record(all, v);
		bpfnic_hist_record(parts[i % 2], v); /* parts[2] stays empty */
	}
	for (int p = 0; p < 3; p++) {
		assert_int_equal(bpfnic_hist_sparse_from(&sp[p], parts[p]), 0);
		bpfnic_hist_sparse_add(sum, &sp[p]);
	}
	assert_int_equal(sp[2].n, 0);
	assert_null(sp[2].b);
	assert_true(sp[0].n > 10 && sp[0].n < BPFNIC_LG_HIST_BUCKETS / 2);
	for (uint32_t i = 1; i < sp[0].n; i++)
		assert_true(sp[0].b[i].index > sp[0].b[i - 1].index && sp[0].b[i].count > 0);
	assert_memory_equal(sum->buckets, all->buckets, sizeof(all->buckets));
	assert_int_equal(sum->count, all->count);
	assert_int_equal(sum->min, all->min);
	assert_int_equal(sum->max, all->max);
	for (double q = 0.05; q < 1; q += 0.05)
		assert_true(bpfnic_hist_quantile(sum, q) == bpfnic_hist_quantile(all, q));
	for (int p = 0; p < 3; p++) {
		bpfnic_hist_sparse_free(&sp[p]);
		free(parts[p]);
	}
	free(all);
	free(sum);
}

static void edge_values(void **state)
{
	struct bpfnic_hist *h = new_hist();

	(void)state;
	/* Empty. */
	assert_true(bpfnic_hist_quantile(h, 0.5) == 0);
	assert_true(bpfnic_hist_mean(h) == 0);
	/* Zero and one are exact. */
	bpfnic_hist_record(h, 0);
	assert_true(bpfnic_hist_quantile(h, 0.5) == 0);
	bpfnic_hist_init(h);
	bpfnic_hist_record(h, 1);
	assert_true(bpfnic_hist_quantile(h, 0.99) == 1);
	/* Exact small values: one bucket each below 256. */
	for (uint64_t v = 0; v < 256; v++)
		assert_int_equal(bpfnic_log_bucket(v, BPFNIC_LG_HIST_SUB_BITS), v);
	/* 10 s is still inside the histogram, not clamped. */
	bpfnic_hist_init(h);
	bpfnic_hist_record(h, BPFNIC_LG_HIST_MAX_NS);
	assert_int_equal(h->clamped, 0);
	assert_true(bpfnic_log_bucket(BPFNIC_LG_HIST_MAX_NS, BPFNIC_LG_HIST_SUB_BITS) <
		    BPFNIC_LG_HIST_BUCKETS);
	assert_true(fabs(bpfnic_hist_quantile(h, 0.5) - 1e10) <= 0.01 * 1e10);
	/* Beyond 10 s: clamped into the last bucket, max stays exact, no overflow. */
	bpfnic_hist_record(h, UINT64_MAX);
	bpfnic_hist_record(h, BPFNIC_LG_HIST_MAX_NS + 1);
	assert_int_equal(h->clamped, 2);
	assert_int_equal(h->max, UINT64_MAX);
	assert_int_equal(h->buckets[BPFNIC_LG_HIST_BUCKETS - 1], 2);
	assert_true(bpfnic_hist_quantile(h, 1.0) == (double)UINT64_MAX);
	/* Quantiles stay within [min, max]. */
	bpfnic_hist_init(h);
	bpfnic_hist_record(h, 1000003);
	assert_true(bpfnic_hist_quantile(h, 0.5) == 1000003);
	assert_true(bpfnic_hist_quantile(h, 0) == 1000003);
	free(h);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(percentiles_match_exact_sort_log_uniform),
	cmocka_unit_test(percentiles_match_exact_sort_latency),
	cmocka_unit_test(every_value_within_one_percent),
	cmocka_unit_test(merge_equals_union),
	cmocka_unit_test(sparse_adds_back_exactly),
	cmocka_unit_test(edge_values))
