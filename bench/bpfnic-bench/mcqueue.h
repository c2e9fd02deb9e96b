/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The thesis' M/C/k/N analysis (§5.1.2): the server as k constant-service queues fed
 * by Poisson arrivals, each worker CPU's cpumap queue holding N/k requests. The
 * highest sustainable arrival rate is λ_max = μ:
 *
 *   rr, dynamic (one group of k):   μ = k / (p_L·S_L + p_S·S_S)
 *   split (k_S short, k_L long):    μ_S = k_S / S_S,  μ_L = k_L / S_L; class c's queue
 *                                   saturates when the TOTAL offered load reaches
 *                                   μ_c / p_c
 *
 * and split serves short requests at least as long as rr does when
 *
 *   k_S >= p_S·S_S / (p_L·S_L + p_S·S_S) · k    (≈ 0.47·k for p_S = 0.9, S_L = 10·S_S).
 *
 * Beyond μ the queues are full: a request waits behind a whole queue (the plateau of
 * figures 5.1/5.2) and the excess is dropped (figure 5.3). Pure: no I/O.
 */
#ifndef BPFNIC_BENCH_MCQUEUE_H
#define BPFNIC_BENCH_MCQUEUE_H

#include "bpfnic.h"

#define MCK_NR_CLASSES 2u /* short, long */

struct mck_input {
	double p[MCK_NR_CLASSES];          /* share of each class, summing to 1 */
	double service_us[MCK_NR_CLASSES]; /* constant service time of each class */
	unsigned queue_size;               /* per worker CPU (cpumap), the thesis' 4096 */
};

struct mck_prediction {
	enum bpfnic_policy policy;
	unsigned k_main, k_long;             /* CPUs of each group (k_long: split only) */
	double mu_rps[MCK_NR_CLASSES];       /* departure rate of the queue serving the class */
	double knee_rps[MCK_NR_CLASSES];     /* total offered load that saturates its queue */
	double capacity_rps;                 /* λ_max: the lower of the two */
	double plateau_us[MCK_NR_CLASSES];   /* queuing delay once its queues are full */
};

/* μ of one group of k CPUs serving the whole mix: k / (p_L·S_L + p_S·S_S), in req/s. */
double mck_rr_capacity(const struct mck_input *in, unsigned k);

/*
 * The share of the CPUs split must give short requests to sustain as many of them as
 * rr does: p_S·S_S / (p_L·S_L + p_S·S_S) (the thesis' k_S ≈ 0.47·k).
 */
double mck_short_share(const struct mck_input *in);

/*
 * The prediction for a policy: rr and dynamic over k_main CPUs (dynamic at its
 * largest group), split with k_main short and k_long long CPUs. 0, or -EINVAL for a
 * policy the analysis does not model or a group without CPUs.
 * A class with no traffic has an infinite knee; a class with zero service time too.
 */
int mck_predict(enum bpfnic_policy policy, unsigned k_main, unsigned k_long,
		const struct mck_input *in, struct mck_prediction *out);

/* What the server sends back at offered load λ: each class up to its queue's μ. */
double mck_out_rps(const struct mck_prediction *pr, const struct mck_input *in, double lambda);

#endif
