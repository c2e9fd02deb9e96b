/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * split --long-cpus auto: the size of split's long group, decided every statistics
 * window from what each class asked for, by the thesis' own condition (§5.1.2): of k
 * CPUs, short requests get
 *
 *     k_S = p_S·S_S / (p_L·S_L + p_S·S_S) · k
 *
 * (p: a class's share of the arrivals, S: its mean service time), the share of the
 * work that is short; the long group gets the rest, k_L = k - k_S. Pure: no I/O, no
 * clock; the caller passes the window in and applies the decision (daemon/policy.c
 * owns the groups, the model runs the same function on its windows).
 *
 * Hysteresis, so that a load sitting between two sizes does not flap the groups: the
 * group changes only when the ideal k_L (a real number) is more than
 * BPFNIC_SPLIT_MARGIN past the middle between the current size and the next, and at
 * least cooldown_ms after the last change. Each group keeps one CPU at least. A class
 * with fewer than BPFNIC_SPLIT_MIN_SERVED requests served in the window gives no
 * service time of its own: its last measured one is used (until there is one, the
 * size holds). A window with no arrivals holds.
 */
#ifndef BPFNICD_SPLITSIZE_H
#define BPFNICD_SPLITSIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BPFNIC_SPLIT_MARGIN     0.25 /* CPUs past the half-way mark before a change */
#define BPFNIC_SPLIT_MIN_SERVED 20u  /* requests for a window's service time to count */

/* One class in one window: short (and unknown class bytes, served as short), long. */
struct bpfnic_split_class {
	double rps;        /* arrived per second */
	double service_us; /* mean measured service time of those served */
	uint64_t served;   /* served in the window */
};

struct bpfnic_split_window {
	uint64_t now_ms;
	struct bpfnic_split_class cls[2]; /* [0] short, [1] long */
};

struct bpfnic_split_state {
	uint64_t last_change_ms;
	double service_us[2]; /* last measured service time per class; 0: none yet */
};

/* Start (or restart when the policy is applied again): the cooldown runs from now. */
void bpfnic_split_init(struct bpfnic_split_state *s, uint64_t now_ms);

/* The ideal long-group size for k CPUs (a real number in [0, k]), from arrival rates
 * and service times; -1 when there is no work to share. */
double bpfnic_split_ideal_long(double rps_short, double service_short_us, double rps_long,
			       double service_long_us, unsigned k);

/*
 * Decide on one window for k candidate CPUs (k >= 2) and a long group of n_long:
 * the new size (n_long itself: hold). reason gets a line for the log and the history
 * when the size changes.
 */
unsigned bpfnic_split_step(struct bpfnic_split_state *s, const struct bpfnic_split_window *w,
			   unsigned k, unsigned n_long, uint64_t cooldown_ms, char *reason,
			   size_t reason_size);

#endif
