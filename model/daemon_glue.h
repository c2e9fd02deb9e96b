/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the model takes from the daemon, in one place: the policy and its parameters
 * as the daemon holds them (the same struct SetPolicy fills, so an experiment sets the
 * model exactly as it sets the lab), their defaults, and the dynamic policy's
 * controller, run as is on the model's windows. When the daemon's names change, this
 * file and daemon_glue.c are the only ones to follow.
 */
#ifndef BPFNIC_MODEL_DAEMON_GLUE_H
#define BPFNIC_MODEL_DAEMON_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config.h"

/* The policy and its parameters (fields policy, long_cpus, threshold_us, metric,
 * min_cpus, max_cpus, cooldown_ms, shrink_below_us, interval_ms). */
typedef struct bpfnicd_policy bpfnic_model_policy;

/* The daemon's defaults for a server of n_cpus candidate CPUs, resolved as bpfnicd
 * resolves them (MaxCpus= all of them, the low-water mark half the threshold). */
void bpfnic_model_policy_defaults(bpfnic_model_policy *p, unsigned n_cpus);

/* The id of the policy the daemon calls name ("rr", "split", "dynamic"), or -EINVAL;
 * and the name of an id ("?" out of range). */
int bpfnic_model_policy_by_name(const char *name);
const char *bpfnic_model_policy_name(unsigned id);

/* The daemon's own cross-checks of a policy for n_cpus CPUs: 0, or -EINVAL with why
 * ("long_cpus: must be between 1 and 15 ..."). */
int bpfnic_model_policy_check(const bpfnic_model_policy *p, unsigned n_cpus, char *why,
			      size_t why_size);

/* Whether the policy's window metric is the p99 (else the mean) queuing delay. */
bool bpfnic_model_policy_metric_p99(const bpfnic_model_policy *p);

enum bpfnic_model_scale {
	BPFNIC_MODEL_HOLD = 0,
	BPFNIC_MODEL_GROW,
	BPFNIC_MODEL_SHRINK,
};

struct bpfnic_model_scaler;

/* The controller started at now_ms; *size is the group's size, brought within the
 * policy's bounds as the daemon does when dynamic starts. -ENOMEM or 0. */
int bpfnic_model_scaler_new(const bpfnic_model_policy *p, uint64_t now_ms, unsigned *size,
			    struct bpfnic_model_scaler **out);
void bpfnic_model_scaler_free(struct bpfnic_model_scaler *s);

/* One window ending at now_ms; *size follows the decision; reason as the daemon logs it. */
enum bpfnic_model_scale bpfnic_model_scaler_step(struct bpfnic_model_scaler *s,
						 const bpfnic_model_policy *p, uint64_t now_ms,
						 bool traffic, double metric_us, unsigned *size,
						 char *reason, size_t reason_size);

#endif
