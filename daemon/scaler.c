/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The dynamic policy's grow/shrink decision: see scaler.h. Pure: no I/O, no clock. */
#include <stdio.h>

#include "daemon/scaler.h"
#include "params.h"

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

struct bpfnic_scaler_params bpfnic_scaler_params_of(const struct bpfnic_policy_params *p)
{
	return (struct bpfnic_scaler_params){
		.threshold_us = p->threshold_us,
		.shrink_below_us = p->shrink_below_us,
		.min_cpus = p->min_cpus,
		.max_cpus = p->max_cpus,
		.cooldown_ms = p->cooldown_ms,
	};
}

void bpfnic_scaler_init(struct bpfnic_scaler_state *s, uint64_t now_ms)
{
	*s = (struct bpfnic_scaler_state){ .last_change_ms = now_ms, .window_start_ms = now_ms };
}

unsigned bpfnic_scaler_clamp(const struct bpfnic_scaler_params *p, unsigned size)
{
	return clamp(size, p->min_cpus, p->max_cpus);
}

static enum bpfnic_scaler_action change(struct bpfnic_scaler_state *s, enum bpfnic_scaler_action a,
				     uint64_t now_ms)
{
	s->last_change_ms = now_ms;
	s->window_start_ms = now_ms;
	/* A shrink needs a fresh whole cooldown below the mark before the next one. */
	s->below = false;
	return a;
}

enum bpfnic_scaler_action bpfnic_scaler_step(struct bpfnic_scaler_state *s,
					     const struct bpfnic_scaler_params *p,
					     const struct bpfnic_scaler_window *w, unsigned size,
					     char *reason, size_t reason_size)
{
	bool cooled = w->now_ms - s->last_change_ms >= p->cooldown_ms;
	bool above = w->traffic && w->metric_us > p->threshold_us;
	bool below = !w->traffic || w->metric_us < p->shrink_below_us;

	/* Bounds first: parameters may have changed under a running group. */
	if (size < p->min_cpus) {
		snprintf(reason, reason_size, "group of %u is below MinCpus=%u", size, p->min_cpus);
		return change(s, BPFNIC_SCALER_GROW, w->now_ms);
	}
	if (size > p->max_cpus) {
		snprintf(reason, reason_size, "group of %u is above MaxCpus=%u", size, p->max_cpus);
		return change(s, BPFNIC_SCALER_SHRINK, w->now_ms);
	}

	if (!below)
		s->below = false;
	else if (!s->below) {
		s->below = true;
		s->below_since_ms = s->window_start_ms;
	}
	s->window_start_ms = w->now_ms;

	if (above && cooled && size < p->max_cpus) {
		snprintf(reason, reason_size, "queuing delay %.1f us above threshold %.0f us",
			 w->metric_us, p->threshold_us);
		return change(s, BPFNIC_SCALER_GROW, w->now_ms);
	}
	if (s->below && cooled && size > p->min_cpus &&
	    w->now_ms - s->below_since_ms >= p->cooldown_ms) {
		if (w->traffic)
			snprintf(reason, reason_size, "queuing delay below %.0f us for %llu ms (now %.1f us)",
				 p->shrink_below_us, (unsigned long long)(w->now_ms - s->below_since_ms),
				 w->metric_us);
		else
			snprintf(reason, reason_size, "no traffic or queuing delay below %.0f us for %llu ms",
				 p->shrink_below_us, (unsigned long long)(w->now_ms - s->below_since_ms));
		return change(s, BPFNIC_SCALER_SHRINK, w->now_ms);
	}
	return BPFNIC_SCALER_HOLD;
}
