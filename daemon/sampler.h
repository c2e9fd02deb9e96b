/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The statistics sampler: reads the data path's counters every tick and keeps the
 * last complete window (daemon/stats.h computes it), with the cpumap kernel threads'
 * CPU use per worker CPU. Totals since attach come from a fresh reading on demand.
 */
#ifndef BPFNICD_SAMPLER_H
#define BPFNICD_SAMPLER_H

#include <stdint.h>

#include "params.h"
#include "datapath/datapath.h"
#include "daemon/stats.h"

struct bpfnicd_sampler;

/* Sample dp over the candidate CPUs; the first window starts now. 0 or -errno. */
int bpfnicd_sampler_new(struct bpfnic_dp *dp, const struct bpfnic_cpus *cpus, int cpumap_id,
			uint64_t now_usec, struct bpfnicd_sampler **out);
void bpfnicd_sampler_free(struct bpfnicd_sampler *s);

/* Close the window at now_usec. 0, or the data path's -errno (the window is kept). */
int bpfnicd_sampler_tick(struct bpfnicd_sampler *s, uint64_t now_usec);

/* The last complete window (zeros before the first tick). */
const struct bpfnicd_window *bpfnicd_sampler_window(const struct bpfnicd_sampler *s);

/*
 * Counters since attach as of the last tick (the kthreads' CPU time included), and
 * that tick's reading of the data path, for what the window leaves out (histograms).
 * -ENODATA (*cum zeroed, *reading NULL) before the data path could be read at all.
 */
int bpfnicd_sampler_cumulative(const struct bpfnicd_sampler *s, struct bpfnicd_window *cum,
			       const struct bpfnic_dp_stats **reading);

/*
 * Counters since attach from a fresh reading (no rates), for exact totals; when the
 * data path cannot be read, the last window's counters. 0 or -errno.
 */
int bpfnicd_sampler_totals(struct bpfnicd_sampler *s, struct bpfnicd_window *cum);

#endif
