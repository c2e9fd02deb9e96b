// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lib/arrival: Poisson rate and shape (Kolmogorov-Smirnov), exact constant gaps,
 * repeatability, the class mix. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "tests/support/unit.h"
#include "arrival.h"

#define N 100000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void poisson_mean_rate_within_one_percent(void **state)
{
	static const double rates[] = { 1000, 50000, 225000, 2e6 };
	struct bpfnic_arrival a;

	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(rates); i++) {
		uint64_t start = 1000000000ull, first, last = 0;
		double achieved;

		assert_int_equal(bpfnic_arrival_init(&a, BPFNIC_ARRIVALS_POISSON, rates[i], start, 1, 0), 0);
		first = bpfnic_arrival_next(&a);
		assert_true(first >= start);
		for (int n = 1; n < N; n++) {
			uint64_t t = bpfnic_arrival_next(&a);

			assert_true(t >= first); /* never goes back in time */
			last = t;
		}
		achieved = (N - 1) / ((double)(last - first) / 1e9);
		if (fabs(achieved - rates[i]) > 0.01 * rates[i])
			fail_msg("rate %g: achieved %g", rates[i], achieved);
	}
}

static void poisson_gaps_pass_kolmogorov_smirnov(void **state)
{
	double *g = malloc(N * sizeof(*g)), d = 0, mean_gap = 1e9 / 100000.0;
	struct bpfnic_arrival a;

	(void)state;
	assert_non_null(g);
	assert_int_equal(bpfnic_arrival_init(&a, BPFNIC_ARRIVALS_POISSON, 100000, 0, 12345, 3), 0);
	for (int i = 0; i < N; i++)
		g[i] = bpfnic_arrival_gap(&a);
	qsort(g, N, sizeof(*g), cmp_double);
	for (int i = 0; i < N; i++) {
		double f = 1 - exp(-g[i] / mean_gap);
		double lo = f - (double)i / N, hi = (double)(i + 1) / N - f;

		if (lo > d)
			d = lo;
		if (hi > d)
			d = hi;
	}
	/* Critical value at alpha = 0.01: 1.628 / sqrt(n). */
	if (d > 1.628 / sqrt(N))
		fail_msg("KS statistic %g exceeds %g", d, 1.628 / sqrt(N));
	free(g);
}

static void constant_gaps_are_exact(void **state)
{
	struct bpfnic_arrival a;
	uint64_t prev, start = 5000;

	(void)state;
	/* A rate whose gap is a whole number of ns: every gap is exactly it. */
	assert_int_equal(bpfnic_arrival_init(&a, BPFNIC_ARRIVALS_CONSTANT, 1e6, start, 1, 0), 0);
	prev = bpfnic_arrival_next(&a);
	assert_int_equal(prev, start);
	for (int i = 0; i < N; i++) {
		uint64_t t = bpfnic_arrival_next(&a);

		assert_int_equal(t - prev, 1000);
		prev = t;
	}
	/* A fractional gap: the schedule never drifts, each time is start + n * gap. */
	assert_int_equal(bpfnic_arrival_init(&a, BPFNIC_ARRIVALS_CONSTANT, 3, start, 1, 0), 0);
	for (int n = 0; n < 1000; n++) {
		uint64_t t = bpfnic_arrival_next(&a);
		double ideal = start + n * (1e9 / 3);

		if (!(fabs((double)t - ideal) <= 0.5))
			fail_msg("n=%d t=%llu ideal=%f", n, (unsigned long long)t, ideal);
	}
	assert_true(bpfnic_arrival_gap(&a) == 1e9 / 3);
}

static void same_seed_same_schedule(void **state)
{
	struct bpfnic_arrival a, b, c;
	int differ = 0;

	(void)state;
	bpfnic_arrival_init(&a, BPFNIC_ARRIVALS_POISSON, 50000, 0, 7, 1);
	bpfnic_arrival_init(&b, BPFNIC_ARRIVALS_POISSON, 50000, 0, 7, 1);
	bpfnic_arrival_init(&c, BPFNIC_ARRIVALS_POISSON, 50000, 0, 7, 2);
	for (int i = 0; i < 1000; i++) {
		uint64_t ta = bpfnic_arrival_next(&a), tc = bpfnic_arrival_next(&c);

		assert_int_equal(ta, bpfnic_arrival_next(&b));
		differ += ta != tc;
	}
	assert_true(differ > 990); /* another stream is another schedule */
}

static void rejects_bad_rates(void **state)
{
	struct bpfnic_arrival a;

	(void)state;
	assert_int_equal(bpfnic_arrival_init(&a, BPFNIC_ARRIVALS_POISSON, 0, 0, 1, 0), -EINVAL);
	assert_int_equal(bpfnic_arrival_init(&a, BPFNIC_ARRIVALS_POISSON, -5, 0, 1, 0), -EINVAL);
	assert_int_equal(bpfnic_arrival_init(&a, BPFNIC_ARRIVALS_CONSTANT, NAN, 0, 1, 0), -EINVAL);
	assert_int_equal(bpfnic_arrival_init(&a, BPFNIC_ARRIVALS_CONSTANT, INFINITY, 0, 1, 0), -EINVAL);
	assert_int_equal(bpfnic_arrival_init(&a, (enum bpfnic_arrivals)9, 10, 0, 1, 0), -EINVAL);
}

static void mix_draws_the_weights(void **state)
{
	struct bpfnic_mix m;
	struct bpfnic_rng r;
	unsigned longs = 0;

	(void)state;
	assert_int_equal(bpfnic_mix_init(&m, 0, 0), -EINVAL);
	assert_int_equal(bpfnic_mix_init(&m, 90, 10), 0);
	bpfnic_rng_seed(&r, 3, 0);
	for (int i = 0; i < N; i++)
		longs += bpfnic_mix_pick(&m, &r);
	assert_true(fabs(longs / (double)N - 0.10) < 0.01);
	bpfnic_mix_init(&m, 1, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(bpfnic_mix_pick(&m, &r), 0);
	bpfnic_mix_init(&m, 0, 5);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(bpfnic_mix_pick(&m, &r), 1);
}

static void uniform_is_in_unit_interval(void **state)
{
	struct bpfnic_rng r;
	double sum = 0;

	(void)state;
	bpfnic_rng_seed(&r, 0, 0);
	for (int i = 0; i < N; i++) {
		double u = bpfnic_rng_uniform(&r);

		assert_true(u >= 0 && u < 1);
		sum += u;
	}
	assert_true(fabs(sum / N - 0.5) < 0.01);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(poisson_mean_rate_within_one_percent),
	cmocka_unit_test(poisson_gaps_pass_kolmogorov_smirnov),
	cmocka_unit_test(constant_gaps_are_exact),
	cmocka_unit_test(same_seed_same_schedule),
	cmocka_unit_test(rejects_bad_rates),
	cmocka_unit_test(mix_draws_the_weights),
	cmocka_unit_test(uniform_is_in_unit_interval))
