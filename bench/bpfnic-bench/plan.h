/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One run of an experiment: its plan (the loads of the steps, each policy's switch and
 * the M/C/k/N prediction for the groups the server applied) and everything measured,
 * which the outputs are written from. Pure: no I/O.
 */
#ifndef BPFNIC_BENCH_PLAN_H
#define BPFNIC_BENCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/bpfnic-bench/backend.h"
#include "bench/bpfnic-bench/experiment.h"
#include "bench/bpfnic-bench/knee.h"
#include "bench/bpfnic-bench/mcqueue.h"
#include "bench/bpfnic-bench/results.h"

#define BENCH_MAX_NOTES 24u

/* The cpumap queue the thesis' N assumes when the server does not say its own. */
#define BENCH_DEFAULT_QUEUE 4096u

struct bench_arm_run {
	struct bench_policy_cmd cmd;
	bool applied;                        /* the server took it at least once */
	struct bench_applied groups;         /* as applied (policy object not kept) */
	bool predicted;
	struct mck_prediction pred;
	char governor[32];                   /* what the worker CPUs ran under */
	bool skipped;                        /* not run (e.g. a governor the server lacks) */
};

struct bench_run {
	const struct bench_experiment *e;
	bool quick;
	const char *backend;                 /* "lab", "hosts" */
	struct bench_server srv;
	struct mck_input model;              /* the mix and service times of the run */
	double capacity_rps;                 /* rr over every candidate CPU: Unit=capacity's 1 */
	unsigned n_steps;
	double load[BENCH_MAX_STEPS];        /* in the experiment's unit */
	double offered_rps[BENCH_MAX_STEPS];
	struct bench_arm_run arms[BENCH_MAX_ARMS];
	struct bench_step_result *results;
	size_t n_results, cap_results;
	struct bench_series series;
	struct bench_span spans[BENCH_MAX_ARMS * 100];
	size_t n_spans;
	int64_t start_usec, end_usec;
	char notes[BENCH_MAX_NOTES][320];    /* what the run could not do, and why */
	unsigned n_notes;
};

/*
 * Fills the plan of run from its experiment and the server: the service times (the
 * experiment's, else the server's), the capacity, each step's offered load and each
 * policy's switch. 0, or -EINVAL with why (e.g. a step of no load).
 */
int bench_plan(struct bench_run *run, char *why, size_t why_size);

/* The M/C/k/N prediction of an arm once the server applied its groups. */
void bench_plan_predict(struct bench_run *run, unsigned arm);

/* Adds a note to the report ("cannot switch governors here: ..."). */
void bench_run_note(struct bench_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a step result (copied). 0 or -ENOMEM. */
int bench_run_add(struct bench_run *run, const struct bench_step_result *r);

/* Joins every step with the daemon's windows (server rates, group sizes). */
void bench_run_join(struct bench_run *run);

void bench_run_free(struct bench_run *run);

#endif
