/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
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

int bpfnic_hist_sparse_from(struct bpfnic_hist_sparse *s, const struct bpfnic_hist *h)
{
	uint32_t n = 0;

	*s = (struct bpfnic_hist_sparse){ .count = h->count, .clamped = h->clamped, .min = h->min,
					   .max = h->max, .sum = h->sum };
	for (uint32_t b = 0; b < BPFNIC_LG_HIST_BUCKETS; b++)
		n += h->buckets[b] != 0;
	if (n == 0)
		return 0;
	s->b = malloc(n * sizeof(*s->b));
	if (!s->b) {
		*s = (struct bpfnic_hist_sparse){ .min = UINT64_MAX };
		return -ENOMEM;
	}
	for (uint32_t b = 0; b < BPFNIC_LG_HIST_BUCKETS; b++)
		if (h->buckets[b])
			s->b[s->n++] = (struct bpfnic_hist_bucket){ b, h->buckets[b] };
	return 0;
}

void bpfnic_hist_sparse_add(struct bpfnic_hist *h, const struct bpfnic_hist_sparse *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		h->buckets[s->b[i].index] += s->b[i].count;
	h->count += s->count;
	h->clamped += s->clamped;
	h->sum += s->sum;
	if (s->count && s->min < h->min)
		h->min = s->min;
	if (s->count && s->max > h->max)
		h->max = s->max;
}

void bpfnic_hist_sparse_free(struct bpfnic_hist_sparse *s)
{
	free(s->b);
	*s = (struct bpfnic_hist_sparse){ .min = UINT64_MAX };
}
