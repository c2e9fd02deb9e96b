// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfnicctl stats --since: pages of GetStats' history joined into one reply. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include "tests/support/unit.h"

#include "ctl/since.h"

static int add(struct json_object **acc, const char *page, uint64_t since, uint64_t *next)
{
	struct json_object *p = json_tokener_parse(page);
	int r;

	assert_non_null(p);
	r = ctl_since_add_page(acc, p, since, next);
	json_object_put(p); /* the pages' entries are shared, not copied: acc keeps them alive */
	return r;
}

static void test_pages_join(void **state)
{
	struct json_object *acc = NULL;
	uint64_t next;
	(void)state;

	assert_int_equal(add(&acc, "{\"window_ms\":100.0,\"totals\":{\"requests\":1},"
			     "\"windows\":[{\"time_usec\":10},{\"time_usec\":20}],"
			     "\"changes\":[{\"time_usec\":15}],\"truncated\":true,\"next_since_usec\":20}",
			     5, &next), 0);
	assert_true(next == 20);
	assert_int_equal(add(&acc, "{\"window_ms\":100.0,\"totals\":{\"requests\":2},"
			     "\"windows\":[{\"time_usec\":30}],\"changes\":[],\"truncated\":false,"
			     "\"next_since_usec\":30}", 20, &next), 0);
	assert_true(next == 30);
	assert_int_equal(add(&acc, "{\"window_ms\":100.0,\"totals\":{\"requests\":3},"
			     "\"windows\":[],\"changes\":[{\"time_usec\":35}],\"truncated\":false}",
			     30, &next), 0);
	assert_true(next == 0);
	/* The newest reading, every entry in order, truncated from the first page, and no
	 * page marker: as if the daemon had sent it all at once. */
	assert_string_equal(json_object_to_json_string_ext(acc, JSON_C_TO_STRING_PLAIN),
			    "{\"window_ms\":100.0,\"totals\":{\"requests\":3},"
			    "\"windows\":[{\"time_usec\":10},{\"time_usec\":20},{\"time_usec\":30}],"
			    "\"changes\":[{\"time_usec\":15},{\"time_usec\":35}],\"truncated\":true}");
	json_object_put(acc);
}

static void test_bad_pages(void **state)
{
	static const struct {
		const char *page;
		uint64_t since;
	} bad[] = {
		{ "{\"window_ms\":1}", 0 },                                        /* no lists */
		{ "{\"windows\":[],\"changes\":{}}", 0 },                          /* not a list */
		{ "{\"windows\":[],\"changes\":[],\"next_since_usec\":50}", 50 },  /* no progress */
		{ "{\"windows\":[],\"changes\":[],\"next_since_usec\":-1}", 0 },
	};
	(void)state;

	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		struct json_object *acc = NULL;
		uint64_t next = 7;

		assert_int_equal(add(&acc, bad[i].page, bad[i].since, &next), -EBADMSG);
		assert_null(acc);
		assert_true(next == 0);
	}
}

UNIT_TEST_MAIN(
	cmocka_unit_test(test_pages_join),
	cmocka_unit_test(test_bad_pages))
