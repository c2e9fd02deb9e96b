/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the model takes from the daemon's own code, in one place: the dynamic policy's
 * scaler (daemon/scaler.h), run as is on the model's windows. When the daemon's names
 * change, this file and daemon_glue.c are the only ones to follow. (The policy and its
 * parameters, their defaults and checks come from lib/params.h, as for every program.)
 */
#ifndef BPFNIC_MODEL_DAEMON_GLUE_H
#define BPFNIC_MODEL_DAEMON_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"

enum bpfnic_model_scale {
	BPFNIC_MODEL_HOLD = 0,
	BPFNIC_MODEL_GROW,
	BPFNIC_MODEL_SHRINK,
};

struct bpfnic_model_scaler;

/* The scaler started at now_ms; *size, the group's, brought within the policy's bounds
 * as the daemon does when the policy starts. 0 or -ENOMEM. */
int bpfnic_model_scaler_new(const struct bpfnic_policy_params *p, uint64_t now_ms,
			    unsigned *size, struct bpfnic_model_scaler **out);
void bpfnic_model_scaler_free(struct bpfnic_model_scaler *s);

/* One window ending at now_ms, whose metric is metric_us (the policy's: mean or p99);
 * *size follows the decision; reason as the daemon logs it. */
enum bpfnic_model_scale bpfnic_model_scaler_step(struct bpfnic_model_scaler *s,
						 const struct bpfnic_policy_params *p,
						 uint64_t now_ms, bool traffic, double metric_us,
						 unsigned *size, char *reason, size_t reason_size);

#endif
