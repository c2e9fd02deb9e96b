// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* loadgen/validity: when the client, not the server, made a step's figures. */
#include <string.h>
#include "tests/support/unit.h"
#include "loadgen/validity.h"

/* A step that sent its schedule, with little lag against its tail, and no drops. */
static const struct lg_validity_in good = {
	.sent = 100000, .scheduled = 100000, .send_lag_p99_ns = 5000, .rtt_p99_ns = 60000,
};

static void test_rule(void **state)
{
	static const struct {
		const char *what;
		struct lg_validity_in in;
		bool valid;
		const char *reason; /* a part of it */
	} cases[] = {
		{ "on schedule, lag a twelfth of the tail", good, true, "" },
		/* The old rule's case: lag p99 (12 us) above the mean gap at 100k/s (10 us), but
		 * a fifth of a 60 us tail: valid now. */
		{ "lag above the gap, below a quarter of the tail",
		  { 100000, 100000, 12000, 60000, 0 }, true, "" },
		{ "lag exactly a quarter of the tail", { 100000, 100000, 15000, 60000, 0 }, true, "" },
		{ "lag above a quarter of the tail", { 100000, 100000, 15100, 60000, 0 }, false,
		  "send lag p99 15.1 us is more than 25 % of the RTT p99 60.0 us" },
		{ "95 % of the schedule sent", { 95000, 100000, 5000, 60000, 0 }, true, "" },
		{ "less than 95 % sent", { 94999, 100000, 5000, 60000, 0 }, false,
		  "sent 94999 of 100000 scheduled requests (more than 5 % short)" },
		{ "replies dropped by the client's socket", { 100000, 100000, 5000, 60000, 3 }, false,
		  "the client's sockets dropped 3 replies (counted lost)" },
		{ "no replies at all: the lag has nothing to be compared with",
		  { 100000, 100000, 500000, 0, 0 }, true, "" },
		{ "nothing scheduled", { 0, 0, 0, 0, 0 }, true, "" },
	};
	char reason[320];
	(void)state;

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		bool valid = lg_validity(&cases[i].in, reason, sizeof(reason));

		if (valid != cases[i].valid || !strstr(reason, cases[i].reason) ||
		    (valid && reason[0]))
			fail_msg("%s: valid %d, reason '%s'", cases[i].what, valid, reason);
	}
}

static void test_every_reason(void **state)
{
	struct lg_validity_in in = { 10, 100, 90000, 60000, 7 };
	char reason[320], tiny[8];
	(void)state;

	assert_false(lg_validity(&in, reason, sizeof(reason)));
	assert_string_equal(reason, "sent 10 of 100 scheduled requests (more than 5 % short); "
			    "send lag p99 90.0 us is more than 25 % of the RTT p99 60.0 us; "
			    "the client's sockets dropped 7 replies (counted lost)");
	/* A short buffer cuts the reasons, never the verdict; none at all is fine too. */
	assert_false(lg_validity(&in, tiny, sizeof(tiny)));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_false(lg_validity(&in, NULL, 0));
	assert_true(lg_validity(&good, NULL, 0));
	assert_true(lg_sent_on_schedule(95, 100));
	assert_false(lg_sent_on_schedule(94, 100));
}

UNIT_TEST_MAIN(
	cmocka_unit_test(test_rule),
	cmocka_unit_test(test_every_reason))
