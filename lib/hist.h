/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Log-linear histogram of nanosecond values, 1 ns .. 10 s, <= 1 % relative error.
 *
 * Bucketing is bpf/bpfnic.h's bpfnic_log_bucket() with BPFNIC_LG_HIST_SUB_BITS
 * sub-bits: every power of two is split into 128 linear sub-buckets, so a bucket is at
 * most 1/128 of its lower bound wide and the reported midpoint is within 0.4 % of any
 * value in it. Values above BPFNIC_LG_HIST_MAX_NS land in the last bucket (counted in
 * `clamped`; max stays exact).
 *
 * One writer per histogram (each thread owns its own): recording is a few plain
 * arithmetic operations, no locks, no atomics. Readers merge after the writers have
 * stopped (the step's end is the synchronisation point).
 */
#ifndef BPFNIC_HIST_H
#define BPFNIC_HIST_H

#include <stdint.h>
#include "bpfnic.h"

#define BPFNIC_LG_HIST_SUB_BITS 7u
#define BPFNIC_LG_HIST_MAX_NS   10000000000ull /* 10 s */
/* 10 s < 2^34: octaves 0..34-SUB_BITS, each 2^SUB_BITS buckets. */
#define BPFNIC_LG_HIST_BUCKETS  ((34u - BPFNIC_LG_HIST_SUB_BITS + 1u) << BPFNIC_LG_HIST_SUB_BITS)

struct bpfnic_hist {
	uint64_t count;
	uint64_t clamped;  /* values above BPFNIC_LG_HIST_MAX_NS */
	uint64_t min;      /* exact; UINT64_MAX when empty */
	uint64_t max;      /* exact */
	double sum;        /* for the mean; a double so hours of ns never overflow */
	uint64_t buckets[BPFNIC_LG_HIST_BUCKETS];
};

void bpfnic_hist_init(struct bpfnic_hist *h);

static inline void bpfnic_hist_record(struct bpfnic_hist *h, uint64_t v)
{
	uint32_t b;

	if (v > BPFNIC_LG_HIST_MAX_NS) {
		h->clamped++;
		b = BPFNIC_LG_HIST_BUCKETS - 1;
	} else {
		b = bpfnic_log_bucket(v, BPFNIC_LG_HIST_SUB_BITS);
	}
	h->buckets[b]++;
	h->count++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* dst += src. */
void bpfnic_hist_merge(struct bpfnic_hist *dst, const struct bpfnic_hist *src);

/*
 * The q-quantile (0 <= q <= 1) in ns: the value of rank ceil(q * count) (rank 1 for
 * q = 0), reported as its bucket's midpoint clamped to [min, max]; q = 1 gives max
 * exactly. 0 when empty.
 */
double bpfnic_hist_quantile(const struct bpfnic_hist *h, double q);
double bpfnic_hist_mean(const struct bpfnic_hist *h);

/* Bucket b covers [bpfnic_hist_bucket_low(b), bpfnic_hist_bucket_low(b + 1)). */
uint64_t bpfnic_hist_bucket_low(uint32_t b);

/*
 * The same histogram with only its non-empty buckets, in bucket order: what results
 * keep and files carry (a step's histogram has a few hundred of the 3584 buckets).
 * Adding it back into a full one is exact, so histograms of several runs add up.
 */
struct bpfnic_hist_bucket {
	uint32_t index;
	uint64_t count;
};

struct bpfnic_hist_sparse {
	uint64_t count, clamped, min, max; /* as in struct bpfnic_hist */
	double sum;
	uint32_t n;                        /* non-empty buckets */
	struct bpfnic_hist_bucket *b;      /* [n], owned; NULL when n == 0 */
};

/* s = h (s's old buckets are not freed). 0 or -ENOMEM (s is then empty). */
int bpfnic_hist_sparse_from(struct bpfnic_hist_sparse *s, const struct bpfnic_hist *h);
/* h += s. */
void bpfnic_hist_sparse_add(struct bpfnic_hist *h, const struct bpfnic_hist_sparse *s);
void bpfnic_hist_sparse_free(struct bpfnic_hist_sparse *s);

#endif
