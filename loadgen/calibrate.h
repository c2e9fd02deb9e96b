/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The calibration's search for the generator's ceiling (--calibrate), as pure logic:
 * given what each probe found, which rate to probe next. Two brackets are narrowed by
 * the same probes: the highest valid rate, and the highest rate sent on schedule
 * whatever the send lag (valid implies on schedule). Each doubles from
 * LG_CAL_FIRST_RPS until a probe fails, then bisects to within 5 %; the valid bracket
 * is resolved first. No I/O: unit tests reach it directly.
 */
#ifndef BPFNIC_LG_CALIBRATE_H
#define BPFNIC_LG_CALIBRATE_H

#include <stdbool.h>

#define LG_CAL_FLOOR_RPS  1000.0  /* the first probe: timing floor at idle */
#define LG_CAL_FIRST_RPS  25000.0 /* the search's first rate */
#define LG_CAL_TOP_RPS    2e7     /* a generator valid up to here needs no ceiling */
#define LG_CAL_MAX_PROBES 40u     /* the floor probe included */

struct lg_bracket {
	double ok;   /* highest rate that passed; 0: none yet */
	double fail; /* lowest rate that failed; 0: none yet */
};

struct lg_rate_search {
	struct lg_bracket valid, on_schedule;
};

void lg_rate_search_init(struct lg_rate_search *s);

/*
 * Takes in a probe at rate. Returns true when it is the highest valid rate so far
 * (the caller keeps that probe's result).
 */
bool lg_rate_search_record(struct lg_rate_search *s, double rate, bool valid, bool on_schedule);

/* The rate to probe next; 0 once both brackets are resolved. */
double lg_rate_search_next(const struct lg_rate_search *s);

#endif
