// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Arithmetic over the data path's statistics: see dpstats.h. */
#include <stddef.h>
#include "datapath/dpstats.h"

/* Both statistics structs are arrays of __u64 counters; walk them as such. */
#define N_U64(type) (sizeof(type) / sizeof(__u64))
_Static_assert(sizeof(struct bpfnic_sched_stats) % sizeof(__u64) == 0, "u64 only");
_Static_assert(sizeof(struct bpfnic_worker_stats) % sizeof(__u64) == 0, "u64 only");

static void add_u64s(__u64 *dst, const __u64 *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

/* Counters only grow; a reading older than "before" (a reloaded program) yields 0. */
static void delta_u64s(__u64 *dst, const __u64 *now, const __u64 *before, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = now[i] >= before[i] ? now[i] - before[i] : 0;
}

void bpfnic_sched_stats_add(struct bpfnic_sched_stats *dst, const struct bpfnic_sched_stats *src)
{
	add_u64s((__u64 *)dst, (const __u64 *)src, N_U64(*dst));
}

void bpfnic_worker_stats_add(struct bpfnic_worker_stats *dst, const struct bpfnic_worker_stats *src)
{
	__u64 max = dst->qdelay_max_ns > src->qdelay_max_ns ? dst->qdelay_max_ns : src->qdelay_max_ns;

	add_u64s((__u64 *)dst, (const __u64 *)src, N_U64(*dst));
	dst->qdelay_max_ns = max;
}

void bpfnic_sched_stats_delta(struct bpfnic_sched_stats *dst, const struct bpfnic_sched_stats *now,
			      const struct bpfnic_sched_stats *before)
{
	delta_u64s((__u64 *)dst, (const __u64 *)now, (const __u64 *)before, N_U64(*dst));
}

void bpfnic_worker_stats_delta(struct bpfnic_worker_stats *dst, const struct bpfnic_worker_stats *now,
			       const struct bpfnic_worker_stats *before)
{
	delta_u64s((__u64 *)dst, (const __u64 *)now, (const __u64 *)before, N_U64(*dst));
	/*
	 * The kernel keeps a lifetime maximum; the window's own maximum is bounded by the
	 * top of the highest histogram bucket the window filled.
	 */
	dst->qdelay_max_ns = 0;
	for (unsigned b = BPFNIC_HIST_BUCKETS; b-- > 0;) {
		if (dst->qdelay_hist[b]) {
			__u64 top = bpfnic_log_bucket_low(b + 1, BPFNIC_HIST_SUB_BITS) - 1;

			dst->qdelay_max_ns = top < now->qdelay_max_ns ? top : now->qdelay_max_ns;
			break;
		}
	}
}

__u64 bpfnic_worker_processed(const struct bpfnic_worker_stats *w)
{
	__u64 n = 0;

	for (int c = 0; c < BPFNIC_NR_CLASSES; c++)
		n += w->processed[c];
	return n;
}

double bpfnic_worker_qdelay_avg_ns(const struct bpfnic_worker_stats *w)
{
	__u64 n = bpfnic_worker_processed(w);

	return n ? (double)w->qdelay_sum_ns / (double)n : 0.0;
}

double bpfnic_worker_qdelay_quantile_ns(const struct bpfnic_worker_stats *w, double q)
{
	__u64 total = 0, seen = 0, rank;

	for (unsigned b = 0; b < BPFNIC_HIST_BUCKETS; b++)
		total += w->qdelay_hist[b];
	if (total == 0)
		return 0.0;
	if (q <= 0.0)
		q = 0.0;
	if (q > 1.0)
		q = 1.0;
	/* The rank-th smallest value (1-based), nearest-rank definition. */
	rank = (__u64)(q * (double)total + 0.999999999);
	if (rank == 0)
		rank = 1;
	for (unsigned b = 0; b < BPFNIC_HIST_BUCKETS; b++) {
		seen += w->qdelay_hist[b];
		if (seen >= rank) {
			double low = (double)bpfnic_log_bucket_low(b, BPFNIC_HIST_SUB_BITS);
			double high = (double)bpfnic_log_bucket_low(b + 1, BPFNIC_HIST_SUB_BITS);
			double mid = (low + high - 1.0) / 2.0;

			/* Never report more than the true maximum. */
			if (w->qdelay_max_ns && mid > (double)w->qdelay_max_ns)
				mid = (double)w->qdelay_max_ns;
			return mid;
		}
	}
	return (double)w->qdelay_max_ns;
}
