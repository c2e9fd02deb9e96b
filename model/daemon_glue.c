/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon's scaler, for the model: see daemon_glue.h. */
#include <errno.h>
#include <stdlib.h>

#include "daemon/scaler.h"
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
