// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpfnic-bench's M/C/k/N calculator against values worked by hand from the thesis'
 * §5.1.2: 16 CPUs, 90 % short requests of 6 µs, 10 % long ones of 60 µs.
 */
#include <errno.h>
#include <math.h>
#include "tests/support/unit.h"
#include "bench/bpfnic-bench/mcqueue.h"

/* The thesis' bimodal traffic. */
static const struct mck_input thesis = {
	.p = { 0.9, 0.1 }, .service_us = { 6, 60 }, .queue_size = 4096,
};

#define assert_near(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static void rr_capacity_is_k_over_the_mean_service(void **state)
{
	(void)state;
	/* p_L·S_L + p_S·S_S = 0.1·60 + 0.9·6 = 11.4 µs; 16 / 11.4 µs = 1 403 508.77 req/s. */
	assert_near(mck_rr_capacity(&thesis, 16), 1403508.77, 0.01);
	/* The lab's scaling, 10× the service on 2 CPUs: 2 / 114 µs = 17 543.86 req/s. */
	{
		struct mck_input lab = { .p = { 0.9, 0.1 }, .service_us = { 60, 600 } };

		assert_near(mck_rr_capacity(&lab, 2), 17543.86, 0.01);
	}
	/* Zero-time requests: nothing bounds the rate. */
	{
		struct mck_input zero = { .p = { 1, 0 }, .service_us = { 0, 0 } };

		assert_true(isinf(mck_rr_capacity(&zero, 2)));
	}
}

static void short_share_is_the_thesis_047(void **state)
{
	(void)state;
	/* p_S·S_S / (p_L·S_L + p_S·S_S) = 5.4 / 11.4 = 0.47368...: "k_S ≈ 0.47·k". */
	assert_near(mck_short_share(&thesis), 5.4 / 11.4, 1e-12);
	assert_near(mck_short_share(&thesis), 0.47, 0.005);
	/* Equal service times: short requests need their share of the traffic. */
	{
		struct mck_input same = { .p = { 0.9, 0.1 }, .service_us = { 10, 10 } };

		assert_near(mck_short_share(&same), 0.9, 1e-12);
	}
}

static void split_has_one_queue_per_class(void **state)
{
	struct mck_prediction p;

	(void)state;
	/* 8 short, 8 long CPUs: μ_S = 8 / 6 µs = 1 333 333 short/s, saturated when 90 % of
	 * the offered load reaches it: 1 481 481 req/s; μ_L = 8 / 60 µs = 133 333 long/s,
	 * saturated at 1 333 333 req/s. */
	assert_int_equal(mck_predict(BPFNIC_POLICY_SPLIT, 8, 8, &thesis, &p), 0);
	assert_near(p.mu_rps[0], 1333333.33, 0.01);
	assert_near(p.knee_rps[0], 1481481.48, 0.01);
	assert_near(p.mu_rps[1], 133333.33, 0.01);
	assert_near(p.knee_rps[1], 1333333.33, 0.01);
	assert_near(p.capacity_rps, 1333333.33, 0.01);
	/* Queues full: 4096 requests of 6 µs, of 60 µs. */
	assert_near(p.plateau_us[0], 24576, 1e-6);
	assert_near(p.plateau_us[1], 245760, 1e-6);

	/* 12 short, 4 long: short requests outlast rr by far, long ones give way first. */
	assert_int_equal(mck_predict(BPFNIC_POLICY_SPLIT, 12, 4, &thesis, &p), 0);
	assert_near(p.knee_rps[0], 2222222.22, 0.01);
	assert_near(p.knee_rps[1], 666666.67, 0.01);
	assert_near(p.capacity_rps, 666666.67, 0.01);
}

