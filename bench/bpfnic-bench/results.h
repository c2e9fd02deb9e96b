/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a run measures, whatever the backend: per step and class the client's counts
 * and percentiles, and the server's per-window series (rates, queuing delay, group
 * sizes per CPU) with the dynamic group's changes. Readers of the two JSON documents
 * the lab and real hosts give (bpfnic-loadgen --json, bpfnicctl --json stats --since)
 * and the joins between them. Pure: no I/O.
 */
#ifndef BPFNIC_BENCH_RESULTS_H
#define BPFNIC_BENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/bpfnic-bench/experiment.h"

struct bench_class_result {
	uint64_t sent, received, lost;
	double rtt_us[BENCH_NR_PCTS];    /* NAN when nothing was received */
	double qdelay_us[BENCH_NR_PCTS];
};

struct bench_step_result {
	unsigned rep, arm, step;         /* 0-based indexes */
	double load;                     /* in the experiment's unit (fraction, rps, clients) */
	double offered_rps, achieved_rps;
	unsigned clients;
	bool valid;                      /* the load generator's verdict */
	char reason[320];                /* why not valid; "" when valid */
	int64_t wall_start_ns, wall_end_ns; /* CLOCK_REALTIME of the measured window */
	bool wall_from_client;           /* from the loadgen; false: the runner's own view */
	double client_cpu_pct;           /* the load generator's CPU time / its run time, % of
					  * one CPU; NAN when it ran elsewhere */
	struct bench_class_result cls[BENCH_NR_CLASSES];
	/* From the daemon's windows within [wall_start, wall_end] (bench_step_join). */
	double server_in_rps, server_out_rps; /* NAN: no window covers the step */
	int group_start[2], group_end[2];    /* main, long group sizes; -1 unknown */
};

/* One CPU of one statistics window. */
struct bench_window_cpu {
	unsigned cpu;
	int group;                       /* 0 main, 1 long, -1 in no group */
	double in_rps, out_rps;
	double qdelay_avg_us, qdelay_p50_us, qdelay_p99_us, qdelay_max_us;
	double kthread_util;             /* 0..1, NAN unknown */
	uint64_t queue_drops;
};

struct bench_window {
	int64_t time_usec;               /* CLOCK_REALTIME end of the window */
	double window_ms;
	char policy[16];
	unsigned group_size[2];          /* main, long */
	double in_rps, out_rps;
	double qdelay_avg_us, qdelay_p50_us, qdelay_p99_us;
	struct bench_window_cpu *cpus;
	unsigned n_cpus;
};

struct bench_change {
	int64_t time_usec;
	char action[8];                  /* grow, shrink, policy */
	int cpu;
	char group[8];
	unsigned group_size;
	double metric_us;
	char reason[160];
};

/* The daemon's series over a run, read in pieces (each piece from the newest on). */
struct bench_series {
	struct bench_window *w;
	size_t n, cap;
	struct bench_change *c;
	size_t nc, capc;
	bool supported;                  /* the daemon gave windows at all */
	bool truncated;                  /* its ring dropped windows between two reads */
	int64_t newest_usec;             /* the newest window or change read (or where to
					  * start reading: older ones are left out) */
};

void bench_series_free(struct bench_series *s);

/*
 * Reads bpfnic-loadgen's --json document of a one-step run into r (counts, rates,
 * percentiles, validity, and the measured window's wall-clock span when it gives
 * one). 0, or -EINVAL with why.
 */
int bench_loadgen_parse(const char *json, struct bench_step_result *r, char *why, size_t why_size);

/*
 * Appends what a GetStats reply (bpfnicctl --json stats --since T) adds to s: the
 * windows and changes newer than s->newest_usec. A reply without "windows" (an older
 * bpfnicd) leaves s->supported false. 0, -EINVAL with why, or -ENOMEM.
 */
int bench_series_parse(const char *json, struct bench_series *s, char *why, size_t why_size);

/*
 * The server's side of a step: the requests/s in and out averaged over the windows
 * overlapping [wall_start, wall_end] (weighted by overlap), and the group sizes of the
 * windows covering its start and its end.
 */
void bench_step_join(const struct bench_series *s, struct bench_step_result *r);

/* The step of results (by rep and arm) whose span holds t, or the one after it. -1: none. */
int bench_step_at(const struct bench_step_result *r, size_t n, unsigned rep, unsigned arm,
		  int64_t t_usec);

#endif
