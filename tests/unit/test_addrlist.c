// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Address= lists: parsed into the data path's form (IPv4 mapped), refused with a reason. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "tests/support/unit.h"
#include "addrlist.h"

static void parses_v4_and_v6_in_order(void **state)
{
	static const unsigned char v4[16] = { [10] = 0xff, [11] = 0xff, 198, 18, 0, 1 };
	static const unsigned char v6[16] = { 0x20, 0x01, 0x00, 0x02, [15] = 1 };
	struct bpfnic_addrs l;
	char why[160], text[64];

	(void)state;
	assert_int_equal(bpfnic_addrs_parse("198.18.0.1 2001:2::1", &l, why, sizeof(why)), 0);
	assert_int_equal(l.n, 2);
	assert_memory_equal(l.a[0].bytes, v4, 16);
	assert_memory_equal(l.a[1].bytes, v6, 16);
	assert_true(bpfnic_addr_is_v4(&l.a[0]));
	assert_false(bpfnic_addr_is_v4(&l.a[1]));
	assert_string_equal(bpfnic_addr_format(&l.a[0], text, sizeof(text)), "198.18.0.1");
	assert_string_equal(bpfnic_addr_format(&l.a[1], text, sizeof(text)), "2001:2::1");
	/* Commas, tabs and blanks all separate; the order is kept. */
	assert_int_equal(bpfnic_addrs_parse(" 2001:2::1,\t198.18.0.1 , 10.0.0.7 ", &l, why,
					    sizeof(why)), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(bpfnic_addr_format(&l.a[2], text, sizeof(text)), "10.0.0.7");
	/* Empty: any address. */
	assert_int_equal(bpfnic_addrs_parse("", &l, why, sizeof(why)), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(bpfnic_addrs_parse(" , ", &l, why, sizeof(why)), 0);
	assert_int_equal(l.n, 0);
}

static void refuses_with_a_reason(void **state)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "198.18.0", "'198.18.0' is not an IPv4 or IPv6 address" },
		{ "example.com", "'example.com' is not an IPv4 or IPv6 address" },
		{ "198.18.0.1/24", "'198.18.0.1/24' is not an IPv4 or IPv6 address" },
		{ "0.0.0.0", "0.0.0.0 is not a unicast address" },
		{ "::", ":: is not a unicast address" },
		{ "239.1.2.3", "239.1.2.3 is not a unicast address" },
		{ "ff02::1", "ff02::1 is not a unicast address" },
		{ "::ffff:198.18.0.1", "::ffff:198.18.0.1 is an IPv4-mapped address: write the IPv4 "
				       "address itself" },
		{ "198.18.0.1 2001:2::1 198.18.0.1", "198.18.0.1 is listed twice" },
		{ "2001:2::1 2001:2:0::1", "2001:2:0::1 is listed twice" },
	};
	struct bpfnic_addrs l;
	char why[160];

	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		why[0] = '\0';
		assert_int_equal(bpfnic_addrs_parse(bad[i].text, &l, why, sizeof(why)), -EINVAL);
		assert_string_equal(why, bad[i].why);
	}
}

static void holds_at_most_the_maximum(void **state)
{
	char text[BPFNIC_MAX_ADDRS * 16 + 32] = "", why[160];
	struct bpfnic_addrs l;
	size_t used = 0;

	(void)state;
	for (unsigned i = 0; i < BPFNIC_MAX_ADDRS; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "10.0.%u.1 ", i);
	assert_int_equal(bpfnic_addrs_parse(text, &l, why, sizeof(why)), 0);
	assert_int_equal(l.n, BPFNIC_MAX_ADDRS);
	snprintf(text + used, sizeof(text) - used, "10.1.0.1");
	assert_int_equal(bpfnic_addrs_parse(text, &l, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "more than"));
}

UNIT_TEST_MAIN(cmocka_unit_test(parses_v4_and_v6_in_order), cmocka_unit_test(refuses_with_a_reason),
	       cmocka_unit_test(holds_at_most_the_maximum))
