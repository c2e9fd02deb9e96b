/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon's scaler, for the model: see daemon_glue.h. */
#include "model/daemon_glue.h"

/* As daemon/policy.c starts it. */
void bpfnic_model_scaler_start(struct bpfnic_model_scaler *s, const struct bpfnic_policy_params *p,
			       uint64_t now_ms, unsigned *size)
{
	struct bpfnic_scaler_params sp = bpfnic_scaler_params_of(p);

	bpfnic_scaler_init(&s->state, now_ms);
	*size = bpfnic_scaler_clamp(&sp, *size);
}

enum bpfnic_model_scale bpfnic_model_scaler_step(struct bpfnic_model_scaler *s,
						 const struct bpfnic_policy_params *p,
						 uint64_t now_ms, bool traffic, double metric_us,
						 unsigned *size, char *reason, size_t reason_size)
{
	struct bpfnic_scaler_params sp = bpfnic_scaler_params_of(p);
	struct bpfnic_scaler_window w = { .now_ms = now_ms, .traffic = traffic, .metric_us = metric_us };
	enum bpfnic_scaler_action a = bpfnic_scaler_step(&s->state, &sp, &w, *size, reason,
							 reason_size);

	if (a == BPFNIC_SCALER_GROW) {
		++*size;
		return BPFNIC_MODEL_GROW;
	}
	if (a == BPFNIC_SCALER_SHRINK) {
		--*size;
		return BPFNIC_MODEL_SHRINK;
	}
	return BPFNIC_MODEL_HOLD;
}

void bpfnic_model_split_start(struct bpfnic_model_split *s, uint64_t now_ms)
{
	bpfnic_split_init(&s->state, now_ms);
}

/* As daemon/policy.c's split_tick hands the window over. */
unsigned bpfnic_model_split_step(struct bpfnic_model_split *s, const struct bpfnic_policy_params *p,
				 uint64_t now_ms, const double rps[2], const double service_us[2],
				 const uint64_t served[2], unsigned k, unsigned n_long, char *reason,
				 size_t reason_size)
{
	struct bpfnic_split_window w = { .now_ms = now_ms };

	for (int c = 0; c < 2; c++)
		w.cls[c] = (struct bpfnic_split_class){ rps[c], service_us[c], served[c] };
	return bpfnic_split_step(&s->state, &w, k, n_long, p->cooldown_ms, reason, reason_size);
}
