/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#include <math.h>
#include <string.h>
#include "hist.h"

void bpfnic_hist_init(struct bpfnic_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void bpfnic_hist_merge(struct bpfnic_hist *dst, const struct bpfnic_hist *src)
{
	for (uint32_t b = 0; b < BPFNIC_LG_HIST_BUCKETS; b++)
		dst->buckets[b] += src->buckets[b];
	dst->count += src->count;
	dst->clamped += src->clamped;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t bpfnic_hist_bucket_low(uint32_t b)
{
	return bpfnic_log_bucket_low(b, BPFNIC_LG_HIST_SUB_BITS);
}

double bpfnic_hist_quantile(const struct bpfnic_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return 0;
	if (q >= 1)
		return (double)h->max;
	if (q <= 0)
		return (double)h->min;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (uint32_t b = 0; b < BPFNIC_LG_HIST_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen < rank)
			continue;
		if (b == BPFNIC_LG_HIST_BUCKETS - 1 && h->clamped)
			return (double)h->max; /* the overflow bucket has no upper bound */
		uint64_t low = bpfnic_hist_bucket_low(b), high = bpfnic_hist_bucket_low(b + 1);
		double mid = (double)low + (double)(high - low - 1) / 2.0;

		if (mid < (double)h->min)
			mid = (double)h->min;
		if (mid > (double)h->max)
			mid = (double)h->max;
		return mid;
	}
	return (double)h->max;
}

double bpfnic_hist_mean(const struct bpfnic_hist *h)
{
	return h->count ? h->sum / (double)h->count : 0;
}
