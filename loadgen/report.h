/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnic-loadgen's outputs: the per-step table, CSV rows, the run's JSON document, the
 * gnuplot SVG, and the environment the run was measured in.
 */
#ifndef BPFNIC_LG_REPORT_H
#define BPFNIC_LG_REPORT_H

#include <stdio.h>
#include "engine.h"
#include "options.h"

struct lg_env {
	char kernel[320];      /* uname -srvm */
	char cpu_model[256];
	char governor[64];     /* cpu0's cpufreq governor, "none" without cpufreq */
	char clocksource[64];
	unsigned online_cpus;
	char started[64];      /* ISO 8601, UTC */
};

struct lg_calibration {
	bool done;
	struct lg_step_result floor;  /* the idle probe */
	double max_valid_rps;         /* per thread */
	struct lg_step_result at_max; /* the probe at that rate */
	double max_ontime_rps;        /* highest probed rate sent within 5 % of its schedule */
	struct lg_stalls stalls;      /* the client CPU's own timing noise */
};

void lg_env_collect(struct lg_env *env);

/* Whether class k gets a row: it is in the mix, or something was counted for it. */
bool lg_class_shown(const struct lg_config *c, const struct lg_step_result *r, unsigned k);

void lg_print_step(FILE *f, const struct lg_config *c, const struct lg_step_result *r,
		   unsigned nsteps);
void lg_print_calibration(FILE *f, const struct lg_calibration *cal);

/* The CSV header line (the columns --help lists under --csv). */
void lg_csv_write_header(FILE *f);
void lg_csv_write_step(FILE *f, const struct lg_config *c, const struct lg_step_result *r);

struct json_object;

/* A step as the JSON document has it, histograms included (lg_merge reads it back). */
struct json_object *lg_json_step(const struct lg_config *c, const struct lg_step_result *r);
/* The "config" object: every option. */
struct json_object *lg_json_config(const struct lg_config *c);
/*
 * A histogram as the JSON carries it: {"sub_bits", "count", "clamped", "min_ns",
 * "max_ns", "sum_ns", "buckets": [[index, count], ...]}, the non-empty buckets of
 * lib/hist.h (whose sub_bits it names), so that runs merge exactly.
 */
struct json_object *lg_hist_json(const struct bpfnic_hist_sparse *h);

int lg_json_write(const char *path, const struct lg_config *c, const struct lg_env *env,
		  const struct lg_step_result *steps, unsigned nsteps,
		  const struct lg_calibration *cal);

/* Runs gnuplot; returns 0 or -errno / a positive gnuplot exit status. */
int lg_plot_write(const char *path, const struct lg_config *c, const struct lg_step_result *steps,
		  unsigned nsteps);

#endif
