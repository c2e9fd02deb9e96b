/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The scaler: the dynamic policy's core-group controller (thesis §3.3.3 and §4.2.6,
 * with the shrinking its future work asks for), a pure decision over one statistics
 * window at a time. It holds no group: the caller passes the group's size in and
 * applies the decision (daemon/policy.c owns the group).
 *
 *   grow by one    when the window's metric is above threshold_us and at least
 *                  cooldown_ms passed since the last change;
 *   shrink by one  when every window for a whole cooldown_ms was below
 *                  shrink_below_us (a window without traffic counts as below), and
 *                  at least cooldown_ms passed since the last change;
 *   never outside  min_cpus..max_cpus (a size outside is brought back at once).
 *
 * The gap between shrink_below_us and threshold_us is the hysteresis that keeps a
 * noisy signal sitting at the threshold from flapping the group.
 */
#ifndef BPFNICD_SCALER_H
#define BPFNICD_SCALER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct bpfnic_scaler_params {
	double threshold_us;
	double shrink_below_us;
	unsigned min_cpus, max_cpus;
	uint64_t cooldown_ms;
};

struct bpfnic_scaler_state {
	uint64_t last_change_ms;  /* when the size last changed (or the scaler started) */
	uint64_t window_start_ms; /* end of the previous window = start of the next one */
	bool below;               /* the last windows were all below shrink_below_us ... */
	uint64_t below_since_ms;  /* ... since this time (the first one's start) */
};

enum bpfnic_scaler_action {
	BPFNIC_SCALER_HOLD = 0,
	BPFNIC_SCALER_GROW,
	BPFNIC_SCALER_SHRINK,
};

/* One window: when it ended, whether it saw any request, and its metric. */
struct bpfnic_scaler_window {
	uint64_t now_ms;
	bool traffic;
	double metric_us;
};

/* Start (or restart after a policy change): the cooldown runs from now. */
void bpfnic_scaler_init(struct bpfnic_scaler_state *s, uint64_t now_ms);

/* size brought within min_cpus..max_cpus: where a group entering the policy starts. */
unsigned bpfnic_scaler_clamp(const struct bpfnic_scaler_params *p, unsigned size);

/* The scaler's part of a policy's parameters (the daemon and the model both take it). */
struct bpfnic_policy_params;
struct bpfnic_scaler_params bpfnic_scaler_params_of(const struct bpfnic_policy_params *p);

/*
 * Decide on one window for a group of size CPUs: HOLD, or GROW / SHRINK by one CPU.
 * Updates s as if the caller applies the change; a caller that cannot restores s.
 * reason gets a one-line explanation for the log and the history when not HOLD.
 */
enum bpfnic_scaler_action bpfnic_scaler_step(struct bpfnic_scaler_state *s,
					     const struct bpfnic_scaler_params *p,
					     const struct bpfnic_scaler_window *w, unsigned size,
					     char *reason, size_t reason_size);

#endif
