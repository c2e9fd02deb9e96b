/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * An experiment file of bpfnic-bench: INI like bpfnicd.conf (libinih does the syntax),
 * read from text so that unit tests reach every rule. Pure: no I/O.
 *
 *   [Experiment]  Name=, Title=, Thesis= (the section it reproduces)
 *   [Traffic]     Mix=, Service=, Arrivals=, Threads= (bpfnic-loadgen's own syntax)
 *   [Load]        Unit=rps|capacity|clients, Steps=, RatePerClient=, Duration=,
 *                 Warmup=, Drain=, Repetitions=
 *   [Quick]       the same timing keys for --quick
 *   [Knee]        BoundUs=, MaxLossPct=, Ratio=
 *   [Policy NAME] Policy=, Label=, Governor=, and any policy parameter of the table of
 *                 parameters (lib/params.c) by its bpfnicd.conf key; CPU counts also
 *                 as a share of the server's candidate CPUs ("50%")
 *   [Figure ID]   Plot=qdelay|inout, Class=, Percentile=, LogY=, Changes=, Policies=,
 *                 Title=
 *   [Shape]       Expect= lines: what the thesis shows, checked on the run
 *
 * bpfnic-bench(1) documents every key; bench/experiments/ holds the shipped files.
 */
#ifndef BPFNIC_BENCH_EXPERIMENT_H
#define BPFNIC_BENCH_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arrival.h"
#include "iniline.h"
#include "params.h"

#define BENCH_MAX_ARMS       8u
#define BENCH_MAX_ARM_PARAMS 16u
#define BENCH_MAX_FIGURES    8u
#define BENCH_MAX_EXPECTS    8u
#define BENCH_MAX_STEPS      200u
#define BENCH_MAX_ERRORS     8u
#define BENCH_NAME_MAX       32u

/* Request classes, as the wire numbers them (bpf/bpfnic.h). */
#define BENCH_NR_CLASSES 2u
extern const char *const bench_class_names[BENCH_NR_CLASSES]; /* "short", "long" */

enum bench_load_unit {
	BENCH_LOAD_RPS = 0,      /* Steps= in requests/s */
	BENCH_LOAD_CAPACITY = 1, /* Steps= as fractions of the predicted capacity */
	BENCH_LOAD_CLIENTS = 2,  /* Steps= as client counts, RatePerClient= each */
};
extern const char *const bench_load_unit_names[3];

/* How long and how often: [Load] for a full run, [Quick] for --quick. */
struct bench_timing {
	double start, stop, step;  /* Steps=START:STOP:STEP, in the unit of [Load] Unit= */
	uint64_t duration_ns, warmup_ns, drain_ns;
	unsigned repetitions;
	bool steps_set;            /* [Quick] without Steps= uses [Load]'s */
	unsigned steps_line;
};

/* A policy parameter of a [Policy] section, checked against the table. */
struct bench_param_value {
	const struct bpfnic_param *param;
	char text[32];   /* as written; for a share, the share ("50%") */
	bool share;      /* a CPU count given as a share of the candidate CPUs */
	double fraction; /* the share, 0..1 */
	unsigned line;
};

/* One [Policy NAME] section: one curve of every figure. */
struct bench_arm {
	char name[BENCH_NAME_MAX];
	char label[64];
	enum bpfnic_policy policy;
	bool policy_set;
	struct bench_param_value params[BENCH_MAX_ARM_PARAMS];
	unsigned n_params;
	char governor[32]; /* cpufreq governor of the worker CPUs; "" = as it is */
	unsigned line;
};

enum bench_plot {
	BENCH_PLOT_QDELAY = 0, /* a queuing-delay percentile against offered load, per policy */
	BENCH_PLOT_INOUT = 1,  /* the server's outgoing against incoming requests/s */
};

enum bench_pct { BENCH_P50 = 0, BENCH_P90, BENCH_P99, BENCH_P999, BENCH_NR_PCTS };
extern const char *const bench_pct_names[BENCH_NR_PCTS]; /* "p50", "p90", "p99", "p99.9" */

struct bench_figure {
	char id[16];       /* "5.1": the files are fig5.1.svg and fig5.1.png */
	char title[160];
	enum bench_plot plot;
	int cls;           /* 0 short, 1 long, -1 both */
	enum bench_pct pct;
	bool logy;
	bool changes;      /* mark the dynamic group's additions with vertical lines */
	unsigned arms;     /* bit i: [Policy] section i is drawn; every one when none named */
	unsigned line;
};

enum bench_expect_kind {
	BENCH_EXPECT_KNEE = 0, /* knee CLASS A > B | A = B */
	BENCH_EXPECT_GROWS = 1, /* grows A: the dynamic group grew during A's runs */
	BENCH_EXPECT_P99 = 2,  /* p99 CLASS A > B: A's p99 above B's at most loads */
};

struct bench_expect {
	enum bench_expect_kind kind;
	int cls;         /* 0, 1; -1 for every class */
	unsigned a, b;   /* [Policy] sections, in file order */
	char op;         /* '>' or '=' */
	char text[96];   /* as written */
	unsigned line;
};

struct bench_experiment {
	char name[BENCH_NAME_MAX];
	char title[160];
	char thesis[64];
	/* [Traffic] */
	unsigned mix[BENCH_NR_CLASSES];              /* weights */
	uint64_t service_ns[BENCH_NR_CLASSES];       /* 0: the server's configured time */
	char mix_text[64], service_text[64];         /* as written: the loadgen takes them */
	enum bpfnic_arrivals arrivals;
	unsigned threads;                            /* loadgen threads per client host */
	/* [Load] [Quick] */
	enum bench_load_unit unit;
	double rate_per_client;
	struct bench_timing full, quick;
	/* [Knee] */
	double bound_us;
	double max_loss_pct;
	double ratio_lo, ratio_hi;                   /* 0 and 0: no ratio stated */
	/* sections in file order */
	struct bench_arm arms[BENCH_MAX_ARMS];
	unsigned n_arms;
	struct bench_figure figures[BENCH_MAX_FIGURES];
	unsigned n_figures;
	struct bench_expect expects[BENCH_MAX_EXPECTS];
	unsigned n_expects;
};

/* Every problem of a file, each "FILE:LINE: what" (the first BENCH_MAX_ERRORS kept). */
struct bench_errors {
	unsigned n, total;
	char msg[BENCH_MAX_ERRORS][BPFNIC_INI_MSG_SIZE];
};

/*
 * Parses the text of an experiment file called filename (for messages; its name
 * without directory and ".ini" is the default Name=). 0, -EINVAL with errs filled,
 * or -ENOMEM.
 */
int bench_experiment_parse(const char *text, const char *filename, struct bench_experiment *e,
			   struct bench_errors *errs);

/* The section index of the [Policy] called name, or -1. */
int bench_experiment_arm(const struct bench_experiment *e, const char *name);

/* The timing a run uses. */
const struct bench_timing *bench_experiment_timing(const struct bench_experiment *e, bool quick);

/*
 * The load steps of a run: n offered loads in the unit of [Load] (fractions, rps or
 * clients), START, START+STEP, ... up to STOP (inclusive, within rounding). Returns n.
 */
unsigned bench_experiment_steps(const struct bench_experiment *e, bool quick,
				double out[BENCH_MAX_STEPS]);

/* The share of each class in the mix, summing to 1. */
void bench_experiment_mix(const struct bench_experiment *e, double p[BENCH_NR_CLASSES]);

/*
 * A parameter's value for a server with k candidate CPUs: a share becomes a CPU
 * count (rounded, within the parameter's range and k). Writes the text bpfnicctl
 * takes into out.
 */
void bench_param_value_text(const struct bench_param_value *v, unsigned k, char *out, size_t size);

#endif
