// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfnic-bench: repetitions folded into points, the knee finder and the shape checks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"
#include "bench/bpfnic-bench/knee.h"

static struct bench_point pt(double rps, double p99, double loss)
{
	return (struct bench_point){ .offered_rps = rps, .achieved_rps = rps, .median = p99,
				     .lo = p99, .hi = p99, .loss_pct = loss, .reps = 1 };
}

static void knee_is_the_last_step_below_the_bound(void **state)
{
	struct bench_point p[] = { pt(1000, 50, 0), pt(2000, 80, 0), pt(3000, 400, 0),
				   pt(4000, 9000, 0), pt(5000, 50000, 30) };
	struct bench_knee k;

	(void)state;
	bench_find_knee(p, 5, 1000, 0.1, &k);
	assert_int_equal(k.index, 2);
	assert_true(k.knee_rps == 3000 && k.next_rps == 4000);
	assert_false(k.all_good);
	/* The bound is strict: exactly at it is above. */
	bench_find_knee(p, 5, 400, 0.1, &k);
	assert_int_equal(k.index, 1);
}

static void loss_ends_the_knee_too(void **state)
{
	/* p99 stays low but 0.2 % of the requests are lost at 3000. */
	struct bench_point p[] = { pt(1000, 50, 0), pt(2000, 60, 0.05), pt(3000, 70, 0.2),
				   pt(4000, 80, 0) };
	struct bench_knee k;

	(void)state;
	bench_find_knee(p, 4, 1000, 0.1, &k);
	assert_int_equal(k.index, 1);
	assert_true(k.knee_rps == 2000 && k.next_rps == 3000);
}

static void knee_stays_below_first_crossing(void **state)
{
	/* A spike then recovery: the curve did not stay below, the knee is before it. A step
	 * with no reply at all (NAN) is above the bound too. */
	struct bench_point p[] = { pt(1000, 50, 0), pt(2000, 5000, 0), pt(3000, 60, 0) };
	struct bench_point q[] = { pt(1000, 50, 0), pt(2000, NAN, NAN) };
	struct bench_knee k;

	(void)state;
	bench_find_knee(p, 3, 1000, 0.1, &k);
	assert_int_equal(k.index, 0);
	bench_find_knee(q, 2, 1000, 0.1, &k);
	assert_int_equal(k.index, 0);
	assert_true(k.next_rps == 2000);
}

static void knee_needs_the_load_offered(void **state)
{
	/* At 3000 the generator sent 2800 (under 95 %): the server was not shown to carry
	 * 3000, whatever its p99. */
	struct bench_point p[] = { pt(1000, 50, 0), pt(2000, 60, 0), pt(3000, 70, 0),
				   pt(4000, 80, 0) };
	struct bench_knee k;

	(void)state;
	p[2].achieved_rps = 2800;
	bench_find_knee(p, 4, 1000, 0.1, &k);
	assert_int_equal(k.index, 1);
	assert_true(k.client_limited && k.next_achieved_rps == 2800);
	/* Within 5 % is sent. */
	p[2].achieved_rps = 2860;
	bench_find_knee(p, 4, 1000, 0.1, &k);
	assert_true(k.all_good && !k.client_limited);
	/* Above the bound and short: the server's crossing, not the client's. */
	p[2].achieved_rps = 2800;
	p[2].median = 5000;
	bench_find_knee(p, 4, 1000, 0.1, &k);
	assert_int_equal(k.index, 1);
	assert_false(k.client_limited);
}

static void knees_beyond_either_end(void **state)
{
	struct bench_point p[] = { pt(1000, 50, 0), pt(2000, 60, 0) };
	struct bench_point bad[] = { pt(1000, 5000, 0), pt(2000, 6000, 0) };
	struct bench_knee k;

	(void)state;
	bench_find_knee(p, 2, 1000, 0.1, &k);
	assert_true(k.all_good && k.index == 1 && k.knee_rps == 2000 && isnan(k.next_rps));
	bench_find_knee(bad, 2, 1000, 0.1, &k);
	assert_true(!k.all_good && k.index == -1 && isnan(k.knee_rps) && k.next_rps == 1000);
	bench_find_knee(p, 0, 1000, 0.1, &k);
	assert_true(!k.all_good && k.index == -1 && isnan(k.knee_rps) && isnan(k.next_rps));
}

/* A result of arm, step and repetition: one short-class p99 and loss. */
static struct bench_step_result res(unsigned arm, unsigned step, unsigned rep, double rps,
				    double p99, uint64_t sent, uint64_t lost)
{
	struct bench_step_result r;

	memset(&r, 0, sizeof(r));
	r.arm = arm, r.step = step, r.rep = rep;
	r.offered_rps = rps;
	r.achieved_rps = rps;
	r.load = rps;
	r.valid = rep != 2;
	r.cls[0].sent = sent, r.cls[0].lost = lost, r.cls[0].received = sent - lost;
	for (unsigned i = 0; i < BENCH_NR_PCTS; i++) {
		r.cls[0].qdelay_us[i] = p99 / (BENCH_NR_PCTS - i);
		r.cls[0].rtt_us[i] = 2 * p99;
		r.cls[1].qdelay_us[i] = NAN;
		r.cls[1].rtt_us[i] = NAN;
	}
	r.cls[0].qdelay_us[BENCH_P99] = p99;
	return r;
}

