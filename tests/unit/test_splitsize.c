/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/splitsize: split --long-cpus auto's size of the long group, on hand-worked
 * cases. The thesis' bimodal load, 90 % of requests at 60 us and 10 % at 600 us:
 * short work 0.9 * 60 = 54, long work 0.1 * 600 = 60 per request on average, so the
 * long group's ideal share is 60 / 114 = 0.526 of the CPUs (k_S = 0.474 k, the
 * thesis' "about 0.47 k").
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon/splitsize.h"
#include "tests/support/unit.h"

#define COOLDOWN 1000 /* ms */

/* A window at t ms: rates (req/s) and mean service times (us), n served per class. */
static struct bpfnic_split_window win(uint64_t t, double rps_s, double us_s, double rps_l,
				      double us_l, uint64_t served)
{
	return (struct bpfnic_split_window){
		.now_ms = t,
		.cls = { { rps_s, us_s, rps_s > 0 ? served : 0 }, { rps_l, us_l, rps_l > 0 ? served : 0 } },
	};
}

static unsigned step(struct bpfnic_split_state *s, struct bpfnic_split_window w, unsigned k,
		     unsigned n_long)
{
	char reason[200] = "";
	unsigned n = bpfnic_split_step(s, &w, k, n_long, COOLDOWN, reason, sizeof(reason));

	if (n != n_long) {
		assert_true(reason[0] != '\0');
		printf("# k=%u: %u -> %u long CPUs: %s\n", k, n_long, n, reason);
	}
	return n;
}

static void ideal_by_hand(void **state)
{
	(void)state;
	/* 16 CPUs: 16 * 60 / 114 = 8.421 long. */
	assert_float_equal(bpfnic_split_ideal_long(900, 60, 100, 600, 16), 16.0 * 60 / 114, 1e-9);
	/* Rates only matter as a ratio: 9000/1000 req/s is the same mix. */
	assert_float_equal(bpfnic_split_ideal_long(9000, 60, 1000, 600, 16), 8.421052631, 1e-6);
	/* The thesis' own k_S = 0.47 k, checked from the other side. */
	assert_float_equal(16 - bpfnic_split_ideal_long(900, 60, 100, 600, 16), 0.4737 * 16, 1e-3);
	/* Equal work: half the CPUs. 50 % of 10 us against 50 % of 10 us. */
	assert_float_equal(bpfnic_split_ideal_long(500, 10, 500, 10, 4), 2, 1e-9);
	/* Only long requests: all of the work. */
	assert_float_equal(bpfnic_split_ideal_long(0, 60, 100, 600, 8), 8, 1e-9);
	/* Nothing to share. */
	assert_true(bpfnic_split_ideal_long(0, 60, 0, 600, 8) < 0);
	assert_true(bpfnic_split_ideal_long(100, 0, 0, 600, 8) < 0);
}

/* A window (at t ms, rates and mean service times, served per class) sized on k CPUs
 * from n_long long ones: want long ones after it. */
struct sizing {
	uint64_t t;
	double rps_s, us_s, rps_l, us_l;
	uint64_t served;
	unsigned k, n_long, want;
};

/* The windows one after the other on s. */
static void expect_sizes(struct bpfnic_split_state *s, const struct sizing *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned got = step(s, win(c[i].t, c[i].rps_s, c[i].us_s, c[i].rps_l, c[i].us_l, c[i].served),
				    c[i].k, c[i].n_long);

		if (got != c[i].want)
			fail_msg("window at %llu ms: %u long CPUs, expected %u", (unsigned long long)c[i].t,
				 got, c[i].want);
	}
}