static void ks_condition_decides_short_against_rr(void **state)
{
	struct mck_prediction rr, split;

	(void)state;
	assert_int_equal(mck_predict(BPFNIC_POLICY_RR, 16, 0, &thesis, &rr), 0);
	assert_near(rr.knee_rps[0], 1403508.77, 0.01);
	assert_near(rr.knee_rps[1], rr.knee_rps[0], 1e-9);
	/* k_S = 8 >= 0.474·16 = 7.58: split's short knee is above rr's. */
	assert_int_equal(mck_predict(BPFNIC_POLICY_SPLIT, 8, 8, &thesis, &split), 0);
	assert_true(split.knee_rps[0] > rr.knee_rps[0]);
	/* k_S = 7 < 7.58: below (7 / 6 µs / 0.9 = 1 296 296). */
	assert_int_equal(mck_predict(BPFNIC_POLICY_SPLIT, 7, 9, &thesis, &split), 0);
	assert_near(split.knee_rps[0], 1296296.30, 0.01);
	assert_true(split.knee_rps[0] < rr.knee_rps[0]);
	/* At k_S = share·k exactly the two knees are one: the condition's boundary. */
	assert_near(mck_short_share(&thesis) * 16 * 1e6 / 6 / 0.9, rr.knee_rps[0], 1e-3);
	/* The lab: k = 2, one CPU each, k_S = 1 >= 0.95: split ahead by 975 req/s only. */
	{
		struct mck_input lab = { .p = { 0.9, 0.1 }, .service_us = { 60, 600 } };

		assert_int_equal(mck_predict(BPFNIC_POLICY_RR, 2, 0, &lab, &rr), 0);
		assert_int_equal(mck_predict(BPFNIC_POLICY_SPLIT, 1, 1, &lab, &split), 0);
		assert_near(split.knee_rps[0] - rr.knee_rps[0], 18518.52 - 17543.86, 0.01);
	}
}

static void dynamic_is_rr_over_its_group(void **state)
{
	struct mck_prediction rr, dyn;
	struct mck_input uni = { .p = { 1, 0 }, .service_us = { 3, 0 }, .queue_size = 4096 };

	(void)state;
	assert_int_equal(mck_predict(BPFNIC_POLICY_DYNAMIC, 16, 0, &thesis, &dyn), 0);
	assert_int_equal(mck_predict(BPFNIC_POLICY_RR, 16, 0, &thesis, &rr), 0);
	assert_near(dyn.capacity_rps, rr.capacity_rps, 1e-9);
	/* Unimodal 3 µs over 16 CPUs: 5 333 333 req/s; no long class, no long knee. */
	assert_int_equal(mck_predict(BPFNIC_POLICY_DYNAMIC, 16, 0, &uni, &dyn), 0);
	assert_near(dyn.capacity_rps, 5333333.33, 0.01);
	assert_near(dyn.plateau_us[0], 4096 * 3, 1e-9);
	/* Under split a class without traffic never saturates. */
	assert_int_equal(mck_predict(BPFNIC_POLICY_SPLIT, 15, 1, &uni, &dyn), 0);
	assert_true(isinf(dyn.knee_rps[1]));
	assert_near(dyn.capacity_rps, 5000000, 0.01);
}

static void outgoing_rate_is_capped_per_queue(void **state)
{
	struct mck_prediction p;

	(void)state;
	assert_int_equal(mck_predict(BPFNIC_POLICY_RR, 16, 0, &thesis, &p), 0);
	assert_near(mck_out_rps(&p, &thesis, 1000000), 1000000, 1e-6);
	assert_near(mck_out_rps(&p, &thesis, 2000000), 1403508.77, 0.01);
	/* Split at 1.4 M req/s: all 1.26 M short ones served, long ones capped at 133 333. */
	assert_int_equal(mck_predict(BPFNIC_POLICY_SPLIT, 8, 8, &thesis, &p), 0);
	assert_near(mck_out_rps(&p, &thesis, 1400000), 1260000 + 133333.33, 0.01);
}

static void refuses_what_it_cannot_model(void **state)
{
	struct mck_prediction p;

	(void)state;
	assert_int_equal(mck_predict(BPFNIC_POLICY_RR, 0, 0, &thesis, &p), -EINVAL);
	assert_int_equal(mck_predict(BPFNIC_POLICY_SPLIT, 2, 0, &thesis, &p), -EINVAL);
	assert_int_equal(mck_predict((enum bpfnic_policy)BPFNIC_NR_POLICIES, 2, 0, &thesis, &p),
			 -EINVAL);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(rr_capacity_is_k_over_the_mean_service),
	cmocka_unit_test(short_share_is_the_thesis_047),
	cmocka_unit_test(split_has_one_queue_per_class),
	cmocka_unit_test(ks_condition_decides_short_against_rr),
	cmocka_unit_test(dynamic_is_rr_over_its_group),
	cmocka_unit_test(outgoing_rate_is_capped_per_queue),
	cmocka_unit_test(refuses_what_it_cannot_model)
)
