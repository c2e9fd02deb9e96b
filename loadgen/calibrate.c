/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The calibration's rate search: see calibrate.h. */
#include "calibrate.h"

void lg_rate_search_init(struct lg_rate_search *s)
{
	*s = (struct lg_rate_search){ { 0, 0 }, { 0, 0 } };
}

/* Narrows b by a probe at rate; true when rate is its new highest passing rate. */
static bool bracket_record(struct lg_bracket *b, double rate, bool passed)
{
	if (passed && rate > b->ok) {
		b->ok = rate;
		return true;
	}
	if (!passed && (b->fail == 0 || rate < b->fail))
		b->fail = rate;
	return false;
}

/*
 * The next rate for a bracket: double until something fails, then bisect to within
 * 5 %; 0 once resolved (or when nothing passes down to the floor's rate).
 */
static double bracket_next(const struct lg_bracket *b)
{
	if (b->fail == 0)
		return b->ok >= LG_CAL_TOP_RPS ? 0 : b->ok > 0 ? b->ok * 2 : LG_CAL_FIRST_RPS;
	if (b->ok == 0)
		return b->fail <= LG_CAL_FLOOR_RPS ? 0 : b->fail / 2;
	if (b->fail - b->ok <= 0.05 * b->ok)
		return 0;
	return (b->ok + b->fail) / 2;
}

bool lg_rate_search_record(struct lg_rate_search *s, double rate, bool valid, bool on_schedule)
{
	bracket_record(&s->on_schedule, rate, on_schedule);
	return bracket_record(&s->valid, rate, valid);
}

double lg_rate_search_next(const struct lg_rate_search *s)
{
	double next = bracket_next(&s->valid);

	return next > 0 ? next : bracket_next(&s->on_schedule);
}
