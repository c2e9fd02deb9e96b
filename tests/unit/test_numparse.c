// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lib/numparse: the strict decimal parser every text input goes through. */
#include <errno.h>
#include "tests/support/unit.h"
#include "numparse.h"

static void accepts_digits_in_range(void **state)
{
	uint64_t v = 0;
	unsigned u = 0;

	(void)state;
	assert_int_equal(bpfnic_parse_u64("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(bpfnic_parse_u64("007", 0, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(bpfnic_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(bpfnic_parse_uint("65535", 1, 65535, &u), 0);
	assert_int_equal(u, 65535);
}

static void rejects_syntax_and_range(void **state)
{
	static const char *const bad[] = { "", " 1", "1 ", "+1", "-1", "0x10", "1e3", "1.0", "a" };
	uint64_t v = 42;
	unsigned u = 42;

	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(bad); i++)
		assert_int_equal(bpfnic_parse_u64(bad[i], 0, 100, &v), -EINVAL);
	assert_int_equal(bpfnic_parse_u64(NULL, 0, 100, &v), -EINVAL);
	assert_int_equal(bpfnic_parse_u64("101", 0, 100, &v), -ERANGE);
	assert_int_equal(bpfnic_parse_u64("4", 5, 100, &v), -ERANGE);
	/* Overflow is a range error, never a wrap. */
	assert_int_equal(bpfnic_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(bpfnic_parse_uint("4294967296", 0, UINT32_MAX, &u), -ERANGE);
	assert_int_equal(v, 42); /* untouched on error */
	assert_int_equal(u, 42);
}

static void prefix_stops_at_the_first_non_digit(void **state)
{
	const char *s = "12-34", *p = s;
	uint64_t v;

	(void)state;
	assert_int_equal(bpfnic_parse_u64_prefix(&p, 100, &v), 0);
	assert_int_equal(v, 12);
	assert_ptr_equal(p, s + 2);
	p = "-3";
	assert_int_equal(bpfnic_parse_u64_prefix(&p, 100, &v), -EINVAL);
	p = "7";
	assert_int_equal(bpfnic_parse_u64_prefix(&p, 5, &v), -ERANGE);
	p = "1000";
	assert_int_equal(bpfnic_parse_u64_prefix(&p, 999, &v), -ERANGE);
}

static void fixed_point(void **state)
{
	static const struct {
		const char *text;
		unsigned decimals;
		uint64_t want;
	} good[] = {
		{ "1764160000.25", 6, 1764160000250000ull },
		{ "12", 3, 12000 }, { "0.5", 1, 5 }, { "1.23456789", 3, 1234 }, /* dropped, not rounded */
		{ "007.010", 3, 7010 }, { "3", 0, 3 },
	};
	static const char *const bad[] = { "", ".5", "5.", "1.2.3", "-1", "+1", "1e3", " 1", "1 ", "0x1" };
	uint64_t v = 42;

	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(good); i++) {
		assert_int_equal(bpfnic_parse_fixed(good[i].text, good[i].decimals, UINT64_MAX, &v), 0);
		assert_true(v == good[i].want);
	}
	for (size_t i = 0; i < N_ELEMENTS(bad); i++)
		assert_int_equal(bpfnic_parse_fixed(bad[i], 6, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(bpfnic_parse_fixed("1.5", 3, 1499, &v), -ERANGE);
	assert_int_equal(bpfnic_parse_fixed("1.5", 3, 1500, &v), 0);
	assert_int_equal(bpfnic_parse_fixed("18446744073709552", 3, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(bpfnic_parse_fixed("1", 10, UINT64_MAX, &v), -EINVAL);
}

static void durations(void **state)
{
	static const struct {
		const char *text;
		uint64_t ns;
	} good[] = {
		{ "2", 2000000000ull }, { "500ms", 500000000ull }, { "100us", 100000 }, { "10ns", 10 },
		{ "0.25s", 250000000ull }, { "1.5us", 1500 }, { "86400s", 86400000000000ull }, { "0", 0 },
	};
	static const char *const bad[] = { "", "s", "-1", "1h", "1e3", "1 s", "1..2", "2sec", ".5s", NULL };
	uint64_t ns;

	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(good); i++) {
		assert_int_equal(bpfnic_parse_duration_ns(good[i].text, &ns), 0);
		assert_true(ns == good[i].ns);
	}
	for (const char *const *b = bad; *b; b++)
		assert_int_equal(bpfnic_parse_duration_ns(*b, &ns), -EINVAL);
	assert_int_equal(bpfnic_parse_duration_ns("100000", &ns), -ERANGE);   /* over a day */
	assert_int_equal(bpfnic_parse_duration_ns("86400.5s", &ns), -ERANGE);
	assert_int_equal(bpfnic_parse_duration_ns("99999999999999999999ms", &ns), -ERANGE);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(fixed_point),
	cmocka_unit_test(durations),
	cmocka_unit_test(accepts_digits_in_range),
	cmocka_unit_test(rejects_syntax_and_range),
	cmocka_unit_test(prefix_stops_at_the_first_non_digit))
