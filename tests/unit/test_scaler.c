/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* daemon/scaler: the grow/shrink decision over synthetic window sequences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/scaler.h"

#define TICK 200 /* ms per window */

static const struct bpfnic_scaler_params P = {
	.threshold_us = 20, .shrink_below_us = 10, .min_cpus = 1, .max_cpus = 4, .cooldown_ms = 1000,
};

/* P with other bounds and cooldown. */
static struct bpfnic_scaler_params bounded(unsigned min_cpus, unsigned max_cpus, uint64_t cooldown_ms)
{
	return (struct bpfnic_scaler_params){ .threshold_us = P.threshold_us,
					      .shrink_below_us = P.shrink_below_us,
					      .min_cpus = min_cpus, .max_cpus = max_cpus,
					      .cooldown_ms = cooldown_ms };
}

struct run {
	struct bpfnic_scaler_state s;
	unsigned size; /* the group, as the caller applies the decisions */
	uint64_t t;
	unsigned grows, shrinks;
	uint64_t last_change;
	bool changed;
	char reason[160];
};

static enum bpfnic_scaler_action step(struct run *r, const struct bpfnic_scaler_params *p, bool traffic,
				   double metric)
{
	struct bpfnic_scaler_window w = { .now_ms = r->t += TICK, .traffic = traffic, .metric_us = metric };
	unsigned before = r->size;
	enum bpfnic_scaler_action a;

	r->reason[0] = '\0';
	a = bpfnic_scaler_step(&r->s, p, &w, r->size, r->reason, sizeof(r->reason));
	r->size += a == BPFNIC_SCALER_GROW ? 1 : a == BPFNIC_SCALER_SHRINK ? -1 : 0;
	if (a == BPFNIC_SCALER_GROW) {
		assert_int_equal(r->size, before + 1);
		r->grows++;
	} else if (a == BPFNIC_SCALER_SHRINK) {
		assert_int_equal(r->size, before - 1);
		r->shrinks++;
	} else {
		assert_int_equal(r->size, before);
	}
	if (a != BPFNIC_SCALER_HOLD) {
		assert_true(r->reason[0] != '\0');
		/* Never two changes within a cooldown (bounds corrections aside). */
		if (r->changed && before >= p->min_cpus && before <= p->max_cpus)
			assert_true(r->t - r->last_change >= p->cooldown_ms);
		r->last_change = r->t;
		r->changed = true;
	}
	if (before >= p->min_cpus && before <= p->max_cpus)
		assert_true(r->size >= p->min_cpus && r->size <= p->max_cpus);
	return a;
}

/* n windows alike. */
static void run_windows(struct run *r, const struct bpfnic_scaler_params *p, int n, bool traffic,
			double metric)
{
	for (int i = 0; i < n; i++)
		step(r, p, traffic, metric);
}

/* n windows alike, each decided as want. */
static void expect_actions(struct run *r, const struct bpfnic_scaler_params *p, int n, bool traffic,
			   double metric, enum bpfnic_scaler_action want)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(step(r, p, traffic, metric), want);
}

/* Start (again) at size, clamped as the policy module does; the counts and the check of
 * the cooldown between changes start afresh. */
static void start(struct run *r, const struct bpfnic_scaler_params *p, unsigned size, uint64_t now)
{
	bpfnic_scaler_init(&r->s, now);
	r->size = bpfnic_scaler_clamp(p, size);
	r->grows = r->shrinks = 0;
	r->changed = false;
}

static void test_grows_under_load_up_to_max(void **state)
{
	struct run r = { 0 };
	(void)state;

	start(&r, &P, 1, 0);
	expect_actions(&r, &P, 4, true, 50, BPFNIC_SCALER_HOLD); /* cooldown since start */
	assert_int_equal(step(&r, &P, true, 50), BPFNIC_SCALER_GROW);
	assert_string_equal(r.reason, "queuing delay 50.0 us above threshold 20 us");
	run_windows(&r, &P, 100, true, 50);
	assert_int_equal(r.size, 4);
	assert_int_equal(r.grows, 3);
	assert_int_equal(r.shrinks, 0);
}

