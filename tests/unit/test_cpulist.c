// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include "tests/support/unit.h"
#include "cpulist.h"

static void parses_lists_and_ranges(void **state)
{
	unsigned cpus[16];

	(void)state;
	assert_int_equal(bpfnic_cpulist_parse("0", cpus, 16, 8), 1);
	assert_int_equal(cpus[0], 0);
	assert_int_equal(bpfnic_cpulist_parse("1-3,6", cpus, 16, 8), 4);
	assert_int_equal(cpus[0], 1);
	assert_int_equal(cpus[2], 3);
	assert_int_equal(cpus[3], 6);
	/* Order is kept: it is the round-robin order. */
	assert_int_equal(bpfnic_cpulist_parse("5, 2", cpus, 16, 8), 2);
	assert_int_equal(cpus[0], 5);
	assert_int_equal(cpus[1], 2);
}

static void rejects_bad_lists(void **state)
{
	unsigned cpus[4];
	static const char *const bad[] = { "", ",", "1,", "a", "-1", "3-1", "1-", "1,1",
					   "0-2,2", "1 2", "8", "99999999999", "0x1", NULL };

	(void)state;
	for (const char *const *s = bad; *s; s++)
		assert_int_equal(bpfnic_cpulist_parse(*s, cpus, 4, 8), -EINVAL);
	assert_int_equal(bpfnic_cpulist_parse("0-4", cpus, 4, 8), -E2BIG);
	assert_int_equal(bpfnic_cpulist_parse(NULL, cpus, 4, 8), -EINVAL);
}

/* The kernel's lists may name more CPUs than the caller supports: those are left out. */
static void parses_sets_beyond_the_limit(void **state)
{
	bool has[8];
	unsigned beyond;

	(void)state;
	assert_int_equal(bpfnic_cpulist_parse_set("0-511", has, 8, &beyond), 0);
	for (unsigned c = 0; c < 8; c++)
		assert_true(has[c]);
	assert_int_equal(beyond, 504);
	assert_int_equal(bpfnic_cpulist_parse_set("1,3,9-10", has, 8, &beyond), 0);
	assert_false(has[0]);
	assert_true(has[1]);
	assert_true(has[3]);
	assert_false(has[7]);
	assert_int_equal(beyond, 2);
	assert_int_equal(bpfnic_cpulist_parse_set("", has, 8, NULL), -EINVAL);
	assert_int_equal(bpfnic_cpulist_parse_set("3-1", has, 8, NULL), -EINVAL);
	assert_int_equal(bpfnic_cpulist_parse_set("0-3,", has, 8, NULL), -EINVAL);
}

static void formats_compactly(void **state)
{
	unsigned cpus[] = { 0, 1, 2, 3, 6, 8, 9 };
	char buf[32];

	(void)state;
	assert_int_equal(bpfnic_cpulist_format(cpus, 7, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0-3,6,8-9");
	assert_int_equal(bpfnic_cpulist_format(cpus, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(bpfnic_cpulist_format(cpus, 7, buf, 5), -ENOSPC);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(parses_lists_and_ranges),
	cmocka_unit_test(rejects_bad_lists),
	cmocka_unit_test(parses_sets_beyond_the_limit),
	cmocka_unit_test(formats_compactly))
