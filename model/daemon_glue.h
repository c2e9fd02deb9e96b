/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the model takes from the daemon's own code, in one place: the dynamic policy's
 * scaler (daemon/scaler.h) and the automatic split's sizing (daemon/splitsize.h), run
 * as they are on the model's windows; the model holds their state by value. When the
 * daemon's names change, this file and daemon_glue.c are the only ones to follow. (The policy and its
 * parameters, their defaults and checks come from lib/params.h, as for every program.)
 */
#ifndef BPFNIC_MODEL_DAEMON_GLUE_H
#define BPFNIC_MODEL_DAEMON_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/scaler.h"
#include "daemon/splitsize.h"
#include "params.h"

enum bpfnic_model_scale {
	BPFNIC_MODEL_HOLD = 0,
	BPFNIC_MODEL_GROW,
	BPFNIC_MODEL_SHRINK,
};

/* The daemon's state of each controller, held by value in the model. */
struct bpfnic_model_scaler {
	struct bpfnic_scaler_state state;
};

/* The scaler started at now_ms; *size, the group's, brought within the policy's bounds
 * as the daemon does when the policy starts. */
void bpfnic_model_scaler_start(struct bpfnic_model_scaler *s, const struct bpfnic_policy_params *p,
			       uint64_t now_ms, unsigned *size);

/* One window ending at now_ms, whose metric is metric_us (the policy's: mean or p99);
 * *size follows the decision; reason as the daemon logs it. */
enum bpfnic_model_scale bpfnic_model_scaler_step(struct bpfnic_model_scaler *s,
						 const struct bpfnic_policy_params *p,
						 uint64_t now_ms, bool traffic, double metric_us,
						 unsigned *size, char *reason, size_t reason_size);

/* split --long-cpus auto (daemon/splitsize.h): the long group's size for k CPUs on one
 * window (its class rates and service times), as the daemon decides it. */
struct bpfnic_model_split {
	struct bpfnic_split_state state;
};

void bpfnic_model_split_start(struct bpfnic_model_split *s, uint64_t now_ms);
unsigned bpfnic_model_split_step(struct bpfnic_model_split *s, const struct bpfnic_policy_params *p,
				 uint64_t now_ms, const double rps[2], const double service_us[2],
				 const uint64_t served[2], unsigned k, unsigned n_long, char *reason,
				 size_t reason_size);

#endif
