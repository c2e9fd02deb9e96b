/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* daemon/request: method table, parameter lists, SetPolicy validation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "varlink.h"
#include "daemon/request.h"

static const struct bpfnicd_policy running = {
	.policy = BPFNIC_POLICY_RR, .long_cpus = 1, .threshold_us = 20, .metric = BPFNIC_METRIC_AVG,
	.min_cpus = 1, .max_cpus = 4, .cooldown_ms = 1000, .shrink_below_us = 10,
	.shrink_below_auto = true, .interval_ms = 200,
};

static struct json_object *obj(const char *s)
{
	struct json_object *o;

	assert_int_equal(bpfnic_vl_parse(s, strlen(s), &o), 0);
	return o;
}

static void test_methods(void **state)
{
	const struct bpfnicd_method *m;
	const char *param;
	struct json_object *p;
	(void)state;

	assert_null(bpfnicd_method_find("io.bpfnic.Nope"));
	assert_null(bpfnicd_method_find("io.bpfnic.getstatus"));
	m = bpfnicd_method_find(BPFNIC_M_GET_STATUS);
	assert_non_null(m);
	assert_false(m->admin);
	assert_true(bpfnicd_method_find(BPFNIC_M_SET_POLICY)->admin);
	assert_true(bpfnicd_method_find(BPFNIC_M_RELOAD)->admin);
	assert_true(bpfnicd_method_find(BPFNIC_M_MONITOR)->needs_more);
	assert_non_null(bpfnicd_method_find(BPFNIC_M_VARLINK_GET_INFO));
	p = obj("{}");
	assert_int_equal(bpfnicd_method_check_params(m, p, &param), 0);
	json_object_put(p);
	p = obj("{\"verbose\":true}");
	assert_int_equal(bpfnicd_method_check_params(m, p, &param), -EINVAL);
	assert_string_equal(param, "verbose");
	json_object_put(p);
}

static int set_policy(const char *params, struct bpfnicd_policy *out, const char **param,
		      char *why)
{
	static char param_copy[64]; /* *param may point into p, freed below */
	struct json_object *p = obj(params);
	int r = bpfnicd_policy_from_params(&running, 4, p, out, param, why, 160);

	if (r < 0) {
		snprintf(param_copy, sizeof(param_copy), "%s", *param);
		*param = param_copy;
	}
	json_object_put(p);
	return r;
}

static void expect_bad(const char *params, const char *want_param, const char *want_why)
{
	struct bpfnicd_policy out;
	const char *param = NULL;
	char why[160] = "";

	assert_int_equal(set_policy(params, &out, &param, why), -EINVAL);
	assert_non_null(param);
	if (strcmp(param, want_param) || strcmp(why, want_why)) {
		print_message("# %s: got %s: %s\n", params, param, why);
		fail();
	}
}

static void test_set_policy_good(void **state)
{
	struct bpfnicd_policy out;
	const char *param;
	char why[160];
	(void)state;

	assert_int_equal(set_policy("{\"policy\":\"dynamic\",\"threshold_us\":40}", &out, &param, why), 0);
	assert_int_equal(out.policy, BPFNIC_POLICY_DYNAMIC);
	assert_int_equal(out.threshold_us, 40);
	assert_int_equal(out.shrink_below_us, 20); /* automatic mark follows */
	assert_int_equal(out.cooldown_ms, 1000);   /* untouched: kept */

	assert_int_equal(set_policy("{\"policy\":\"dynamic\",\"threshold_us\":40,\"shrink_below_us\":5,"
				    "\"metric\":\"p99\",\"min_cpus\":2,\"max_cpus\":3,\"cooldown_ms\":0,"
				    "\"interval_ms\":50}", &out, &param, why), 0);
	assert_int_equal(out.shrink_below_us, 5);
	assert_false(out.shrink_below_auto);
	assert_int_equal(out.metric, BPFNIC_METRIC_P99);
	assert_int_equal(out.min_cpus, 2);
	assert_int_equal(out.max_cpus, 3);
	assert_int_equal(out.cooldown_ms, 0);
	assert_int_equal(out.interval_ms, 50);

	assert_int_equal(set_policy("{\"policy\":\"split\",\"long_cpus\":3}", &out, &param, why), 0);
	assert_int_equal(out.policy, BPFNIC_POLICY_SPLIT);
	assert_int_equal(out.long_cpus, 3);
	assert_int_equal(set_policy("{\"policy\":\"rr\",\"threshold_us\":30.0}", &out, &param, why), 0);
	assert_int_equal(out.threshold_us, 30);
}

static void test_set_policy_bad(void **state)
{
	(void)state;
	expect_bad("{}", "policy", "missing: must be rr, split or dynamic");
	expect_bad("{\"policy\":\"fifo\"}", "policy", "must be \"rr\", \"split\" or \"dynamic\"");
	expect_bad("{\"policy\":2}", "policy", "must be \"rr\", \"split\" or \"dynamic\"");
	expect_bad("{\"policy\":\"rr\",\"threshold\":3}", "threshold", "unknown parameter");
	expect_bad("{\"policy\":\"dynamic\",\"threshold_us\":\"20\"}", "threshold_us",
		   "must be an integer: an integer between 1 and 1000000");
	expect_bad("{\"policy\":\"dynamic\",\"threshold_us\":0}", "threshold_us",
		   "out of range: an integer between 1 and 1000000");
	expect_bad("{\"policy\":\"dynamic\",\"threshold_us\":-4}", "threshold_us",
		   "out of range: an integer between 1 and 1000000");
	expect_bad("{\"policy\":\"dynamic\",\"cooldown_ms\":1.5}", "cooldown_ms",
		   "must be an integer: an integer between 0 and 3600000");
	expect_bad("{\"policy\":\"dynamic\",\"metric\":\"p50\"}", "metric", "must be \"avg\" or \"p99\"");
	expect_bad("{\"policy\":\"dynamic\",\"min_cpus\":[1]}", "min_cpus",
		   "must be an integer: an integer between 1 and 256");
	expect_bad("{\"policy\":\"dynamic\",\"max_cpus\":5}", "max_cpus",
		   "must be between 1 and 4, the number of CPUs in Cpus=");
	expect_bad("{\"policy\":\"dynamic\",\"min_cpus\":3,\"max_cpus\":2}", "min_cpus",
		   "must be between 1 and max_cpus (2)");
	expect_bad("{\"policy\":\"dynamic\",\"shrink_below_us\":20}", "shrink_below_us",
		   "must be below threshold_us (20)");
	expect_bad("{\"policy\":\"split\",\"long_cpus\":4}", "long_cpus",
		   "must be between 1 and 3 (Cpus= has 4 CPUs, one at least serves short requests)");
	expect_bad("{\"policy\":\"dynamic\",\"interval_ms\":1}", "interval_ms",
		   "out of range: an integer between 10 and 60000");
}

static void test_policy_json(void **state)
{
	struct json_object *o = bpfnicd_policy_to_json(&running), *v;
	(void)state;

	assert_true(json_object_object_get_ex(o, "name", &v));
	assert_string_equal(json_object_get_string(v), "rr");
	assert_true(json_object_object_get_ex(o, "shrink_below_us", &v));
	assert_int_equal(json_object_get_int(v), 10);
	assert_int_equal(json_object_object_length(o), 9);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_set_policy_good),
		cmocka_unit_test(test_set_policy_bad),
		cmocka_unit_test(test_policy_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
