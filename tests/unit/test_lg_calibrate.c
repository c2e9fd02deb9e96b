// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* loadgen/calibrate: the rate search against simulated generators with known limits. */
#include "tests/support/unit.h"
#include "loadgen/calibrate.h"

/* A generator that is valid up to valid_max and sends on schedule up to ontime_max. */
struct generator {
	double valid_max, ontime_max;
};

struct outcome {
	double max_valid, max_ontime;
	double rates[LG_CAL_MAX_PROBES];
	unsigned probes;
};

static void search(const struct generator *g, struct outcome *o)
{
	struct lg_rate_search s;
	double rate;

	lg_rate_search_init(&s);
	o->probes = 0;
	o->max_valid = 0;
	for (rate = lg_rate_search_next(&s); rate > 0 && o->probes < LG_CAL_MAX_PROBES;
	     rate = lg_rate_search_next(&s)) {
		o->rates[o->probes++] = rate;
		if (lg_rate_search_record(&s, rate, rate <= g->valid_max, rate <= g->ontime_max))
			o->max_valid = rate;
	}
	assert_true(rate == 0); /* resolved, not cut off */
	assert_true(o->max_valid == s.valid.ok);
	o->max_ontime = s.on_schedule.ok;
}

static void doubles_then_bisects_to_five_percent(void **state)
{
	static const struct generator g = { .valid_max = 130000, .ontime_max = 310000 };
	struct outcome o;

	(void)state;
	search(&g, &o);
	assert_true(o.rates[0] == LG_CAL_FIRST_RPS);
	assert_true(o.rates[1] == 2 * LG_CAL_FIRST_RPS);
	assert_true(o.rates[2] == 4 * LG_CAL_FIRST_RPS);
	/* Within 5 % below each limit, never above it. */
	assert_true(o.max_valid <= g.valid_max && o.max_valid >= g.valid_max / 1.05);
	assert_true(o.max_ontime <= g.ontime_max && o.max_ontime >= g.ontime_max / 1.05);
	assert_true(o.probes < 25);
}

/* The valid bracket is resolved before the on-schedule one is narrowed further. */
static void valid_bracket_first(void **state)
{
	static const struct generator g = { .valid_max = 60000, .ontime_max = 1000000 };
	struct outcome o;
	unsigned i = 3;

	(void)state;
	search(&g, &o);
	/* 25000 and 50000 pass, 100000 is not valid (but on schedule): the next probes
	 * bisect (50000, 100000) until the valid ceiling is known... */
	assert_true(o.rates[2] == 100000);
	for (; i < o.probes && o.rates[i] < 100000; i++)
		assert_true(o.rates[i] > 50000);
	assert_true(i >= 5);
	assert_true(o.max_valid <= 60000 && o.max_valid >= 60000 / 1.05);
	/* ...and only then does the on-schedule bracket go on from 100000. */
	assert_true(o.rates[i] == 200000);
	assert_true(o.max_ontime >= 1000000 / 1.05 && o.max_ontime <= 1000000);
}

static void nothing_valid_stops_at_the_floor(void **state)
{
	static const struct generator g = { .valid_max = 0, .ontime_max = 0 };
	struct outcome o;

	(void)state;
	search(&g, &o);
	assert_true(o.max_valid == 0 && o.max_ontime == 0);
	assert_true(o.rates[o.probes - 1] > LG_CAL_FLOOR_RPS / 2);
	assert_true(o.rates[o.probes - 1] <= 2 * LG_CAL_FLOOR_RPS);
}

static void everything_valid_stops_at_the_top(void **state)
{
	static const struct generator g = { .valid_max = 1e12, .ontime_max = 1e12 };
	struct outcome o;

	(void)state;
	search(&g, &o);
	assert_true(o.max_valid >= LG_CAL_TOP_RPS && o.max_valid < 2 * LG_CAL_TOP_RPS);
	assert_true(o.max_ontime == o.max_valid);
}

/* A noisy probe that passes above a failed rate cannot make the search go on forever. */
static void inverted_bracket_ends(void **state)
{
	struct lg_rate_search s;

	(void)state;
	lg_rate_search_init(&s);
	assert_false(lg_rate_search_record(&s, 25000, false, false));
	assert_true(lg_rate_search_record(&s, 40000, true, true));
	assert_true(lg_rate_search_next(&s) == 0);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(doubles_then_bisects_to_five_percent),
	cmocka_unit_test(valid_bracket_first),
	cmocka_unit_test(nothing_valid_stops_at_the_floor),
	cmocka_unit_test(everything_valid_stops_at_the_top),
	cmocka_unit_test(inverted_bracket_ends))