static void test_cooldown_respected(void **state)
{
	struct bpfnic_scaler_params p = bounded(1, 64, 3000);
	struct run r = { 0 };
	(void)state;

	start(&r, &p, 1, 0);
	run_windows(&r, &p, 150, true, 1000); /* 30 s of overload: one grow per 3 s */
	assert_int_equal(r.grows, 10);
	/* cooldown 0: one step per window. */
	p.cooldown_ms = 0;
	start(&r, &p, 1, r.t);
	expect_actions(&r, &p, 5, true, 1000, BPFNIC_SCALER_GROW);
}

static void test_no_oscillation_on_noise_at_threshold(void **state)
{
	struct run r = { 0 };
	unsigned prev;
	(void)state;

	srand(42);
	start(&r, &P, 2, 0);
	prev = r.size;
	/* 5 minutes of a metric jittering +-30 % around the threshold. */
	for (int i = 0; i < 1500; i++) {
		double noise = ((double)rand() / RAND_MAX - 0.5) * 0.6;

		step(&r, &P, true, P.threshold_us * (1.0 + noise));
		assert_true(r.size >= prev); /* it may grow, it never shrinks back */
		prev = r.size;
	}
	assert_int_equal(r.shrinks, 0);
	/* And a signal sitting between the two marks changes nothing. */
	struct run q = { 0 };

	start(&q, &P, 2, 0);
	expect_actions(&q, &P, 1500, true, 15, BPFNIC_SCALER_HOLD);
}

static void test_shrinks_after_load_stops(void **state)
{
	struct run r = { 0 };
	uint64_t stop;
	(void)state;

	start(&r, &P, 1, 0);
	run_windows(&r, &P, 50, true, 80);
	assert_int_equal(r.size, 4);
	stop = r.t;
	/* Load stops: windows without traffic. One CPU back per cooldown, down to MinCpus. */
	expect_actions(&r, &P, 4, false, 0, BPFNIC_SCALER_HOLD);
	assert_int_equal(step(&r, &P, false, 0), BPFNIC_SCALER_SHRINK);
	assert_string_equal(r.reason, "no traffic or queuing delay below 10 us for 1000 ms");
	run_windows(&r, &P, 100, false, 0);
	assert_int_equal(r.size, 1);
	assert_int_equal(r.shrinks, 3);
	assert_true(r.last_change - stop >= 3 * P.cooldown_ms);

	/* Low but non-zero traffic shrinks too; one window above the low mark restarts the wait. */
	start(&r, &P, 3, r.t);
	run_windows(&r, &P, 4, true, 2);
	assert_int_equal(step(&r, &P, true, 12), BPFNIC_SCALER_HOLD); /* between the marks */
	expect_actions(&r, &P, 4, true, 2, BPFNIC_SCALER_HOLD);
	assert_int_equal(step(&r, &P, true, 2), BPFNIC_SCALER_SHRINK);
	assert_string_equal(r.reason, "queuing delay below 10 us for 1000 ms (now 2.0 us)");
}

static void test_bounds(void **state)
{
	struct bpfnic_scaler_params p = bounded(2, 3, P.cooldown_ms);
	struct run r = { 0 };
	(void)state;

	start(&r, &p, 1, 0);
	assert_int_equal(r.size, 2);
	start(&r, &p, 9, 0);
	assert_int_equal(r.size, 3);
	run_windows(&r, &p, 100, true, 500);
	assert_int_equal(r.size, 3);
	run_windows(&r, &p, 100, false, 0);
	assert_int_equal(r.size, 2);

	/* Bounds tightened under a running group: brought back at once, cooldown or not. */
	p = bounded(1, 4, P.cooldown_ms);
	start(&r, &p, 4, r.t);
	p.max_cpus = 2;
	assert_int_equal(step(&r, &p, true, 500), BPFNIC_SCALER_SHRINK);
	assert_string_equal(r.reason, "group of 4 is above MaxCpus=2");
	assert_int_equal(step(&r, &p, true, 500), BPFNIC_SCALER_SHRINK);
	assert_int_equal(r.size, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_under_load_up_to_max),
		cmocka_unit_test(test_cooldown_respected),
		cmocka_unit_test(test_no_oscillation_on_noise_at_threshold),
		cmocka_unit_test(test_shrinks_after_load_stops),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
