// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfnicctl's argument parser: every rule, and the one-line error naming the culprit. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"

#include "bpfnic.h"
#include "ctl/args.h"
#include "protocol.h"

#define MAX_ARGS 24

static struct ctl_args a;
static char err[256];

/* Parse a NULL-terminated list of arguments (argv[0] is supplied). */
static int parse_env(const char *env, ...)
{
	char *argv[MAX_ARGS] = { "bpfnicctl" };
	int argc = 1;
	va_list ap;
	const char *s;

	va_start(ap, env);
	while ((s = va_arg(ap, const char *)) && argc < MAX_ARGS)
		argv[argc++] = (char *)s;
	va_end(ap);
	return ctl_parse_args(argc, argv, env, &a, err, sizeof(err));
}
#define parse(...) parse_env(NULL, __VA_ARGS__, NULL)

/* The usage error must name the argument. */
static void assert_usage(int r, const char *needle)
{
	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(err, needle));
	assert_null(strchr(err, '\n')); /* one line */
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("status"), 0);
	assert_int_equal(a.cmd, CTL_CMD_STATUS);
	assert_string_equal(a.socket_path, BPFNIC_DEFAULT_SOCKET);
	assert_int_equal(a.timeout_ms, CTL_DEFAULT_TIMEOUT_MS);
	assert_false(a.json);
	assert_false(a.watch);
	assert_int_equal(a.policy, -1);
	assert_int_equal(a.n_values, 0);
	assert_string_equal(err, "");
}

static void test_global_options_anywhere(void **state)
{
	(void)state;
	assert_int_equal(parse("--json", "--socket", "/tmp/s", "status"), 0);
	assert_true(a.json);
	assert_string_equal(a.socket_path, "/tmp/s");
	assert_int_equal(parse("status", "--json", "--socket=/tmp/t", "--timeout", "250"), 0);
	assert_true(a.json);
	assert_string_equal(a.socket_path, "/tmp/t");
	assert_int_equal(a.timeout_ms, 250);
	assert_int_equal(a.cmd, CTL_CMD_STATUS);
}

static void test_socket_from_environment(void **state)
{
	(void)state;
	assert_int_equal(parse_env("/run/x.sock", "status", NULL), 0);
	assert_string_equal(a.socket_path, "/run/x.sock");
	assert_int_equal(parse_env("/run/x.sock", "--socket", "/run/y.sock", "status", NULL), 0);
	assert_string_equal(a.socket_path, "/run/y.sock");
	assert_int_equal(parse_env("", "status", NULL), 0);
	assert_string_equal(a.socket_path, BPFNIC_DEFAULT_SOCKET);
}

static void test_missing_and_unknown_command(void **state)
{
	(void)state;
	assert_usage(parse_env(NULL, NULL), "missing command");
	assert_usage(parse("--json"), "missing command");
	assert_usage(parse("stauts"), "'stauts'");
	assert_usage(parse("status", "extra"), "'extra'");
	assert_usage(parse("-x", "status"), "'-x'");
}

static void test_option_errors_name_the_option(void **state)
{
	(void)state;
	assert_usage(parse("status", "--bogus"), "'--bogus'");
	assert_usage(parse("--bogus=1", "status"), "'--bogus'");
	assert_usage(parse("status", "--socket"), "'--socket' needs a value");
	assert_usage(parse("status", "--socket="), "'--socket' needs a value");
	assert_usage(parse("status", "--json=yes"), "'--json' takes no value");
	assert_usage(parse("status", "--timeout", "0"), "'0'");
	assert_usage(parse("status", "--timeout", "-5"), "--timeout");
	assert_usage(parse("status", "--watch"), "'--watch'");
	assert_usage(parse("reload", "--threshold-us", "3"), "'--threshold-us'");
	assert_usage(parse("--count", "3", "stats"), "'--count'");
}

static void test_stats(void **state)
{
	(void)state;
	assert_int_equal(parse("stats"), 0);
	assert_int_equal(a.cmd, CTL_CMD_STATS);
	assert_false(a.watch);
	assert_int_equal(parse("stats", "--watch", "--interval", "200"), 0);
	assert_true(a.watch);
	assert_true(a.interval_ms.set);
	assert_int_equal(a.interval_ms.value, 200);
	assert_false(a.count.set);
	/* --count alone means watching N samples */
	assert_int_equal(parse("stats", "--count=3"), 0);
	assert_true(a.watch);
	assert_int_equal(a.count.value, 3);
	assert_usage(parse("stats", "--interval", "200"), "'--interval' needs '--watch'");
	assert_usage(parse("stats", "--watch", "--interval", "5"), "'5'");
	assert_usage(parse("stats", "--count", "0"), "--count");
	assert_usage(parse("stats", "--count", "1x"), "'1x'");
}

