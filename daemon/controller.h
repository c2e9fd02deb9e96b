/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The dynamic core-group controller (thesis §3.3.3 and §4.2.6, with the shrinking
 * its future work asks for): a pure decision over one statistics window at a time.
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
#ifndef BPFNICD_CONTROLLER_H
#define BPFNICD_CONTROLLER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct bpfnic_ctl_params {
	double threshold_us;
	double shrink_below_us;
	unsigned min_cpus, max_cpus;
	uint64_t cooldown_ms;
};

struct bpfnic_ctl_state {
	unsigned size;            /* CPUs in the group now */
	uint64_t last_change_ms;  /* when size last changed (or the controller started) */
	uint64_t window_start_ms; /* end of the previous window = start of the next one */
	bool below;               /* the last windows were all below shrink_below_us ... */
	uint64_t below_since_ms;  /* ... since this time (the first one's start) */
};

enum bpfnic_ctl_action {
	BPFNIC_CTL_HOLD = 0,
	BPFNIC_CTL_GROW,
	BPFNIC_CTL_SHRINK,
};

/* One window: when it ended, whether it saw any request, and its metric. */
struct bpfnic_ctl_window {
	uint64_t now_ms;
	bool traffic;
	double metric_us;
};

/* Start (or restart after a policy change) at size, clamped to the bounds. */
void bpfnic_ctl_init(struct bpfnic_ctl_state *s, const struct bpfnic_ctl_params *p,
		     unsigned size, uint64_t now_ms);

/*
 * Decide on one window; updates s (size included). reason gets a one-line
 * explanation for the log and the history when the action is not HOLD.
 */
enum bpfnic_ctl_action bpfnic_ctl_step(struct bpfnic_ctl_state *s,
				       const struct bpfnic_ctl_params *p,
				       const struct bpfnic_ctl_window *w, char *reason,
				       size_t reason_size);

#endif