static void repetitions_fold_into_median_and_range(void **state)
{
	struct bench_step_result r[] = {
		res(0, 0, 0, 1000, 10, 1000, 0), res(0, 0, 1, 1000, 30, 1000, 0),
		res(0, 0, 2, 1002, 20, 1000, 3), res(1, 0, 0, 1000, 99, 10, 0),
		res(0, 1, 0, 2000, 40, 2000, 0), res(0, 1, 1, 2000, 50, 2000, 0),
	};
	struct bench_point p[BENCH_MAX_STEPS];
	unsigned n;

	(void)state;
	n = bench_points(r, 6, 0, 0, BENCH_P99, true, p);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].reps, 3);
	assert_int_equal(p[0].invalid, 1);
	assert_true(p[0].median == 20 && p[0].lo == 10 && p[0].hi == 30);
	assert_true(p[0].offered_rps == 1000);
	assert_true(fabs(p[0].loss_pct - 0.1) < 1e-9); /* 3 of 3000 */
	assert_true(p[1].median == 45 && p[1].reps == 2); /* even count: the mean of the two */
	/* The RTT, and a class without replies. */
	n = bench_points(r, 6, 0, 0, BENCH_P99, false, p);
	assert_true(p[0].median == 40);
	n = bench_points(r, 6, 0, 1, BENCH_P99, true, p);
	assert_int_equal(n, 2);
	assert_true(isnan(p[0].median) && isnan(p[0].loss_pct));
}

static struct bench_experiment two_arms(void)
{
	struct bench_experiment e;

	memset(&e, 0, sizeof(e));
	e.mix[0] = 1;
	e.bound_us = 100;
	e.max_loss_pct = 0.1;
	e.n_arms = 2;
	strcpy(e.arms[0].name, "a");
	strcpy(e.arms[1].name, "b");
	return e;
}

/* What a shape check is given besides the Expect= line: the steps, the daemon's series
 * and the arms' spans. */
struct checked_run {
	const struct bench_step_result *r;
	unsigned n;
	const struct bench_series *s;
	const struct bench_span *spans;
	unsigned n_spans;
};

enum verdict { UNDECIDED, HOLDS, FAILS };

/* Checks x against run under two_arms(), wants the verdict want; returns the figures
 * compared (good until the next call). */
static const char *check(const struct checked_run *run, const struct bench_expect *x, enum verdict want)
{
	static struct bench_expect_result out;
	struct bench_experiment e = two_arms();

	bench_check_expect(&e, x, run->r, run->n, run->s, run->spans, run->n_spans, &out);
	assert_int_equal(!out.decided ? UNDECIDED : out.holds ? HOLDS : FAILS, want);
	return out.detail;
}

static void shape_checks_compare_knees_and_curves(void **state)
{
	/* a crosses the bound at its third step, b at its second. */
	struct bench_step_result r[] = {
		res(0, 0, 0, 1000, 10, 100, 0), res(0, 1, 0, 2000, 20, 100, 0),
		res(0, 2, 0, 3000, 200, 100, 0), res(1, 0, 0, 1000, 50, 100, 0),
		res(1, 1, 0, 2000, 300, 100, 0), res(1, 2, 0, 3000, 900, 100, 0),
	};
	struct bench_series s = { .supported = true };
	const struct checked_run run = { .r = r, .n = 6, .s = &s };
	struct bench_expect x = { .kind = BENCH_EXPECT_KNEE, .cls = 0, .a = 0, .b = 1, .op = '>' };

	(void)state;
	assert_non_null(strstr(check(&run, &x, HOLDS), "a 2000"));
	x.a = 1, x.b = 0;
	check(&run, &x, FAILS);
	/* Equal within one step. */
	x.op = '=';
	check(&run, &x, HOLDS);
	/* b's p99 above a's at every step. */
	x = (struct bench_expect){ .kind = BENCH_EXPECT_P99, .cls = -1, .a = 1, .b = 0, .op = '>' };
	assert_non_null(strstr(check(&run, &x, HOLDS), "3 of 3"));
}

static void shape_checks_say_when_they_cannot_tell(void **state)
{
	/* Neither crosses: the order of their knees is beyond the range tried. */
	struct bench_step_result r[] = {
		res(0, 0, 0, 1000, 10, 100, 0), res(1, 0, 0, 1000, 20, 100, 0),
	};
	struct bench_series s = { .supported = false };
	struct checked_run run = { .r = r, .n = 2, .s = &s };
	struct bench_expect x = { .kind = BENCH_EXPECT_KNEE, .cls = 0, .a = 0, .b = 1, .op = '>' };

	(void)state;
	check(&run, &x, UNDECIDED);
	x = (struct bench_expect){ .kind = BENCH_EXPECT_GROWS, .a = 0 };
	check(&run, &x, UNDECIDED);
	/* p99 with one arm never run: nothing to compare. */
	x = (struct bench_expect){ .kind = BENCH_EXPECT_P99, .cls = 0, .a = 0, .b = 1, .op = '>' };
	run.n = 1;
	check(&run, &x, UNDECIDED);
}