static void test_stats_since(void **state)
{
	static const struct {
		const char *text;
		bool relative;
		unsigned long long usec;
	} good[] = {
		{ "1764160000.25", false, 1764160000250000ull },
		{ "1764160000", false, 1764160000000000ull },
		{ "1764160000.1234567", false, 1764160000123456ull }, /* finer than a us: dropped */
		{ "0", false, 0 },
		{ "-60s", true, 60000000ull },
		{ "-500ms", true, 500000ull },
		{ "-2", true, 2000000ull },
		{ "-1.5s", true, 1500000ull },
	};
	static const char *const bad[] = { "-", "yesterday", "--60s", "-60m", "1e9", "-1h",
					   "1764160000.", "+5", "-100000" /* over a day */ };
	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(good); i++) {
		assert_int_equal(parse("stats", "--since", good[i].text), 0);
		assert_true(a.since.set);
		assert_int_equal(a.since.relative, good[i].relative);
		assert_true(a.since.usec == good[i].usec);
		assert_false(a.watch);
	}
	assert_int_equal(parse("--json", "stats", "--since=-10s"), 0);
	assert_true(a.json && a.since.set && a.since.relative);
	assert_int_equal(parse("stats"), 0);
	assert_false(a.since.set);
	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		char quoted[64];

		snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
		assert_usage(parse("stats", "--since", bad[i]), quoted);
	}
	assert_usage(parse("stats", "--since", ""), "'--since' needs a value");
	assert_usage(parse("stats", "--since", "-10s", "--watch"), "'--since'");
	assert_usage(parse("stats", "--count", "2", "--since", "-10s"), "'--since'");
	assert_usage(parse("status", "--since", "-10s"), "'--since' belongs to 'stats'");
}

static void test_policy_rr(void **state)
{
	struct json_object *p;

	(void)state;
	assert_int_equal(parse("policy", "rr"), 0);
	assert_int_equal(a.cmd, CTL_CMD_POLICY);
	assert_int_equal(a.policy, BPFNIC_POLICY_RR);
	p = ctl_policy_params(&a);
	assert_non_null(p);
	assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			    "{\"policy\":\"rr\"}");
	json_object_put(p);
}

static void test_policy_split(void **state)
{
	struct json_object *p;

	(void)state;
	assert_int_equal(parse("policy", "split", "--long-cpus", "1"), 0);
	assert_int_equal(a.policy, BPFNIC_POLICY_SPLIT);
	assert_string_equal(ctl_policy_value(&a, "long_cpus"), "1");
	p = ctl_policy_params(&a);
	assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			    "{\"policy\":\"split\",\"long_cpus\":1}");
	json_object_put(p);
	assert_usage(parse("policy", "split", "--long-cpus", "1,2"), "'1,2'");
	assert_usage(parse("policy", "split", "--long-cpus", "9999"), "'9999'");
}

static void test_policy_dynamic(void **state)
{
	struct json_object *p;

	(void)state;
	assert_int_equal(parse("policy", "dynamic", "--threshold-us", "20", "--metric", "p99",
			       "--min-cpus", "1", "--max-cpus=2", "--cooldown-ms", "500",
			       "--shrink-below-us", "5", "--interval-ms", "100"),
			 0);
	assert_int_equal(a.policy, BPFNIC_POLICY_DYNAMIC);
	assert_string_equal(ctl_policy_value(&a, "metric"), "p99");
	p = ctl_policy_params(&a);
	/* In the table's order, whatever the order on the line. */
	assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			    "{\"policy\":\"dynamic\",\"threshold_us\":20,\"metric\":\"p99\","
			    "\"min_cpus\":1,\"max_cpus\":2,\"cooldown_ms\":500,"
			    "\"shrink_below_us\":5,\"interval_ms\":100}");
	json_object_put(p);
	/* only what was given is sent */
	assert_int_equal(parse("policy", "dynamic", "--threshold-us", "20"), 0);
	p = ctl_policy_params(&a);
	assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			    "{\"policy\":\"dynamic\",\"threshold_us\":20}");
	json_object_put(p);
	/* options may come before the policy name, and are checked against it */
	assert_int_equal(parse("policy", "--threshold-us", "7", "dynamic"), 0);
	assert_string_equal(ctl_policy_value(&a, "threshold_us"), "7");
	/* the last of an option given twice counts */
	assert_int_equal(parse("policy", "dynamic", "--threshold-us", "7", "--threshold-us=9"), 0);
	p = ctl_policy_params(&a);
	assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			    "{\"policy\":\"dynamic\",\"threshold_us\":9}");
	json_object_put(p);
	assert_usage(parse("policy", "--threshold-us", "7", "rr"), "'--threshold-us'");
}

