/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The open-loop arrival process: a seeded generator (xoshiro256**), inter-arrival gaps
 * (exponential for Poisson, fixed for constant) accumulated into an absolute schedule,
 * and the request-class draw for a traffic mix. Pure: no clock, no I/O.
 */
#ifndef BPFNIC_ARRIVAL_H
#define BPFNIC_ARRIVAL_H

#include <stdint.h>

struct bpfnic_rng {
	uint64_t s[4];
};

/* Every (seed, stream) pair gives an independent, repeatable sequence. */
void bpfnic_rng_seed(struct bpfnic_rng *r, uint64_t seed, uint64_t stream);
uint64_t bpfnic_rng_next(struct bpfnic_rng *r);
/* Uniform in [0, 1), 53 bits. */
double bpfnic_rng_uniform(struct bpfnic_rng *r);

enum bpfnic_arrivals {
	BPFNIC_ARRIVALS_POISSON = 0,
	BPFNIC_ARRIVALS_CONSTANT = 1,
};

/* "poisson", "constant": by enum bpfnic_arrivals, as options and reports name them. */
extern const char *const bpfnic_arrivals_names[2];

struct bpfnic_arrival {
	struct bpfnic_rng rng;
	enum bpfnic_arrivals kind;
	double mean_gap_ns; /* 1e9 / rate */
	double next_ns;     /* absolute intended time of the next arrival (fractional ns kept) */
	double start_ns;    /* constant mode: next = start + n * gap, so rounding never drifts */
	uint64_t n;
};

/*
 * rate_rps > 0; the first arrival is at start_ns (+ one gap for Poisson, so that
 * several independent senders do not all fire at once).
 */
int bpfnic_arrival_init(struct bpfnic_arrival *a, enum bpfnic_arrivals kind, double rate_rps,
			uint64_t start_ns, uint64_t seed, uint64_t stream);

/* The intended time of the next request, without advancing. */
static inline uint64_t bpfnic_arrival_peek(const struct bpfnic_arrival *a)
{
	return (uint64_t)(a->next_ns + 0.5);
}
/* The intended time of the next request; advances the schedule by one gap. */
uint64_t bpfnic_arrival_next(struct bpfnic_arrival *a);

/* A gap drawn from the process (ns, fractional). */
double bpfnic_arrival_gap(struct bpfnic_arrival *a);

/*
 * Class mix: weights per class (short, long), at least one positive. pick() returns
 * the class index with probability weight / total.
 */
struct bpfnic_mix {
	double cut; /* P(short) */
};

int bpfnic_mix_init(struct bpfnic_mix *m, unsigned weight_short, unsigned weight_long);
static inline unsigned bpfnic_mix_pick(const struct bpfnic_mix *m, struct bpfnic_rng *r)
{
	if (m->cut >= 1.0)
		return 0;
	if (m->cut <= 0.0)
		return 1;
	return bpfnic_rng_uniform(r) < m->cut ? 0 : 1;
}

#endif
