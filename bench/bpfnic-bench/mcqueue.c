/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The thesis' M/C/k/N analysis: see mcqueue.h. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "bench/bpfnic-bench/mcqueue.h"

static double mean_service_us(const struct mck_input *in)
{
	double s = 0;

	for (unsigned c = 0; c < MCK_NR_CLASSES; c++)
		s += in->p[c] * in->service_us[c];
	return s;
}

double mck_rr_capacity(const struct mck_input *in, unsigned k)
{
	double s = mean_service_us(in);

	return s > 0 ? k * 1e6 / s : INFINITY;
}

double mck_short_share(const struct mck_input *in)
{
	double s = mean_service_us(in);

	return s > 0 ? in->p[0] * in->service_us[0] / s : 0;
}

/* Departure rate of k CPUs serving requests of service time s (µs), in req/s. */
static double mu(unsigned k, double s)
{
	return s > 0 ? k * 1e6 / s : INFINITY;
}

int mck_predict(enum bpfnic_policy policy, unsigned k_main, unsigned k_long,
		const struct mck_input *in, struct mck_prediction *out)
{
	double s = mean_service_us(in);

	memset(out, 0, sizeof(*out));
	out->policy = policy;
	out->k_main = k_main;
	if (k_main == 0)
		return -EINVAL;
	switch (policy) {
	case BPFNIC_POLICY_RR:
	case BPFNIC_POLICY_DYNAMIC:
		/* One queue per CPU, every class in each: one μ, one knee for all. */
		for (unsigned c = 0; c < MCK_NR_CLASSES; c++) {
			out->mu_rps[c] = mck_rr_capacity(in, k_main);
			out->knee_rps[c] = out->mu_rps[c];
			out->plateau_us[c] = in->queue_size * s;
		}
		break;
	case BPFNIC_POLICY_SPLIT:
		if (k_long == 0)
			return -EINVAL;
		out->k_long = k_long;
		/* Two M/C/k/N queues, each class alone in its own. */
		for (unsigned c = 0; c < MCK_NR_CLASSES; c++) {
			unsigned k = c == 0 ? k_main : k_long;

			out->mu_rps[c] = mu(k, in->service_us[c]);
			out->knee_rps[c] = in->p[c] > 0 ? out->mu_rps[c] / in->p[c] : INFINITY;
			out->plateau_us[c] = in->queue_size * in->service_us[c];
		}
		break;
	default:
		return -EINVAL;
	}
	out->capacity_rps = INFINITY;
	for (unsigned c = 0; c < MCK_NR_CLASSES; c++)
		if (in->p[c] > 0 && out->knee_rps[c] < out->capacity_rps)
			out->capacity_rps = out->knee_rps[c];
	return 0;
}

double mck_out_rps(const struct mck_prediction *pr, const struct mck_input *in, double lambda)
{
	double out = 0;

	if (pr->policy != BPFNIC_POLICY_SPLIT)
		return lambda < pr->capacity_rps ? lambda : pr->capacity_rps;
	for (unsigned c = 0; c < MCK_NR_CLASSES; c++) {
		double offered = lambda * in->p[c];

		out += offered < pr->mu_rps[c] ? offered : pr->mu_rps[c];
	}
	return out;
}
