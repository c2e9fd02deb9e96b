/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon's policy defaults and controller, for the model: see daemon_glue.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/controller.h"
#include "model/daemon_glue.h"

struct bpfnic_model_scaler {
	struct bpfnic_ctl_state state;
};

void bpfnic_model_policy_defaults(bpfnic_model_policy *p, unsigned n_cpus)
{
	struct bpfnic_cpuset none = { 0 };
	struct bpfnicd_config c;

	bpfnicd_config_defaults(&c, &none);
	*p = c.policy;
	if (p->max_cpus == 0)
		p->max_cpus = n_cpus;
	if (p->shrink_below_auto)
		p->shrink_below_us = p->threshold_us / 2;
}

int bpfnic_model_policy_by_name(const char *name)
{
	for (unsigned i = 0; i < BPFNIC_NR_POLICIES; i++)
		if (strcmp(name, bpfnic_policy_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

const char *bpfnic_model_policy_name(unsigned id)
{
	return id < BPFNIC_NR_POLICIES ? bpfnic_policy_names[id] : "?";
}

int bpfnic_model_policy_check(const bpfnic_model_policy *p, unsigned n_cpus, char *why,
			      size_t why_size)
{
	const char *param = "policy";
	char reason[160];
	int r = bpfnicd_policy_check(p, n_cpus, &param, reason, sizeof(reason));

	if (r < 0)
		snprintf(why, why_size, "%s: %s", param, reason);
	return r;
}

bool bpfnic_model_policy_metric_p99(const bpfnic_model_policy *p)
{
	return p->metric == BPFNIC_METRIC_P99;
}

static struct bpfnic_ctl_params params(const bpfnic_model_policy *p)
{
	return (struct bpfnic_ctl_params){
		.threshold_us = p->threshold_us,
		.shrink_below_us = p->shrink_below_us,
		.min_cpus = p->min_cpus,
		.max_cpus = p->max_cpus,
		.cooldown_ms = p->cooldown_ms,
	};
}

int bpfnic_model_scaler_new(const bpfnic_model_policy *p, uint64_t now_ms, unsigned *size,
			    struct bpfnic_model_scaler **out)
{
	struct bpfnic_ctl_params cp = params(p);
	struct bpfnic_model_scaler *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	bpfnic_ctl_init(&s->state, &cp, *size, now_ms);
	*size = s->state.size;
	*out = s;
	return 0;
}

void bpfnic_model_scaler_free(struct bpfnic_model_scaler *s)
{
	free(s);
}

enum bpfnic_model_scale bpfnic_model_scaler_step(struct bpfnic_model_scaler *s,
						 const bpfnic_model_policy *p, uint64_t now_ms,
						 bool traffic, double metric_us, unsigned *size,
						 char *reason, size_t reason_size)
{
	struct bpfnic_ctl_params cp = params(p);
	struct bpfnic_ctl_window w = { .now_ms = now_ms, .traffic = traffic, .metric_us = metric_us };
	enum bpfnic_ctl_action a = bpfnic_ctl_step(&s->state, &cp, &w, reason, reason_size);

	*size = s->state.size;
	return a == BPFNIC_CTL_GROW ? BPFNIC_MODEL_GROW :
	       a == BPFNIC_CTL_SHRINK ? BPFNIC_MODEL_SHRINK : BPFNIC_MODEL_HOLD;
}
