/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon's scaler, for the model: see daemon_glue.h. */
#include <errno.h>
#include <stdlib.h>

#include "daemon/scaler.h"
#include "daemon/splitsize.h"
#include "model/daemon_glue.h"

struct bpfnic_model_scaler {
	struct bpfnic_scaler_state state;
};

/* As daemon/policy.c hands them over. */
int bpfnic_model_scaler_new(const struct bpfnic_policy_params *p, uint64_t now_ms,
			    unsigned *size, struct bpfnic_model_scaler **out)
{
	struct bpfnic_scaler_params sp = bpfnic_scaler_params_of(p);
	struct bpfnic_model_scaler *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	bpfnic_scaler_init(&s->state, now_ms);
	*size = bpfnic_scaler_clamp(&sp, *size);
	*out = s;
	return 0;
}

void bpfnic_model_scaler_free(struct bpfnic_model_scaler *s)
{
	free(s);
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

struct bpfnic_model_split {
	struct bpfnic_split_state state;
};

int bpfnic_model_split_new(uint64_t now_ms, struct bpfnic_model_split **out)
{
	struct bpfnic_model_split *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	bpfnic_split_init(&s->state, now_ms);
	*out = s;
	return 0;
}

void bpfnic_model_split_free(struct bpfnic_model_split *s)
{
	free(s);
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
