/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * From per-step results to curves and knees: the repetitions of a step folded into one
 * point (median and range of a percentile, loss over all of them), the knee of a
 * curve, and the checks of an experiment's [Shape] Expect= lines. Pure: no I/O.
 */
#ifndef BPFNIC_BENCH_KNEE_H
#define BPFNIC_BENCH_KNEE_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/bpfnic-bench/experiment.h"
#include "bench/bpfnic-bench/results.h"

/* One step of one policy and class, over its repetitions. */
struct bench_point {
	unsigned step;
	double load;             /* in the experiment's unit */
	double offered_rps;      /* median over the repetitions */
	double achieved_rps;     /* what the load generator sent: median over the repetitions */
	double median, lo, hi;   /* of the percentile asked, µs; NAN when no reply came back */
	double loss_pct;         /* lost / sent over every repetition, % */
	unsigned reps;
	unsigned invalid;        /* repetitions the load generator called not valid */
};

/*
 * The points of [Policy] section arm for class cls (0 short, 1 long) and percentile
 * pct, of the queuing delay (qdelay) or the RTT, in step order. Returns how many
 * (at most BENCH_MAX_STEPS).
 */
unsigned bench_points(const struct bench_step_result *r, size_t n, unsigned arm, unsigned cls,
		      enum bench_pct pct, bool qdelay, struct bench_point *out);

/*
 * The knee: the highest offered load up to which every step's median p99 stays below
 * the bound and its loss under max_loss_pct, the load having been offered: the load
 * generator sent at least LG_VALID_MIN_SENT of it (the loadgen's own rule). A step
 * without replies counts as above.
 */
struct bench_knee {
	int index;          /* into the points: the last good one; -1 when the first is bad */
	double knee_rps;    /* its offered load; NAN when there is none */
	double next_rps;    /* the first bad step's offered load; NAN when every step is good */
	bool all_good;      /* no step crossed: the knee lies beyond the range tried */
	bool client_limited; /* the first bad step failed only because the load generator
			      * did not send its load: the client, not the server, ended it */
	double next_achieved_rps; /* what it sent there */
};

void bench_find_knee(const struct bench_point *p, unsigned n, double bound_us, double max_loss_pct,
		     struct bench_knee *out);

/* When a [Policy] section ran: for Expect=grows, and to place the group's changes. */
struct bench_span {
	unsigned rep, arm;
	int64_t start_usec, end_usec; /* CLOCK_REALTIME */
};

struct bench_expect_result {
	bool decided;       /* false: the run cannot say (no knee in range, no data) */
	bool holds;
	char detail[200];   /* the figures compared */
};

/*
 * Checks one Expect= line against the run: knees (per class, over the curves of
 * p99 queuing delay), the dynamic group's grow events within the section's spans, or
 * p99 curves compared step by step.
 */
void bench_check_expect(const struct bench_experiment *e, const struct bench_expect *x,
			const struct bench_step_result *r, size_t n, const struct bench_series *s,
			const struct bench_span *spans, size_t n_spans, struct bench_expect_result *out);

/* The knee of an arm and class (a class the mix lacks: index -1, knee NAN). */
void bench_arm_knee(const struct bench_experiment *e, const struct bench_step_result *r, size_t n,
		    unsigned arm, unsigned cls, struct bench_knee *out);

/* How many grow events fell in arm's spans. */
unsigned bench_grows(const struct bench_series *s, const struct bench_span *spans, size_t n_spans,
		     unsigned arm);

#endif
