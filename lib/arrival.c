/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#include <errno.h>
#include <math.h>
#include "arrival.h"

const char *const bpfnic_arrivals_names[2] = { "poisson", "constant" };

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void bpfnic_rng_seed(struct bpfnic_rng *r, uint64_t seed, uint64_t stream)
{
	/* Mix the stream in through splitmix so neighbouring streams are unrelated. */
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ull + 0x8bb84b93962eacc9ull);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t bpfnic_rng_next(struct bpfnic_rng *r)
{
	uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double bpfnic_rng_uniform(struct bpfnic_rng *r)
{
	return (double)(bpfnic_rng_next(r) >> 11) * 0x1.0p-53;
}

double bpfnic_arrival_gap(struct bpfnic_arrival *a)
{
	if (a->kind == BPFNIC_ARRIVALS_CONSTANT)
		return a->mean_gap_ns;
	/* Inverse transform; 1 - U is in (0, 1], so the log is finite. */
	return -log1p(-bpfnic_rng_uniform(&a->rng)) * a->mean_gap_ns;
}

int bpfnic_arrival_init(struct bpfnic_arrival *a, enum bpfnic_arrivals kind, double rate_rps,
			uint64_t start_ns, uint64_t seed, uint64_t stream)
{
	if (!(rate_rps > 0) || !isfinite(rate_rps) ||
	    (kind != BPFNIC_ARRIVALS_POISSON && kind != BPFNIC_ARRIVALS_CONSTANT))
		return -EINVAL;
	bpfnic_rng_seed(&a->rng, seed, stream);
	a->kind = kind;
	a->mean_gap_ns = 1e9 / rate_rps;
	a->next_ns = a->start_ns = (double)start_ns;
	a->n = 0;
	if (kind == BPFNIC_ARRIVALS_POISSON)
		a->next_ns += bpfnic_arrival_gap(a);
	return 0;
}

uint64_t bpfnic_arrival_next(struct bpfnic_arrival *a)
{
	uint64_t t = bpfnic_arrival_peek(a);

	a->n++;
	if (a->kind == BPFNIC_ARRIVALS_CONSTANT)
		a->next_ns = a->start_ns + (double)a->n * a->mean_gap_ns;
	else
		a->next_ns += bpfnic_arrival_gap(a);
	return t;
}

int bpfnic_mix_init(struct bpfnic_mix *m, unsigned weight_short, unsigned weight_long)
{
	if (weight_short == 0 && weight_long == 0)
		return -EINVAL;
	m->cut = (double)weight_short / ((double)weight_short + (double)weight_long);
	return 0;
}
