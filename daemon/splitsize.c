/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* split --long-cpus auto, the long group's size: see splitsize.h. Pure. */
#include <math.h>
#include <stdio.h>

#include "daemon/splitsize.h"

void bpfnic_split_init(struct bpfnic_split_state *s, uint64_t now_ms)
{
	s->last_change_ms = now_ms;
	/* Service times measured before stay: they describe the same workload. */
}

double bpfnic_split_ideal_long(double rps_short, double service_short_us, double rps_long,
			       double service_long_us, unsigned k)
{
	double work_short = rps_short * service_short_us, work_long = rps_long * service_long_us;

	if (!(work_short + work_long > 0))
		return -1;
	return k * work_long / (work_short + work_long);
}

unsigned bpfnic_split_step(struct bpfnic_split_state *s, const struct bpfnic_split_window *w,
			   unsigned k, unsigned n_long, uint64_t cooldown_ms, char *reason,
			   size_t reason_size)
{
	double ideal, share;
	unsigned target;

	for (int c = 0; c < 2; c++)
		if (w->cls[c].served >= BPFNIC_SPLIT_MIN_SERVED && w->cls[c].service_us > 0)
			s->service_us[c] = w->cls[c].service_us;
	if (k < 2)
		return n_long;
	/* A class that arrives needs its service time; one that does not, none. */
	for (int c = 0; c < 2; c++)
		if (w->cls[c].rps > 0 && !(s->service_us[c] > 0))
			return n_long;
	ideal = bpfnic_split_ideal_long(w->cls[0].rps, s->service_us[0], w->cls[1].rps,
					s->service_us[1], k);
	if (ideal < 0 || w->now_ms - s->last_change_ms < cooldown_ms)
		return n_long;
	if (fabs(ideal - n_long) <= 0.5 + BPFNIC_SPLIT_MARGIN)
		return n_long;
	target = (unsigned)lround(ideal);
	if (target < 1)
		target = 1;
	if (target > k - 1)
		target = k - 1;
	if (target == n_long)
		return n_long;
	share = ideal / k * 100;
	snprintf(reason, reason_size,
		 "long requests carry %.0f %% of the work (%.0f/s of %.1f us, short %.0f/s of "
		 "%.1f us): %.2f of %u CPUs", share, w->cls[1].rps, s->service_us[1], w->cls[0].rps,
		 s->service_us[0], ideal, k);
	s->last_change_ms = w->now_ms;
	return target;
}
