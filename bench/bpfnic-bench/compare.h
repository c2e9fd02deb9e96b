/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnic-bench compare: two runs of one experiment side by side (the lab's and the
 * model's, for the model's validation): per policy, class and step the p50 and p99
 * queuing delay of both and their ratio, and both knees. Reads results.csv back.
 * Pure: no I/O.
 */
#ifndef BPFNIC_BENCH_COMPARE_H
#define BPFNIC_BENCH_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "bench/bpfnic-bench/experiment.h"
#include "bench/bpfnic-bench/results.h"

/* The goals of the model's validation (issue "At the thesis' scale"). */
#define BENCH_COMPARE_KNEE_TOLERANCE 0.10 /* model knee within 10 % of the lab's */
#define BENCH_COMPARE_P99_TOLERANCE  0.30 /* p99 within 30 % below the lab's knee */

/*
 * Reads a results.csv that bpfnic-bench wrote for experiment e into *out (malloc'd,
 * *n rows: one per repetition, policy and step; classes merged). Rows of a policy e
 * lacks are refused. 0, -EINVAL with why (naming the line), -ENOMEM.
 */
int bench_results_csv_read(const char *text, const struct bench_experiment *e,
			   struct bench_step_result **out, size_t *n, char *why, size_t why_size);

struct bench_compare_side {
	const char *name;                 /* "lab", "model" */
	const char *dir;
	const struct bench_step_result *r;
	size_t n;
};

/*
 * Writes the comparison as Markdown: the knee table (both knees, model/lab, within the
 * tolerance) and per step the p50/p99 of both sides. Returns how many comparisons
 * below the knee missed their goal.
 */
unsigned bench_write_compare(FILE *f, const struct bench_experiment *e,
			     const struct bench_compare_side *lab,
			     const struct bench_compare_side *model);

#endif