static void thesis_load_at_16_and_2(void **state)
{
	static const struct sizing at_16[] = {
		/* Within the cooldown of the start: hold. */
		{ 500, 900, 60, 100, 600, 100, 16, 1, 1 },
		/* 8.42 is 7.42 away from 1: round to 8. */
		{ 1000, 900, 60, 100, 600, 100, 16, 1, 8 },
		/* At 8, the same load holds: 0.42 is within 0.5 + 0.25. */
		{ 3000, 900, 60, 100, 600, 100, 16, 8, 8 },
	}, at_2[] = {
		/* 2 CPUs: 2 * 60 / 114 = 1.05 long, so one each, whatever the start. */
		{ 5000, 900, 60, 100, 600, 100, 2, 1, 1 },
	};
	struct bpfnic_split_state s = { 0 };

	(void)state;
	bpfnic_split_init(&s, 0);
	expect_sizes(&s, at_16, N_ELEMENTS(at_16));
	bpfnic_split_init(&s, 0);
	expect_sizes(&s, at_2, N_ELEMENTS(at_2));
}

static void hysteresis_and_cooldown(void **state)
{
	static const struct sizing windows[] = {
		/* k = 16, at 8. Long share 0.544 -> ideal 8.7: within 0.75 of 8, hold. With
		 * short 54 per request: long work x, 16 x / (54 + x) = 8.7 -> x = 64.6. */
		{ 2000, 900, 60, 100, 646, 100, 16, 8, 8 },
		/* ideal 8.8 (x = 66.0): beyond, so 9. */
		{ 3000, 900, 60, 100, 660, 100, 16, 8, 9 },
		/* The load drops back at once: within the cooldown, hold ... */
		{ 3500, 900, 60, 100, 600, 100, 16, 9, 9 },
		/* ... after it, 8.42 is 0.58 from 9: within the margin, hold still. */
		{ 4500, 900, 60, 100, 600, 100, 16, 9, 9 },
		/* Long work halves (300 us): 16 * 30 / 84 = 5.71, so 6. */
		{ 5000, 900, 60, 100, 300, 100, 16, 9, 6 },
	};
	struct bpfnic_split_state s = { 0 };

	(void)state;
	bpfnic_split_init(&s, 0);
	expect_sizes(&s, windows, N_ELEMENTS(windows));
}

static void each_group_keeps_a_cpu(void **state)
{
	/* Only long requests: ideal 4 of 4, but short requests need a CPU: 3. */
	static const struct sizing only_long = { 1000, 0, 0, 100, 600, 100, 4, 1, 3 };
	/* Only short requests (service time known from before): ideal 0, but long requests
	 * keep one CPU. */
	static const struct sizing only_short = { 3000, 900, 60, 0, 0, 100, 4, 3, 1 };
	struct bpfnic_split_state s = { 0 };

	(void)state;
	bpfnic_split_init(&s, 0);
	expect_sizes(&s, &only_long, 1);
	s.service_us[1] = 600;
	expect_sizes(&s, &only_short, 1);
}

static void service_times_need_requests(void **state)
{
	/* Long requests arrive but too few were served to measure them: hold. */
	static const struct sizing too_few = { 1000, 900, 60, 100, 600, BPFNIC_SPLIT_MIN_SERVED - 1, 16, 1, 1 };
	/* Once measured, the measurement is kept through windows that serve few. */
	static const struct sizing measured[] = {
		{ 2000, 900, 60, 100, 600, BPFNIC_SPLIT_MIN_SERVED, 16, 1, 8 },
		{ 4000, 900, 60, 100, 9999, 1, 16, 8, 8 },
	}, held[] = {
		/* No arrivals at all: hold. */
		{ 6000, 0, 0, 0, 0, 0, 16, 8, 8 },
		/* Fewer than two CPUs: nothing to size. */
		{ 8000, 900, 60, 100, 600, 100, 1, 1, 1 },
	};
	struct bpfnic_split_state s = { 0 };

	(void)state;
	bpfnic_split_init(&s, 0);
	expect_sizes(&s, &too_few, 1);
	assert_float_equal(s.service_us[1], 0, 0);
	expect_sizes(&s, measured, N_ELEMENTS(measured));
	assert_float_equal(s.service_us[1], 600, 0);
	expect_sizes(&s, held, N_ELEMENTS(held));
}

UNIT_TEST_MAIN(cmocka_unit_test(ideal_by_hand), cmocka_unit_test(thesis_load_at_16_and_2),
	       cmocka_unit_test(hysteresis_and_cooldown), cmocka_unit_test(each_group_keeps_a_cpu),
	       cmocka_unit_test(service_times_need_requests))
