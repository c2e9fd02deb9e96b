/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Pure arithmetic over the data path's statistics (bpf/bpfnic.h): sums over CPUs,
 * differences between two readings (a window), and percentiles of the BPF log-scale
 * queuing-delay histogram. No I/O: unit tests reach it directly.
 */
#ifndef BPFNIC_DPSTATS_H
#define BPFNIC_DPSTATS_H

#include "bpfnic.h"

void bpfnic_sched_stats_add(struct bpfnic_sched_stats *dst, const struct bpfnic_sched_stats *src);
void bpfnic_worker_stats_add(struct bpfnic_worker_stats *dst, const struct bpfnic_worker_stats *src);

/*
 * dst = now - before, counter by counter. The window has no exact maximum (the kernel
 * keeps a lifetime one): qdelay_max_ns becomes the top of the highest bucket the
 * window filled, capped by the lifetime maximum.
 */
void bpfnic_sched_stats_delta(struct bpfnic_sched_stats *dst, const struct bpfnic_sched_stats *now,
			      const struct bpfnic_sched_stats *before);
void bpfnic_worker_stats_delta(struct bpfnic_worker_stats *dst, const struct bpfnic_worker_stats *now,
			       const struct bpfnic_worker_stats *before);

/* Requests served (all classes) and the queuing delays' count/mean. */
__u64 bpfnic_worker_processed(const struct bpfnic_worker_stats *w);
double bpfnic_worker_qdelay_avg_ns(const struct bpfnic_worker_stats *w);

/*
 * The q-quantile (0 < q <= 1) of the queuing-delay histogram in ns, the midpoint of
 * the bucket holding it (within ~6 % of the true value); 0 when the histogram is empty.
 */
double bpfnic_worker_qdelay_quantile_ns(const struct bpfnic_worker_stats *w, double q);

#endif