/* The best per step: the lowest worst class (over both classes in the mix), hand-worked;
 * a lossy arm, or one without replies, cannot be best; the runner-up is the next. */
static void best_per_step_takes_each_arms_worst_class(void **state)
{
	struct bench_experiment e = two_arms();
	struct bench_step_result r[] = {
		res(0, 0, 0, 1000, 10, 1000, 0), res(1, 0, 0, 1000, 30, 1000, 0),
		res(2, 0, 0, 1000, 5, 1000, 0),
		res(0, 1, 0, 2000, 40, 1000, 0), res(1, 1, 0, 2000, 35, 1000, 0),
		res(2, 1, 0, 2000, 1, 1000, 5), /* 0.5 % lost: out */
	};
	struct bench_best b[BENCH_MAX_STEPS];

	(void)state;
	e.mix[1] = 1;
	e.n_arms = 3;
	strcpy(e.arms[2].name, "c");
	/* Long requests: a waits 50 us at step 0 (its worst class), b 20, c 6. */
	r[0].cls[1] = r[0].cls[0], r[0].cls[1].qdelay_us[BENCH_P99] = 50;
	r[1].cls[1] = r[1].cls[0], r[1].cls[1].qdelay_us[BENCH_P99] = 20;
	r[2].cls[1] = r[2].cls[0], r[2].cls[1].qdelay_us[BENCH_P99] = 6;
	r[3].cls[1] = r[3].cls[0], r[3].cls[1].qdelay_us[BENCH_P99] = 1;
	r[4].cls[1] = r[4].cls[0]; /* b: no long replies at step 1 (NAN): out */
	for (unsigned i = 0; i < BENCH_NR_PCTS; i++)
		r[4].cls[1].qdelay_us[i] = NAN;
	r[5].cls[1] = r[5].cls[0];
	assert_int_equal(bench_best_per_step(&e, r, 6, b), 2);
	assert_int_equal(b[0].step, 0);
	assert_true(b[0].offered_rps == 1000);
	assert_true(b[0].worst_us[0] == 50 && b[0].worst_us[1] == 30 && b[0].worst_us[2] == 6);
	assert_int_equal(b[0].best, 2);
	assert_int_equal(b[0].runner_up, 1);
	assert_true(b[1].worst_us[0] == 40 && isnan(b[1].worst_us[1]) && isnan(b[1].worst_us[2]));
	assert_int_equal(b[1].best, 0);
	assert_int_equal(b[1].runner_up, -1);
	/* An arm that never ran: NAN everywhere, never best. */
	e.n_arms = 4;
	strcpy(e.arms[3].name, "d");
	assert_int_equal(bench_best_per_step(&e, r, 6, b), 2);
	assert_true(isnan(b[0].worst_us[3]) && b[0].best == 2);
}

static void grows_counts_changes_within_the_arm(void **state)
{
	struct bench_change c[] = {
		{ .time_usec = 150, .action = "grow" }, { .time_usec = 160, .action = "shrink" },
		{ .time_usec = 250, .action = "grow" }, { .time_usec = 400, .action = "grow" },
	};
	struct bench_series s = { .c = c, .nc = 4, .supported = true };
	struct bench_span spans[] = { { 0, 0, 100, 200 }, { 0, 1, 200, 300 }, { 1, 0, 350, 450 } };
	const struct checked_run run = { .s = &s, .spans = spans, .n_spans = 3 };
	struct bench_expect x = { .kind = BENCH_EXPECT_GROWS, .a = 0 };

	(void)state;
	assert_int_equal(bench_grows(&s, spans, 3, 0), 2);
	assert_int_equal(bench_grows(&s, spans, 3, 1), 1);
	check(&run, &x, HOLDS);
	s.nc = 2;
	x.a = 1;
	check(&run, &x, FAILS);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(knee_is_the_last_step_below_the_bound),
	cmocka_unit_test(loss_ends_the_knee_too),
	cmocka_unit_test(knee_stays_below_first_crossing),
	cmocka_unit_test(knee_needs_the_load_offered),
	cmocka_unit_test(knees_beyond_either_end),
	cmocka_unit_test(repetitions_fold_into_median_and_range),
	cmocka_unit_test(shape_checks_compare_knees_and_curves),
	cmocka_unit_test(shape_checks_say_when_they_cannot_tell),
	cmocka_unit_test(best_per_step_takes_each_arms_worst_class),
	cmocka_unit_test(grows_counts_changes_within_the_arm)
)
