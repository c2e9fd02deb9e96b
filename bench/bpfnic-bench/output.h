/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a run leaves behind, written to streams the caller opens: results.csv (one row
 * per repetition, policy, step and class), series.csv (the daemon's windows, per CPU,
 * and the group's changes), report.md (figures, knee table next to the M/C/k/N
 * prediction, the shape against the thesis and why it differs) and the gnuplot
 * script of each figure. Pure: no file is opened here.
 */
#ifndef BPFNIC_BENCH_OUTPUT_H
#define BPFNIC_BENCH_OUTPUT_H

#include <stdio.h>

#include "bench/bpfnic-bench/plan.h"

/* The columns of results.csv and series.csv, in order (bpfnic-bench(1) lists them). */
extern const char *const bench_results_columns[];
extern const unsigned bench_n_results_columns;
extern const char *const bench_series_columns[];
extern const unsigned bench_n_series_columns;

void bench_write_results_csv(FILE *f, const struct bench_run *run);
void bench_write_series_csv(FILE *f, const struct bench_run *run);

/* The knee table of a run, a markdown table (also printed at the end of a run). */
void bench_write_knee_table(FILE *f, const struct bench_run *run);

/*
 * report.md. command: the command line that ran it; environment: one line per side
 * ("server: ...").
 */
void bench_write_report(FILE *f, const struct bench_run *run, const char *command,
			const char *const environment[2]);

/* The file name (without extension) of figure i: "fig5.1". */
void bench_figure_name(const struct bench_figure *fig, char *buf, size_t size);

/*
 * The gnuplot script of a figure: its data inline, written once as SVG (NAME.svg) and
 * once as PNG (NAME.png), in gnuplot's working directory.
 */
void bench_write_plot(FILE *g, const struct bench_run *run, const struct bench_figure *fig);

#endif