static void test_policy_errors(void **state)
{
	(void)state;
	assert_usage(parse("policy"), "missing policy (expected rr, lwl, jsq, p2c, hash, split or dynamic)");
	assert_usage(parse("policy", "fifo"), "'fifo'");
	assert_usage(parse("policy", "rr", "split"), "'split'");
	assert_usage(parse("policy", "rr", "--long-cpus", "1"), "'--long-cpus'");
	assert_usage(parse("policy", "split", "--threshold-us", "1"), "'--threshold-us'");
	assert_usage(parse("policy", "dynamic", "--metric", "p50"), "'p50'");
	assert_usage(parse("policy", "dynamic", "--threshold-us"), "'--threshold-us' needs a value");
	assert_usage(parse("policy", "dynamic", "--threshold-us", "-1"), "'-1'");
	assert_usage(parse("policy", "dynamic", "--threshold-us", "99999999999"), "'99999999999'");
	assert_usage(parse("policy", "dynamic", "--threshold-us", " 5"), "' 5'");
	assert_usage(parse("policy", "dynamic", "--min-cpus", "2", "--max-cpus", "1"), "'--min-cpus'");
	/* The daemon's ranges, from the one table: what the daemon refuses, bpfnicctl does. */
	assert_usage(parse("policy", "dynamic", "--threshold-us", "0"), "'0'");
	assert_usage(parse("policy", "dynamic", "--threshold-us", "1000001"), "between 1 and 1000000");
	assert_usage(parse("policy", "split", "--long-cpus", "0"), "between 1 and 255");
	assert_usage(parse("policy", "dynamic", "--interval-ms", "5"), "between 10 and 60000");
}

static void test_help(void **state)
{
	(void)state;
	assert_int_equal(parse("help"), 0);
	assert_int_equal(a.cmd, CTL_CMD_HELP);
	assert_int_equal(a.help_topic, CTL_CMD_NONE);
	assert_int_equal(parse("--help"), 0);
	assert_int_equal(a.cmd, CTL_CMD_HELP);
	assert_int_equal(parse("help", "policy"), 0);
	assert_int_equal(a.help_topic, CTL_CMD_POLICY);
	assert_int_equal(parse("policy", "--help"), 0);
	assert_int_equal(a.cmd, CTL_CMD_HELP);
	assert_int_equal(a.help_topic, CTL_CMD_POLICY);
	assert_int_equal(parse("stats", "-h"), 0);
	assert_int_equal(a.help_topic, CTL_CMD_STATS);
	/* help wins over an incomplete command */
	assert_int_equal(parse("policy", "dynamic", "--help"), 0);
	assert_int_equal(a.cmd, CTL_CMD_HELP);
	assert_usage(parse("help", "nothing"), "'nothing'");
}

static void test_policy_help(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	(void)state;

	assert_int_equal(ctl_print_policy_help(f), 0);
	fclose(f);
	/* Every policy and every one of its options, with the table's range. */
	for (unsigned i = 0; i < BPFNIC_NR_POLICIES; i++)
		assert_non_null(strstr(text, bpfnic_policies[i].name));
	for (unsigned i = 0; i < bpfnic_n_params; i++)
		if (bpfnic_params[i].cli)
			assert_non_null(strstr(text, bpfnic_params[i].cli));
	assert_non_null(strstr(text, "1-1000000 µs, default 20"));
	free(text);
}

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(parse("--version"), 0);
	assert_true(a.client_version_only);
	assert_int_equal(parse("version"), 0);
	assert_int_equal(a.cmd, CTL_CMD_VERSION);
	assert_false(a.client_version_only);
	assert_string_equal(ctl_command_name(CTL_CMD_RELOAD), "reload");
	assert_null(ctl_command_name(CTL_CMD_NONE));
}

UNIT_TEST_MAIN(
	cmocka_unit_test(test_defaults),
	cmocka_unit_test(test_global_options_anywhere),
	cmocka_unit_test(test_socket_from_environment),
	cmocka_unit_test(test_missing_and_unknown_command),
	cmocka_unit_test(test_option_errors_name_the_option),
	cmocka_unit_test(test_stats),
	cmocka_unit_test(test_stats_since),
	cmocka_unit_test(test_policy_rr),
	cmocka_unit_test(test_policy_split),
	cmocka_unit_test(test_policy_dynamic),
	cmocka_unit_test(test_policy_errors),
	cmocka_unit_test(test_help),
	cmocka_unit_test(test_policy_help),
	cmocka_unit_test(test_version)
)
