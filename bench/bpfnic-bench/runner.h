/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Runs an experiment on a backend: every repetition of every [Policy] section over the
 * load steps (repetitions outermost, so that drift spreads over the policies), then
 * writes results.csv, series.csv, environment.json, the figures and report.md.
 */
#ifndef BPFNIC_BENCH_RUNNER_H
#define BPFNIC_BENCH_RUNNER_H

#include <stdbool.h>
#include <stdio.h>

#include "bench/bpfnic-bench/backend.h"
#include "bench/bpfnic-bench/plan.h"

struct bench_run_opts {
	bool quick;
	const char *dir;      /* the experiment's output directory (made if missing) */
	const char *file;     /* the experiment file, for the record */
	const char *command;  /* the command line, for the report */
	FILE *progress;       /* one line per step; NULL: quiet */
};

/*
 * Runs e and writes its outputs into o->dir, also after a failure (what was measured
 * until then, with the failure in the report). 0; -EINTR when interrupted; another
 * -errno with err filled on a real failure (the server refused, a tool failed, a file
 * could not be written).
 */
int bench_run_experiment(struct bench_backend *b, const struct bench_experiment *e,
			 const struct bench_run_opts *o, struct bench_run *run, char *err,
			 size_t errlen);

/* Makes a directory unless it exists (its parent must). 0 or -errno. */
int bench_mkdir(const char *path);

#endif
